// Who may talk to whom, as data: one table of flows, from which every NetworkPolicy of the stack is generated.
// Pure: tests evaluate the generated policies and docs/architecture.md shows the table.
import { SHLINK_SELECTOR } from "../apps/shlinkSpec";
import {
    ARGO_CD,
    CERT_MANAGER_METRICS,
    CLUSTER_DNS,
    EXTERNAL_SECRETS_CHART,
    ISTIO,
    JAEGER,
    K6,
    KIALI,
    KUBE_PROMETHEUS_STACK,
    OPERATOR_CHARTS,
    POD_PORTS,
    POSTGRES,
    REDIS,
    SHLINK,
    VAULT,
} from "../defaults";

/**
 * A port by number or by the name of the target pod's container port, TCP unless said. A name only for ports a
 * chart declares in spec.containers: kube-router resolves names from there alone, never from a native sidecar.
 */
export interface FlowPort {
    port: number | string;
    protocol?: "TCP" | "UDP";
}

/** Pods of one namespace: all of them, or those carrying every label in `pods`. */
export interface PodPeer {
    namespace: string;
    pods?: Record<string, string>;
}

/** Addresses outside any pod selector: the API server on the nodes, or the world (the ingress gateway's clients). */
export interface AddressPeer {
    cidrs: string[];
    what: string;
}

export type Peer = PodPeer | AddressPeer;

/** One allowed connection: `from` may open connections to `to` on `ports` (every port when empty). */
export interface Flow {
    /** DNS label; the policy is named `allow-<name>` (ingress) or `egress-<name>` (egress). */
    name: string;
    from: Peer;
    to: Peer;
    ports: FlowPort[];
    why: string;
}

/** What the table depends on beyond the defaults: ports the config chooses and where the API server answers. */
export interface FlowInputs {
    /** Ports the ingress gateway's pods listen on (its Gateway servers' port numbers). */
    gatewayPorts: number[];
    /** Where pods reach the API server after kube-proxy's DNAT: the nodes' network and port(s). */
    apiServer: { cidr: string; ports: number[] };
    /** Addresses the API server's webhook calls come from (see flannelTunnelAddresses). */
    webhookCallers: string[];
    /** The off-site backup store's port (homelab:offsiteBackupEndpoint); undefined when the off-site repository is off. */
    offsiteBackupPort?: number;
}

/** Namespaces whose pods may only open the connections the table lists (the data stores and the app on them). */
export const EGRESS_RESTRICTED: readonly string[] = [POSTGRES.namespace, REDIS.namespace, SHLINK.namespace];

const tcp = (...ports: (number | string)[]): FlowPort[] => ports.map((port) => ({ port }));
const pods = (namespace: string, labels?: Record<string, string>): PodPeer => (labels === undefined ? { namespace } : { namespace, pods: labels });

const EVERY_ADDRESS = "0.0.0.0/0";
const ANYWHERE: AddressPeer = { cidrs: [EVERY_ADDRESS], what: "anywhere" };

/**
 * The addresses a webhook call from the API server on another K3s node comes from: that node's flannel tunnel
 * address, the first IP of its podCIDR (facts-next §7). Which /24 a node gets is decided when it joins, so every
 * /24 of the cluster CIDR is listed, each by its first address only: the whole /16 would let every pod through
 * too (kube-router matches ipBlock against pod addresses), while the first address of a podCIDR is never a pod's.
 * Calls from the API server on the pod's own node are LOCAL, which kube-router always accepts.
 */
export function flannelTunnelAddresses(clusterCidr: string, nodeMaskBits: number): string[] {
    const [base, bitsText] = clusterCidr.split("/");
    const bits = Number(bitsText);
    const start = base.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
    const count = 2 ** (nodeMaskBits - bits);
    const step = 2 ** (32 - nodeMaskBits);
    return Array.from({ length: count }, (_, i) => {
        const n = start + i * step;
        return `${[24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".")}/32`;
    });
}

