// Pod Security: each namespace of ours passes a server-side dry run of its own `enforce` level with no warning, and
// the next stricter level is tried too, so the report says which namespaces could be raised.
import { POD_SECURITY_VERSION, type PodSecurityLevel } from "../../../components/defaults";
import { podSecurityLevels } from "../../../stacks/placement";
import { fail, pass, skip, type Check, type VerifyContext } from "../check";

const STRICTER: Record<PodSecurityLevel, PodSecurityLevel | undefined> = { privileged: "baseline", baseline: "restricted", restricted: undefined };

/**
 * The warnings of a dry-run that sets `enforce` to `level`. Pod Security admission evaluates the namespace's pods
 * only when the policy changes, so the version label flips between the pinned one and `latest` (same rules on a
 * cluster of that minor): the level stays, the pods are judged.
 */
export async function dryRunLevel(ctx: VerifyContext, ns: string, level: PodSecurityLevel, currentVersion: string | undefined): Promise<string[] | "absent"> {
    const version = currentVersion === "latest" ? POD_SECURITY_VERSION : "latest";
    const res = await ctx.kube.request(`/api/v1/namespaces/${ns}?dryRun=All&fieldManager=homelab-verify`, {
        method: "PATCH",
        headers: { "Content-Type": "application/merge-patch+json" },
        body: JSON.stringify({ metadata: { labels: { "pod-security.kubernetes.io/enforce": level, "pod-security.kubernetes.io/enforce-version": version } } }),
    });
    if (res.status === 404) {
        return "absent";
    }
    if (res.status !== 200) {
        throw new Error(`the dry run on namespace ${ns} answered ${res.status}: ${res.body.slice(0, 160)}`);
    }
    return parseWarnings(res.headers.warning ?? "");
}

/** The texts of HTTP Warning headers (`299 - "text"`, several joined by commas). */
export function parseWarnings(header: string): string[] {
    return [...header.matchAll(/\d{3} [^ ]+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\"/g, '"'));
}

function namespaceCheck(ns: string, level: PodSecurityLevel): Check {
    return {
        id: `pod-security.${ns}`,
        group: "pod-security",
        proves: `namespace ${ns} passes its own enforce level (${level}) with no warning`,
        timeoutSeconds: 15,
        async run(ctx) {
            const current = await ctx.kube.request(`/api/v1/namespaces/${ns}`);
            if (current.status === 404) {
                return skip(`namespace ${ns} is not in this lab (Argo CD off, or the smoke Job's namespace in Proxmox mode)`);
            }
            const labels = (JSON.parse(current.body) as { metadata: { labels?: Record<string, string> } }).metadata.labels ?? {};
            const enforced = labels["pod-security.kubernetes.io/enforce"];
            const version = labels["pod-security.kubernetes.io/enforce-version"];
            if (enforced !== level) {
                return fail(
                    `enforce=${enforced ?? "(none)"}`,
                    `the namespace does not carry its level ${level}`,
                    `kubectl get ns ${ns} --show-labels; npm run up`,
                );
            }
            const own = await dryRunLevel(ctx, ns, level, version);
            if (own === "absent") {
                return skip(`namespace ${ns} is gone`);
            }
            const stricter = STRICTER[level];
            const raise = stricter === undefined ? undefined : await dryRunLevel(ctx, ns, stricter, version);
            const note =
                stricter === undefined
                    ? ""
                    : raise === "absent" || (raise?.length ?? 0) > 0
                      ? `; ${stricter} would warn`
                      : `; would also pass ${stricter}: could be raised`;
            if (own.length > 0) {
                return fail(
                    `${level}: ${own.length} warnings${note}`,
                    own.slice(0, 4).join(" | ").slice(0, 400),
                    `kubectl label --dry-run=server --overwrite ns ${ns} pod-security.kubernetes.io/enforce=${level}; podSecurity of the namespace in components/<part>/part.ts`,
                );
            }
            return pass(`${level}: no warning${note}`);
        },
    };
}

export const POD_SECURITY_CHECKS: Check[] = Object.entries(podSecurityLevels()).map(([ns, level]) => namespaceCheck(ns, level));
