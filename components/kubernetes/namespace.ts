// Namespaces of ours, with the mesh decision written down.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** Istio's namespace label: `enabled` makes istiod inject a sidecar into every new pod there. */
export const ISTIO_INJECTION_LABEL = "istio-injection";

/**
 * Arguments of a Namespace of ours. `meshInjection` writes the mesh decision down: operators and data stores
 * stay out of the mesh (sidecars break Sentinel's pod-IP view and keep PGO's backup Jobs alive), apps opt in;
 * left undefined, the namespace carries no injection label (the mesh's and observability's own namespaces).
 */
export function namespaceArgs(name: string, meshInjection?: boolean): k8s.core.v1.NamespaceArgs {
    if (meshInjection === undefined) {
        return { metadata: { name } };
    }
    return {
        metadata: {
            name,
            labels: { [ISTIO_INJECTION_LABEL]: meshInjection ? "enabled" : "disabled" },
        },
    };
}

/** A Namespace of ours (see namespaceArgs). */
export function namespace(
    name: string,
    namespaceName: string,
    meshInjection: boolean | undefined,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(name, namespaceArgs(namespaceName, meshInjection), opts);
}
