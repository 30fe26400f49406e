// Typed subsets of the two custom resources this program creates, written from the CRDs at the versions we
// pin (PGO v6.0.3 `postgresclusters.postgres-operator.crunchydata.com`, redis-operator chart 3.2.9
// `redisfailovers.databases.spotahome.com`). Only the fields we set are declared; no maintained npm model
// package covers either CRD, so these give the compile-time check and the tests assert the fields.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

type PersistentVolumeClaimSpec = k8s.types.input.core.v1.PersistentVolumeClaimSpec;
type ResourceRequirements = k8s.types.input.core.v1.ResourceRequirements;
type TopologySpreadConstraint = k8s.types.input.core.v1.TopologySpreadConstraint;

/** `apiVersion`/`kind` of each custom resource. */
export const POSTGRES_CLUSTER = { apiVersion: "postgres-operator.crunchydata.com/v1beta1", kind: "PostgresCluster" } as const;
export const REDIS_FAILOVER = { apiVersion: "databases.spotahome.com/v1", kind: "RedisFailover" } as const;

/** PostgresCluster `.spec` (required: `postgresVersion` 11–18, `instances` with at least one set). */
export interface PostgresClusterSpec {
    postgresVersion: number;
    /** Defaults to 5432. */
    port?: number;
    /** Listed by name; at most 64. */
    users?: PostgresUserSpec[];
    instances: PostgresInstanceSetSpec[];
    /** A ConfigMap key with SQL PGO runs once, as superuser, after the cluster is initialised. */
    databaseInitSQL?: { name: pulumi.Input<string>; key: string };
    backups?: { pgbackrest: PGBackRestArchive };
    /** pgMonitor's exporter as a container of every instance pod (image: the operator's RELATED_IMAGE_PGEXPORTER). */
    monitoring?: { pgmonitor: { exporter: { image?: string; resources?: ResourceRequirements } } };
    /** What the cluster is created from (read once, before it bootstraps): here a pgBackRest repository in a bucket. */
    dataSource?: { pgbackrest: PGBackRestCloudDataSource };
}

/** A projected volume source (`secret` or `configMap`) PGO adds to pgBackRest's conf.d. */
export type PGBackRestConfiguration = k8s.types.input.core.v1.VolumeProjection;

/** `dataSource.pgbackrest` (required: `repo`, `stanza`; a volume repo is refused by CEL): a restore from a cloud repository. */
export interface PGBackRestCloudDataSource {
    stanza: string;
    repo: PGBackRestRepo;
    global?: Record<string, string>;
    configuration?: PGBackRestConfiguration[];
    /** `pgbackrest restore` options; `--repo`, `--stanza`, `--pg1-path`, `--target-action`, `--link-map` are refused. */
    options?: string[];
}

export interface PostgresInstanceSetSpec {
    /** Pattern `^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$`; with the cluster name at most 46 characters. */
    name: string;
    /** Minimum 1. */
    replicas: number;
    /** PodDisruptionBudget of the set; defaults to 1 when replicas > 1. */
    minAvailable?: number | string;
    /** Needs accessModes and a storage request (CEL rules of the CRD). */
    dataVolumeClaimSpec: PersistentVolumeClaimSpec;
    resources?: ResourceRequirements;
    topologySpreadConstraints?: TopologySpreadConstraint[];
    /** PGO's `replication-cert-copy` container of each instance pod. */
    sidecars?: { replicaCertCopy?: { resources?: ResourceRequirements } };
}

export interface PostgresUserSpec {
    /** Pattern `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`, at most 63 characters. */
    name: string;
    databases?: string[];
    /** ALTER ROLE options; no `;`, no PASSWORD, at most 200 characters. */
    options?: string;
    password?: { type: "ASCII" | "AlphaNumeric" };
}

export interface PGBackRestArchive {
    /** pgBackRest `[global]` settings, e.g. `repo1-retention-full`. */
    global?: Record<string, string>;
    /** At least one; names `repo1`…`repo4`. */
    repos: PGBackRestRepo[];
    /** Projected into /etc/pgbackrest/conf.d of every pgBackRest process (instances, repo host, backup Jobs). */
    configuration?: PGBackRestConfiguration[];
    /** What a backup started by the `postgres-operator.crunchydata.com/pgbackrest-backup` annotation does. */
    manual?: { repoName: PGBackRestRepo["name"]; options?: string[] };
    /** The `pgbackrest` and `pgbackrest-config` containers PGO adds to every instance pod (and the config one to the repo host). */
    sidecars?: { pgbackrest?: { resources?: ResourceRequirements }; pgbackrestConfig?: { resources?: ResourceRequirements } };
    /** The dedicated repository host's `pgbackrest` container (a volume repository has one). */
    repoHost?: { resources?: ResourceRequirements };
    /** The backup Jobs' `pgbackrest` container. */
    jobs?: { resources?: ResourceRequirements };
}

export interface PGBackRestRepo {
    name: "repo1" | "repo2" | "repo3" | "repo4";
    volume?: { volumeClaimSpec: PersistentVolumeClaimSpec };
    /** An S3-compatible bucket (all three required). */
    s3?: { bucket: string; endpoint: string; region: string };
    schedules?: { full?: string; differential?: string; incremental?: string };
}

/** RedisFailover `.spec` (required: the whole spec; every field in it is optional). */
export interface RedisFailoverSpec {
    /** Name of a Secret in the same namespace whose key `password` becomes requirepass/masterauth. */
    auth?: { secretPath: pulumi.Input<string> };
    redis: RedisSettings;
    sentinel: SentinelSettings;
}

export interface RedisSettings {
    image?: string;
    /** Annotations of the redis pods' template (types.go `podAnnotations`): a change makes the operator restart them one by one. */
    podAnnotations?: Record<string, string>;
    replicas: number;
    port?: number;
    resources?: ResourceRequirements;
    storage?: {
        /** Keep the PVCs when the RedisFailover is deleted (default false). */
        keepAfterDeletion?: boolean;
        persistentVolumeClaim?: { metadata?: { name?: string }; spec: PersistentVolumeClaimSpec };
    };
    topologySpreadConstraints?: TopologySpreadConstraint[];
    exporter?: RedisExporter;
}

export interface SentinelSettings {
    image?: string;
    replicas: number;
    resources?: ResourceRequirements;
    topologySpreadConstraints?: TopologySpreadConstraint[];
    exporter?: RedisExporter;
}

/** A redis_exporter sidecar (container `redis-exporter` / `sentinel-exporter`, port named `metrics`). */
export interface RedisExporter {
    enabled: boolean;
    image?: string;
    resources?: ResourceRequirements;
}