const PROMETHEUS = pods(KUBE_PROMETHEUS_STACK.namespace, { "app.kubernetes.io/name": "prometheus" });
const GRAFANA_PODS = pods(KUBE_PROMETHEUS_STACK.namespace, { "app.kubernetes.io/name": "grafana" });
const GATEWAY = pods(ISTIO.gatewayNamespace, { istio: ISTIO.gatewayLabel });
const SHLINK_PODS = pods(SHLINK.namespace, { ...SHLINK_SELECTOR });
/** The Kiali server runs where its CR is: Istio's namespace. */
const KIALI_PODS = pods(ISTIO.namespace, { "app.kubernetes.io/name": "kiali" });
/** Namespaces whose pods carry an Envoy: they fetch config and certificates from istiod and send spans to Jaeger. */
const MESHED = [SHLINK.namespace, ISTIO.gatewayNamespace];

/**
 * Every connection the lab needs, and nothing else. DNS and the API server are listed for the namespaces whose
 * egress is restricted; everyone else's egress stays open (image pulls are the node's; operators, Grafana's
 * dashboard downloads and Alertmanager's webhook leave the cluster). kube-system is not ours: no flow targets it
 * but DNS.
 */
export function labFlows(inputs: FlowInputs): Flow[] {
    const apiServer: AddressPeer = { cidrs: [inputs.apiServer.cidr], what: "the API server" };
    const API_SERVER: AddressPeer = { cidrs: inputs.webhookCallers, what: "the API server (webhook calls)" };
    const dns = pods(CLUSTER_DNS.namespace, CLUSTER_DNS.podLabels);
    const dnsPorts: FlowPort[] = [
        { port: CLUSTER_DNS.port, protocol: "UDP" },
        { port: CLUSTER_DNS.port, protocol: "TCP" },
    ];
    const egressBasics = EGRESS_RESTRICTED.flatMap((ns): Flow[] => [
        { name: `${ns}-dns`, from: pods(ns), to: dns, ports: dnsPorts, why: "name lookups through CoreDNS" },
    ]);
    return [
        ...egressBasics,
        // --- The edge: the ingress gateway and what it routes to.
        { name: "gateway-clients", from: ANYWHERE, to: GATEWAY, ports: tcp(...inputs.gatewayPorts, ISTIO.gatewayStatusPort), why: "the lab's front door: every URL the stack exports" },
        { name: "gateway-to-shlink", from: GATEWAY, to: SHLINK_PODS, ports: tcp(SHLINK.port), why: "Shlink behind the gateway (mTLS)" },
        { name: "gateway-to-grafana", from: GATEWAY, to: GRAFANA_PODS, ports: tcp(POD_PORTS.grafana), why: "Grafana's UI through the gateway" },
        { name: "gateway-to-alertmanager", from: GATEWAY, to: pods(KUBE_PROMETHEUS_STACK.namespace, { "app.kubernetes.io/name": "alertmanager" }), ports: tcp(POD_PORTS.alertmanager), why: "Alertmanager's UI through the gateway" },
        { name: "gateway-to-jaeger", from: GATEWAY, to: pods(JAEGER.namespace), ports: tcp(JAEGER.ports.queryHttp), why: "Jaeger's UI through the gateway" },
        { name: "gateway-to-kiali", from: GATEWAY, to: KIALI_PODS, ports: tcp(KIALI.serverPort), why: "Kiali's UI through the gateway (its own server port, whatever homelab:kialiPort)" },
        { name: "gateway-to-argocd", from: GATEWAY, to: pods(ARGO_CD.namespace, { "app.kubernetes.io/name": "argocd-server" }), ports: tcp(POD_PORTS.argocdServer), why: "Argo CD's UI and API through the gateway" },
        { name: "gateway-to-vault", from: GATEWAY, to: pods(VAULT.namespace), ports: tcp(VAULT.apiPort), why: "OpenBao's UI and API through the gateway" },
        // --- Shlink and its data stores.
        { name: "shlink-to-postgres", from: SHLINK_PODS, to: pods(POSTGRES.namespace), ports: tcp(POSTGRES.port), why: "Shlink's database" },
        { name: "shlink-to-redis", from: SHLINK_PODS, to: pods(REDIS.namespace, { "app.kubernetes.io/component": "redis" }), ports: tcp(REDIS.port), why: "Shlink's cache and locks (the master, through our Service)" },
        { name: "postgres-peers", from: pods(POSTGRES.namespace), to: pods(POSTGRES.namespace), ports: tcp(POSTGRES.port, POD_PORTS.patroni, POD_PORTS.pgbackrest), why: "replication, Patroni between instances, pgBackRest to its repo host and back" },
        { name: "postgres-operator", from: pods(OPERATOR_CHARTS.postgresOperator.namespace), to: pods(POSTGRES.namespace), ports: tcp(POSTGRES.port, POD_PORTS.patroni), why: "PGO managing its clusters" },
        { name: "postgres-api-server", from: pods(POSTGRES.namespace), to: apiServer, ports: tcp(...inputs.apiServer.ports), why: "Patroni keeps its leader lock in the Kubernetes API" },
        // An S3 endpoint is a DNS name whose addresses change: the port is all a NetworkPolicy can hold it to.
        ...(inputs.offsiteBackupPort === undefined
            ? []
            : [{ name: "postgres-to-offsite-backup", from: pods(POSTGRES.namespace), to: ANYWHERE, ports: tcp(inputs.offsiteBackupPort), why: "pgBackRest to the off-site bucket (repo2): WAL from the instances, backups and restores from PGO's Jobs" }]),
        { name: "redis-peers", from: pods(REDIS.namespace), to: pods(REDIS.namespace), ports: tcp(REDIS.port, POD_PORTS.sentinel), why: "replication, Sentinel watching Redis and each other" },
        { name: "redis-operator", from: pods(OPERATOR_CHARTS.redisOperator.namespace), to: pods(REDIS.namespace), ports: tcp(REDIS.port, POD_PORTS.sentinel), why: "redis-operator checking and configuring its failover" },
        // --- The mesh.
        ...MESHED.map((ns): Flow => ({ name: `${ns}-to-istiod`, from: pods(ns), to: pods(ISTIO.namespace, { istio: "pilot" }), ports: tcp(POD_PORTS.istiodXds), why: "Envoy's config and certificates from istiod" })),
        ...MESHED.map((ns): Flow => ({ name: `${ns}-to-jaeger`, from: pods(ns), to: pods(JAEGER.namespace), ports: tcp(JAEGER.ports.otlpGrpc), why: "Envoy's spans (OTLP gRPC)" })),
        { name: "istiod-webhooks", from: API_SERVER, to: pods(ISTIO.namespace, { istio: "pilot" }), ports: tcp(POD_PORTS.istiodWebhooks), why: "sidecar injection and config validation" },
        { name: "kiali-to-istiod", from: KIALI_PODS, to: pods(ISTIO.namespace, { istio: "pilot" }), ports: tcp(POD_PORTS.istiodMonitoring), why: "Kiali reads istiod's status" },
        // --- Webhooks the API server calls.
        { name: "cert-manager-webhook", from: API_SERVER, to: pods(OPERATOR_CHARTS.certManager.namespace), ports: tcp(POD_PORTS.webhooks), why: "cert-manager's admission webhook" },
        { name: "external-secrets-webhook", from: API_SERVER, to: pods(EXTERNAL_SECRETS_CHART.namespace), ports: tcp(POD_PORTS.webhooks), why: "External Secrets' admission webhook" },
        { name: "prometheus-operator-webhook", from: API_SERVER, to: pods(KUBE_PROMETHEUS_STACK.namespace), ports: tcp(POD_PORTS.webhooks), why: "prometheus-operator's admission webhook (PrometheusRule validation)" },
        // --- Metrics: Prometheus scrapes every monitor's port.
        { name: "monitoring-internal", from: pods(KUBE_PROMETHEUS_STACK.namespace), to: pods(KUBE_PROMETHEUS_STACK.namespace), ports: [], why: "Prometheus, Alertmanager, Grafana, the operator and kube-state-metrics among themselves" },
        { name: "scrape-postgres", from: PROMETHEUS, to: pods(POSTGRES.namespace), ports: tcp(POD_PORTS.postgresExporter), why: "PGO's postgres_exporter" },
        { name: "scrape-redis", from: PROMETHEUS, to: pods(REDIS.namespace), ports: tcp(POD_PORTS.redisExporter, POD_PORTS.sentinelExporter), why: "the redis and sentinel exporters" },
        { name: "scrape-vault", from: PROMETHEUS, to: pods(VAULT.namespace, { ...VAULT.podLabels }), ports: tcp(VAULT.apiPort), why: "OpenBao's /v1/sys/metrics (no token: nothing else reaches 8200 but ESO and the gateway)" },
        { name: "scrape-cert-manager", from: PROMETHEUS, to: pods(OPERATOR_CHARTS.certManager.namespace), ports: tcp(CERT_MANAGER_METRICS.port), why: "cert-manager's controller" },
        { name: "scrape-istiod", from: PROMETHEUS, to: pods(ISTIO.namespace, { istio: "pilot" }), ports: tcp(POD_PORTS.istiodMonitoring), why: "istiod's metrics" },
        ...MESHED.map((ns): Flow => ({ name: `scrape-envoy-${ns}`, from: PROMETHEUS, to: pods(ns), ports: tcp(POD_PORTS.envoyMetrics), why: "Envoy's stats, by number: a native sidecar's port names resolve to nothing" })),
        // --- Observability's own reads.
        { name: "kiali-to-prometheus", from: KIALI_PODS, to: PROMETHEUS, ports: tcp(KUBE_PROMETHEUS_STACK.prometheusPort), why: "Kiali's graphs" },
        { name: "kiali-to-grafana", from: KIALI_PODS, to: GRAFANA_PODS, ports: tcp(POD_PORTS.grafana), why: "Kiali's links to dashboards" },
        { name: "kiali-to-jaeger", from: KIALI_PODS, to: pods(JAEGER.namespace), ports: tcp(JAEGER.ports.queryGrpc), why: "Kiali's traces (gRPC query)" },
        { name: "grafana-to-jaeger", from: GRAFANA_PODS, to: pods(JAEGER.namespace), ports: tcp(JAEGER.ports.queryHttp), why: "Grafana's Jaeger datasource" },
        // --- Load tests.
        { name: "k6-internal", from: pods(K6.namespace), to: pods(K6.namespace), ports: tcp(POD_PORTS.k6RunnerApi), why: "k6-operator's starter and controller drive the runner's REST API" },
        { name: "k6-to-prometheus", from: pods(K6.namespace), to: PROMETHEUS, ports: tcp(KUBE_PROMETHEUS_STACK.prometheusPort), why: "k6's metrics, remote-written" },
        // --- Secrets.
        { name: "external-secrets-to-vault", from: pods(EXTERNAL_SECRETS_CHART.namespace), to: pods(VAULT.namespace), ports: tcp(VAULT.apiPort), why: "External Secrets reading and pushing secrets" },
        { name: "vault-peers", from: pods(VAULT.namespace), to: pods(VAULT.namespace), ports: tcp(VAULT.apiPort, VAULT.clusterPort), why: "Raft and request forwarding between OpenBao pods" },
        // --- Argo CD.
        { name: "argocd-internal", from: pods(ARGO_CD.namespace), to: pods(ARGO_CD.namespace), ports: [], why: "server, repo-server, application controller, ApplicationSet controller and Redis among themselves" },
    ];
}

