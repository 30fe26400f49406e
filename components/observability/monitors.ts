// ServiceMonitor and PodMonitor specs (monitoring.coreos.com/v1) for Istio, after Istio's documented
// prometheus-operator example (samples/addons/extras/prometheus-operator.yaml), and for the data layer's
// exporters and cert-manager. Types cover the fields set.
import { CERT_MANAGER_METRICS, DATA_SCRAPE_INTERVAL, OPERATOR_CHARTS, POSTGRES, REDIS, VAULT } from "../defaults";
import { POSTGRES_EXPORTER_POD_LABEL, POSTGRES_EXPORTER_PORT } from "../data/postgresSpec";
import { REDIS_EXPORTER_PORT, REDIS_FAILOVER_PART_OF } from "../data/redisSpec";

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

export interface RelabelConfig {
    action: "keep" | "drop" | "replace";
    sourceLabels: string[];
    regex: string;
    separator?: string;
    targetLabel?: string;
    replacement?: string;
}

export interface ServiceMonitorSpec {
    jobLabel: string;
    targetLabels: string[];
    selector: LabelSelector;
    namespaceSelector: { matchNames: string[] };
    endpoints: { port: string; interval: string }[];
}

export interface PodMonitorSpec {
    selector: LabelSelector;
    namespaceSelector: { any: true } | { matchNames: string[] };
    podMetricsEndpoints: { port: string; path: string; interval: string; params?: Record<string, string[]>; relabelings?: RelabelConfig[] }[];
}

export interface MonitorInputs {
    /** Namespace of istiod's Service. */
    istioNamespace: string;
    ingressGateway: { namespace: string; labels: Record<string, string> };
    interval: string;
}

/** Port every Envoy (sidecar and gateway) serves its stats on, named so in Istio's injection templates. */
export const ENVOY_METRICS_PORT = "http-envoy-prom";
export const ENVOY_METRICS_PATH = "/stats/prometheus";
/** istiod's Service port for its own metrics (15014, istio-discovery templates/service.yaml). */
export const ISTIOD_METRICS_PORT = "http-monitoring";

