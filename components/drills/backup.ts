// backup-restore: a manual pgBackRest backup, a restore point right after it, a scratch cluster restored from the
// backup up to that point, the counts compared, the scratch cluster deleted on every path.
import { DRILLS, POSTGRES } from "../defaults";
import type { DrillContext } from "./drills";
import {
    backupAnnotationPatch,
    countShortUrlsCommand,
    lastArchivedWalCommand,
    markRestorePointCommand,
    primarySelector,
    scratchPostgresCluster,
} from "./objects";

/** What backup-restore restores from; an option per field, so a second repository is one more value. */
export interface BackupRestoreOptions {
    /** The live cluster's pgBackRest repo the scratch cluster restores from (repo1: in the cluster). */
    repoName: string;
}

export const DEFAULT_BACKUP_RESTORE: BackupRestoreOptions = { repoName: "repo1" };

/** PGO's database container in an instance pod. */
const DATABASE_CONTAINER = "database";

export interface BackupResult {
    backupId: string;
    /** The live count at the restore point, and the restored cluster's. */
    counts: { live: number; restored: number };
    backupSeconds: number;
    restoreSeconds: number;
    /** The restore point the scratch cluster recovered to (named like the backup). */
    restorePoint: string;
}

/** psql in the ready primary of `clusterName`: its output. */
async function psqlOnPrimary(ctx: DrillContext, clusterName: string, command: string[]): Promise<string> {
    const pods = (await ctx.lab.cluster.pods(POSTGRES.namespace, primarySelector(clusterName))).filter((p) => p.ready);
    if (pods.length === 0) {
        throw new Error(`no ready primary of ${clusterName} to run psql in`);
    }
    return ctx.lab.cluster.exec(POSTGRES.namespace, pods[0].name, DATABASE_CONTAINER, command);
}

function parseCount(out: string, clusterName: string): number {
    const count = Number(out.trim());
    if (out.trim() === "" || !Number.isInteger(count)) {
        throw new Error(`unexpected count from ${clusterName}: ${JSON.stringify(out)}`);
    }
    return count;
}

/**
 * Rows as of the backup's completion: counted on the live primary at a restore point made just after it, with
 * writers held back for that instant, so a load writing meanwhile changes neither side. Waits until the WAL segment
 * holding the point is archived (the restore reads it from the repository).
 */
async function markRestorePoint(ctx: DrillContext, name: string): Promise<number> {
    const out = await psqlOnPrimary(ctx, POSTGRES.clusterName, markRestorePointCommand(name));
    const [count, , walFile] = out.trim().split("\n").map((line) => line.trim());
    if (walFile === undefined || !/^[0-9A-F]{24}$/.test(walFile)) {
        throw new Error(`unexpected answer to the restore point ${name}: ${JSON.stringify(out)}`);
    }
    ctx.out(`restore point ${name}: ${count} short URLs; waiting for WAL ${walFile} to be archived`);
    const archived = await ctx.poll(
        async () => (await psqlOnPrimary(ctx, POSTGRES.clusterName, lastArchivedWalCommand())).trim() >= walFile,
        DRILLS.recoverySeconds,
        `WAL ${walFile} to be archived`,
    );
    if (!archived) {
        throw new Error(`WAL ${walFile} was not archived within ${DRILLS.recoverySeconds} s: see the archive status (pg_stat_archiver) of ${POSTGRES.clusterName}`);
    }
    return parseCount(count, POSTGRES.clusterName);
}

/** Runs the drill; `now` gives ms since the epoch. Deletes the scratch cluster whatever happens. */
export async function backupRestore(ctx: DrillContext, now: () => number, options: BackupRestoreOptions = DEFAULT_BACKUP_RESTORE): Promise<BackupResult> {
    const { cluster } = ctx.lab;
    const volume = await cluster.postgresVolume(POSTGRES.namespace, POSTGRES.clusterName);
    if ((await cluster.postgresCluster(POSTGRES.namespace, DRILLS.scratchCluster)) !== null) {
        throw new Error(`${POSTGRES.namespace}/${DRILLS.scratchCluster} exists: a drill left it behind; delete it first`);
    }
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
    const live = await markRestorePoint(ctx, backupId);
    const scratch = scratchPostgresCluster(volume, { repoName: options.repoName, restorePoint: backupId });
    const restoreStart = now();
    try {
        await cluster.createPostgresCluster(scratch);
        ctx.out(`restoring ${options.repoName} up to ${backupId} into ${POSTGRES.namespace}/${scratch.metadata.name}`);
        const restored = await ctx.poll(
            async () => (await cluster.pods(POSTGRES.namespace, primarySelector(scratch.metadata.name))).some((p) => p.ready),
            DRILLS.recoverySeconds,
            `a ready primary of ${scratch.metadata.name}`,
        );
        if (!restored) {
            throw new Error(`${scratch.metadata.name} had no ready primary within ${DRILLS.recoverySeconds} s`);
        }
        const restoreSeconds = (now() - restoreStart) / 1000;
        const restoredCount = parseCount(await psqlOnPrimary(ctx, scratch.metadata.name, countShortUrlsCommand()), scratch.metadata.name);
        return { backupId, counts: { live, restored: restoredCount }, backupSeconds, restoreSeconds, restorePoint: backupId };
    } finally {
        await Promise.resolve()
            .then(() => cluster.deletePostgresCluster(POSTGRES.namespace, scratch.metadata.name))
            .then(
                () => ctx.out(`deleted ${POSTGRES.namespace}/${scratch.metadata.name}`),
                (e: unknown) =>
                    ctx.out(
                        `LEFT BEHIND: PostgresCluster ${POSTGRES.namespace}/${scratch.metadata.name} (${String(e)}); delete it: ` +
                            `kubectl -n ${POSTGRES.namespace} delete postgrescluster ${scratch.metadata.name}`,
                    ),
            );
    }
}
