// Our own Grafana dashboard of the data layer, built in code (pgMonitor's and grafana.com's may not be copied
// here): PostgreSQL primary, replication lag, connections and TPS; Redis hit rate, memory, clients, master;
// the age and size of the newest pgBackRest backups in each repository.
import { PROMETHEUS_DATASOURCE } from "../contracts/telemetry";
import { POSTGRES, REDIS } from "./facts";
import { PG_CLUSTER_LABEL, pgClusterName } from "./alerts";

export interface Panel {
    title: string;
    unit: string;
    /** One query per legend entry. */
    targets: { expr: string; legend: string }[];
}

export const DATA_DASHBOARD_UID = "homelab-data-layer";

/** The panels; every query is also checked by promtool (tests/observability/promtool.test.ts). */
export function dataLayerPanels(): Panel[] {
    const pg = `${PG_CLUSTER_LABEL}="${pgClusterName(POSTGRES.namespace, POSTGRES.clusterName)}"`;
    const redis = `namespace="${REDIS.namespace}",container="redis-exporter"`;
    return [
        { title: "PostgreSQL primary", unit: "none", targets: [{ expr: `max by (pod) (ccp_is_in_recovery_status{${pg}} == bool 2)`, legend: "{{pod}}" }] },
        {
            title: "PostgreSQL replication lag",
            unit: "bytes",
            targets: [{ expr: `max by (replica) (ccp_replication_lag_size_bytes{${pg}})`, legend: "{{replica}}" }],
        },
        {
            title: "PostgreSQL connections",
            unit: "none",
            targets: [
                { expr: `sum by (pod) (ccp_connection_stats_total{${pg}})`, legend: "{{pod}}" },
                { expr: `max(ccp_connection_stats_max_connections{${pg}})`, legend: "max_connections" },
            ],
        },
        {
            title: "PostgreSQL transactions per second",
            unit: "ops",
            targets: [
                {
                    expr: `sum by (datname) (rate(pg_stat_database_xact_commit{${pg}}[5m]) + rate(pg_stat_database_xact_rollback{${pg}}[5m]))`,
                    legend: "{{datname}}",
                },
            ],
        },
        {
            title: "Redis cache hit rate",
            unit: "percentunit",
            targets: [
                {
                    // The ratio the seed measured: hits / (hits + misses).
                    expr:
                        `sum(rate(redis_keyspace_hits_total{${redis}}[5m]))\n/\n` +
                        `(sum(rate(redis_keyspace_hits_total{${redis}}[5m])) + sum(rate(redis_keyspace_misses_total{${redis}}[5m])))`,
                    legend: "hit rate",
                },
            ],
        },
        { title: "Redis memory", unit: "bytes", targets: [{ expr: `sum by (pod) (redis_memory_used_bytes{${redis}})`, legend: "{{pod}}" }] },
        { title: "Redis connected clients", unit: "none", targets: [{ expr: `sum by (pod) (redis_connected_clients{${redis}})`, legend: "{{pod}}" }] },
        { title: "Redis master", unit: "none", targets: [{ expr: `max by (pod) (redis_instance_info{${redis},role="master"})`, legend: "{{pod}}" }] },
        // pgMonitor's pgBackRest series (`repo` is the repository's number: 1 local, 2 off-site).
        {
            title: "Newest backup age by repository",
            unit: "s",
            targets: [{ expr: `min by (repo) (ccp_backrest_last_incr_backup_time_since_completion_seconds{${pg}})`, legend: "repo{{repo}}" }],
        },
        {
            title: "Backup sizes by repository",
            unit: "bytes",
            targets: [
                { expr: `max by (repo, backup_type) (ccp_backrest_last_info_repo_backup_size_bytes{${pg}})`, legend: "repo{{repo}} last {{backup_type}}" },
                { expr: `max by (repo) (ccp_backrest_last_info_repo_total_size_bytes{${pg}})`, legend: "repo{{repo}} with what it needs" },
            ],
        },
    ];
}

/** The dashboard JSON (Grafana schema 39), two panels a row, bound to kube-prometheus-stack's datasource uid. */
export function dataLayerDashboard(): object {
    const datasource = { type: "prometheus", uid: PROMETHEUS_DATASOURCE.uid };
    return {
        uid: DATA_DASHBOARD_UID,
        title: "Data layer (PostgreSQL, Redis)",
        tags: ["homelab", "postgresql", "redis"],
        schemaVersion: 39,
        time: { from: "now-6h", to: "now" },
        refresh: "30s",
        panels: dataLayerPanels().map((panel, i) => ({
            id: i + 1,
            type: "timeseries",
            title: panel.title,
            datasource,
            gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
            fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
            targets: panel.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), datasource, expr: t.expr, legendFormat: t.legend })),
        })),
    };
}
