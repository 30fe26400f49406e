// The data layer's pods in the budget (PartOperations.budget): PGO's pods of the PostgresCluster spec, the
// RedisFailover's, counted from the specs the layer sends. tests/budget.test.ts reads the same from the ledger.
import type { BudgetLine, BudgetPlan } from "../contracts/budget";
import { podLine } from "../kubernetes/requests";
import { POSTGRES, REDIS } from "./facts";
import { postgresClusterSpec } from "./postgresSpec";
import { redisFailoverSpec } from "./redisSpec";
import type { PostgresClusterSpec } from "./crds";

/**
 * Backup Job pods that can exist at once: one per repository with schedules. pgBackRest runs one backup of a stanza
 * at a time; a repo2 Job that starts while repo1's runs fails on the lock and is retried, its pod holding its requests.
 */
export function backupJobPods(plan: Pick<BudgetPlan, "offsiteBackup">): number {
    return plan.offsiteBackup ? 2 : 1;
}

/**
 * PGO v6.0.3's pods of a PostgresCluster spec: each instance (database, replication-cert-copy, pgbackrest,
 * pgbackrest-config, exporter; postgres-startup and nss-wrapper-init copy the database's resources), the volume
 * repository's host (pgbackrest, pgbackrest-config; its init containers copy pgbackrest's) and a backup Job.
 */
export function postgresPods(spec: PostgresClusterSpec, backupJobs = 1): BudgetLine[] {
    const pgbackrest = spec.backups?.pgbackrest;
    const config = { name: "pgbackrest-config", resources: pgbackrest?.sidecars?.pgbackrestConfig?.resources };
    const instances = spec.instances.map((set) => {
        const database = { name: "database", resources: set.resources };
        return podLine(
            `postgres/${set.name}`,
            {
                containers: [
                    database,
                    { name: "replication-cert-copy", resources: set.sidecars?.replicaCertCopy?.resources },
                    { name: "pgbackrest", resources: pgbackrest?.sidecars?.pgbackrest?.resources },
                    config,
                    { name: "exporter", resources: spec.monitoring?.pgmonitor.exporter.resources },
                ],
                initContainers: [
                    { ...database, name: "postgres-startup" },
                    { ...database, name: "nss-wrapper-init" },
                ],
            },
            set.replicas,
        );
    });
    if (pgbackrest === undefined) {
        return instances;
    }
    const repo = { name: "pgbackrest", resources: pgbackrest.repoHost?.resources };
    return [
        ...instances,
        podLine(
            "postgres/repo-host",
            {
                containers: [repo, config],
                initContainers: [
                    { ...repo, name: "pgbackrest-log-dir" },
                    { ...repo, name: "nss-wrapper-init" },
                ],
            },
            1,
        ),
        // Scheduled and on-demand backups run one at a time per repository (backupJobPods).
        podLine("postgres/backup-job", { containers: [{ name: "pgbackrest", resources: pgbackrest.jobs?.resources }] }, backupJobs),
    ];
}

/** A RedisFailover pod: redis (or sentinel) and its exporter. */
export function redisPod(what: string, settings: { resources?: unknown; exporter?: { resources?: unknown } }, count: number): BudgetLine {
    const name = what.split("/").pop() as string;
    return podLine(
        what,
        {
            containers: [
                { name, resources: settings.resources },
                { name: `${name}-exporter`, resources: settings.exporter?.resources },
            ],
        },
        count,
    );
}

/** The PostgresCluster's pods and the RedisFailover's, from the specs the layer builds (sizes do not change requests). */
export function dataBudget(plan: BudgetPlan): BudgetLine[] {
    const placeholder = "placeholder";
    const postgres = postgresClusterSpec({
        clusterName: POSTGRES.clusterName,
        sizing: { volumeGiB: 1, backupVolumeGiB: 1, backupRetentionFull: 1 },
        initSql: { configMapName: placeholder, key: placeholder },
    });
    const redis = redisFailoverSpec({ failoverName: REDIS.name, volumeGiB: 1, passwordSecretName: placeholder });
    return [
        ...postgresPods(postgres, backupJobPods(plan)),
        redisPod("redis/redis", redis.redis, redis.redis.replicas),
        redisPod("redis/sentinel", redis.sentinel, redis.sentinel.replicas),
    ];
}