/** A NetworkPolicy (networking.k8s.io/v1) as the program sends it. */
export interface NetworkPolicyObject {
    apiVersion: "networking.k8s.io/v1";
    kind: "NetworkPolicy";
    metadata: { name: string; namespace: string };
    spec: {
        podSelector: { matchLabels?: Record<string, string> };
        policyTypes: ("Ingress" | "Egress")[];
        ingress?: PolicyRule[];
        egress?: PolicyRule[];
    };
}

export interface PolicyPeer {
    namespaceSelector?: { matchLabels: Record<string, string> };
    podSelector?: { matchLabels: Record<string, string> };
    ipBlock?: { cidr: string; except?: string[] };
}

export interface PolicyRule {
    from?: PolicyPeer[];
    to?: PolicyPeer[];
    ports?: { port: number | string; protocol: "TCP" | "UDP" }[];
}

/** The label Kubernetes puts on every namespace with its name (immutable, so a selector on it cannot be spoofed). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export const isPodPeer = (peer: Peer): peer is PodPeer => "namespace" in peer;

function policyPeers(peer: Peer): PolicyPeer[] {
    if (!isPodPeer(peer)) {
        return peer.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
    }
    return [{
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: peer.namespace } },
        ...(peer.pods === undefined ? {} : { podSelector: { matchLabels: { ...peer.pods } } }),
    }];
}

const isAnywhere = (peer: Peer) => !isPodPeer(peer) && peer.cidrs.includes(EVERY_ADDRESS);

function policyPorts(ports: FlowPort[]): Pick<PolicyRule, "ports"> {
    return ports.length === 0 ? {} : { ports: ports.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" })) };
}

function policy(name: string, namespace: string, selected: PodPeer, type: "Ingress" | "Egress", rule?: PolicyRule): NetworkPolicyObject {
    const rules = rule === undefined ? {} : type === "Ingress" ? { ingress: [rule] } : { egress: [rule] };
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace },
        spec: { podSelector: selected.pods === undefined ? {} : { matchLabels: { ...selected.pods } }, policyTypes: [type], ...rules },
    };
}

/**
 * Every NetworkPolicy of the lab: in each of `namespaces` a default-deny of ingress (and of egress where
 * EGRESS_RESTRICTED says), then per flow an ingress allow in the target's namespace and, when the source's
 * egress is restricted, an egress allow in the source's. A flow from anywhere names no source at all, so pods
 * (the k6 runner, ServiceLB's forwarders) count too.
 */
