// The data layer: PostgreSQL (PGO) and Redis with Sentinel, out of the mesh; their secrets in Vault, their budget,
// what Prometheus scrapes of them, their alerts (components/data/alerts.ts) and dashboards (components/data/dashboard.ts).
import type { Part } from "../contracts/part";
import { ANYWHERE, pods, tcp, type Flow } from "../contracts/flows";
import { ALWAYS, type OwnNamespace } from "../contracts/placement";
import { OPERATOR_NAMESPACES } from "../contracts/operators";
import type { VaultEntries } from "../contracts/vault";
import { DATA_SCRAPE_INTERVAL, PROMETHEUS_DATASOURCE, podLabelMeta, type Dashboards, type Monitor } from "../contracts/telemetry";
import { DATA_DASHBOARDS, POD_PORTS, POSTGRES, REDIS } from "./facts";
import { dataBudget } from "./budget";
import { PG_CLUSTER_LABEL, backupRules, dataRules } from "./alerts";
import { DATA_DASHBOARD_UID, dataLayerDashboard } from "./dashboard";
import { POSTGRES_EXPORTER_POD_LABEL, POSTGRES_EXPORTER_PORT } from "./postgresSpec";
import { REDIS_EXPORTER_PORT, REDIS_FAILOVER_PART_OF } from "./redisSpec";

/** A data store's namespace: out of the mesh (sidecars break Sentinel's pod-IP view and keep PGO's backup Jobs alive), egress restricted. */
const storeNamespace = (name: string): OwnNamespace => ({
    kind: "own",
    name,
    // PGO builds the instance, repo-host and backup pods, redis-operator the redis and sentinel pods (no seccomp
    // profile, no dropped capabilities): their securityContext is the operator's, not ours.
    podSecurity: "baseline",
    egress: "restricted",
    mesh: "none",
    ingress: "flows",
    createdWhen: ALWAYS,
});

export const POSTGRES_NAMESPACE = storeNamespace(POSTGRES.namespace);
/** What a client of the data stores connects to (the stack hands them to the clients' flows as peers). */
export const POSTGRES_PEER = { pods: pods(POSTGRES.namespace), port: POSTGRES.port };
export const REDIS_PEER = { pods: pods(REDIS.namespace, { "app.kubernetes.io/component": "redis" }), port: REDIS.port };
export const REDIS_NAMESPACE = storeNamespace(REDIS.namespace);

/** The data layer's secrets in Vault: PGO adopts the user's verifier, the redis pods and sentinels take requirepass, Shlink (their one client) reads both. */
const DATA_VAULT_ENTRIES: VaultEntries = {
    /** The `shlink` database user's password and the SCRAM verifier PGO adopts. */
    postgresShlinkUser: { path: "postgres/shlink-user", properties: ["password", "verifier"], readers: [POSTGRES.namespace] },
    /** Redis' requirepass (the redis pods, the sentinels and Shlink), the one before it and their generation (rotation). */
    redisAuth: { path: "redis/auth", properties: ["password", "previousPassword", "generation"], readers: [REDIS.namespace] },
    /** The off-site pgBackRest repository's S3 keys and its cipher passphrase (only with homelab:offsiteBackup* set). */
    postgresOffsiteBackup: {
        path: "postgres/offsite-backup",
        properties: ["accessKey", "secretKey", "cipherPass"],
        readers: [POSTGRES.namespace],
        optional: true,
    },
};

/** PGO's pod labels the pgMonitor dashboards and our rules group by (PGO config/monitoring/.../podmonitor.yaml). */
const PGO_CLUSTER_LABEL = "postgres-operator.crunchydata.com/cluster";
const PGO_ROLE_LABEL = "postgres-operator.crunchydata.com/role";

