// Every Kubernetes object a drill creates or patches: pure builders, validated against their schemas in tests.
import { CONFIG_DEFAULTS } from "../../components/config/defaults";
import { POSTGRES } from "../../components/data/facts";
import { STORAGE_CLASS } from "../../components/defaults";
import { DRILLS } from "../shared/facts";
import { POSTGRES_CLUSTER, type PostgresClusterSpec } from "../../components/data/crds";
import type { LoadTarget } from "../../components/load/manifests";
import { SCENARIOS, TIMELINE, type ScenarioName } from "../../components/load/scenarios/catalog";
import { testRun, type RunnerAffinity, type TestRun } from "../../components/load/testRun";
import { resourceRequirements } from "../../components/kubernetes/resources";

/**
 * The steady load of a drill: the drill scenario's TestRun, long enough for the drill, with the timeline on, kept
 * off `awayNodes` (the nodes the drill takes away: k6-operator runners have backoffLimit 0, a lost one never returns).
 */
export function drillTestRun(target: LoadTarget, name: string, durationSeconds: number, awayNodes: readonly string[] = []): TestRun {
    const run = testRun(target, DRILLS.scenario satisfies ScenarioName, name, durationSeconds);
    run.spec.runner.env.push({ name: TIMELINE.env, value: "1" });
    run.metadata.labels["homelab.drill"] = "true";
    if (awayNodes.length > 0) {
        run.spec.runner.affinity = runnerAvoiding(awayNodes);
    }
    return run;
}

/** Required node affinity: never on a node named in `nodes` (matchFields on metadata.name, not a label that may differ). */
export function runnerAvoiding(nodes: readonly string[]): RunnerAffinity {
    return {
        nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "NotIn", values: [...nodes] }] }],
            },
        },
    };
}

/** Requests per second the drill's scenario schedules (constant rates: the drill's plan is rate × window). */
export function drillPlannedRate(): number {
    const spec = SCENARIOS[DRILLS.scenario];
    const profiles = [spec.redirects, ...("creations" in spec ? [spec.creations] : [])];
    if (profiles.some((p) => p.stages.some((s) => s.target !== p.start))) {
        throw new Error(`the drill scenario ${DRILLS.scenario} must have constant rates`);
    }
    return profiles.reduce((sum, p) => sum + p.start, 0);
}

/** Seconds of load a drill needs: steady, the fault and its recovery, the tail; the TestRun is deleted early. */
export function drillLoadSeconds(holdSeconds: number): number {
    return DRILLS.steadyTimeoutSeconds + holdSeconds + DRILLS.recoverySeconds + DRILLS.tailSeconds;
}

/** `drill-<name>-<UTC yyyymmdd-hhmmss>`: a DNS label, the TestRun's name and its testid tag. */
export function drillRunName(drill: string, now: number): string {
    const stamp = new Date(now).toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    return `drill-${drill}-${stamp}`;
}

/** The merge patch that asks PGO for a manual pgBackRest backup (`spec.backups.pgbackrest.manual`: full, repo1). */
export function backupAnnotationPatch(id: string): { metadata: { annotations: Record<string, string> } } {
    return { metadata: { annotations: { "postgres-operator.crunchydata.com/pgbackrest-backup": id } } };
}

/**
 * The merge patch that points the live cluster's manual backups at `repoName` (`--repo offsite` backs up into repo2, then
 * sets repo1 back). PGO refuses `--repo` among the manual options (controller/postgrescluster/pgbackrest.go:2517 at v6.0.3).
 */
export function manualBackupRepoPatch(repoName: DrillRepoName): { spec: { backups: { pgbackrest: { manual: { repoName: DrillRepoName } } } } } {
    return { spec: { backups: { pgbackrest: { manual: { repoName } } } } };
}

/** The scratch cluster backup-restore creates: one instance, restored from the live cluster's repo1 (or repo2). */
export interface ScratchPostgresCluster {
    apiVersion: typeof POSTGRES_CLUSTER.apiVersion;
    kind: typeof POSTGRES_CLUSTER.kind;
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: Omit<PostgresClusterSpec, "instances" | "dataSource"> & {
        instances: (Omit<PostgresClusterSpec["instances"][number], "dataVolumeClaimSpec"> & {
            dataVolumeClaimSpec: { accessModes: string[]; storageClassName: string; resources: { requests: { storage: string } } };
        })[];
        /**
         * PGO v6.0.3 CRD: `dataSource.postgresCluster` (repoName required, `^repo[1-4]`), a pgBackRest restore;
         * `options` are pgBackRest restore flags (PGO adds --target-action=promote when --target is set).
         */
        dataSource: { postgresCluster: { clusterName: string; repoName: DrillRepoName; options?: string[] } };
    };
}