/** Prometheus' meta label for a pod label: characters outside [a-zA-Z0-9_] become "_". */
export function podLabelMeta(label: string): string {
    return `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

function escapeRegex(value: string): string {
    return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A relabeling that drops the ingress gateway's pods (its namespace and every one of its labels must match),
 * so the sidecar monitor and the gateway monitor never scrape the same Envoy twice.
 */
export function dropGatewayRelabeling(gateway: MonitorInputs["ingressGateway"]): RelabelConfig {
    const keys = Object.keys(gateway.labels).sort();
    return {
        action: "drop",
        sourceLabels: ["__meta_kubernetes_namespace", ...keys.map(podLabelMeta)],
        regex: [gateway.namespace, ...keys.map((k) => gateway.labels[k])].map(escapeRegex).join(";"),
    };
}

export function monitors(inputs: MonitorInputs): {
    istiod: { name: string; spec: ServiceMonitorSpec };
    envoySidecars: { name: string; spec: PodMonitorSpec };
    ingressGateway: { name: string; spec: PodMonitorSpec };
} {
    const envoyEndpoint = { port: ENVOY_METRICS_PORT, path: ENVOY_METRICS_PATH, interval: inputs.interval };
    return {
        istiod: {
            name: "istiod",
            spec: {
                // job="pilot" and app="istiod" on every series, as Istio's dashboards and Kiali query them.
                jobLabel: "istio",
                targetLabels: ["app"],
                selector: { matchLabels: { istio: "pilot" } },
                namespaceSelector: { matchNames: [inputs.istioNamespace] },
                endpoints: [{ port: ISTIOD_METRICS_PORT, interval: inputs.interval }],
            },
        },
        envoySidecars: {
            name: "envoy-sidecars",
            spec: {
                // Only pods with a container port named http-envoy-prom become targets: the injected ones.
                selector: { matchExpressions: [{ key: "istio-prometheus-ignore", operator: "DoesNotExist" }] },
                namespaceSelector: { any: true },
                podMetricsEndpoints: [{ ...envoyEndpoint, relabelings: [dropGatewayRelabeling(inputs.ingressGateway)] }],
            },
        },
        ingressGateway: {
            name: "ingress-gateway",
            spec: {
                selector: { matchLabels: { ...inputs.ingressGateway.labels } },
                namespaceSelector: { matchNames: [inputs.ingressGateway.namespace] },
                podMetricsEndpoints: [envoyEndpoint],
            },
        },
    };
}

/** PGO's pod labels the pgMonitor dashboards and our rules group by (PGO config/monitoring/.../podmonitor.yaml). */
const PGO_CLUSTER_LABEL = "postgres-operator.crunchydata.com/cluster";
const PGO_ROLE_LABEL = "postgres-operator.crunchydata.com/role";

/** The series label that names one PostgreSQL cluster: `<namespace>:<cluster>`, as pgMonitor's scrape job sets it. */
export const PG_CLUSTER_LABEL = "pg_cluster";

export function pgClusterName(namespace: string, cluster: string): string {
    return `${namespace}:${cluster}`;
}

/**
 * Monitors of the data layer and cert-manager: PGO's exporter (port 9187, `pg_cluster` and `role` relabelled
 * from the pod labels as pgMonitor expects), both redis_exporters of the failover, cert-manager's controller.
 */
export function dataMonitors(): Record<"postgres" | "redis" | "certManager" | "vault", { name: string; spec: PodMonitorSpec }> {
    const interval = DATA_SCRAPE_INTERVAL;
    return {
        postgres: {
            name: "postgres-exporter",
            spec: {
                selector: { matchLabels: { ...POSTGRES_EXPORTER_POD_LABEL } },
                namespaceSelector: { matchNames: [POSTGRES.namespace] },
                podMetricsEndpoints: [
                    {
                        port: POSTGRES_EXPORTER_PORT,
                        path: "/metrics",
                        interval,
                        relabelings: [
                            {
                                action: "replace",
                                sourceLabels: ["__meta_kubernetes_namespace", podLabelMeta(PGO_CLUSTER_LABEL)],
                                separator: ":",
                                regex: "(.+)",
                                targetLabel: PG_CLUSTER_LABEL,
                                replacement: "$1",
                            },
                            { action: "replace", sourceLabels: [podLabelMeta(PGO_ROLE_LABEL)], regex: "(.*)", targetLabel: "role", replacement: "$1" },
                        ],
                    },
                ],
            },
        },
        redis: {
            name: "redis-exporter",
            spec: {
                selector: { matchLabels: { ...REDIS_FAILOVER_PART_OF } },
                namespaceSelector: { matchNames: [REDIS.namespace] },
                // Both the redis and the sentinel pods name their exporter port so.
                podMetricsEndpoints: [{ port: REDIS_EXPORTER_PORT, path: "/metrics", interval }],
            },
        },
        certManager: {
            name: "cert-manager",
            spec: {
                selector: { matchLabels: { ...CERT_MANAGER_METRICS.podLabels } },
                namespaceSelector: { matchNames: [OPERATOR_CHARTS.certManager.namespace] },
                podMetricsEndpoints: [{ port: CERT_MANAGER_METRICS.port, path: "/metrics", interval }],
            },
        },
        // Every OpenBao pod's own metrics (vault_core_unsealed per pod), without a token (the listener's telemetry stanza).
        vault: {
            name: "openbao",
            spec: {
                selector: { matchLabels: { ...VAULT.podLabels } },
                namespaceSelector: { matchNames: [VAULT.namespace] },
                podMetricsEndpoints: [{ port: VAULT.apiPortName, path: "/v1/sys/metrics", params: { format: ["prometheus"] }, interval }],
            },
        },
    };
}
