// Namespaces of ours, with the mesh decision and the Pod Security level written down.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { POD_SECURITY_VERSION, type PodSecurityLevel } from "../defaults";

/** Istio's namespace label: `enabled` makes istiod inject a sidecar into every new pod there. */
export const ISTIO_INJECTION_LABEL = "istio-injection";

/** Pod Security admission's label prefix (kubernetes.io/docs/concepts/security/pod-security-admission). */
const PSA = "pod-security.kubernetes.io";

/** The level every namespace warns and audits at: a real cluster reports whatever keeps a namespace below it. */
const PSA_REPORT_LEVEL: PodSecurityLevel = "restricted";

/** A namespace of ours and the Pod Security level its part's placement declares for it. */
export interface PlacedNamespace {
    name: string;
    podSecurity: PodSecurityLevel;
}

/**
 * Pod Security admission labels of one namespace: `enforce` at the level its part declares (components/<part>/part.ts),
 * `warn` and `audit` at `restricted`, each pinned to the K3s minor.
 */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const [mode, modeLevel] of [
        ["enforce", level],
        ["warn", PSA_REPORT_LEVEL],
        ["audit", PSA_REPORT_LEVEL],
    ] as const) {
        labels[`${PSA}/${mode}`] = modeLevel;
        labels[`${PSA}/${mode}-version`] = POD_SECURITY_VERSION;
    }
    return labels;
}

/**
 * Arguments of a Namespace of ours. `meshInjection` writes the mesh decision down: operators and data stores
 * stay out of the mesh (sidecars break Sentinel's pod-IP view and keep PGO's backup Jobs alive), apps opt in;
 * left undefined, the namespace carries no injection label (the mesh's and observability's own namespaces).
 * Every namespace carries its Pod Security labels (podSecurityLabels).
 */
export function namespaceArgs(placed: PlacedNamespace, meshInjection?: boolean): k8s.core.v1.NamespaceArgs {
    const mesh: Record<string, string> = meshInjection === undefined ? {} : { [ISTIO_INJECTION_LABEL]: meshInjection ? "enabled" : "disabled" };
    return { metadata: { name: placed.name, labels: { ...mesh, ...podSecurityLabels(placed.podSecurity) } } };
}

/** A Namespace of ours (see namespaceArgs). */
export function namespace(
    name: string,
    placed: PlacedNamespace,
    meshInjection: boolean | undefined,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(name, namespaceArgs(placed, meshInjection), opts);
}
