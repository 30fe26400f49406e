// The data layer's alerts: PostgreSQL and Redis (data rules), and the age of the newest pgBackRest backups.
import { ALERTING, POSTGRES, REDIS } from "./facts";
import { longestGapSeconds } from "../kubernetes/cron";
import type { AlertingRule, BackupWatch, PrometheusRuleSpec } from "../contracts/telemetry";

/** The series label that names one PostgreSQL cluster: `<namespace>:<cluster>`, as pgMonitor's scrape job sets it. */
export const PG_CLUSTER_LABEL = "pg_cluster";

export function pgClusterName(namespace: string, cluster: string): string {
    return `${namespace}:${cluster}`;
}

/** First steps, one line each, named after what the alert watches. */
const RUNBOOK = {
    postgres: `kubectl -n ${POSTGRES.namespace} get pods -L postgres-operator.crunchydata.com/role; patronictl list in a database pod.`,
    replication: `kubectl -n ${POSTGRES.namespace} exec <primary> -- psql -c 'select * from pg_stat_replication'; replica pod logs.`,
    redis: `kubectl -n ${REDIS.namespace} get pods -L redisfailovers-role; redis-cli -p 26379 sentinel masters in a sentinel pod.`,
    backup:
        `kubectl -n ${POSTGRES.namespace} get cronjobs,jobs -l postgres-operator.crunchydata.com/pgbackrest-cronjob; logs of the last backup Job; ` +
        "pgbackrest info in a database pod (docs/disaster-recovery.md).",
} as const;

/**
 * PostgreSQL (pgMonitor's `ccp_*` series from PGO's exporter: `ccp_is_in_recovery_status` 1 replica / 2 primary,
 * `ccp_replication_lag_size_bytes` per replica on the primary) and Redis (redis_exporter's `redis_instance_info`).
 */
export function dataRules(): PrometheusRuleSpec {
    const pg = `${PG_CLUSTER_LABEL}="${pgClusterName(POSTGRES.namespace, POSTGRES.clusterName)}"`;
    const redis = `namespace="${REDIS.namespace}",container="redis-exporter"`;
    return {
        groups: [
            {
                name: "homelab-data",
                rules: [
                    {
                        alert: "HomelabPostgresNoPrimary",
                        // No exporter answering at all counts too: the cluster always exists in this stack.
                        expr: `sum(ccp_is_in_recovery_status{${pg}} == bool 2) < 1\n` + `or\nabsent(ccp_is_in_recovery_status{${pg}})`,
                        for: "2m",
                        labels: { severity: "critical" },
                        annotations: {
                            summary: "PostgreSQL has no primary.",
                            description: `${POSTGRES.namespace}/${POSTGRES.clusterName} has had no primary for 2 minutes: Shlink cannot write.`,
                            runbook: RUNBOOK.postgres,
                        },
                    },
                    {
                        alert: "HomelabPostgresReplicationLag",
                        expr: `max by (${PG_CLUSTER_LABEL}, replica) (ccp_replication_lag_size_bytes{${pg}}) > ${ALERTING.replicationLagBytes}`,
                        for: "10m",
                        labels: { severity: "warning" },
                        annotations: {
                            summary: "A PostgreSQL replica lags behind.",
                            description: "Replica {{ $labels.replica }} is {{ $value | humanize1024 }}B behind the primary.",
                            runbook: RUNBOOK.replication,
                        },
                    },
                    {
                        alert: "HomelabRedisNoMaster",
                        expr: `(count(redis_instance_info{${redis},role="master"}) or on() vector(0)) < 1`,
                        for: "2m",
                        labels: { severity: "critical" },
                        annotations: {
                            summary: "Redis has no master.",
                            description: `No pod of ${REDIS.namespace}/${REDIS.name} has been master for 2 minutes: Shlink's cache and locks fail.`,
                            runbook: RUNBOOK.redis,
                        },
                    },
                ],
            },
        ],
    };
}

/** Beyond the longest gap between scheduled runs: the backup's own runtime, and pgMonitor reading `pgbackrest info` every 10 min. */
export const BACKUP_GRACE_SECONDS = 3 * 3600;

/** The newest backup a repository may have, in seconds: its longest gap between runs, plus the grace. */
export function backupMaxAgeSeconds(watch: BackupWatch): number {
    return longestGapSeconds(watch.schedules) + BACKUP_GRACE_SECONDS;
}

/**
 * A repository whose newest successful backup (full, differential or incremental: pgMonitor's
 * `ccp_backrest_last_incr_backup_time_since_completion_seconds`, which counts all three) is older than its schedule
 * allows, or that has none at all for that long. The series come from pgMonitor's queries in PGO's exporter, which
 * PGO 6.0.3 generates only for PostgreSQL 17 and older (internal/pgmonitor/exporter.go:68-72): with a newer
 * postgresVersion, the Missing alert is what would say so.
 */
export function backupRules(watches: readonly BackupWatch[]): PrometheusRuleSpec {
    const pg = `${PG_CLUSTER_LABEL}="${pgClusterName(POSTGRES.namespace, POSTGRES.clusterName)}"`;
    const age = (repo: string) => `ccp_backrest_last_incr_backup_time_since_completion_seconds{${pg},repo="${repo}"}`;
    return {
        groups: [
            {
                name: "homelab-backups",
                rules: watches.flatMap((watch): AlertingRule[] => {
                    const maxAge = backupMaxAgeSeconds(watch);
                    const labels = { severity: "critical", repo: watch.repo };
                    return [
                        {
                            alert: "HomelabBackupTooOld",
                            // Every instance's exporter reads the same repositories: the freshest view counts.
                            expr: `min by (repo) (${age(watch.repo)}) > ${maxAge}`,
                            for: "15m",
                            labels,
                            annotations: {
                                summary: `The newest backup in ${watch.name} is older than its schedule allows.`,
                                description:
                                    `The newest successful backup in ${watch.name} finished {{ $value | humanizeDuration }} ago; ` +
                                    `its schedules (${watch.schedules.join(", ")}) allow ${maxAge / 3600} h.`,
                                runbook: RUNBOOK.backup,
                            },
                        },
                        {
                            alert: "HomelabBackupMissing",
                            expr: `absent(${age(watch.repo)})`,
                            for: `${maxAge / 60}m`,
                            labels,
                            annotations: {
                                summary: `No backup in ${watch.name}.`,
                                description: `pgMonitor has reported no successful backup in ${watch.name} for ${maxAge / 3600} h (or the exporter is gone).`,
                                runbook: RUNBOOK.backup,
                            },
                        },
                    ];
                }),
            },
        ],
    };
}
