import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { gatewayValues, istiodValues, telemetrySpec, type TracingTarget } from "./values";
import { ISTIO } from "../defaults";

export interface IstioArgs {
    /** Jaeger's OTLP gRPC endpoint, derived from the names the observability layer gives its services. */
    tracing: TracingTarget;
    /** Share of requests traced, 0-100. */
    samplingPercent: number;
    /** Port the ingress gateway's LoadBalancer listens on. */
    httpPort: number;
    /** Cluster name recorded on every span. */
    clusterName: string;
}

/**
 * Istio from the official charts: `base` (CRDs), `istiod` (control plane with the tracing and metrics
 * providers in its mesh config), the `istio-ingressgateway` LoadBalancer, and mesh-wide Telemetry.
 */
export class Istio extends pulumi.ComponentResource {
    public readonly namespace: k8s.core.v1.Namespace;
    public readonly gatewayNamespace: k8s.core.v1.Namespace;
    public readonly base: k8s.helm.v3.Release;
    /** Meshed workloads wait for this: pods created before istiod answers get no sidecar. */
    public readonly istiod: k8s.helm.v3.Release;
    public readonly gateway: k8s.helm.v3.Release;

    constructor(name: string, args: IstioArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:mesh:Istio", name, {}, opts);

        this.namespace = new k8s.core.v1.Namespace(
            `${name}-system`,
            { metadata: { name: ISTIO.namespace } },
            { parent: this },
        );
        this.gatewayNamespace = new k8s.core.v1.Namespace(
            `${name}-ingress`,
            { metadata: { name: ISTIO.gatewayNamespace } },
            { parent: this },
        );
        const chart = (chartName: string) => ({
            chart: chartName,
            version: ISTIO.version,
            repositoryOpts: { repo: ISTIO.repo },
        });

        this.base = new k8s.helm.v3.Release(
            `${name}-base`,
            {
                ...chart("base"),
                name: "istio-base",
                namespace: this.namespace.metadata.name,
                values: { defaultRevision: "default" },
                atomic: true,
            },
            { parent: this },
        );
        this.istiod = new k8s.helm.v3.Release(
            `${name}-istiod`,
            {
                ...chart("istiod"),
                name: "istiod",
                namespace: this.namespace.metadata.name,
                values: istiodValues(args.tracing),
                // Helm waits until istiod's pods are Ready: its injection webhook answers once the release is done.
                atomic: true,
            },
            // istiod's config objects need the CRDs the base chart installs.
            { parent: this, dependsOn: [this.base] },
        );
        this.gateway = new k8s.helm.v3.Release(
            `${name}-gateway`,
            {
                ...chart("gateway"),
                name: ISTIO.gatewayRelease,
                namespace: this.gatewayNamespace.metadata.name,
                values: gatewayValues(args.httpPort),
                atomic: true,
            },
            // The gateway's pods are injected by istiod's webhook ("gateway" template).
            { parent: this, dependsOn: [this.istiod] },
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
