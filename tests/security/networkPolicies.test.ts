// The NetworkPolicies the stack creates, and those its charts and operators create of their own with the values it
// sends them, evaluated together over the lab's pods as the charts label them: every needed flow gets through, and
// nothing else reaches the data stores, the webhooks or anything from outside.
import { beforeAll, describe, expect, it } from "vitest";
import { EXTERNAL_SECRETS_CHART, RELOADER_CHART } from "../../components/operators/facts";
import { OPENBAO_CHART } from "../../components/secrets/facts";
import { flannelTunnelAddresses, flowRows, networkPolicies } from "../../components/security/flows";
import { labFlows, ownedNamespaces, type FlowInputs } from "../../stacks/placement";
import { chartName, chartPolicies, CHART_MODELS, operatorPolicies, type CustomResourceInputs, type ReleaseInputs } from "./chartPolicies";
import { labStack } from "./labStack";
import type { Ledger } from "../helpers/pulumi";
import { allowed, listeningPorts, portNamed, selects, type ContainerPort, type Endpoint, type NetworkPolicy, type Pod } from "./evaluator";
import { ADDRESSES, LAB_PODS } from "./labPods";

/** What the lab's config (Pulumi.homelab.yaml) gives the flow table. */
const LAB_FLOW_INPUTS: FlowInputs = {
    // Every door of the port plan on the gateway (stacks/placement.ts labDoors): Shlink, the UIs, Vault, Argo CD.
    gatewayPorts: [80, 443, 3000, 16686, 20001, 9093, 8200, 8080, 8443],
    apiServer: { cidr: "192.168.2.0/24", ports: [6443] },
    webhookCallers: flannelTunnelAddresses("10.42.0.0/16", 24),
};

const P = LAB_PODS;
/**
 * Every port a container of the pod declares, init containers included: what Prometheus' pod discovery makes
 * targets of (`__meta_kubernetes_pod_container_init`, prometheus.io/docs configuration kubernetes_sd_config, role pod).
 */
const declaredPorts = (pod: Pod): ContainerPort[] => [...pod.containers, ...(pod.initContainers ?? [])].flatMap((c) => c.ports ?? []);
const A = ADDRESSES;
const everyone: Endpoint[] = [...Object.values(P), ...Object.values(A)];
const name = (e: Endpoint) => (e.kind === "pod" ? `${e.namespace}/${e.name}` : e.name);

/** Every Helm release of the stack, as the chart models read it. */
const releasesOf = (ledger: Ledger): ReleaseInputs[] => ledger.ofType("kubernetes:helm.sh/v3:Release").map((r) => r.inputs as ReleaseInputs);
/** Every object of the stack with a spec an operator may act on (the models say which kinds they know). */
const customResourcesOf = (ledger: Ledger): CustomResourceInputs[] =>
    ledger.resources
        .filter((r) => typeof r.inputs?.apiVersion === "string" && typeof r.inputs?.kind === "string" && r.inputs.spec !== undefined)
        .map((r) => r.inputs as CustomResourceInputs);
/** The NetworkPolicies the charts and operators create of their own for what the stack sends them. */
const chartAndOperatorPolicies = (releases: ReleaseInputs[], resources: CustomResourceInputs[]): NetworkPolicy[] => [
    ...releases.flatMap(chartPolicies),
    ...resources.flatMap(operatorPolicies),
];

