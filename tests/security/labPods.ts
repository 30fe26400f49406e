// The lab's pods as the pinned charts and operators make them, written out by hand from their sources (not from
// the code under test), so the policy matrix is checked against what the pods really carry: labels, the ports
// each container declares (named or not, in spec.containers or as a native sidecar), and the ports a process
// listens on that no container declares. Each fact names its source: repository @ tag : path : line, for the
// charts as `helm template` renders them with the values the program sends. Addresses follow K3s: pods in
// 10.42.N.0/24 of their node N, the nodes on the LAN.
import type { Address, Container, ContainerPort, Pod } from "./evaluator";

let next = 10;
/** A pod on node `node` (0-2) with the next free address of that node's podCIDR. */
function pod(
    namespace: string,
    name: string,
    labels: Record<string, string>,
    containers: Container[],
    more: { initContainers?: Container[]; undeclared?: ContainerPort[]; node?: number } = {},
): Pod {
    const { node = 1, ...rest } = more;
    return { kind: "pod", name, namespace, labels, ip: `10.42.${node}.${next++}`, containers, ...rest };
}

/** One container declaring `ports` as [name or undefined, number, protocol?]. */
function container(name: string, ...ports: [string | undefined, number, ("TCP" | "UDP")?][]): Container {
    return {
        name,
        ports: ports.map(([n, containerPort, protocol]) => ({ ...(n === undefined ? {} : { name: n }), containerPort, protocol: protocol ?? "TCP" })),
    };
}

/**
 * What Istio 1.30.3's injector adds to a meshed pod on Kubernetes ≥ 1.33 (ENABLE_NATIVE_SIDECARS=auto, istio/istio
 * @ 1.30.3 : pilot/pkg/features/pilot.go : 331, pkg/kube/inject/webhook.go : 1235-1285; K3s v1.34 qualifies), with
 * pilot.cni.enabled: istio-validation, then istio-proxy as a native sidecar declaring only http-envoy-prom 15090
 * (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml : 29, 80-84, 184-197).
 */
const INJECTED_INIT_CONTAINERS: Container[] = [
    { name: "istio-validation" },
    { ...container("istio-proxy", ["http-envoy-prom", 15090]), restartPolicy: "Always" },
];

