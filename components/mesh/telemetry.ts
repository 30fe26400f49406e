// What Prometheus scrapes of the mesh, after Istio's documented prometheus-operator example
// (samples/addons/extras/prometheus-operator.yaml): istiod, every sidecar, the ingress gateway; and Istio's dashboards.
import { ISTIO, ISTIO_DASHBOARDS, ISTIO_SCRAPE_INTERVAL } from "./facts";
import { ISTIO_DASHBOARD_FOLDER, PROMETHEUS_DATASOURCE, escapeRegex, podLabelMeta, type Dashboards, type Monitor, type PartTelemetry, type RelabelConfig } from "../contracts/telemetry";

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

/** istiod (after the mesh's namespace and istiod exist: the stack's waitFor), every injected sidecar, the ingress gateway. */
export function monitors(inputs: MonitorInputs): Monitor[] {
    const envoyEndpoint = { port: ENVOY_METRICS_PORT, path: ENVOY_METRICS_PATH, interval: inputs.interval };
    return [
        {
            role: "istiod-monitor",
            kind: "ServiceMonitor",
            name: "istiod",
            afterWaitFor: true,
            spec: {
                // job="pilot" and app="istiod" on every series, as Istio's dashboards and Kiali query them.
                jobLabel: "istio",
                targetLabels: ["app"],
                selector: { matchLabels: { istio: "pilot" } },
                namespaceSelector: { matchNames: [inputs.istioNamespace] },
                endpoints: [{ port: ISTIOD_METRICS_PORT, interval: inputs.interval }],
            },
        },
        {
            role: "envoy-monitor",
            kind: "PodMonitor",
            name: "envoy-sidecars",
            spec: {
                // Only pods with a container port named http-envoy-prom become targets: the injected ones.
                selector: { matchExpressions: [{ key: "istio-prometheus-ignore", operator: "DoesNotExist" }] },
                namespaceSelector: { any: true },
                podMetricsEndpoints: [{ ...envoyEndpoint, relabelings: [dropGatewayRelabeling(inputs.ingressGateway)] }],
            },
        },
        {
            role: "gateway-monitor",
            kind: "PodMonitor",
            name: "ingress-gateway",
            spec: {
                selector: { matchLabels: { ...inputs.ingressGateway.labels } },
                namespaceSelector: { matchNames: [inputs.ingressGateway.namespace] },
                podMetricsEndpoints: [envoyEndpoint],
            },
        },
    ];
}

/** Istio's grafana.com dashboards at pinned revisions, bound to the Prometheus datasource, in Grafana's first folder. */
export function istioDashboards(): Dashboards {
    const dashboards = Object.fromEntries(
        Object.entries(ISTIO_DASHBOARDS).map(([key, { gnetId, revision }]) => [key, { gnetId, revision, datasource: PROMETHEUS_DATASOURCE.name }]),
    );
    return { kind: "grafana.com", provider: ISTIO_DASHBOARD_FOLDER, dashboards };
}

export const meshTelemetry: PartTelemetry = {
    monitors: monitors({
        istioNamespace: ISTIO.namespace,
        ingressGateway: { namespace: ISTIO.gatewayNamespace, labels: { istio: ISTIO.gatewayLabel } },
        interval: ISTIO_SCRAPE_INTERVAL,
    }),
    rules: () => [],
    dashboards: [istioDashboards()],
};