describe("the stack's NetworkPolicies", () => {
    let ledger: Ledger;
    /** Ours and the charts' and operators' own: NetworkPolicies add up, so the matrix is evaluated over all of them. */
    let policies: NetworkPolicy[];
    let ours: NetworkPolicy[];
    let chartMade: NetworkPolicy[];
    let stackNamespaces: string[];

    beforeAll(async () => {
        ({ ledger } = await labStack());
        stackNamespaces = ledger.ofType("kubernetes:core/v1:Namespace").map((r) => r.inputs.metadata.name);
        // Vault's, External Secrets' and Reloader's namespaces are the stack's own now: nothing is evaluated that it does not create.
        for (const ns of [OPENBAO_CHART.namespace, EXTERNAL_SECRETS_CHART.namespace, RELOADER_CHART.namespace]) {
            expect(stackNamespaces).toContain(ns);
        }
        ours = ledger.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs as NetworkPolicy);
        chartMade = chartAndOperatorPolicies(releasesOf(ledger), customResourcesOf(ledger));
        policies = [...ours, ...chartMade];
    });

    const canUnder = (set: NetworkPolicy[], from: Endpoint, to: Pod | Endpoint, port: number | string, protocol?: "TCP" | "UDP") => {
        const number = typeof port === "number" ? port : portNamed(to as Pod, port);
        return allowed(set, { from, to, port: number, ...(protocol ? { protocol } : {}) });
    };
    const can = (from: Endpoint, to: Pod | Endpoint, port: number | string, protocol?: "TCP" | "UDP") => canUnder(policies, from, to, port, protocol);
    /** Everyone (pods and addresses, the target itself aside) the policies let reach `to` on `port`. */
    const reachers = (to: Pod, port: number | string) =>
        everyone
            .filter((from) => from !== to && can(from, to, port))
            .map(name)
            .sort();

    it("gives every namespace the stack creates a default-deny of ingress", () => {
        expect(stackNamespaces.length).toBeGreaterThanOrEqual(13);
        for (const ns of stackNamespaces) {
            const deny = policies.find((p) => p.metadata.namespace === ns && p.metadata.name === "default-deny-ingress");
            expect(deny?.spec, ns).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
        }
    });

    it("has a NetworkPolicy model for every chart it installs, at the pinned version, and none left over", () => {
        const releases = releasesOf(ledger);
        expect(releases.map((r) => chartName(r.chart)).sort()).toEqual(Object.keys(CHART_MODELS).sort());
        for (const release of releases) {
            expect(CHART_MODELS[chartName(release.chart)].version, release.name).toBe(release.version);
        }
    });

    it("lets no chart or operator add a NetworkPolicy of its own with the values it sends (argo-cd's and Kiali's are off)", () => {
        expect(chartMade).toEqual([]);
        expect(ledger.byName("argocd-release").inputs.values.global).toEqual({ networkPolicy: { create: false } });
        const kiali = customResourcesOf(ledger).find((r) => r.kind === "Kiali")!;
        expect(kiali.spec.deployment).toMatchObject({ network_policy: { enabled: false } });
    });

    it("would count a chart's or an operator's own policy: argo-cd's global.networkPolicy.create or Kiali's network_policy back on opens their UIs to everyone", () => {
        const releases = releasesOf(ledger).map((r) =>
            r.name === "argocd" ? { ...r, values: { ...r.values, global: { networkPolicy: { create: true } } } } : r,
        );
        const argoOn = chartAndOperatorPolicies(releases, customResourcesOf(ledger));
        expect(argoOn.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort()).toEqual([
            "argocd/argocd-application-controller",
            "argocd/argocd-redis",
            "argocd/argocd-repo-server",
            "argocd/argocd-server",
        ]);
        for (const outsider of [P.stranger, A.lanClient, P.grafana]) {
            expect(canUnder(ours, outsider, P.argocdServer, "server"), name(outsider)).toBe(false);
            expect(canUnder([...ours, ...argoOn], outsider, P.argocdServer, "server"), name(outsider)).toBe(true);
        }
        expect(canUnder([...ours, ...argoOn], P.stranger, P.argocdRepoServer, "metrics")).toBe(true);
        const resources = customResourcesOf(ledger).map((r) =>
            r.kind === "Kiali" ? { ...r, spec: { ...r.spec, deployment: { ...(r.spec.deployment as object), network_policy: { enabled: true } } } } : r,
        );
        const kialiOn = chartAndOperatorPolicies(releasesOf(ledger), resources);
        expect(kialiOn.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(["istio-system/kiali"]);
        expect(canUnder(ours, P.stranger, P.kiali, "api-port")).toBe(false);
        expect(canUnder([...ours, ...kialiOn], P.stranger, P.kiali, "api-port")).toBe(true);
    });

    it("refuses a chart it has no model for, a pin newer than the model, and a chart policy turned on but not modelled", () => {
        const cert = releasesOf(ledger).find((r) => chartName(r.chart) === "cert-manager")!;
        expect(() => chartPolicies({ ...cert, chart: "unknown-chart" })).toThrow(/no NetworkPolicy model for chart unknown-chart/);
        expect(() => chartPolicies({ ...cert, version: "v1.20.0" })).toThrow(/read at v1.19.6/);
        expect(() => chartPolicies({ ...cert, values: { ...cert.values, webhook: { networkPolicy: { enabled: true } } } })).toThrow(
            /networkpolicy-webhooks.yaml : 1 .* renders a NetworkPolicy/,
        );
    });

    it("creates exactly the policies the flow table generates, each in a namespace of the stack, after that namespace", () => {
        const created = ledger.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy");
        const key = (p: { metadata: { namespace: string; name: string } }) => `${p.metadata.namespace}/${p.metadata.name}`;
        const byKey = <T extends { metadata: { namespace: string; name: string } }>(list: T[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
        expect(byKey(created.map((r) => r.inputs as NetworkPolicy))).toEqual(
            byKey(
                networkPolicies(
                    labFlows(LAB_FLOW_INPUTS),
                    ownedNamespaces().filter((ns) => stackNamespaces.includes(ns.name)),
                ),
            ),
        );
        const namespaceOwners = new Map(ledger.ofType("kubernetes:core/v1:Namespace").map((r) => [r.inputs.metadata.name, r.name]));
        for (const r of created) {
            expect(ledger.waitsFor(r.name), r.name).toContain(namespaceOwners.get(r.inputs.metadata.namespace));
        }
    });

    it("runs the smoke check only once the policies are in place", () => {
        const policy = ledger.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")[0].name;
        expect(ledger.waitsFor("smoke-check-run")).toContain(policy);
    });

    it("lets every flow the lab needs through", () => {
        const needed: [Endpoint, Pod | Endpoint, number | string, ("TCP" | "UDP")?][] = [
            // The front door, and what the gateway routes to.
            [A.lanClient, P.gateway, 80],
            [A.lanClient, P.gateway, 15021],
            [A.lanClient, P.gateway, 443],
            [P.k6Runner, P.gateway, 443],
            [P.gateway, P.shlink, "http"],
            [P.gateway, P.grafana, "grafana"],
            [P.gateway, P.alertmanager, "http-web"],
            [P.gateway, P.jaeger, 16686],
            [P.gateway, P.kiali, "api-port"],
            [P.gateway, P.argocdServer, "server"],
            [P.gateway, P.openbao, "http"],
            // Shlink on its data stores.
            [P.shlink, P.postgresPrimary, "postgres"],
            [P.shlink, P.redisMaster, "redis"],
            [P.shlink, P.coredns, 53, "UDP"],
            [P.shlink, P.coredns, 53, "TCP"],
            // PostgreSQL: replication, Patroni, pgBackRest, PGO, Patroni's lock in the API, DNS.
            [P.postgresReplica, P.postgresPrimary, "postgres"],
            [P.postgresReplica, P.postgresPrimary, 8008],
            [P.postgresPrimary, P.postgresReplica, 8008],
            [P.postgresPrimary, P.pgbackrestRepo, 8432],
            [P.pgbackrestRepo, P.postgresPrimary, 8432],
            [P.postgresOperator, P.postgresPrimary, "postgres"],
            [P.postgresOperator, P.postgresPrimary, 8008],
            [P.postgresPrimary, A.apiServer, 6443],
            [P.postgresReplica, P.coredns, 53, "UDP"],
            // Redis: Sentinel and replication, the operator, DNS.
            [P.sentinel, P.redisMaster, "redis"],
            [P.redisMaster, P.sentinel, "sentinel"],
            [P.redisOperator, P.redisMaster, "redis"],
            [P.redisOperator, P.sentinel, "sentinel"],
            [P.sentinel, P.coredns, 53, "UDP"],
            // The mesh: config and certificates, spans, injection.
            [P.shlink, P.istiod, "tls-xds"],
            [P.gateway, P.istiod, "tls-xds"],
            [P.shlink, P.jaeger, 4317],
            [P.gateway, P.jaeger, 4317],
            [A.apiServerViaFlannel, P.istiod, "https-webhooks"],
            [P.kiali, P.istiod, "http-monitoring"],
            // Webhooks the API server calls from another node.
            [A.apiServerViaFlannel, P.certManagerWebhook, "https"],
            [A.apiServerViaFlannel, P.externalSecretsWebhook, "webhook"],
            [A.apiServerViaFlannel, P.prometheusOperator, "https"],
            // Prometheus scrapes.
            [P.prometheus, P.postgresPrimary, "exporter"],
            [P.prometheus, P.redisMaster, "metrics"],
            [P.prometheus, P.sentinel, "metrics"],
            [P.prometheus, P.certManager, "http-metrics"],
            [P.prometheus, P.istiod, "http-monitoring"],
            [P.prometheus, P.shlink, "http-envoy-prom"],
            [P.prometheus, P.gateway, "http-envoy-prom"],
            [P.prometheus, P.kubeStateMetrics, "http"],
            [P.prometheus, P.alertmanager, "http-web"],
            [P.prometheus, P.prometheusOperator, "https"],
            // Observability's own reads.
            [P.grafana, P.prometheus, "http-web"],
            [P.grafana, P.alertmanager, "http-web"],
            [P.grafana, P.jaeger, 16686],
            [P.kiali, P.prometheus, "http-web"],
            [P.kiali, P.grafana, "grafana"],
            [P.kiali, P.jaeger, 16685],
            [P.alertmanager, P.alertmanager, "mesh-tcp"],
            // Load tests.
            [P.k6Starter, P.k6Runner, 6565],
            [P.k6Operator, P.k6Runner, 6565],
            [P.k6Runner, P.prometheus, "http-web"],
            // Secrets.
            [P.externalSecrets, P.openbao, "http"],
            [P.openbaoPeer, P.openbao, "http"],
            [P.openbaoPeer, P.openbao, "https-internal"],
            // Argo CD among itself.
            [P.argocdServer, P.argocdRepoServer, "repo-server"],
            [P.argocdServer, P.argocdRedis, "redis"],
            [P.argocdController, P.argocdRepoServer, "repo-server"],
            [P.argocdController, P.argocdRedis, "redis"],
        ];
        const blocked = needed
            .filter(([from, to, port, protocol]) => !can(from, to, port, protocol))
            .map(([f, t, p, pr]) => `${name(f)} → ${name(t)}:${p}${pr ? `/${pr}` : ""}`);
        expect(blocked).toEqual([]);
    });

    it("lets nothing but Shlink, PGO and PostgreSQL's own pods reach PostgreSQL; only Prometheus reaches its exporter", () => {
        const peers = ["postgres/shlink-db-pgha1-0", "postgres/shlink-db-pgha1-1", "postgres/shlink-db-repo-host-0"];
        expect(reachers(P.postgresPrimary, "postgres")).toEqual(
            ["postgres-operator/pgo", "shlink/shlink", ...peers.filter((p) => p !== "postgres/shlink-db-pgha1-0")].sort(),
        );
        expect(reachers(P.postgresPrimary, 8008)).toEqual(["postgres-operator/pgo", "postgres/shlink-db-pgha1-1", "postgres/shlink-db-repo-host-0"]);
        expect(reachers(P.pgbackrestRepo, 8432)).toEqual(["postgres/shlink-db-pgha1-0", "postgres/shlink-db-pgha1-1"]);
        expect(reachers(P.postgresPrimary, "exporter")).toEqual(["monitoring/prometheus-kps-prometheus-0"]);
    });

    it("lets nothing from outside Shlink, the failover and its operator reach Redis or Sentinel", () => {
        expect(reachers(P.redisMaster, "redis")).toEqual(["redis-operator/redis-operator", "redis/rfs-shlink-redis-abc", "shlink/shlink"]);
        expect(reachers(P.sentinel, "sentinel")).toEqual(["redis-operator/redis-operator", "redis/rfr-shlink-redis-0"]);
        expect(reachers(P.redisMaster, "metrics")).toEqual(["monitoring/prometheus-kps-prometheus-0"]);
    });

    it("lets only the gateway reach Shlink and the UIs, and only External Secrets, its peers and Prometheus reach OpenBao besides", () => {
        expect(reachers(P.shlink, "http")).toEqual(["istio-ingress/istio-ingressgateway"]);
        expect(reachers(P.argocdServer, "server")).toEqual(
            [
                "istio-ingress/istio-ingressgateway",
                "argocd/argocd-application-controller-0",
                "argocd/argocd-applicationset-controller",
                "argocd/argocd-redis",
                "argocd/argocd-repo-server",
            ].sort(),
        );
        expect(reachers(P.grafana, "grafana")).toEqual(
            [
                "istio-ingress/istio-ingressgateway",
                "istio-system/kiali",
                ...["prometheus-kps-prometheus-0", "alertmanager-kps-alertmanager-0", "kps-operator", "kube-state-metrics"].map((n) => `monitoring/${n}`),
            ].sort(),
        );
        expect(reachers(P.openbao, "http")).toEqual([
            "external-secrets/external-secrets",
            "external-secrets/external-secrets-webhook",
            "istio-ingress/istio-ingressgateway",
            "monitoring/prometheus-kps-prometheus-0",
            "vault/openbao-1",
        ]);
        expect(reachers(P.kiali, "api-port")).toEqual(["istio-ingress/istio-ingressgateway"]);
    });

    it("lets a random pod in `default` and a LAN client reach nothing of ours but the gateway", () => {
        for (const outsider of [P.stranger, A.lanClient]) {
            const reached = Object.values(P)
                .filter((to) => to.namespace !== "default" && to.namespace !== "kube-system")
                .flatMap((to) =>
                    listeningPorts(to)
                        .filter((p) => can(outsider, to, p.containerPort, p.protocol === "UDP" ? "UDP" : "TCP"))
                        .map((p) => `${name(to)}:${p.containerPort}`),
                );
            expect(reached.sort(), name(outsider)).toEqual([
                "istio-ingress/istio-ingressgateway:15021",
                "istio-ingress/istio-ingressgateway:443",
                "istio-ingress/istio-ingressgateway:80",
            ]);
        }
    });

    it("takes webhook calls only from the nodes' flannel addresses, never from a pod", () => {
        for (const [webhook, port] of [
            [P.certManagerWebhook, "https"],
            [P.externalSecretsWebhook, "webhook"],
            [P.istiod, "https-webhooks"],
            [P.prometheusOperator, "https"],
        ] as const) {
            expect(can(A.apiServerViaFlannel, webhook, port), name(webhook)).toBe(true);
            const pods = reachers(webhook, port).filter((r) => r.includes("/"));
            // Only the webhook's own namespace-mates may (monitoring talks among itself).
            expect(
                pods.every((p) => p.startsWith(`${webhook.namespace}/`)),
                `${name(webhook)}: ${pods.join(", ")}`,
            ).toBe(true);
        }
    });

    it("keeps the data stores' and Shlink's egress to their peers, DNS and the API server", () => {
        for (const data of [P.postgresPrimary, P.pgbackrestRepo, P.redisMaster, P.sentinel, P.shlink]) {
            expect(can(data, A.internet, 443), `${name(data)} → internet`).toBe(false);
            expect(can(data, P.stranger, "http"), `${name(data)} → default`).toBe(false);
            expect(can(data, P.coredns, 53, "UDP"), `${name(data)} → DNS`).toBe(true);
        }
        expect(can(P.postgresPrimary, A.apiServer, 6443)).toBe(true);
        expect(can(P.redisMaster, A.apiServer, 6443)).toBe(false);
        expect(can(P.shlink, A.apiServer, 6443)).toBe(false);
        expect(can(P.postgresPrimary, P.redisMaster, "redis")).toBe(false);
        expect(can(P.redisMaster, P.postgresPrimary, "postgres")).toBe(false);
        expect(can(P.shlink, P.jaeger, 16686)).toBe(false);
        expect(can(P.shlink, P.openbao, "http")).toBe(false);
        // Other namespaces' egress stays open: operators, Grafana's downloads and Alertmanager's webhook leave the cluster.
        expect(can(P.grafana, A.internet, 443)).toBe(true);
    });

    it("lets Prometheus scrape every pod each PodMonitor of the stack selects, on the monitor's port", () => {
        const monitors = ledger.resources.filter((r) => r.inputs.kind === "PodMonitor");
        expect(monitors.length).toBeGreaterThanOrEqual(5);
        for (const monitor of monitors) {
            const spec = monitor.inputs.spec;
            const namespaces: string[] | undefined = spec.namespaceSelector.any ? undefined : spec.namespaceSelector.matchNames;
            const targets = Object.values(P).filter(
                (pod) =>
                    (namespaces === undefined || namespaces.includes(pod.namespace)) &&
                    selects(spec.selector, pod.labels) &&
                    spec.podMetricsEndpoints.some((e: { port: string }) => declaredPorts(pod).some((p) => p.name === e.port)),
            );
            expect(targets.length, monitor.name).toBeGreaterThan(0);
            for (const pod of targets) {
                for (const endpoint of spec.podMetricsEndpoints.filter((e: { port: string }) => declaredPorts(pod).some((p) => p.name === e.port))) {
                    expect(can(P.prometheus, pod, endpoint.port), `${monitor.name} → ${name(pod)}:${endpoint.port}`).toBe(true);
                }
            }
        }
    });

    it("opens the gateway on every port its Gateway servers listen on", () => {
        const gateways = ledger.resources.filter((r) => r.inputs.kind === "Gateway");
        const ports: number[] = gateways.flatMap((g) => g.inputs.spec.servers.map((s: { port: { number: number } }) => s.port.number));
        expect(ports.length).toBeGreaterThan(0);
        for (const port of ports) {
            expect(can(A.lanClient, P.gateway, port), `LAN → gateway:${port}`).toBe(true);
        }
    });

    it("lists every flow with a reason, as docs/architecture.md's matrix shows them", () => {
        const rows = flowRows(labFlows(LAB_FLOW_INPUTS));
        expect(rows.length).toBe(labFlows(LAB_FLOW_INPUTS).length);
        for (const row of rows) {
            expect(row.why.length, JSON.stringify(row)).toBeGreaterThan(10);
        }
        if (process.env.FLOW_TABLE) {
            console.log(["| From | To | Ports | Why |", "|---|---|---|---|", ...rows.map((r) => `| ${r.from} | ${r.to} | ${r.ports} | ${r.why} |`)].join("\n"));
        }
    });
});

describe("the flannel tunnel addresses webhook calls come from", () => {
    it("lists the first address of every /24 of K3s' cluster CIDR, and no pod address", () => {
        const addresses = flannelTunnelAddresses("10.42.0.0/16", 24);
        expect(addresses.length).toBe(256);
        expect(addresses[0]).toBe("10.42.0.0/32");
        expect(addresses[1]).toBe("10.42.1.0/32");
        expect(addresses[255]).toBe("10.42.255.0/32");
        expect(new Set(addresses).size).toBe(256);
        for (const pod of Object.values(LAB_PODS)) {
            expect(addresses).not.toContain(`${pod.ip}/32`);
        }
    });
});