/** PGO's exporter (port 9187, `pg_cluster` and `role` relabelled from the pod labels as pgMonitor expects), both redis_exporters. */
function dataMonitors(): Monitor[] {
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
function dataDashboards(): Dashboards[] {
    const { gnetId, revision, datasourceInputs } = DATA_DASHBOARDS.redis;
    const redis = { gnetId, revision, datasource: datasourceInputs.map((name) => ({ name, value: PROMETHEUS_DATASOURCE.uid })) };
    return [
        { kind: "grafana.com", provider: DATA_DASHBOARDS.provider, dashboards: { redis } },
        { kind: "configMap", role: "data-dashboard", uid: DATA_DASHBOARD_UID, json: dataLayerDashboard() },
    ];
}

export const dataPart: Part = {
    name: "data",
    namespaces: [POSTGRES_NAMESPACE, REDIS_NAMESPACE],
    // Reached by Shlink, their operators, Prometheus and their own peers; PostgreSQL also calls out.
    flows: ({ peers, apiServer, offsiteBackupPort }): Flow[] => [
        {
            name: "postgres-peers",
            from: pods(POSTGRES.namespace),
            to: pods(POSTGRES.namespace),
            ports: tcp(POSTGRES.port, POD_PORTS.patroni, POD_PORTS.pgbackrest),
            why: "replication, Patroni between instances, pgBackRest to its repo host and back",
        },
        {
            name: "postgres-operator",
            from: pods(OPERATOR_NAMESPACES.postgresOperator),
            to: pods(POSTGRES.namespace),
            ports: tcp(POSTGRES.port, POD_PORTS.patroni),
            why: "PGO managing its clusters",
        },
        {
            name: "postgres-api-server",
            from: pods(POSTGRES.namespace),
            to: apiServer.peer,
            ports: tcp(...apiServer.ports),
            why: "Patroni keeps its leader lock in the Kubernetes API",
        },
        // An S3 endpoint is a DNS name whose addresses change: the port is all a NetworkPolicy can hold it to.
        ...(offsiteBackupPort === undefined
            ? []
            : [
                  {
                      name: "postgres-to-offsite-backup",
                      from: pods(POSTGRES.namespace),
                      to: ANYWHERE,
                      ports: tcp(offsiteBackupPort),
                      why: "pgBackRest to the off-site bucket (repo2): WAL from the instances, backups and restores from PGO's Jobs",
                  },
              ]),
        {
            name: "redis-peers",
            from: pods(REDIS.namespace),
            to: pods(REDIS.namespace),
            ports: tcp(REDIS.port, POD_PORTS.sentinel),
            why: "replication, Sentinel watching Redis and each other",
        },
        {
            name: "redis-operator",
            from: pods(OPERATOR_NAMESPACES.redisOperator),
            to: pods(REDIS.namespace),
            ports: tcp(REDIS.port, POD_PORTS.sentinel),
            why: "redis-operator checking and configuring its failover",
        },
        {
            name: "scrape-postgres",
            from: peers.prometheus,
            to: pods(POSTGRES.namespace),
            ports: tcp(POD_PORTS.postgresExporter),
            why: "PGO's postgres_exporter",
        },
        {
            name: "scrape-redis",
            from: peers.prometheus,
            to: pods(REDIS.namespace),
            ports: tcp(POD_PORTS.redisExporter, POD_PORTS.sentinelExporter),
            why: "the redis and sentinel exporters",
        },
    ],
    doors: () => [],
    vaultEntries: DATA_VAULT_ENTRIES,
    vaultReads: [],
    budget: dataBudget,
    monitors: dataMonitors(),
    rules: ({ backups }) => [
        { role: "data-rules", name: "homelab-data", ...dataRules() },
        ...(backups.length > 0 ? [{ role: "backup-rules", name: "homelab-backups", ...backupRules(backups) }] : []),
    ],
    dashboards: dataDashboards(),
    // Shlink's checks go through PostgreSQL and Redis; the drills kill their primaries and restore a backup.
    probes: () => [],
    drills: ["postgres-primary", "redis-master", "backup-restore"],
};
