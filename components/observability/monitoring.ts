// Everything Prometheus picks up from this layer: the Istio monitors and the SLO and platform rules, as
// monitoring.coreos.com objects in the monitoring namespace.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { ISTIO_SCRAPE_INTERVAL } from "../defaults";
import { childName } from "../kubernetes/names";
import { monitors } from "./monitors";
import { platformRules, sloRules } from "./rules";

export interface MonitoringInputs {
    /** kube-prometheus-stack: its release installs the CRDs, its namespace holds the objects. */
    stack: { release: pulumi.Resource; namespace: pulumi.Input<string> };
    istioNamespace: string;
    ingressGateway: { namespace: string; labels: Record<string, string>; workload: string };
    sloTarget: { namespace: string; service: string };
    /** What the istiod monitor waits for (the mesh's namespace and istiod). */
    waitFor: pulumi.Input<pulumi.Resource>[];
}

/** Monitors for istiod, the ingress gateway and every sidecar; SLO alerts for the target; platform alerts. */
export function monitoringObjects(component: string, inputs: MonitoringInputs, parent: pulumi.Resource): void {
    type Deps = pulumi.Input<pulumi.Resource>[];
    const object = (role: string, kind: string, name: string, spec: object, extraDeps: Deps = []) =>
        new k8s.apiextensions.CustomResource(
            childName(component, role),
            { apiVersion: "monitoring.coreos.com/v1", kind, metadata: { name, namespace: inputs.stack.namespace }, spec },
            // The monitoring.coreos.com CRDs come with the kube-prometheus-stack release.
            { parent, dependsOn: [inputs.stack.release, ...extraDeps] },
        );
    const gateway = inputs.ingressGateway;
    const scrape = monitors({
        istioNamespace: inputs.istioNamespace,
        ingressGateway: gateway,
        interval: ISTIO_SCRAPE_INTERVAL,
    });
    object("istiod-monitor", "ServiceMonitor", scrape.istiod.name, scrape.istiod.spec, inputs.waitFor);
    object("envoy-monitor", "PodMonitor", scrape.envoySidecars.name, scrape.envoySidecars.spec);
    object("gateway-monitor", "PodMonitor", scrape.ingressGateway.name, scrape.ingressGateway.spec);
    const slo = sloRules({ ...inputs.sloTarget, gateway: { workload: gateway.workload, namespace: gateway.namespace } });
    object("slo-rules", "PrometheusRule", `${inputs.sloTarget.service}-slo`, slo);
    object("platform-rules", "PrometheusRule", "homelab-platform", platformRules());
}
