// Namespaces of ours, with the mesh decision and the Pod Security level written down.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { POD_SECURITY_LEVELS, POD_SECURITY_VERSION, type PodSecurityLevel } from "../defaults";

/** Istio's namespace label: `enabled` makes istiod inject a sidecar into every new pod there. */
export const ISTIO_INJECTION_LABEL = "istio-injection";

/** Pod Security admission's label prefix (kubernetes.io/docs/concepts/security/pod-security-admission). */
const PSA = "pod-security.kubernetes.io";

/** The level every namespace warns and audits at: a real cluster reports whatever keeps a namespace below it. */
const PSA_REPORT_LEVEL: PodSecurityLevel = "restricted";

/**
 * Pod Security admission labels of one namespace: `enforce` at its level in POD_SECURITY_LEVELS, `warn` and
 * `audit` at `restricted`, each pinned to the K3s minor. A namespace with no level is a mistake, not a default.
 */
export function podSecurityLabels(namespaceName: string): Record<string, string> {
    const level = POD_SECURITY_LEVELS[namespaceName];
    if (level === undefined) {
        throw new Error(
            `namespace "${namespaceName}" has no Pod Security level: add it to POD_SECURITY_LEVELS in components/defaults.ts ` +
                `(the strictest of privileged, baseline, restricted its pods pass)`,
        );
    }
    const labels: Record<string, string> = {};
    for (const [mode, modeLevel] of [["enforce", level], ["warn", PSA_REPORT_LEVEL], ["audit", PSA_REPORT_LEVEL]] as const) {
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
export function namespaceArgs(name: string, meshInjection?: boolean): k8s.core.v1.NamespaceArgs {
    const mesh: Record<string, string> = meshInjection === undefined ? {} : { [ISTIO_INJECTION_LABEL]: meshInjection ? "enabled" : "disabled" };
    return { metadata: { name, labels: { ...mesh, ...podSecurityLabels(name) } } };
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
