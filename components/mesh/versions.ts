// Pinned Istio versions and sizes (folded into components/defaults.ts at integration).

export const ISTIO = {
    /** Charts base, istiod and gateway from the official repository, one version for all three. */
    repo: "https://istio-release.storage.googleapis.com/charts",
    version: "1.30.3",
    hub: "docker.io/istio",
    namespace: "istio-system",
    gatewayNamespace: "istio-ingress",
    /** Release name `istio-ingressgateway`: the chart derives the pods' `istio:` label and service account from it. */
    gatewayRelease: "istio-ingressgateway",
    gatewayLabel: "ingressgateway",
    gatewayStatusPort: 15021,
    istiodReplicas: 2,
    gatewayReplicas: 2,
    istiodResources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "1Gi" } },
    gatewayResources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    sidecarResources: { requests: { cpu: "50m", memory: "96Mi" }, limits: { cpu: "1", memory: "512Mi" } },
} as const;
