// backup-restore: a manual pgBackRest backup, a restore point right after it, a scratch cluster restored from the
// backup up to that point, the counts compared, the scratch cluster deleted on every path.
import { POSTGRES } from "../../components/data/facts";
import { DRILLS } from "../shared/facts";
import type { DrillContext } from "./drills";
import {
    backupAnnotationPatch,
    countShortUrlsCommand,
    DRILL_REPOS,
    lastArchivedWalCommand,
    manualBackupRepoPatch,
    markRestorePointCommand,
    scratchPostgresCluster,
    type DrillRepoName,
} from "./objects";
import { primarySelector } from "../shared/postgres";

/** PGO's database container in an instance pod. */
const DATABASE_CONTAINER = "database";

export interface BackupResult {
    backupId: string;
    /** The repository backed up into and restored from: repo1 (local volume) or repo2 (off-site bucket). */
    repoName: DrillRepoName;
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
    const [count, , walFile] = out
        .trim()
        .split("\n")
        .map((line) => line.trim());
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
        throw new Error(
            `WAL ${walFile} was not archived within ${DRILLS.recoverySeconds} s: see the archive status (pg_stat_archiver) of ${POSTGRES.clusterName}`,
        );
    }
    return parseCount(count, POSTGRES.clusterName);
}

/** Runs the drill (from `ctx.repo`: local by default); `now` gives ms since the epoch. Deletes the scratch cluster whatever happens. */
export async function backupRestore(ctx: DrillContext, now: () => number): Promise<BackupResult> {
    const { cluster } = ctx.lab;
    const repoName = DRILL_REPOS[ctx.repo ?? "local"];
    if (repoName === DRILL_REPOS.offsite) {
        await requireOffsiteRepo(ctx);
    }
    const volume = await cluster.postgresVolume(POSTGRES.namespace, POSTGRES.clusterName);
    if ((await cluster.postgresCluster(POSTGRES.namespace, DRILLS.scratchCluster)) !== null) {
        throw new Error(`${POSTGRES.namespace}/${DRILLS.scratchCluster} exists: a drill left it behind; delete it first`);
    }
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
    const live = await markRestorePoint(ctx, backupId);
    const scratch = scratchPostgresCluster(volume, { repoName, restorePoint: backupId });
    const restoreStart = now();
    try {
        await cluster.createPostgresCluster(scratch);
        ctx.out(`restoring ${repoName} up to ${backupId} into ${POSTGRES.namespace}/${scratch.metadata.name}`);
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
        return { backupId, repoName, counts: { live, restored: restoredCount }, backupSeconds, restoreSeconds, restorePoint: backupId };
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
