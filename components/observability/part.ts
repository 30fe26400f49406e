// The observability stack: Prometheus, Grafana and Alertmanager (kube-prometheus-stack), Jaeger and Kiali; their UIs
// through the gateway, their reads of each other, every Envoy's spans and stats, Grafana's admin login in Vault.
import type { Part } from "../contracts/part";
import { pods, tcp, type Flow, type PodPeer } from "../contracts/flows";
import { ownNamespaces } from "../contracts/placement";
import { MESH } from "../contracts/mesh";
import { JAEGER, KIALI, KUBE_PROMETHEUS_STACK, POD_PORTS } from "./facts";
import { observabilityDoors } from "./names";
import { JAEGER_NAMESPACE, KIALI_OPERATOR_NAMESPACE, MONITORING_NAMESPACE } from "./namespaces";
import { resourceRequests } from "./resources";

export const PROMETHEUS_PODS: PodPeer = pods(KUBE_PROMETHEUS_STACK.namespace, { "app.kubernetes.io/name": "prometheus" });
export const GRAFANA_PODS: PodPeer = pods(KUBE_PROMETHEUS_STACK.namespace, { "app.kubernetes.io/name": "grafana" });
/** The Kiali server runs where its CR is: Istio's namespace. */
export const KIALI_PODS: PodPeer = pods(MESH.namespace, { "app.kubernetes.io/name": "kiali" });
export const JAEGER_PODS: PodPeer = pods(JAEGER.namespace);

/** Flows every Envoy of the lab needs from observability: its spans into Jaeger, its stats scraped by Prometheus. */
function envoyFlows(meshed: readonly string[]): { spans: Flow[]; scrapes: Flow[] } {
    return {
        spans: meshed.map((ns): Flow => ({
            name: `${ns}-to-jaeger`,
            from: pods(ns),
            to: JAEGER_PODS,
            ports: tcp(JAEGER.ports.otlpGrpc),
            why: "Envoy's spans (OTLP gRPC)",
        })),
        scrapes: meshed.map((ns): Flow => ({
            name: `scrape-envoy-${ns}`,
            from: PROMETHEUS_PODS,
            to: pods(ns),
            ports: tcp(MESH.envoyMetricsPort),
            why: "Envoy's stats, by number: a native sidecar's port names resolve to nothing",
        })),
    };
}

export const observabilityPart: Part = {
    name: "observability",
    namespaces: [MONITORING_NAMESPACE, JAEGER_NAMESPACE, KIALI_OPERATOR_NAMESPACE],
    flows: ({ webhookCallers, namespaces, peers }): Flow[] => {
        const envoys = envoyFlows(
            ownNamespaces(namespaces)
                .filter((ns) => ns.mesh === "envoy")
                .map((ns) => ns.name),
        );
        return [
            { name: "gateway-to-grafana", from: peers.gateway, to: GRAFANA_PODS, ports: tcp(POD_PORTS.grafana), why: "Grafana's UI through the gateway" },
            {
                name: "gateway-to-alertmanager",
                from: peers.gateway,
                to: pods(KUBE_PROMETHEUS_STACK.namespace, { "app.kubernetes.io/name": "alertmanager" }),
                ports: tcp(POD_PORTS.alertmanager),
                why: "Alertmanager's UI through the gateway",
            },
            { name: "gateway-to-jaeger", from: peers.gateway, to: JAEGER_PODS, ports: tcp(JAEGER.ports.queryHttp), why: "Jaeger's UI through the gateway" },
            {
                name: "gateway-to-kiali",
                from: peers.gateway,
                to: KIALI_PODS,
                ports: tcp(KIALI.serverPort),
                why: "Kiali's UI through the gateway (its own server port, whatever homelab:kialiPort)",
            },
            ...envoys.spans,
            {
                name: "prometheus-operator-webhook",
                from: webhookCallers,
                to: pods(KUBE_PROMETHEUS_STACK.namespace),
                ports: tcp(POD_PORTS.webhooks),
                why: "prometheus-operator's admission webhook (PrometheusRule validation)",
            },
            {
                name: "monitoring-internal",
                from: pods(KUBE_PROMETHEUS_STACK.namespace),
                to: pods(KUBE_PROMETHEUS_STACK.namespace),
                ports: [],
                why: "Prometheus, Alertmanager, Grafana, the operator and kube-state-metrics among themselves",
            },
            ...envoys.scrapes,
            { name: "kiali-to-prometheus", from: KIALI_PODS, to: PROMETHEUS_PODS, ports: tcp(KUBE_PROMETHEUS_STACK.prometheusPort), why: "Kiali's graphs" },
            { name: "kiali-to-grafana", from: KIALI_PODS, to: GRAFANA_PODS, ports: tcp(POD_PORTS.grafana), why: "Kiali's links to dashboards" },
            { name: "kiali-to-jaeger", from: KIALI_PODS, to: JAEGER_PODS, ports: tcp(JAEGER.ports.queryGrpc), why: "Kiali's traces (gRPC query)" },
            { name: "grafana-to-jaeger", from: GRAFANA_PODS, to: JAEGER_PODS, ports: tcp(JAEGER.ports.queryHttp), why: "Grafana's Jaeger datasource" },
        ];
    },
    // HTTPS on each configured port; after Shlink's, before Vault's and Argo CD's in the gateway's ports.
    doors: (config) => observabilityDoors(config.mesh.ports, MESH.namespace).map((door, i) => ({ door, routing: "edge", order: 1 + i })),
    // Grafana's admin login: Grafana itself, and Kiali, whose CR lives in Istio's namespace, logging into it.
    vaultEntries: {
        grafanaAdmin: { path: "monitoring/grafana-admin", properties: ["user", "password"], readers: [KUBE_PROMETHEUS_STACK.namespace, MESH.namespace] },
    },
    vaultReads: [],
    budget: (plan) => resourceRequests(plan.nodeCount).map((r) => ({ what: r.name, cpu: r.cpuMillicores, memory: r.memoryMiB, count: r.replicas })),
    // kube-prometheus-stack monitors itself, Kubernetes and the nodes (the chart's defaults); the cluster's own
    // alerts are the k3s part's.
    monitors: [],
    rules: () => [],
    dashboards: [],
    // Grafana, Kiali and Jaeger answering through their HTTPS doors; no drill takes them away.
    probes: (ports) => [
        { check: "grafana", door: { scheme: "https", port: ports.grafana } },
        { check: "kiali", door: { scheme: "https", port: ports.kiali, path: `${KIALI.webRoot}/healthz` } },
        { check: "jaeger", door: { scheme: "https", port: ports.jaeger } },
    ],
    drills: [],
};
