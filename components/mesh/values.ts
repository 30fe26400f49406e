// Pure builders for the Istio charts' values and the mesh's custom resources; tests call them directly.
import { ISTIO } from "./facts";
import { doorServers, forwardRoute, redirectRoutes, type EdgeDoor } from "../contracts/doors";
import { loadBalancerAnnotations } from "../kubernetes/service";
import { serviceFqdn } from "../kubernetes/serviceNames";
import { rateLimitedRoutes, rateLimitStatsAnnotation } from "./rateLimit";

/** Where istiod sends spans: the Jaeger collector's OTLP gRPC endpoint. */
export interface TracingTarget {
    service: string;
    port: number;
}

/** The extension provider name the mesh config and the Telemetry resource share. */
export const TRACING_PROVIDER = "jaeger";

/** Values of the `istiod` chart: pinned images, lab-sized control plane, tracing and metrics providers. */
export function istiodValues(tracing: TracingTarget) {
    return {
        global: {
            // The chart's source defaults point at dev builds; pin the released images.
            hub: ISTIO.hub,
            tag: ISTIO.version,
            // The injected istio-validation and istio-proxy get the runtime's seccomp profile (PSS restricted).
            proxy: { resources: ISTIO.sidecarResources, seccompProfile: { type: "RuntimeDefault" } },
        },
        // Top level, not under `pilot`: the 1.30 chart merges values onto `_internal_defaults_do_not_set` and
        // its templates read `.Values.replicaCount` / `.Values.resources` / `.Values.autoscaleEnabled`.
        autoscaleEnabled: false,
        replicaCount: ISTIO.istiodReplicas,
        resources: ISTIO.istiodResources,
        // Read as pilot.cni.enabled by the injector (istio-discovery templates/istiod-injector-configmap.yaml): with
        // Istio's CNI the injector adds the unprivileged istio-validation instead of istio-init (NET_ADMIN, NET_RAW).
        cni: { enabled: true },
        meshConfig: {
            // Apps start only once their sidecar is ready, so their first connections (database, Redis) go through.
            defaultConfig: { holdApplicationUntilProxyStarts: true },
            enableTracing: true,
            extensionProviders: [{ name: TRACING_PROVIDER, opentelemetry: { service: tracing.service, port: tracing.port } }],
            defaultProviders: {
                tracing: [TRACING_PROVIDER],
                // Setting defaultProviders drops the chart's implicit Prometheus metrics: list them again.
                metrics: ["prometheus"],
            },
        },
    };
}

/**
 * Values of the `cni` chart: the released images (the chart's own default hub is a testing registry) and the
 * platform profile for K3s' CNI directories when the cluster is ours (another cluster keeps the defaults).
 */
export function cniValues(platform?: string) {
    return {
        global: { hub: ISTIO.hub, tag: ISTIO.version, ...(platform === undefined ? {} : { platform }) },
        resources: ISTIO.cniResources,
    };
}

/** One port of the gateway's LoadBalancer Service. */
export interface GatewayServicePort {
    name: string;
    port: number;
    protocol: string;
    targetPort: number;
}

/**
 * Values of the `gateway` chart: the lab's one LoadBalancer (K3s ServiceLB binds each port on every node), with
 * the status port and every door's ports.
 */
export function gatewayValues(ports: readonly GatewayServicePort[], serviceAnnotations?: Record<string, string>) {
    return {
        labels: { istio: ISTIO.gatewayLabel },
        autoscaling: { enabled: false },
        replicaCount: ISTIO.gatewayReplicas,
        resources: ISTIO.gatewayResources,
        // Merged into the chart's own pod annotations: the rate limit's counters in the gateway's Prometheus stats.
        podAnnotations: rateLimitStatsAnnotation(),
        service: {
            type: "LoadBalancer",
            ...loadBalancerAnnotations(serviceAnnotations),
            ports: [{ name: "status-port", port: ISTIO.gatewayStatusPort, protocol: "TCP", targetPort: 15021 }, ...ports],
        },
    };
}

