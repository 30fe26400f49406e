// Pure builders for the Istio charts' values and the mesh's custom resources; tests call them directly.
import { ISTIO } from "../defaults";
import { loadBalancerAnnotations } from "../kubernetes/service";
import { serviceFqdn } from "../kubernetes/serviceNames";

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
            extensionProviders: [
                { name: TRACING_PROVIDER, opentelemetry: { service: tracing.service, port: tracing.port } },
            ],
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

/** Values of the `gateway` chart: one LoadBalancer on port 80 (K3s ServiceLB binds it on every node). */
export function gatewayValues(httpPort: number, serviceAnnotations?: Record<string, string>) {
    return {
        labels: { istio: ISTIO.gatewayLabel },
        autoscaling: { enabled: false },
        replicaCount: ISTIO.gatewayReplicas,
        resources: ISTIO.gatewayResources,
        service: {
            type: "LoadBalancer",
            ...loadBalancerAnnotations(serviceAnnotations),
            ports: [
                { name: "status-port", port: ISTIO.gatewayStatusPort, protocol: "TCP", targetPort: 15021 },
                { name: "http2", port: httpPort, protocol: "TCP", targetPort: 80 },
            ],
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
}

export const serviceHost = (t: RoutingTarget) => serviceFqdn(t.service, t.namespace);
export const gatewayPrincipal = (t: RoutingTarget) =>
    `cluster.local/ns/${t.gateway.namespace}/sa/${t.gateway.serviceAccount}`;

/** Gateway: HTTP on port 80 of the ingress gateway pods, any host. */
export function gatewaySpec(t: RoutingTarget) {
    return {
        selector: { istio: t.gateway.label },
        servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }],
    };
}

/** VirtualService: everything on the gateway goes to the app, with retries and an overall timeout. */
export function virtualServiceSpec(t: RoutingTarget, gatewayName: string) {
    return {
        hosts: ["*"],
        gateways: [gatewayName],
        http: [
            {
                route: [{ destination: { host: serviceHost(t), port: { number: t.port } } }],
                retries: { attempts: 3, perTryTimeout: "2s", retryOn: "5xx,reset,connect-failure,refused-stream" },
                timeout: "10s",
            },
        ],
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
