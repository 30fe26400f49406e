// The acceptance suite: every check, by group, in the order they print. `--list` prints this without a lab.
import { GROUPS, type Check } from "./check";
import { CLUSTER_CHECKS } from "./checks/cluster";
import { DATA_CHECKS } from "./checks/data";
import { LOAD_CHECKS } from "./checks/load";
import { MESH_EDGE_CHECKS } from "./checks/meshEdge";
import { NETPOL_CHECKS } from "./checks/netpol";
import { OBSERVABILITY_CHECKS } from "./checks/observability";
import { POD_SECURITY_CHECKS } from "./checks/podSecurity";
import { RELEASE_CHECKS } from "./checks/releases";

export const CHECKS: readonly Check[] = [
    ...CLUSTER_CHECKS,
    ...RELEASE_CHECKS,
    ...DATA_CHECKS,
    ...MESH_EDGE_CHECKS,
    ...NETPOL_CHECKS,
    ...POD_SECURITY_CHECKS,
    ...OBSERVABILITY_CHECKS,
    ...LOAD_CHECKS,
];

/** The fast subset: what the smoke check at the end of `pulumi up` proves too (components/smoke/promises.ts). */
export const FAST_CHECKS: readonly Check[] = CHECKS.filter((c) => c.fast === true);

/** `--list`: every check, grouped, with what it proves. */
export function listText(checks: readonly Check[] = CHECKS): string[] {
    const out: string[] = [];
    for (const [group, title] of Object.entries(GROUPS)) {
        const inGroup = checks.filter((c) => c.group === group);
        out.push(`${title} (${inGroup.length})`);
        inGroup.forEach((c) => out.push(`  ${c.id.padEnd(44)} ${c.fast ? "[fast] " : ""}${c.proves}`));
    }
    out.push(`${checks.length} checks; [fast]: also run by the smoke check at the end of \`npm run up\` (npm run verify -- --fast runs them alone)`);
    return out;
}
