// backup-restore: a manual pgBackRest backup, a scratch cluster restored from it, the counts compared, the
// scratch cluster deleted on every path.
import { DRILLS, POSTGRES } from "../defaults";
import type { DrillContext } from "./drills";
import {
    backupAnnotationPatch,
    countShortUrlsCommand,
    DRILL_REPOS,
    manualBackupRepoPatch,
    primarySelector,
    scratchPostgresCluster,
    type DrillRepoName,
} from "./objects";

/** PGO's database container in an instance pod. */
const DATABASE_CONTAINER = "database";

export interface BackupResult {
    backupId: string;
    /** The repository backed up into and restored from: repo1 (local volume) or repo2 (off-site bucket). */
    repoName: DrillRepoName;
    counts: { live: number; restored: number };
    backupSeconds: number;
    restoreSeconds: number;
}

/** The short-URL count in the primary of `clusterName`. */
async function countShortUrls(ctx: DrillContext, clusterName: string): Promise<number> {
    const pods = (await ctx.lab.cluster.pods(POSTGRES.namespace, primarySelector(clusterName))).filter((p) => p.ready);
    if (pods.length === 0) {
        throw new Error(`no ready primary of ${clusterName} to count short URLs in`);
    }
    const out = await ctx.lab.cluster.exec(POSTGRES.namespace, pods[0].name, DATABASE_CONTAINER, countShortUrlsCommand());
    const count = Number(out.trim());
    if (!Number.isInteger(count)) {
        throw new Error(`unexpected count from ${clusterName}: ${JSON.stringify(out)}`);
    }
    return count;
}

/** Runs the drill; `now` gives ms since the epoch. Deletes the scratch cluster whatever happens. */
export async function backupRestore(ctx: DrillContext, now: () => number): Promise<BackupResult> {
    const { cluster } = ctx.lab;
    const repoName = DRILL_REPOS[ctx.repo ?? "local"];
    if (repoName === DRILL_REPOS.offsite) {
        await requireOffsiteRepo(ctx);
    }
    const scratch = scratchPostgresCluster(await cluster.postgresVolume(POSTGRES.namespace, POSTGRES.clusterName), repoName);
    if ((await cluster.postgresCluster(POSTGRES.namespace, scratch.metadata.name)) !== null) {
        throw new Error(`${POSTGRES.namespace}/${scratch.metadata.name} exists: a drill left it behind; delete it first`);
    }
    const live = await countShortUrls(ctx, POSTGRES.clusterName);
    const backupId = `drill-${new Date(now()).toISOString().replace(/[-:.]/g, "").toLowerCase()}`;
    const backupStart = now();
    if (repoName === DRILL_REPOS.offsite) {
        await manualBackupsInto(ctx, repoName);
    }
    let failed = false;
    let finished = false;
    try {
        await cluster.patchPostgresCluster(POSTGRES.namespace, POSTGRES.clusterName, backupAnnotationPatch(backupId));
        ctx.out(`asked PGO for backup ${backupId} in ${repoName}`);
        finished = await ctx.poll(
            async () => {
                const backup = (await cluster.postgresCluster(POSTGRES.namespace, POSTGRES.clusterName))?.pgbackrest?.manualBackup;
                failed = backup?.id === backupId && (backup.failed ?? 0) > 0 && backup.finished;
                return backup?.id === backupId && backup.finished;
            },
            DRILLS.recoverySeconds,
            `backup ${backupId}`,
        );
    } finally {
        if (repoName === DRILL_REPOS.offsite) {
            // Manual backups go back to the local repository, as Pulumi set them, on every path.
            await manualBackupsInto(ctx, DRILL_REPOS.local);
        }
    }
    if (!finished || failed) {
        throw new Error(`backup ${backupId} ${failed ? "failed" : "did not finish"}: see the backup Job in ${POSTGRES.namespace}`);
    }
    const backupSeconds = (now() - backupStart) / 1000;
    const restoreStart = now();
    try {
        await cluster.createPostgresCluster(scratch);
        ctx.out(`restoring into ${POSTGRES.namespace}/${scratch.metadata.name}`);
        const restored = await ctx.poll(
            async () => (await cluster.pods(POSTGRES.namespace, primarySelector(scratch.metadata.name))).some((p) => p.ready),
            DRILLS.recoverySeconds,
            `a ready primary of ${scratch.metadata.name}`,
        );
        if (!restored) {
            throw new Error(`${scratch.metadata.name} had no ready primary within ${DRILLS.recoverySeconds} s`);
        }
        const restoreSeconds = (now() - restoreStart) / 1000;
        return { backupId, repoName, counts: { live, restored: await countShortUrls(ctx, scratch.metadata.name) }, backupSeconds, restoreSeconds };
    } finally {
        await cluster.deletePostgresCluster(POSTGRES.namespace, scratch.metadata.name).then(
            () => ctx.out(`deleted ${POSTGRES.namespace}/${scratch.metadata.name}`),
            (e: unknown) => ctx.out(`could not delete ${scratch.metadata.name}: ${String(e)}; delete it by hand`),
        );
    }
}

/** `--repo offsite` needs the live cluster's repo2 with its stanza: the lab's homelab:offsiteBackup* keys set. */
async function requireOffsiteRepo(ctx: DrillContext): Promise<void> {
    const status = await ctx.lab.cluster.postgresCluster(POSTGRES.namespace, POSTGRES.clusterName);
    const repo = status?.pgbackrest?.repos?.find((r) => r.name === DRILL_REPOS.offsite);
    if (repo?.stanzaCreated !== true) {
        throw new Error(
            `${POSTGRES.namespace}/${POSTGRES.clusterName} has no off-site repository ready (${DRILL_REPOS.offsite}${repo ? ", stanza not created yet" : " not set up"}): ` +
                "set the homelab:offsiteBackup* keys and run npm run up (docs/disaster-recovery.md)",
        );
    }
}

/** Points the live cluster's manual backups at `repoName`; a failure to set them back is reported, not thrown. */
async function manualBackupsInto(ctx: DrillContext, repoName: DrillRepoName): Promise<void> {
    const patch = ctx.lab.cluster.patchPostgresCluster(POSTGRES.namespace, POSTGRES.clusterName, manualBackupRepoPatch(repoName));
    if (repoName === DRILL_REPOS.offsite) {
        return patch;
    }
    await patch.catch((e: unknown) => ctx.out(`could not set manual backups back to ${repoName}: ${String(e)}; npm run up sets them back`));
}