export function networkPolicies(flows: Flow[], namespaces: readonly string[]): NetworkPolicyObject[] {
    const ours = new Set(namespaces);
    const out: NetworkPolicyObject[] = [];
    for (const ns of namespaces) {
        out.push(policy("default-deny-ingress", ns, { namespace: ns }, "Ingress"));
        if (EGRESS_RESTRICTED.includes(ns)) {
            out.push(policy("default-deny-egress", ns, { namespace: ns }, "Egress"));
        }
    }
    for (const flow of flows) {
        if (isPodPeer(flow.to) && ours.has(flow.to.namespace)) {
            const from = isAnywhere(flow.from) ? {} : { from: policyPeers(flow.from) };
            out.push(policy(`allow-${flow.name}`, flow.to.namespace, flow.to, "Ingress", { ...from, ...policyPorts(flow.ports) }));
        }
        if (isPodPeer(flow.from) && ours.has(flow.from.namespace) && EGRESS_RESTRICTED.includes(flow.from.namespace)) {
            out.push(policy(`egress-${flow.name}`, flow.from.namespace, flow.from, "Egress", { ...(isAnywhere(flow.to) ? {} : { to: policyPeers(flow.to) }), ...policyPorts(flow.ports) }));
        }
    }
    return out;
}

/** One row of the flow matrix (docs/architecture.md): who, to whom, on which ports, why. */
export interface FlowRow {
    from: string;
    to: string;
    ports: string;
    why: string;
}

function describePeer(peer: Peer): string {
    if (!isPodPeer(peer)) {
        return isAnywhere(peer) ? peer.what : `${peer.what} (${peer.cidrs.length > 2 ? `${peer.cidrs.length} addresses` : peer.cidrs.join(", ")})`;
    }
    const labels = peer.pods === undefined ? "" : ` (${Object.entries(peer.pods).map(([k, v]) => `${k}=${v}`).join(",")})`;
    return `${peer.namespace}${labels}`;
}

/** The flows as rows for a table. */
export function flowRows(flows: Flow[]): FlowRow[] {
    return flows.map((f) => ({
        from: describePeer(f.from),
        to: describePeer(f.to),
        ports: f.ports.length === 0 ? "all" : f.ports.map((p) => `${p.port}${p.protocol === undefined ? "" : `/${p.protocol.toLowerCase()}`}`).join(", "),
        why: f.why,
    }));
}