export const LAB_PODS = {
    // Our Deployment (components/apps/shlinkSpec.ts : 34, 54) plus the injected native sidecar.
    shlink: pod("shlink", "shlink", { "app.kubernetes.io/name": "shlink", "app.kubernetes.io/version": "4.6.0" }, [container("shlink", ["http", 8080])], {
        initContainers: INJECTED_INIT_CONTAINERS,
    }),
    // istio/istio @ 1.30.3 : manifests/charts/gateway/templates/_helpers.tpl : 19-20 (app, istio from the release name);
    // templates/deployment.yaml : 102-104 and files/gateway-injection-template.yaml : 33-36 declare only 15090 on
    // istio-proxy (a regular container: the gateway template has no native sidecar). Envoy listens undeclared on
    // each Gateway server's port (two of them here) and on the status port (gateway-injection-template.yaml : 167).
    gateway: pod(
        "istio-ingress",
        "istio-ingressgateway",
        { istio: "ingressgateway", app: "istio-ingressgateway", "app.kubernetes.io/name": "istio-ingressgateway" },
        [container("istio-proxy", ["http-envoy-prom", 15090])],
        { undeclared: [{ containerPort: 80 }, { containerPort: 443 }, { containerPort: 15021 }] },
    ),
    // istio/istio @ 1.30.3 : manifests/charts/istio-control/istio-discovery/templates/deployment.yaml : 46, 54 (labels), 128-142 (ports).
    istiod: pod("istio-system", "istiod", { app: "istiod", istio: "pilot" }, [
        container("discovery", ["http-debug", 8080], ["grpc-xds", 15010], ["tls-xds", 15012], ["https-webhooks", 15017], ["http-monitoring", 15014]),
    ]),
    // istio/istio @ 1.30.3 : manifests/charts/istio-cni/templates/daemonset.yaml : 44 (k8s-app), 102-103 (metrics 15014).
    istioCni: pod("istio-system", "istio-cni-node", { "k8s-app": "istio-cni-node", "app.kubernetes.io/name": "istio-cni" }, [
        container("install-cni", ["metrics", 15014]),
    ]),
    // kiali/kiali-operator @ v2.29.0 : roles/default/kiali-deploy/tasks/main.yml : 433-439 (labels, instance "kiali");
    // templates/kubernetes/deployment.yaml : 79, 101-106: only api-port 20001 with server.observability.metrics off (our CR).
    kiali: pod(
        "istio-system",
        "kiali",
        { app: "kiali", "app.kubernetes.io/name": "kiali", "app.kubernetes.io/instance": "kiali", "app.kubernetes.io/part-of": "kiali" },
        [container("kiali", ["api-port", 20001])],
    ),
    // kiali/helm-charts @ v2.29.0 : kiali-operator/templates/_helpers.tpl : 55, templates/deployment.yaml : 21.
    kialiOperator: pod("kiali-operator", "kiali-operator", { app: "kiali-operator", "app.kubernetes.io/name": "kiali-operator" }, [
        container("operator", ["http-metrics", 8080]),
    ]),
    // CrunchyData/postgres-operator @ v6.0.3: labels internal/naming/labels.go : 15, 23, 29, 79, 92, 96, 128 (Patroni
    // sets role master|replica); the database container declares only postgres 5432 (internal/postgres/reconcile.go :
    // 160-164), the exporter only exporter 9187 (internal/controller/postgrescluster/pgmonitor.go : 312-316, label
    // : 401). Patroni's API 8008 (pkg/apis/.../v1beta1/patroni_types.go : 35) and pgBackRest's server 8432
    // (internal/pgbackrest/iana.go : 12) listen undeclared.
    postgresPrimary: pod(
        "postgres",
        "shlink-db-pgha1-0",
        {
            "postgres-operator.crunchydata.com/cluster": "shlink-db",
            "postgres-operator.crunchydata.com/data": "postgres",
            "postgres-operator.crunchydata.com/role": "master",
            "postgres-operator.crunchydata.com/crunchy-postgres-exporter": "true",
        },
        [container("database", ["postgres", 5432]), container("pgbackrest"), container("exporter", ["exporter", 9187])],
        {
            undeclared: [{ containerPort: 8008 }, { containerPort: 8432 }],
        },
    ),
    postgresReplica: pod(
        "postgres",
        "shlink-db-pgha1-1",
        {
            "postgres-operator.crunchydata.com/cluster": "shlink-db",
            "postgres-operator.crunchydata.com/data": "postgres",
            "postgres-operator.crunchydata.com/role": "replica",
            "postgres-operator.crunchydata.com/crunchy-postgres-exporter": "true",
        },
        [container("database", ["postgres", 5432]), container("pgbackrest"), container("exporter", ["exporter", 9187])],
        {
            undeclared: [{ containerPort: 8008 }, { containerPort: 8432 }],
            node: 2,
        },
    ),
    // CrunchyData/postgres-operator @ v6.0.3 : internal/naming/labels.go : 273, 289 (dedicated repo host); pgBackRest's server 8432 undeclared.
    pgbackrestRepo: pod(
        "postgres",
        "shlink-db-repo-host-0",
        {
            "postgres-operator.crunchydata.com/cluster": "shlink-db",
            "postgres-operator.crunchydata.com/data": "pgbackrest",
            "postgres-operator.crunchydata.com/pgbackrest-dedicated": "",
        },
        [container("pgbackrest")],
        { undeclared: [{ containerPort: 8432 }] },
    ),
    // The PGO chart labels its pod control-plane: {{ .Chart.Name }}, `pgo` (CrunchyData/postgres-operator-examples @
    // 2fbf3b30 : helm/install/templates/_helpers.tpl : 12, templates/manager.yaml : 53; 5.8.5, the newest public
    // source of the chart: 6.0.3 has none).
    postgresOperator: pod("postgres-operator", "pgo", { "postgres-operator.crunchydata.com/control-plane": "pgo" }, [container("operator", ["metrics", 8443])]),
    // spotahome/redis-operator @ v1.2.4 : operator/redisfailover/service/client.go : 44-50 (labels), constants.go : 31-33
    // (role), generator.go : 320-327 (redis 6379), 632-635 (exporter metrics 9121), 511-514 (sentinel 26379), 674-677 (9355).
    redisMaster: pod(
        "redis",
        "rfr-shlink-redis-0",
        {
            "app.kubernetes.io/name": "shlink-redis",
            "app.kubernetes.io/component": "redis",
            "app.kubernetes.io/part-of": "redis-failover",
            "redisfailovers-role": "master",
        },
        [container("redis", ["redis", 6379]), container("redis-exporter", ["metrics", 9121])],
    ),
    sentinel: pod(
        "redis",
        "rfs-shlink-redis-abc",
        {
            "app.kubernetes.io/name": "shlink-redis",
            "app.kubernetes.io/component": "sentinel",
            "app.kubernetes.io/part-of": "redis-failover",
        },
        [container("sentinel", ["sentinel", 26379]), container("sentinel-exporter", ["metrics", 9355])],
        { node: 2 },
    ),
    // spotahome/redis-operator @ Chart-3.2.9 : charts/redisoperator/templates/_helpers.tpl : 57, deployment.yaml : 50-51.
    redisOperator: pod("redis-operator", "redis-operator", { "app.kubernetes.io/name": "redis-operator", "app.kubernetes.io/instance": "redis-operator" }, [
        container("redis-operator", ["metrics", 9710]),
    ]),
    // cert-manager/cert-manager @ v1.19.6 : deploy/charts/cert-manager/templates/deployment.yaml : 37, 153-156.
    certManager: pod("cert-manager", "cert-manager", { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" }, [
        container("cert-manager-controller", ["http-metrics", 9402], ["http-healthz", 9403]),
    ]),
    // cert-manager/cert-manager @ v1.19.6 : deploy/charts/cert-manager/templates/webhook-deployment.yaml : 35, 119-124 (and metrics).
    certManagerWebhook: pod("cert-manager", "cert-manager-webhook", { "app.kubernetes.io/name": "webhook", "app.kubernetes.io/component": "webhook" }, [
        container("cert-manager-webhook", ["https", 10250], ["healthcheck", 6080], ["http-metrics", 9402]),
    ]),
    // prometheus-operator: pod labels app.kubernetes.io/name prometheus | alertmanager (prometheus-operator/prometheus-operator
    // @ v0.93.0 : pkg/prometheus/server/operator.go : 61, 1699-1702, pkg/alertmanager/operator.go : 62, 798-801; kps
    // 88.5.3 runs v0.93.1, whose tag is not public in the snapshot); the web port takes the CR's portName, http-web
    // (prometheus-community/helm-charts @ kube-prometheus-stack-88.5.3 : values.yaml : 1287, 4892); mesh-tcp
    // (pkg/alertmanager/statefulset.go : 67-68).
    prometheus: pod("monitoring", "prometheus-kps-prometheus-0", { "app.kubernetes.io/name": "prometheus", prometheus: "kps-prometheus" }, [
        container("prometheus", ["http-web", 9090]),
    ]),
    alertmanager: pod("monitoring", "alertmanager-kps-alertmanager-0", { "app.kubernetes.io/name": "alertmanager", alertmanager: "kps-alertmanager" }, [
        container("alertmanager", ["http-web", 9093], ["mesh-tcp", 9094], ["mesh-udp", 9094, "UDP"]),
    ]),
    // grafana-community/helm-charts @ grafana-12.11.1 : charts/grafana/templates/_helpers.tpl : 81-84, _pod.tpl : 1403-1413.
    grafana: pod("monitoring", "kps-grafana", { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kube-prometheus-stack" }, [
        container("grafana", ["grafana", 3000], ["gossip-tcp", 9094], ["gossip-udp", 9094, "UDP"], ["profiling", 6060]),
    ]),
    // prometheus-community/helm-charts @ kube-prometheus-stack-88.5.3 : templates/prometheus-operator/deployment.yaml : 23, 165-166.
    prometheusOperator: pod("monitoring", "kps-operator", { app: "kube-prometheus-stack-operator" }, [container("kube-prometheus-stack", ["https", 10250])]),
    // prometheus-community/helm-charts @ kube-state-metrics-8.4.0 : templates/_helpers.tpl : 83, deployment.yaml : 171-174.
    kubeStateMetrics: pod("monitoring", "kube-state-metrics", { "app.kubernetes.io/name": "kube-state-metrics" }, [
        container("kube-state-metrics", ["http", 8080], ["metrics", 8081]),
    ]),
    // jaegertracing/helm-charts @ jaeger-4.11.1 : charts/jaeger/templates/_helpers.tpl : 52-54, templates/jaeger/jaeger-deploy.yaml
    // : 34 (labels), 61-85: every port declared without a name.
    jaeger: pod(
        "observability",
        "jaeger",
        { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": "jaeger", "app.kubernetes.io/component": "all-in-one" },
        [
            container(
                "jaeger",
                [undefined, 5775, "UDP"],
                [undefined, 6831, "UDP"],
                [undefined, 6832, "UDP"],
                [undefined, 5778],
                [undefined, 16686],
                [undefined, 16685],
                [undefined, 9411],
                [undefined, 4317],
                [undefined, 4318],
                [undefined, 13133],
                [undefined, 8888],
                [undefined, 8889],
            ),
        ],
    ),
    // grafana/k6-operator @ v1.6.0 : charts/k6-operator/templates/deployment.yaml : 21, 71.
    k6Operator: pod("load", "k6-operator-controller", { "app.kubernetes.io/name": "k6-operator", "control-plane": "controller-manager" }, [
        container("manager", ["https", 8443]),
    ]),
    // grafana/k6-operator @ v1.6.0 : pkg/resources/jobs/helpers.go : 13-18 (app, k6_cr), runner.go : 90, 102, 196: runner: "true",
    // 6565 declared without a name (`http-api` is only its Service's port name, runner.go : 241).
    k6Runner: pod("load", "baseline-1", { app: "k6", k6_cr: "baseline", runner: "true" }, [container("k6", [undefined, 6565])]),
    // grafana/k6-operator @ v1.6.0 : pkg/resources/jobs/starter.go : 21, 99-100 and
    // pkg/resources/containers/curl_start.go : 32: the starter carries newLabels only.
    k6Starter: pod("load", "baseline-starter", { app: "k6", k6_cr: "baseline" }, [container("k6-curl")]),
    // argoproj/argo-helm @ argo-cd-10.1.1 : charts/argo-cd/templates/argocd-server/deployment.yaml : 42, 418-423;
    // argocd-repo-server/deployment.yaml : 380-384; argocd-application-controller/statefulset.yaml : 369-370;
    // redis/deployment.yaml : 115-116; argocd-applicationset/deployment.yaml : 253-259 (name argocd-<component>, nameOverride argocd).
    argocdServer: pod("argocd", "argocd-server", { "app.kubernetes.io/name": "argocd-server", "app.kubernetes.io/instance": "argocd" }, [
        container("server", ["server", 8080], ["metrics", 8083]),
    ]),
    argocdRepoServer: pod(
        "argocd",
        "argocd-repo-server",
        { "app.kubernetes.io/name": "argocd-repo-server", "app.kubernetes.io/instance": "argocd" },
        [container("repo-server", ["repo-server", 8081], ["metrics", 8084])],
        { initContainers: [{ name: "copyutil" }] },
    ),
    argocdRedis: pod("argocd", "argocd-redis", { "app.kubernetes.io/name": "argocd-redis", "app.kubernetes.io/instance": "argocd" }, [
        container("redis", ["redis", 6379]),
    ]),
    argocdController: pod(
        "argocd",
        "argocd-application-controller-0",
        { "app.kubernetes.io/name": "argocd-application-controller", "app.kubernetes.io/instance": "argocd" },
        [container("application-controller", ["metrics", 8082])],
    ),
    argocdApplicationSet: pod(
        "argocd",
        "argocd-applicationset-controller",
        { "app.kubernetes.io/name": "argocd-applicationset-controller", "app.kubernetes.io/instance": "argocd" },
        [container("applicationset-controller", ["metrics", 8080], ["probe", 8081], ["webhook", 7000])],
    ),
    // openbao/openbao-helm @ openbao-0.29.2 : charts/openbao/templates/server-statefulset.yaml : 38-41, 146-153 (http with global.tlsDisable).
    openbao: pod("vault", "openbao-0", { "app.kubernetes.io/name": "openbao", "app.kubernetes.io/instance": "openbao", component: "server" }, [
        container("openbao", ["http", 8200], ["https-internal", 8201], ["http-rep", 8202]),
    ]),
    openbaoPeer: pod(
        "vault",
        "openbao-1",
        { "app.kubernetes.io/name": "openbao", "app.kubernetes.io/instance": "openbao", component: "server" },
        [container("openbao", ["http", 8200], ["https-internal", 8201], ["http-rep", 8202])],
        { node: 2 },
    ),
    // external-secrets/external-secrets @ helm-chart-2.9.0 : deploy/charts/external-secrets/templates/_helpers.tpl : 142, 146
    // (labels), deployment.yaml : 163-165, webhook-deployment.yaml : 104-110.
    externalSecrets: pod("external-secrets", "external-secrets", { "app.kubernetes.io/name": "external-secrets" }, [
        container("external-secrets", ["metrics", 8080]),
    ]),
    externalSecretsWebhook: pod("external-secrets", "external-secrets-webhook", { "app.kubernetes.io/name": "external-secrets-webhook" }, [
        container("webhook", ["metrics", 8080], ["webhook", 10250], ["ready", 8081]),
    ]),
    // stakater/Reloader @ chart-v2.2.16 : deployments/kubernetes/chart/reloader/templates/_helpers.tpl : 31, 37, deployment.yaml : 183-184.
    reloader: pod("reloader", "reloader", { app: "reloader-reloader", "app.kubernetes.io/name": "reloader" }, [container("reloader-reloader", ["http", 9090])]),
    // Our Job (components/smoke/job.ts); the Job controller adds batch.kubernetes.io/job-name.
    smokeCheck: pod("smoke-check", "smoke-check-x", { "batch.kubernetes.io/job-name": "smoke-check-x" }, [container("smoke-check")]),
    // K3s' CoreDNS (kube-system, not ours): k3s-io/k3s : manifests/coredns.yaml (read at commit 0064a396, not the
    // pinned tag: the repository is too large to fetch here): k8s-app: kube-dns, dns 53/UDP, dns-tcp 53/TCP, metrics 9153.
    coredns: pod("kube-system", "coredns", { "k8s-app": "kube-dns" }, [container("coredns", ["dns", 53, "UDP"], ["dns-tcp", 53, "TCP"], ["metrics", 9153])], {
        node: 0,
    }),
    /** Anything a user deploys into `default`. */
    stranger: pod("default", "random", { app: "random" }, [container("random", ["http", 8080])]),
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
