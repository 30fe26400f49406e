// Istio: istiod and the ingress gateway (the lab's front door), the CNI node agent; every Envoy's reach to istiod,
// what Prometheus scrapes of the mesh (after Istio's prometheus-operator example) and Istio's dashboards.
import type { Part } from "../contracts/part";
import { ANYWHERE, pods, tcp, type Flow, type PodPeer } from "../contracts/flows";
import { ALWAYS, ownNamespaces, type OwnNamespace } from "../contracts/placement";
import { type BudgetLine, type BudgetPlan } from "../contracts/budget";
import { budgetLine } from "../kubernetes/requests";
import {
    ISTIO_DASHBOARD_FOLDER,
    PROMETHEUS_DATASOURCE,
    escapeRegex,
    podLabelMeta,
    type Dashboards,
    type Monitor,
    type RelabelConfig,
} from "../contracts/telemetry";
import { ISTIO, ISTIO_DASHBOARDS, ISTIO_SCRAPE_INTERVAL, POD_PORTS } from "./facts";
import { cniValues, gatewayValues, istiodValues } from "./values";

/** The ingress gateway's pods: the lab's front door, the client of every UI. */
export const GATEWAY_PODS: PodPeer = pods(ISTIO.gatewayNamespace, { istio: ISTIO.gatewayLabel });
/** istiod: Envoy's config and certificates, sidecar injection. */
export const ISTIOD_PODS: PodPeer = pods(ISTIO.namespace, { istio: "pilot" });

export const ISTIO_NAMESPACE: OwnNamespace = {
    kind: "own",
    name: ISTIO.namespace,
    // Istio's CNI DaemonSet writes the node's CNI config through hostPath with added capabilities.
    podSecurity: "privileged",
    egress: "open",
    mesh: "none",
    ingress: "flows",
    createdWhen: ALWAYS,
};

export const GATEWAY_NAMESPACE: OwnNamespace = {
    kind: "own",
    name: ISTIO.gatewayNamespace,
    // The gateway pods set the safe sysctl net.ipv4.ip_unprivileged_port_start but no seccomp profile.
    podSecurity: "baseline",
    egress: "open",
    mesh: "envoy",
    ingress: "flows",
    createdWhen: ALWAYS,
};

/** istiod, the ingress gateway and the CNI node agent, with the values the layer sends. */
function meshBudget(plan: BudgetPlan): BudgetLine[] {
    const istiod = istiodValues({ service: "placeholder", port: 1 });
    const gateway = gatewayValues([]);
    return [
        budgetLine("istio-system/istiod", istiod.resources, istiod.replicaCount),
        budgetLine("istio-ingress/gateway", gateway.resources, gateway.replicaCount),
        // A DaemonSet: one node agent on every node.
        budgetLine("istio-system/istio-cni", cniValues().resources, plan.nodeCount),
    ];
}

export interface MonitorInputs {
    /** Namespace of istiod's Service. */
    istioNamespace: string;
    ingressGateway: { namespace: string; labels: Record<string, string> };
    interval: string;
}

/** Port every Envoy (sidecar and gateway) serves its stats on, named so in Istio's injection templates. */
const ENVOY_METRICS_PORT = "http-envoy-prom";
const ENVOY_METRICS_PATH = "/stats/prometheus";
/** istiod's Service port for its own metrics (15014, istio-discovery templates/service.yaml). */
const ISTIOD_METRICS_PORT = "http-monitoring";

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
function istioDashboards(): Dashboards {
    const dashboards = Object.fromEntries(
        Object.entries(ISTIO_DASHBOARDS).map(([key, { gnetId, revision }]) => [key, { gnetId, revision, datasource: PROMETHEUS_DATASOURCE.name }]),
    );
    return { kind: "grafana.com", provider: ISTIO_DASHBOARD_FOLDER, dashboards };
}

export const meshPart: Part = {
    name: "mesh",
    namespaces: [ISTIO_NAMESPACE, GATEWAY_NAMESPACE],
    // The world reaches the gateway; every Envoy of the lab, istiod.
    flows: ({ gatewayPorts, webhookCallers, namespaces, peers }): Flow[] => [
        {
            name: "gateway-clients",
            from: ANYWHERE,
            to: GATEWAY_PODS,
            ports: tcp(...gatewayPorts, ISTIO.gatewayStatusPort),
            why: "the lab's front door: every URL the stack exports",
        },
        ...ownNamespaces(namespaces)
            .filter((ns) => ns.mesh === "envoy")
            .map((ns): Flow => ({
                name: `${ns.name}-to-istiod`,
                from: pods(ns.name),
                to: ISTIOD_PODS,
                ports: tcp(POD_PORTS.istiodXds),
                why: "Envoy's config and certificates from istiod",
            })),
        {
            name: "istiod-webhooks",
            from: webhookCallers,
            to: ISTIOD_PODS,
            ports: tcp(POD_PORTS.istiodWebhooks),
            why: "sidecar injection and config validation",
        },
        { name: "kiali-to-istiod", from: peers.kiali, to: ISTIOD_PODS, ports: tcp(POD_PORTS.istiodMonitoring), why: "Kiali reads istiod's status" },
        { name: "scrape-istiod", from: peers.prometheus, to: ISTIOD_PODS, ports: tcp(POD_PORTS.istiodMonitoring), why: "istiod's metrics" },
    ],
    doors: () => [],
    vaultEntries: {},
    vaultReads: [],
    budget: meshBudget,
    monitors: monitors({
        istioNamespace: ISTIO.namespace,
        ingressGateway: { namespace: ISTIO.gatewayNamespace, labels: { istio: ISTIO.gatewayLabel } },
        interval: ISTIO_SCRAPE_INTERVAL,
    }),
    rules: () => [],
    dashboards: [istioDashboards()],
    // The AuthorizationPolicy refusing a keyless API call (through Shlink's door); istiod killed under load.
    probes: () => [{ check: "api_needs_key" }],
    drills: ["istiod"],
};
