// Small builders every platform component shares.
import type * as k8s from "@pulumi/kubernetes";
import type { ResourceSpec } from "../defaults";

/** Istio's namespace label: `enabled` makes istiod inject a sidecar into every new pod there. */
export const ISTIO_INJECTION_LABEL = "istio-injection";

/**
 * Arguments of a Namespace of ours, with the mesh decision written down: operators and data stores stay out
 * of the mesh (sidecars break Sentinel's pod-IP view and keep PGO's backup Jobs alive), apps opt in.
 */
export function namespaceArgs(name: string, meshInjection: boolean): k8s.core.v1.NamespaceArgs {
    return {
        metadata: {
            name,
            labels: { [ISTIO_INJECTION_LABEL]: meshInjection ? "enabled" : "disabled" },
        },
    };
}

/** Container requests and limits from a spec in defaults.ts (copied: Pulumi inputs must not share objects). */
export function resourceRequirements(spec: ResourceSpec): { requests: Record<string, string>; limits: Record<string, string> } {
    return { requests: { ...spec.requests }, limits: { ...spec.limits } };
}
