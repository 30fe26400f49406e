// The lab's pods as the charts and operators label them, written out by hand from their sources (not from the
// code under test), so the policy matrix is checked against what the pods really carry. Addresses follow K3s:
// pods in 10.42.N.0/24 of their node N, the nodes on the LAN.
import type { Address, Pod } from "./evaluator";

let next = 10;
/** A pod on node `node` (0-2) with the next free address of that node's podCIDR. */
function pod(namespace: string, name: string, labels: Record<string, string>, ports: Pod["ports"] = [], node = 1): Pod {
    return { kind: "pod", name, namespace, labels, ip: `10.42.${node}.${next++}`, ports };
}

const envoy = [
    { name: "http-envoy-prom", containerPort: 15090 },
    { name: "http-status", containerPort: 15021 },
];

export const LAB_PODS = {
    // Our Deployment (components/apps/shlinkSpec.ts) plus the injected sidecar's ports (istio injection template).
    shlink: pod("shlink", "shlink", { "app.kubernetes.io/name": "shlink", "app.kubernetes.io/version": "4.6.0" }, [{ name: "http", containerPort: 8080 }, ...envoy]),
    // gateway chart 1.30.3 templates/deployment.yaml: labels from values.labels, Envoy's stats port named http-envoy-prom.
    gateway: pod("istio-ingress", "istio-ingressgateway", { istio: "ingressgateway", app: "istio-ingressgateway" }, [
        { name: "http", containerPort: 80 },
        { name: "status-port", containerPort: 15021 },
        { name: "http-envoy-prom", containerPort: 15090 },
    ]),
    // istio-discovery 1.30.3 templates/deployment.yaml: app: istiod, istio: pilot.
    istiod: pod("istio-system", "istiod", { app: "istiod", istio: "pilot" }, [
        { name: "http-debug", containerPort: 8080 },
        { name: "grpc-xds", containerPort: 15010 },
        { name: "tls-xds", containerPort: 15012 },
        { name: "https-webhooks", containerPort: 15017 },
        { name: "http-monitoring", containerPort: 15014 },
    ]),
    // istio-cni 1.30.3 templates/daemonset.yaml: k8s-app: istio-cni-node, metrics on 15014.
    istioCni: pod("istio-system", "istio-cni-node", { "k8s-app": "istio-cni-node", "app.kubernetes.io/name": "istio-cni" }, [{ containerPort: 15014 }]),
    // The Kiali operator deploys the server where its CR is (istio-system), labelled app.kubernetes.io/name: kiali.
    kiali: pod("istio-system", "kiali", { app: "kiali", "app.kubernetes.io/name": "kiali" }, [
        { name: "api-port", containerPort: 20001 },
        { name: "http-metrics", containerPort: 9090 },
    ]),
    kialiOperator: pod("kiali-operator", "kiali-operator", { "app.kubernetes.io/name": "kiali-operator" }),
    // PGO v6.0.3 internal/naming/labels.go: cluster, data (postgres | pgbackrest), role; pgMonitor's exporter label and port.
    postgresPrimary: pod("postgres", "shlink-db-pgha1-0", {
        "postgres-operator.crunchydata.com/cluster": "shlink-db",
        "postgres-operator.crunchydata.com/data": "postgres",
        "postgres-operator.crunchydata.com/role": "master",
        "postgres-operator.crunchydata.com/crunchy-postgres-exporter": "true",
    }, [
        { name: "postgres", containerPort: 5432 },
        { name: "patroni", containerPort: 8008 },
        { name: "pgbackrest", containerPort: 8432 },
        { name: "exporter", containerPort: 9187 },
    ]),
    postgresReplica: pod("postgres", "shlink-db-pgha1-1", {
        "postgres-operator.crunchydata.com/cluster": "shlink-db",
        "postgres-operator.crunchydata.com/data": "postgres",
        "postgres-operator.crunchydata.com/role": "replica",
        "postgres-operator.crunchydata.com/crunchy-postgres-exporter": "true",
    }, [
        { name: "postgres", containerPort: 5432 },
        { name: "patroni", containerPort: 8008 },
        { name: "pgbackrest", containerPort: 8432 },
        { name: "exporter", containerPort: 9187 },
    ], 2),
    pgbackrestRepo: pod("postgres", "shlink-db-repo-host-0", {
        "postgres-operator.crunchydata.com/cluster": "shlink-db",
        "postgres-operator.crunchydata.com/data": "pgbackrest",
        "postgres-operator.crunchydata.com/pgbackrest-dedicated": "",
    }, [{ name: "pgbackrest", containerPort: 8432 }]),
    postgresOperator: pod("postgres-operator", "pgo", { "postgres-operator.crunchydata.com/control-plane": "postgres-operator" }),
    // redis-operator 1.2.4 (facts.md): name, component redis|sentinel, part-of redis-failover; exporters' port named metrics.
    redisMaster: pod("redis", "rfr-shlink-redis-0", {
        "app.kubernetes.io/name": "shlink-redis",
        "app.kubernetes.io/component": "redis",
        "app.kubernetes.io/part-of": "redis-failover",
        "redisfailovers-role": "master",
    }, [
        { name: "redis", containerPort: 6379 },
        { name: "metrics", containerPort: 9121 },
    ]),
    sentinel: pod("redis", "rfs-shlink-redis-abc", {
        "app.kubernetes.io/name": "shlink-redis",
        "app.kubernetes.io/component": "sentinel",
        "app.kubernetes.io/part-of": "redis-failover",
    }, [
        { name: "sentinel", containerPort: 26379 },
        { name: "metrics", containerPort: 9355 },
    ], 2),
    redisOperator: pod("redis-operator", "redis-operator", { "app.kubernetes.io/name": "redis-operator" }, [{ name: "metrics", containerPort: 9710 }]),
    // cert-manager v1.19.6: name/component controller, webhook (https 10250), cainjector.
    certManager: pod("cert-manager", "cert-manager", { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" }, [
        { name: "http-metrics", containerPort: 9402 },
        { name: "http-healthz", containerPort: 9403 },
    ]),
    certManagerWebhook: pod("cert-manager", "cert-manager-webhook", { "app.kubernetes.io/name": "webhook", "app.kubernetes.io/component": "webhook" }, [
        { name: "https", containerPort: 10250 },
        { name: "healthcheck", containerPort: 6080 },
    ]),
    // prometheus-operator labels its Prometheus and Alertmanager pods app.kubernetes.io/name: prometheus | alertmanager.
    prometheus: pod("monitoring", "prometheus-kps-prometheus-0", { "app.kubernetes.io/name": "prometheus", prometheus: "kps-prometheus" }, [
        { name: "http-web", containerPort: 9090 },
    ]),
    alertmanager: pod("monitoring", "alertmanager-kps-alertmanager-0", { "app.kubernetes.io/name": "alertmanager", alertmanager: "kps-alertmanager" }, [
        { name: "http-web", containerPort: 9093 },
        { name: "mesh-tcp", containerPort: 9094 },
    ]),
    // grafana chart 12.11.1 selectorLabels: app.kubernetes.io/name: grafana.
    grafana: pod("monitoring", "kps-grafana", { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kube-prometheus-stack" }, [
        { name: "grafana", containerPort: 3000 },
    ]),
    // kube-prometheus-stack 88.5.3: the operator serves its admission webhook on 10250 (prometheusOperator.tls.internalPort).
    prometheusOperator: pod("monitoring", "kps-operator", { app: "kube-prometheus-stack-operator" }, [{ name: "https", containerPort: 10250 }]),
    kubeStateMetrics: pod("monitoring", "kube-state-metrics", { "app.kubernetes.io/name": "kube-state-metrics" }, [{ name: "http", containerPort: 8080 }]),
    // Jaeger chart 4.11.1 all-in-one (components/observability/jaeger.ts jaegerPodLabels).
    jaeger: pod("observability", "jaeger", { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": "jaeger", "app.kubernetes.io/component": "all-in-one" }, [
        { name: "otlp-grpc", containerPort: 4317 },
        { name: "otlp-http", containerPort: 4318 },
        { name: "query-http", containerPort: 16686 },
        { name: "query-grpc", containerPort: 16685 },
        { name: "metrics", containerPort: 8888 },
    ]),
    // k6-operator 1.6.0 pkg/resources/jobs: runner pods app: k6, k6_cr, runner: "true", REST API on 6565.
    k6Operator: pod("load", "k6-operator-controller", { "app.kubernetes.io/name": "k6-operator" }),
    k6Runner: pod("load", "baseline-1", { app: "k6", k6_cr: "baseline", runner: "true" }, [{ name: "http-api", containerPort: 6565 }]),
    k6Starter: pod("load", "baseline-starter", { app: "k6", k6_cr: "baseline", starter: "true" }),
    // argo-cd 10.1.1 (nameOverride argocd): app.kubernetes.io/name: argocd-<component>.
    argocdServer: pod("argocd", "argocd-server", { "app.kubernetes.io/name": "argocd-server" }, [{ name: "server", containerPort: 8080 }]),
    argocdRepoServer: pod("argocd", "argocd-repo-server", { "app.kubernetes.io/name": "argocd-repo-server" }, [{ name: "repo-server", containerPort: 8081 }]),
    argocdRedis: pod("argocd", "argocd-redis", { "app.kubernetes.io/name": "argocd-redis" }, [{ name: "redis", containerPort: 6379 }]),
    argocdController: pod("argocd", "argocd-application-controller-0", { "app.kubernetes.io/name": "argocd-application-controller" }, [
        { name: "metrics", containerPort: 8082 },
    ]),
    // OpenBao chart 0.29.2: app.kubernetes.io/name: openbao, component server; API 8200, cluster 8201.
    openbao: pod("vault", "openbao-0", { "app.kubernetes.io/name": "openbao", component: "server" }, [
        { name: "http", containerPort: 8200 },
        { name: "https-internal", containerPort: 8201 },
    ]),
    openbaoPeer: pod("vault", "openbao-1", { "app.kubernetes.io/name": "openbao", component: "server" }, [
        { name: "http", containerPort: 8200 },
        { name: "https-internal", containerPort: 8201 },
    ], 2),
    // External Secrets 2.9.0: controller, webhook (10250), cert-controller.
    externalSecrets: pod("external-secrets", "external-secrets", { "app.kubernetes.io/name": "external-secrets" }, [{ name: "metrics", containerPort: 8080 }]),
    externalSecretsWebhook: pod("external-secrets", "external-secrets-webhook", { "app.kubernetes.io/name": "external-secrets-webhook" }, [
        { name: "webhook", containerPort: 10250 },
    ]),
    reloader: pod("reloader", "reloader", { app: "reloader-reloader" }, [{ name: "http", containerPort: 9090 }]),
    smokeCheck: pod("smoke-check", "smoke-check-x", { "batch.kubernetes.io/job-name": "smoke-check-x" }),
    // K3s' CoreDNS (kube-system, not ours): k8s-app: kube-dns, 53 over UDP and TCP.
    coredns: pod("kube-system", "coredns", { "k8s-app": "kube-dns" }, [
        { name: "dns", containerPort: 53, protocol: "UDP" },
        { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
    ], 0),
    /** Anything a user deploys into `default`. */
    stranger: pod("default", "random", { app: "random" }, [{ name: "http", containerPort: 8080 }]),
} satisfies Record<string, Pod>;

export const ADDRESSES = {
    /** A laptop on the LAN. */
    lanClient: { kind: "address", name: "LAN client", ip: "192.168.2.50" },
    /** The API server on another node calling a webhook: that node's flannel tunnel address. */
    apiServerViaFlannel: { kind: "address", name: "API server (node 2's flannel address)", ip: "10.42.2.0" },
    /** The API server as pods reach it after kube-proxy's DNAT: a server's LAN address. */
    apiServer: { kind: "address", name: "API server", ip: "192.168.2.242" },
    internet: { kind: "address", name: "the internet", ip: "140.82.112.3" },
} satisfies Record<string, Address>;
