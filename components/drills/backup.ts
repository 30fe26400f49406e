// backup-restore: a manual pgBackRest backup, a scratch cluster restored from it, the counts compared, the
// scratch cluster deleted on every path.
import { DRILLS, POSTGRES } from "../defaults";
import type { DrillContext } from "./drills";
import { backupAnnotationPatch, countShortUrlsCommand, primarySelector, scratchPostgresCluster } from "./objects";

/** PGO's database container in an instance pod. */
const DATABASE_CONTAINER = "database";

export interface BackupResult {
    backupId: string;
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
    const scratch = scratchPostgresCluster(await cluster.postgresVolume(POSTGRES.namespace, POSTGRES.clusterName));
    if ((await cluster.postgresCluster(POSTGRES.namespace, scratch.metadata.name)) !== null) {
        throw new Error(`${POSTGRES.namespace}/${scratch.metadata.name} exists: a drill left it behind; delete it first`);
    }
    const live = await countShortUrls(ctx, POSTGRES.clusterName);
    const backupId = `drill-${new Date(now()).toISOString().replace(/[-:.]/g, "").toLowerCase()}`;
    const backupStart = now();
    await cluster.patchPostgresCluster(POSTGRES.namespace, POSTGRES.clusterName, backupAnnotationPatch(backupId));
    ctx.out(`asked PGO for backup ${backupId}`);
    let failed = false;
    const finished = await ctx.poll(
        async () => {
            const backup = (await cluster.postgresCluster(POSTGRES.namespace, POSTGRES.clusterName))?.pgbackrest?.manualBackup;
            failed = backup?.id === backupId && (backup.failed ?? 0) > 0 && backup.finished;
            return backup?.id === backupId && backup.finished;
        },
        DRILLS.recoverySeconds,
        `backup ${backupId}`,
    );
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
        return { backupId, counts: { live, restored: await countShortUrls(ctx, scratch.metadata.name) }, backupSeconds, restoreSeconds };
    } finally {
        await cluster.deletePostgresCluster(POSTGRES.namespace, scratch.metadata.name).then(
            () => ctx.out(`deleted ${POSTGRES.namespace}/${scratch.metadata.name}`),
            (e: unknown) => ctx.out(`could not delete ${scratch.metadata.name}: ${String(e)}; delete it by hand`),
        );
    }
}