/** Mesh-wide Telemetry: every proxy reports spans to Jaeger at the configured rate, with the lab's tags. */
export function telemetrySpec(samplingPercent: number, clusterName: string) {
    return {
        tracing: [
            {
                providers: [{ name: TRACING_PROVIDER }],
                randomSamplingPercentage: samplingPercent,
                customTags: {
                    cluster: { literal: { value: clusterName } },
                    environment: { literal: { value: "homelab" } },
                    user_agent: { header: { name: "user-agent", defaultValue: "unknown" } },
                },
            },
        ],
    };
}

export interface RoutingTarget {
    /** Namespace of the app and of its routing objects. */
    namespace: string;
    /** Name of the app's Service (and of the routing objects). */
    service: string;
    /** Port of the app's Service. */
    port: number;
    /** Label selector of the app's pods. */
    podLabels: Record<string, string>;
    /** Namespace and service account of the ingress gateway (its mTLS identity). */
    gateway: { namespace: string; serviceAccount: string; label: string };
    /** The app's door at the gateway (HTTPS, and HTTP answering 301), and the serving certificate's Secret. */
    door: EdgeDoor;
    credentialName: string;
}

export const serviceHost = (t: RoutingTarget) => serviceFqdn(t.service, t.namespace);
export const gatewayPrincipal = (t: RoutingTarget) => `cluster.local/ns/${t.gateway.namespace}/sa/${t.gateway.serviceAccount}`;

/** Gateway: the app's door on the ingress gateway pods, HTTPS with the lab CA's certificate and HTTP redirecting, any host. */
export function gatewaySpec(t: RoutingTarget) {
    return {
        selector: { istio: t.gateway.label },
        servers: doorServers(t.door, t.credentialName),
    };
}

/**
 * VirtualService: plain HTTP answers 301 to HTTPS; everything on HTTPS goes to the app, with retries and an overall
 * timeout; rate-limited (Shlink), the forward route is split into the named routes the EnvoyFilter limits (rateLimit.ts).
 */
export function virtualServiceSpec(t: RoutingTarget, gatewayName: string, rateLimited = false) {
    const forward = {
        ...forwardRoute(t.door),
        retries: { attempts: 3, perTryTimeout: "2s", retryOn: "5xx,reset,connect-failure,refused-stream" },
        timeout: "10s",
    };
    return {
        hosts: ["*"],
        gateways: [gatewayName],
        http: [...redirectRoutes(t.door), ...(rateLimited ? rateLimitedRoutes(forward) : [forward])],
    };
}

/** DestinationRule: mTLS to the app, bounded connection pools and ejection of failing pods. */
export function destinationRuleSpec(t: RoutingTarget) {
    return {
        host: serviceHost(t),
        trafficPolicy: {
            tls: { mode: "ISTIO_MUTUAL" },
            connectionPool: {
                tcp: { maxConnections: 100, connectTimeout: "2s" },
                http: { http1MaxPendingRequests: 100, http2MaxRequests: 1000, maxRequestsPerConnection: 100 },
            },
            outlierDetection: {
                consecutive5xxErrors: 5,
                interval: "10s",
                baseEjectionTime: "30s",
                maxEjectionPercent: 50,
            },
        },
    };
}

/** PeerAuthentication: the app's namespace accepts mutual TLS only. */
export function peerAuthenticationSpec() {
    return { mtls: { mode: "STRICT" } };
}

/**
 * AuthorizationPolicy (ALLOW): only the ingress gateway may call the app; the REST API needs an
 * X-Api-Key header, except the health endpoint. Anything not matched is denied.
 */
export function authorizationPolicySpec(t: RoutingTarget) {
    const fromGateway = [{ source: { principals: [gatewayPrincipal(t)] } }];
    return {
        selector: { matchLabels: t.podLabels },
        action: "ALLOW",
        rules: [
            // Short-URL redirects and everything outside the REST API.
            { from: fromGateway, to: [{ operation: { notPaths: ["/rest/*"] } }] },
            { from: fromGateway, to: [{ operation: { paths: ["/rest/health"], methods: ["GET", "HEAD"] } }] },
            {
                from: fromGateway,
                to: [{ operation: { paths: ["/rest/*"] } }],
                // "*" is Istio's presence match: any non-empty header value.
                when: [{ key: "request.headers[x-api-key]", values: ["*"] }],
            },
        ],
    };
}
