// The mesh's pins, upstream facts and lab policy: Istio's charts and sizes, its dashboards, the rate limit.
import { MESH } from "../contracts/mesh";
import type { ChartPin } from "../defaults";

/** Istio: charts base, istiod and gateway at one version, and the mesh's lab-sized control plane and proxies. */
export const ISTIO = {
    /** Charts base, istiod and gateway from the official repository, one version for all three. */
    repo: "https://istio-release.storage.googleapis.com/charts",
    /** Istio's charts (base, cni, istiod, gateway) and its proxy image, one version for all. */
    // renovate: datasource=helm depName=istiod registryUrl=https://istio-release.storage.googleapis.com/charts
    version: "1.30.3",
    hub: "docker.io/istio",
    /** istiod's namespace and the ingress gateway's, as every part knows them (components/contracts/mesh.ts). */
    namespace: MESH.namespace,
    gatewayNamespace: MESH.gatewayNamespace,
    gatewayRelease: MESH.gatewayRelease,
    gatewayLabel: MESH.gatewayLabel,
    gatewayStatusPort: 15021,
    istiodReplicas: 2,
    gatewayReplicas: 2,
    istiodResources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "1Gi" } },
    gatewayResources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    sidecarResources: MESH.sidecarResources,
    /** Istio's CNI node agent, one per node (the chart asks 100m/100Mi; it idles far below). */
    cniResources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    /** The cni chart's node agent DaemonSet: `{{ template "name" . }}-node` (istio-cni 1.30.3 templates/daemonset.yaml). */
    cniDaemonSet: "istio-cni-node",
} as const;

/** Istio's proxy image (Ubuntu-based, bash and curl), on every node once the mesh runs: the smoke Job's and verify's probes' image. */
export const ISTIO_PROXY_IMAGE = `${ISTIO.hub}/proxyv2:${ISTIO.version}`;

/** Istio's charts, one version: CRDs (base), the CNI node agent, the control plane (istiod) and the ingress gateway. */
export const ISTIO_CHARTS = {
    base: { release: "istio-base", chart: "base", version: ISTIO.version, repo: ISTIO.repo, namespace: ISTIO.namespace },
    // Sets up each meshed pod's traffic redirection from the node, so injected pods need no NET_ADMIN istio-init.
    cni: { release: "istio-cni", chart: "cni", version: ISTIO.version, repo: ISTIO.repo, namespace: ISTIO.namespace },
    istiod: { release: "istiod", chart: "istiod", version: ISTIO.version, repo: ISTIO.repo, namespace: ISTIO.namespace },
    gateway: {
        release: ISTIO.gatewayRelease,
        chart: "gateway",
        version: ISTIO.version,
        repo: ISTIO.repo,
        namespace: ISTIO.gatewayNamespace,
    },
} as const satisfies Record<string, ChartPin>;

/** Scrape interval of the Istio monitors: Istio's dashboards use 1m rate windows. */
export const ISTIO_SCRAPE_INTERVAL = "15s";

/**
 * Istio's dashboards on grafana.com, pinned: Istio's release tooling uploads a revision of each on every
 * release, so an unpinned download changes under us. Revision 300 of all five is what canton-network/splice
 * runs with Istio 1.29.2 (cluster/pulumi/infra/src/istio.ts).
 */
export const ISTIO_DASHBOARDS = {
    "istio-mesh": { gnetId: 7639, revision: 300 },
    "istio-service": { gnetId: 7636, revision: 300 },
    "istio-workload": { gnetId: 7630, revision: 300 },
    "istio-control-plane": { gnetId: 7645, revision: 300 },
    "istio-performance": { gnetId: 11829, revision: 300 },
} as const;

/**
 * Envoy's local rate limit on Shlink's routes at the ingress gateway (Istio 1.30.3 has no API of its own for it:
 * an EnvoyFilter, networking.istio.io/v1alpha3). Each named route of Shlink's VirtualService gets its own token
 * bucket per gateway pod; a request over the limit gets a 429 from the gateway and never reaches Shlink.
 */
export const SHLINK_RATE_LIMIT = {
    /** The EnvoyFilter's name, in the gateway's namespace. */
    name: "shlink-rate-limit",
    filter: "envoy.filters.http.local_ratelimit",
    typeUrl: "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
    connectionManager: "envoy.filters.network.http_connection_manager",
    connectionManagerType: "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
    router: "envoy.filters.http.router",
    /** Prefix of the listener-level filter's stats (it has no bucket: only the routes limit). */
    statPrefix: "shlink_rate_limit",
    /**
     * Shlink's API creates short URLs on POST /rest/v{n}/short-urls and GET /rest/v{n}/short-urls/shorten. One match
     * covers both, since Istio makes an Envoy route, with a bucket of its own, of every match: listing short URLs
     * (GET /rest/v{n}/short-urls) counts as a creation too.
     */
    createMatch: { methods: "GET|POST", path: "/rest/v[0-9]+/short-urls(/shorten)?/?" },
    /** Named routes of Shlink's VirtualService (Istio names the Envoy route after them) and their stats' prefixes. */
    routes: {
        create: { name: "shlink-create", statPrefix: "shlink_create", fillIntervalSeconds: 60 },
        redirect: { name: "shlink-redirect", statPrefix: "shlink_redirect", fillIntervalSeconds: 1 },
    },
    /** Header every 429 of the gateway carries: which limit refused it (the Retry-After header says when to retry). */
    header: "x-homelab-rate-limit",
} as const;

/** Ports of istiod the NetworkPolicies name: xDS and certificates over TLS, the injection and validation webhooks, its metrics (Kiali reads them too). */
export const POD_PORTS = {
    istiodXds: 15012,
    istiodWebhooks: 15017,
    istiodMonitoring: 15014,
} as const;
