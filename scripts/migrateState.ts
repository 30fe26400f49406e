// Before `pulumi up`: forget, in the stack's state only, the Secrets Pulumi used to write and External Secrets now
// writes under the same names, so the engine does not delete them (from the cluster) at the end of the first
// up after the upgrade, after ESO has already adopted them. The objects stay; ESO keeps them up to date.
//   tsx scripts/migrateState.ts <stack>     (scripts/up.sh runs it; PULUMI names the CLI, default node_modules/.bin/pulumi)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** A resource removed from the program whose cluster object must outlive it: its qualified type, name, and why. */
export interface RetiredResource {
    /** The `$`-joined type chain of its URN (parent types, then its own). */
    type: string;
    name: string;
    why: string;
}

/**
 * Issue 9: Secrets now written by External Secrets from Vault. ESO v2.9.0 adopts an existing Secret no
 * ExternalSecret controls (Owner sets its controller reference, externalsecret_controller.go applyOwnership);
 * the PGO user Secret is CreateOrMerge (updates in place, keeps PGO's keys). Were Pulumi to delete them, PGO
 * would generate a new random password for a missing user Secret.
 */
export const RETIRED_RESOURCES: readonly RetiredResource[] = [
    { type: "homelab:apps:Shlink$kubernetes:core/v1:Secret", name: "shlink-credentials", why: "ExternalSecret shlink-credentials writes it" },
    {
        type: "homelab:data:Postgres$kubernetes:core/v1:Secret",
        name: "shlink-db-pguser",
        why: "ExternalSecret shlink-db-pguser merges into it (PGO keeps its keys)",
    },
    { type: "homelab:data:Redis$kubernetes:core/v1:Secret", name: "shlink-redis-auth", why: "ExternalSecret shlink-redis-auth writes it" },
    {
        type: "homelab:observability:Observability$kubernetes:core/v1:Secret",
        name: "observability-kiali-grafana-credentials",
        why: "ExternalSecret observability-kiali-grafana-credentials writes it",
    },
];

/** The part of `pulumi stack export` this edits (everything else is passed through untouched). */
interface StateResource {
    urn: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    deletedWith?: string;
    [other: string]: unknown;
}
export interface ExportedState {
    deployment?: { resources?: StateResource[]; [other: string]: unknown };
    [other: string]: unknown;
}

/** A URN's `<qualified type>::<name>` tail: the same resource whatever the stack and project are called. */
function urnTail(urn: string): string {
    return urn.replace(/^urn:pulumi:[^:]+::[^:]+::/, "");
}

/**
 * The state without the retired resources, and without every reference to them from the resources that read
 * them (`pulumi state delete` refuses a resource others depend on; these dependencies end with the next up anyway).
 */
export function retireResources(state: ExportedState, retired: readonly RetiredResource[]): { state: ExportedState; removed: string[] } {
    const tails = new Set(retired.map((r) => `${r.type}::${r.name}`));
    const resources = state.deployment?.resources ?? [];
    const removed = resources.filter((r) => tails.has(urnTail(r.urn))).map((r) => r.urn);
    if (removed.length === 0) {
        return { state, removed };
    }
    const gone = new Set(removed);
    const keep = (urns: string[]) => urns.filter((urn) => !gone.has(urn));
    const kept = resources
        .filter((r) => !gone.has(r.urn))
        .map((r) => {
            const next: StateResource = { ...r };
            if (r.dependencies) {
                next.dependencies = keep(r.dependencies);
            }
            if (r.propertyDependencies) {
                next.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies).map(([property, urns]) => [property, keep(urns)]));
            }
            if (r.deletedWith && gone.has(r.deletedWith)) {
                delete next.deletedWith;
            }
            return next;
        });
    return { state: { ...state, deployment: { ...state.deployment, resources: kept } }, removed };
}

/** How long reading the state may take (a remote backend that hangs must not hang `npm run up`). */
const EXPORT_TIMEOUT_MS = 300_000;

function main(stack: string): void {
    const pulumi = process.env.PULUMI ?? "node_modules/.bin/pulumi";
    // Secrets stay encrypted: export and import carry the ciphertext as is.
    let exported: ExportedState;
    try {
        // Pulumi's own message reaches the terminal (stderr is not captured); this adds what to do next.
        exported = JSON.parse(
            execFileSync(pulumi, ["stack", "export", "--stack", stack], {
                encoding: "utf8",
                stdio: ["inherit", "pipe", "inherit"],
                timeout: EXPORT_TIMEOUT_MS,
            }),
        ) as ExportedState;
    } catch (e) {
        const { status, code } = e as { status?: number | null; code?: string };
        const why =
            code === "ETIMEDOUT"
                ? `pulumi stack export gave no answer within ${EXPORT_TIMEOUT_MS / 1000} s`
                : status === undefined || status === null
                  ? e instanceof Error
                      ? e.message
                      : String(e)
                  : `pulumi stack export exited with status ${status}; its message is above`;
        console.error(
            `up: could not read the state of stack '${stack}' before the update (${why}). Nothing was changed. ` +
                "A wrong passphrase? Set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE. Then run `npm run up` again.",
        );
        process.exit(1);
    }
    const { state, removed } = retireResources(exported, RETIRED_RESOURCES);
    if (removed.length === 0) {
        return;
    }
    const dir = mkdtempSync(path.join(tmpdir(), "homelab-state-"));
    try {
        const file = path.join(dir, "state.json");
        writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
        execFileSync(pulumi, ["stack", "import", "--stack", stack, "--file", file], { stdio: "inherit" });
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
    for (const urn of removed) {
        const why = RETIRED_RESOURCES.find((r) => urnTail(urn) === `${r.type}::${r.name}`)?.why ?? "";
        console.error(`state: forgot ${urn} (the object stays in the cluster: ${why})`);
    }
}

if (require.main === module) {
    const stack = process.argv[2];
    if (!stack) {
        console.error("usage: tsx scripts/migrateState.ts <stack>");
        process.exit(2);
    }
    main(stack);
}
