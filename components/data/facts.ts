// The data layer's pins, upstream facts and lab policy: PostgreSQL (PGO), Redis Sentinel, their exporters,
// dashboards and the Redis password rotation.
import type { ContainerResources, ResourceSpec } from "../defaults";

/**
 * The PostgreSQL cluster Shlink uses (Crunchy PGO). Sized for three 4 vCPU / 10 GiB nodes: each instance
 * asks for a quarter core and 512 MiB and may burst to one core and 1 GiB.
 */
export const POSTGRES = {
    namespace: "postgres",
    clusterName: "shlink-db",
    /** PGO names pods `<cluster>-<set>-<hash>-0`; cluster and set together must stay within 46 characters. */
    instanceSet: "pgha1",
    postgresVersion: 17,
    /** One primary and two replicas; Patroni promotes a replica when the primary fails. */
    instances: 3,
    /** Voluntary disruptions (drains) may take one instance at a time. */
    minAvailable: 2,
    port: 5432,
    database: "shlink",
    user: "shlink",
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    /** pgBackRest schedules (cron, UTC): a full backup on Sundays, a differential one the other nights. */
    backupSchedules: { full: "0 1 * * 0", differential: "0 1 * * 1-6" },
} as const satisfies { resources: ResourceSpec } & Record<string, unknown>;

/** The Redis Sentinel failover Shlink uses for cache and locks (Spotahome redis-operator). */
export const REDIS = {
    namespace: "redis",
    name: "shlink-redis",
    // The operator's built-in default is redis:6.2.6-alpine (end of life); 7.2 runs with operator 1.2.x
    // by swapping the image (maintainers in spotahome/redis-operator#652).
    // renovate: datasource=docker depName=redis
    image: "redis:7.2.8-alpine",
    redisReplicas: 3,
    sentinelReplicas: 3,
    port: 6379,
    redisResources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    sentinelResources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
} as const satisfies { redisResources: ResourceSpec; sentinelResources: ResourceSpec } & Record<string, unknown>;

/**
 * oliver006/redis_exporter for the redis and sentinel pods; redis-operator 1.2.4 defaults to v1.43.0 (2022).
 * One container per redis pod and one per sentinel pod.
 */
export const REDIS_EXPORTER = {
    // renovate: datasource=docker depName=quay.io/oliver006/redis_exporter
    image: "quay.io/oliver006/redis_exporter:v1.88.0",
    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
} as const satisfies { resources: ResourceSpec } & Record<string, unknown>;

/** The pgMonitor exporter PGO adds to each PostgreSQL pod (image pinned by the operator's RELATED_IMAGE_PGEXPORTER). */
export const POSTGRES_EXPORTER = {
    resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
} as const satisfies { resources: ResourceSpec };

/**
 * PGO's other containers and pods, which run with no requests unless the PostgresCluster sets them (PGO v6.0.3
 * internal/postgres/reconcile.go:189-193, internal/pgbackrest/reconcile.go:373 and 422,
 * internal/controller/postgrescluster/pgbackrest.go:839). Its init containers copy a main container's resources.
 */
export const POSTGRES_PGO_CONTAINERS = {
    /** `replication-cert-copy` on every instance: copies the replication certificate when it changes (a shell loop). */
    replicaCertCopy: { requests: { cpu: "5m", memory: "16Mi" }, limits: { memory: "64Mi" } },
    /** `pgbackrest` on every instance: the TLS server the repo host and backups reach PostgreSQL's files through. */
    pgbackrest: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "256Mi" } },
    /** `pgbackrest-config` on every instance and the repo host: reloads pgBackRest's configuration when it changes. */
    pgbackrestConfig: { requests: { cpu: "5m", memory: "16Mi" }, limits: { memory: "64Mi" } },
    /** The repo host's `pgbackrest`: takes the WAL archive and the backups into the repository volume. */
    repoHost: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "512Mi" } },
    /** A backup Job's `pgbackrest` (scheduled, on demand, the first one after the cluster starts). */
    backupJob: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
} as const satisfies Record<string, ContainerResources>;

/** The data layer's dashboards: a provider folder for downloads, and the Redis exporter's grafana.com dashboard. */
export const DATA_DASHBOARDS = {
    provider: { name: "data", folder: "Data" },
    /** "Redis Dashboard for Prometheus Redis Exporter 1.x"; revision 4 as public configs pin it (UNVERIFIED here). */
    redis: { gnetId: 763, revision: 4, datasourceInputs: ["DS_PROM", "DS_PROMETHEUS"] },
} as const;

/**
 * Redis password rotation (components/data/redisRotation.ts): where the rotation Job mounts the auth Secret, how long it
 * waits for External Secrets to deliver the new generation (two 1-minute refreshes and a kubelet sync, with room),
 * and the master name every sentinel of redis-operator 1.2.4 monitors (generator.go sentinelConfigTemplate).
 */
export const REDIS_ROTATION = {
    authMountPath: "/run/redis-auth",
    waitSeconds: 600,
    pollSeconds: 5,
    sentinelMasterName: "mymaster",
    /** Pod-template annotation carrying the generation on Shlink's and the redis pods: a new value restarts them. */
    generationAnnotation: "homelab/redis-password-generation",
    /** Key of a client's Secret saying which generation its Redis password is (the client-side Job waits for it). */
    clientGenerationKey: "redis-generation",
    /** The redis image's `redis` user (Dockerfile: adduser -u 999), so the Job runs as non-root. */
    uid: 999,
    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
} as const satisfies { resources: ResourceSpec } & Record<string, unknown>;

/** Ports of the data layer's pods the NetworkPolicies name: container ports, whatever their Services publish. */
export const POD_PORTS = {
    /** Patroni's REST API and pgBackRest's TLS server on PGO's pods; Redis Sentinel. */
    patroni: 8008,
    pgbackrest: 8432,
    sentinel: 26379,
    /**
     * Exporters' metrics ports, by number: kube-router resolves a named port only from spec.containers. PGO's
     * exporter, redis-operator's redis and sentinel exporters.
     */
    postgresExporter: 9187,
    redisExporter: 9121,
    sentinelExporter: 9355,
} as const;

/** The data layer's alert thresholds. */
export const ALERTING = {
    /** Replica byte lag (ccp_replication_lag_size_bytes) above which replication is behind. */
    replicationLagBytes: 64 * 1024 * 1024,
} as const;
