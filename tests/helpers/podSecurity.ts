// The Pod Security admission labels a namespace of the stack carries, written out (not derived from the code).

/** `enforce` at `level`, `warn` and `audit` at restricted, each pinned to the K3s minor the lab runs (v1.34). */
export function pssLabels(level: "privileged" | "baseline" | "restricted"): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/enforce-version": "v1.34",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": "v1.34",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": "v1.34",
    };
}
