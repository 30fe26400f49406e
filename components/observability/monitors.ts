// ServiceMonitor and PodMonitor specs (monitoring.coreos.com/v1) for Istio, after Istio's documented
// prometheus-operator example (samples/addons/extras/prometheus-operator.yaml). Types cover the fields set.

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

export interface RelabelConfig {
    action: "keep" | "drop" | "replace";
    sourceLabels: string[];
    regex: string;
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
    podMetricsEndpoints: { port: string; path: string; interval: string; relabelings?: RelabelConfig[] }[];
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
