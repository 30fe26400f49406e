// What Prometheus scrapes of the data layer (PGO's exporter, both redis_exporters of the failover), its alerts
// (components/data/alerts.ts) and its dashboards: our own (components/data/dashboard.ts) and the Redis exporter's.
import { DATA_DASHBOARDS, POSTGRES, REDIS } from "./facts";
import { DATA_SCRAPE_INTERVAL, PROMETHEUS_DATASOURCE, podLabelMeta, type Dashboards, type Monitor, type PartTelemetry } from "../contracts/telemetry";
import { PG_CLUSTER_LABEL, backupRules, dataRules } from "./alerts";
import { DATA_DASHBOARD_UID, dataLayerDashboard } from "./dashboard";
import { POSTGRES_EXPORTER_POD_LABEL, POSTGRES_EXPORTER_PORT } from "./postgresSpec";
import { REDIS_EXPORTER_PORT, REDIS_FAILOVER_PART_OF } from "./redisSpec";

/** PGO's pod labels the pgMonitor dashboards and our rules group by (PGO config/monitoring/.../podmonitor.yaml). */
const PGO_CLUSTER_LABEL = "postgres-operator.crunchydata.com/cluster";
const PGO_ROLE_LABEL = "postgres-operator.crunchydata.com/role";

/** PGO's exporter (port 9187, `pg_cluster` and `role` relabelled from the pod labels as pgMonitor expects), both redis_exporters. */
export function dataMonitors(): Monitor[] {
    const interval = DATA_SCRAPE_INTERVAL;
    const relabelings = [
        {
            action: "replace" as const,
            sourceLabels: ["__meta_kubernetes_namespace", podLabelMeta(PGO_CLUSTER_LABEL)],
            separator: ":",
            regex: "(.+)",
            targetLabel: PG_CLUSTER_LABEL,
            replacement: "$1",
        },
        { action: "replace" as const, sourceLabels: [podLabelMeta(PGO_ROLE_LABEL)], regex: "(.*)", targetLabel: "role", replacement: "$1" },
    ];
    return [
        {
            role: "postgres-monitor",
            kind: "PodMonitor",
            name: "postgres-exporter",
            spec: {
                selector: { matchLabels: { ...POSTGRES_EXPORTER_POD_LABEL } },
                namespaceSelector: { matchNames: [POSTGRES.namespace] },
                podMetricsEndpoints: [{ port: POSTGRES_EXPORTER_PORT, path: "/metrics", interval, relabelings }],
            },
        },
        {
            role: "redis-monitor",
            kind: "PodMonitor",
            name: "redis-exporter",
            spec: {
                selector: { matchLabels: { ...REDIS_FAILOVER_PART_OF } },
                namespaceSelector: { matchNames: [REDIS.namespace] },
                // Both the redis and the sentinel pods name their exporter port so.
                podMetricsEndpoints: [{ port: REDIS_EXPORTER_PORT, path: "/metrics", interval }],
            },
        },
    ];
}

/**
 * The Redis exporter's grafana.com dashboard. The list form of `datasource` makes the chart replace each named
 * `${input}` with our datasource's uid (grafana chart `_config.tpl`); the dashboard's input name is UNVERIFIED,
 * so both usual names are given (a name the file lacks changes nothing). And our own, in a ConfigMap.
 */
export function dataDashboards(): Dashboards[] {
    const { gnetId, revision, datasourceInputs } = DATA_DASHBOARDS.redis;
    const redis = { gnetId, revision, datasource: datasourceInputs.map((name) => ({ name, value: PROMETHEUS_DATASOURCE.uid })) };
    return [
        { kind: "grafana.com", provider: DATA_DASHBOARDS.provider, dashboards: { redis } },
        { kind: "configMap", role: "data-dashboard", uid: DATA_DASHBOARD_UID, json: dataLayerDashboard() },
    ];
}

export const dataTelemetry: PartTelemetry = {
    monitors: dataMonitors(),
    rules: ({ backups }) => [
        { role: "data-rules", name: "homelab-data", ...dataRules() },
        ...(backups.length > 0 ? [{ role: "backup-rules", name: "homelab-backups", ...backupRules(backups) }] : []),
    ],
    dashboards: dataDashboards(),
};
