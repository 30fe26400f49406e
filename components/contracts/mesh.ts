// What the parts know of the mesh, and the mesh part builds on (components/mesh/facts.ts, ISTIO): the Istio release
// every sidecar and the smoke Job run, where istiod runs (Kiali beside it), the ingress gateway every door and the
// SLO go through, a sidecar's size (every meshed part's budget) and the port its stats are scraped on.
// A shared contract: it imports no part.
import type { ContainerResources } from "../defaults";

export const MESH = {
    namespace: "istio-system",
    gatewayNamespace: "istio-ingress",
    /** Release name `istio-ingressgateway`: the chart derives the pods' `istio:` label and service account from it. */
    gatewayRelease: "istio-ingressgateway",
    gatewayLabel: "ingressgateway",
    /** The sidecar Istio injects into every pod of a meshed namespace. */
    sidecarResources: { requests: { cpu: "50m", memory: "96Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    /**
     * Envoy's http-envoy-prom port, scraped by number: kube-router resolves a named port only from spec.containers,
     * and Istio 1.30 injects istio-proxy as a native sidecar (an init container) on Kubernetes ≥ 1.33.
     */
    envoyMetricsPort: 15090,
} as const satisfies { sidecarResources: ContainerResources } & Record<string, unknown>;