/** A PostgresCluster's data volume: the StorageClass and size the scratch cluster copies from the live one. */
export interface DataVolume {
    storageClassName: string;
    storage: string;
}

/** The lab's defaults, for a live cluster whose spec does not say (it always does when this program made it). */
export const DEFAULT_DATA_VOLUME: DataVolume = { storageClassName: STORAGE_CLASS, storage: `${CONFIG_DEFAULTS.postgresVolumeGiB}Gi` };

/** The live cluster's repositories a restore drill reads: the local volume, or the off-site bucket (`--repo offsite`). */
export const DRILL_REPOS = { local: "repo1", offsite: "repo2" } as const;
export type DrillRepoName = (typeof DRILL_REPOS)[keyof typeof DRILL_REPOS];

/** Where backup-restore restores from: a pgBackRest repo of the live cluster, up to a named restore point. */
export interface RestoreSource {
    /** repo1, the in-cluster repository, or repo2, the off-site bucket. */
    repoName: DrillRepoName;
    /** pg_create_restore_point's name: recovery stops there (`--type=name`), not at the end of the archived WAL. */
    restorePoint?: string;
}

export function scratchPostgresCluster(
    volume: DataVolume = DEFAULT_DATA_VOLUME,
    source: RestoreSource = { repoName: DRILL_REPOS.local },
): ScratchPostgresCluster {
    return {
        ...POSTGRES_CLUSTER,
        metadata: { name: DRILLS.scratchCluster, namespace: POSTGRES.namespace, labels: { "homelab.drill": "true" } },
        spec: {
            postgresVersion: POSTGRES.postgresVersion,
            port: POSTGRES.port,
            instances: [
                {
                    name: POSTGRES.instanceSet,
                    replicas: 1,
                    // Like the live volume (StorageClass and size): the restore writes the whole data directory.
                    dataVolumeClaimSpec: {
                        accessModes: ["ReadWriteOnce"],
                        storageClassName: volume.storageClassName,
                        resources: { requests: { storage: volume.storage } },
                    },
                    resources: resourceRequirements(POSTGRES.resources),
                },
            ],
            // From the live cluster's repo: PGO copies its repository definitions and credentials (repo2's bucket keys and
            // cipher) for the restore Job (controller/postgrescluster/pgbackrest.go:1695-1700 at v6.0.3).
            dataSource: {
                postgresCluster: {
                    clusterName: POSTGRES.clusterName,
                    repoName: source.repoName,
                    ...(source.restorePoint === undefined ? {} : { options: ["--type=name", `--target=${source.restorePoint}`] }),
                },
            },
        },
    };
}

/** psql in a PGO instance pod (container `database`, local socket as postgres): the short-URL count. */
export function countShortUrlsCommand(): string[] {
    return ["psql", "-d", POSTGRES.database, "-tAc", `SELECT count(*) FROM ${DRILLS.shortUrlsTable}`];
}

/** A restore point's name: a DNS label-ish word, so it needs no quoting in SQL or in pgBackRest's --target. */
const RESTORE_POINT = /^[a-z0-9-]{1,63}$/;

/**
 * psql on the live primary: with writers to short_urls held back (SHARE lock: inserts wait, reads go on), the
 * count and a restore point of that same moment; then a WAL switch so the segment holding it gets archived.
 * Prints three lines: the count, the restore point's LSN, the WAL file to wait for.
 */
export function markRestorePointCommand(name: string): string[] {
    if (!RESTORE_POINT.test(name)) {
        throw new Error(`restore point ${JSON.stringify(name)}: lowercase letters, digits and dashes only`);
    }
    const table = DRILLS.shortUrlsTable;
    return [
        "psql",
        "-d",
        POSTGRES.database,
        "-X",
        "-q",
        "-t",
        "-A",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        "BEGIN",
        "-c",
        `LOCK TABLE ${table} IN SHARE MODE`,
        "-c",
        `SELECT count(*) FROM ${table}`,
        "-c",
        `SELECT pg_create_restore_point('${name}')`,
        "-c",
        "COMMIT",
        "-c",
        "SELECT pg_walfile_name(pg_switch_wal())",
    ];
}

/** The last WAL file the live cluster archived (pg_stat_archiver), to wait for the restore point's. */
export function lastArchivedWalCommand(): string[] {
    return ["psql", "-d", POSTGRES.database, "-X", "-q", "-t", "-A", "-c", "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver"];
}
