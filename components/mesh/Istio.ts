import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { cniValues, gatewayValues, istiodValues, telemetrySpec, type GatewayServicePort, type TracingTarget } from "./values";
import { ISTIO, ISTIO_CHARTS } from "./facts";
import { helmRelease } from "../kubernetes/helm";
import { namespace } from "../kubernetes/namespace";
import { GATEWAY_NAMESPACE, ISTIO_NAMESPACE } from "./part";

export interface IstioArgs {
    /** Jaeger's OTLP gRPC endpoint, derived from the names the observability layer gives its services. */
    tracing: TracingTarget;
    /** Share of requests traced, 0-100. */
    samplingPercent: number;
    /** Ports the ingress gateway's LoadBalancer listens on: every door of the lab. */
    servicePorts: readonly GatewayServicePort[];
    /** Cluster name recorded on every span. */
    clusterName: string;
    /** Istio's platform profile for the CNI node agent ("k3s" on the lab's own K3s); unset, the chart's default paths. */
    cniPlatform?: string;
    /** Annotations of the gateway's LoadBalancer Service (kube-vip's address, when the lab has a services VIP). */
    serviceAnnotations?: Record<string, string>;
}

/**
 * Istio from the official charts: `base` (CRDs), `cni` (traffic redirection set up by a node agent, so meshed
 * pods pass the `baseline` Pod Security Standard), `istiod` (control plane with the tracing and metrics
 * providers in its mesh config), the `istio-ingressgateway` LoadBalancer, and mesh-wide Telemetry.
 */
export class Istio extends pulumi.ComponentResource {
    public readonly namespace: k8s.core.v1.Namespace;
    public readonly gatewayNamespace: k8s.core.v1.Namespace;
    public readonly base: k8s.helm.v3.Release;
    /** Istio's CNI node agent: meshed pods need it on their node before they start. */
    public readonly cni: k8s.helm.v3.Release;
    /**
     * Done once the agent is Ready on every node. Helm counts the DaemonSet ready at desired − maxUnavailable (1 in
     * the chart), so the release alone may return with one node's agent still starting.
     */
    public readonly cniReady: k8s.apps.v1.DaemonSetPatch;
    /** Meshed workloads wait for this: pods created before istiod answers get no sidecar. */
    public readonly istiod: k8s.helm.v3.Release;
    public readonly gateway: k8s.helm.v3.Release;

    constructor(name: string, args: IstioArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:mesh:Istio", name, {}, opts);

        this.namespace = namespace(`${name}-system`, ISTIO_NAMESPACE, undefined, { parent: this });
        this.gatewayNamespace = namespace(`${name}-ingress`, GATEWAY_NAMESPACE, undefined, { parent: this });
        const charts = ISTIO_CHARTS;
        this.base = helmRelease(
            `${name}-base`,
            charts.base,
            this.namespace.metadata.name,
            { defaultRevision: "default" },
            {
                parent: this,
            },
        );
        this.cni = helmRelease(`${name}-cni`, charts.cni, this.namespace.metadata.name, cniValues(args.cniPlatform), { parent: this });
        this.cniReady = cniReadiness(`${name}-cni-ready`, this.namespace.metadata.name, this.cni, this);
        // Helm waits until istiod's pods are Ready: its injection webhook answers once the release is done.
        this.istiod = helmRelease(`${name}-istiod`, charts.istiod, this.namespace.metadata.name, istiodValues(args.tracing), {
            parent: this,
            // istiod's config objects need the CRDs of base; pods it injects (no istio-init) need the CNI agent on their
            // node, every node's: whatever waits for istiod (every meshed workload) waits for them too.
            dependsOn: [this.base, this.cniReady],
        });
        this.gateway = helmRelease(
            `${name}-gateway`,
            charts.gateway,
            this.gatewayNamespace.metadata.name,
            gatewayValues(args.servicePorts, args.serviceAnnotations),
            {
                parent: this,
                // The gateway's pods are injected by istiod's webhook ("gateway" template).
                dependsOn: [this.istiod],
            },
        );

        new k8s.apiextensions.CustomResource(
            `${name}-telemetry`,
            {
                apiVersion: "telemetry.istio.io/v1",
                kind: "Telemetry",
                // In the root namespace, a Telemetry applies to the whole mesh.
                metadata: { name: "mesh-default", namespace: this.namespace.metadata.name },
                spec: telemetrySpec(args.samplingPercent, args.clusterName),
            },
            // The Telemetry CRD comes with base; istiod validates it.
            { parent: this, dependsOn: [this.base, this.istiod] },
        );

        this.registerOutputs({});
    }
}

/**
 * Pulumi's own wait for the chart's agent DaemonSet: a server-side apply patch of one annotation, awaited like any
 * DaemonSet Pulumi applies (kstatus Current: every scheduled pod updated, Ready and available, at the observed
 * generation). The annotation carries the release's revision, so every upgrade of the chart is awaited again.
 */
function cniReadiness(name: string, namespace: pulumi.Input<string>, cni: k8s.helm.v3.Release, parent: pulumi.Resource): k8s.apps.v1.DaemonSetPatch {
    return new k8s.apps.v1.DaemonSetPatch(
        name,
        {
            metadata: {
                name: ISTIO.cniDaemonSet,
                namespace,
                annotations: { [CNI_RELEASE_REVISION]: cni.status.revision.apply((revision) => String(revision)) },
            },
        },
        { parent },
    );
}

/** The annotation the readiness patch sets: the cni release's Helm revision it waited for. */
export const CNI_RELEASE_REVISION = "homelab/istio-cni-revision";
