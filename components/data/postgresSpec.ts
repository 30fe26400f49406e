// The PostgresCluster spec, the schema fix and the user Secret PGO adopts: pure builders, tested directly.
import * as crypto from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { STORAGE_CLASS } from "../defaults";
import { POSTGRES, POSTGRES_EXPORTER, POSTGRES_PGO_CONTAINERS } from "./facts";
import { resourceRequirements } from "../kubernetes/resources";
import type { OffsiteBackupConfig } from "../config/types";
import type { PGBackRestCloudDataSource, PGBackRestRepo, PostgresClusterSpec } from "./crds";
import { serviceFqdn } from "../kubernetes/serviceNames";

/** PGO's label prefix (internal/naming/labels.go at v6.0.3). */
const PGO = "postgres-operator.crunchydata.com";

/** Everything about the cluster that config may change. */
export interface PostgresSizing {
    volumeGiB: number;
    backupVolumeGiB: number;
    /** Full backups pgBackRest keeps (`repo1-retention-full`, type `count`). */
    backupRetentionFull: number;
    /** StorageClass of both volumes (homelab:storageClass); K3s' local-path when unset. */
    storageClass?: string;
}

/** Label PGO puts on every pod that runs its exporter (internal/naming/labels.go at v6.0.3). */
export const POSTGRES_EXPORTER_POD_LABEL = { [`${PGO}/crunchy-postgres-exporter`]: "true" } as const;

/** The exporter's container port (internal/pgmonitor/exporter.go at v6.0.3: 9187, named `exporter`). */
export const POSTGRES_EXPORTER_PORT = "exporter";

/** Labels PGO puts on the pods of one instance set, for our spread constraint. */
export function instanceSetLabels(clusterName: string, instanceSet: string): Record<string, string> {
    return { [`${PGO}/cluster`]: clusterName, [`${PGO}/instance-set`]: instanceSet };
}

/**
 * SQL PGO runs once as superuser after creating the database and user. PostgreSQL 15+ no longer lets every
 * user create in schema `public`; since PG15 that schema is owned by `pg_database_owner`, so making the
 * user own its database gives it `public` without any GRANT. ON_ERROR_STOP makes psql fail loudly, so PGO
 * records the SQL as done only when it worked (and retries otherwise).
 */
export function databaseInitSql(database: string, user: string): string {
    return ["\\set ON_ERROR_STOP on", `ALTER DATABASE ${quoteIdent(database)} OWNER TO ${quoteIdent(user)};`, ""].join("\n");
}

/** The off-site repository as the spec names it: its settings and the Secret holding its keys and cipher passphrase. */
export interface OffsiteRepo {
    config: OffsiteBackupConfig;
    /** The Secret (written by ESO) PGO projects into pgBackRest's conf.d: one `.conf` file with the credentials. */
    configurationSecret: pulumi.Input<string>;
}

/** The PostgresCluster `.spec`: three instances spread over the nodes, a volume repository with retention (and an off-site one). */
export function postgresClusterSpec(args: {
    clusterName: string;
    sizing: PostgresSizing;
    initSql: { configMapName: pulumi.Input<string>; key: string };
    offsite?: OffsiteRepo;
}): PostgresClusterSpec {
    const volume = (giB: number) => ({
        accessModes: ["ReadWriteOnce"],
        storageClassName: args.sizing.storageClass ?? STORAGE_CLASS,
        resources: { requests: { storage: `${giB}Gi` } },
    });
    return {
        postgresVersion: POSTGRES.postgresVersion,
        port: POSTGRES.port,
        instances: [
            {
                name: POSTGRES.instanceSet,
                replicas: POSTGRES.instances,
                minAvailable: POSTGRES.minAvailable,
                dataVolumeClaimSpec: volume(args.sizing.volumeGiB),
                resources: resourceRequirements(POSTGRES.resources),
                sidecars: { replicaCertCopy: { resources: resourceRequirements(POSTGRES_PGO_CONTAINERS.replicaCertCopy) } },
                // One instance per node: a node failure costs one replica, never the primary and a replica.
                topologySpreadConstraints: [
                    {
                        maxSkew: 1,
                        topologyKey: "kubernetes.io/hostname",
                        whenUnsatisfiable: "DoNotSchedule",
                        labelSelector: { matchLabels: instanceSetLabels(args.clusterName, POSTGRES.instanceSet) },
                    },
                ],
            },
        ],
        users: [{ name: POSTGRES.user, databases: [POSTGRES.database] }],
        databaseInitSQL: { name: args.initSql.configMapName, key: args.initSql.key },
        // PGO 6.0.3's working metrics path (the OTel one is an alpha feature gate, off by default).
        monitoring: { pgmonitor: { exporter: { resources: resourceRequirements(POSTGRES_EXPORTER.resources) } } },
        backups: {
            pgbackrest: {
                global: {
                    "repo1-retention-full": String(args.sizing.backupRetentionFull),
                    "repo1-retention-full-type": "count",
                    ...(args.offsite ? offsiteGlobal(args.offsite.config) : {}),
                },
                repos: [
                    {
                        name: "repo1",
                        volume: { volumeClaimSpec: volume(args.sizing.backupVolumeGiB) },
                        schedules: { ...POSTGRES.backupSchedules },
                    },
                    ...(args.offsite ? [offsiteRepo(args.offsite.config)] : []),
                ],
                ...(args.offsite ? { configuration: [{ secret: { name: args.offsite.configurationSecret } }] } : {}),
                // Lets `kubectl annotate ... pgbackrest-backup=<id>` take a full backup on demand.
                manual: { repoName: "repo1", options: ["--type=full"] },
                // PGO's own containers: without these they run outside the budget, with no requests at all.
                sidecars: {
                    pgbackrest: { resources: resourceRequirements(POSTGRES_PGO_CONTAINERS.pgbackrest) },
                    pgbackrestConfig: { resources: resourceRequirements(POSTGRES_PGO_CONTAINERS.pgbackrestConfig) },
                },
                repoHost: { resources: resourceRequirements(POSTGRES_PGO_CONTAINERS.repoHost) },
                jobs: { resources: resourceRequirements(POSTGRES_PGO_CONTAINERS.backupJob) },
            },
        },
        ...(args.offsite?.config.restore ? { dataSource: { pgbackrest: offsiteDataSource(args.offsite) } } : {}),
    };
}

/** The off-site repository's name: repo1 stays the local volume. */
export const OFFSITE_REPO = "repo2";

/** PGO's one stanza (internal/pgbackrest/config.go:31 at v6.0.3, `DefaultStanzaName`). */
export const PGBACKREST_STANZA = "db";

/** The one cipher pgBackRest offers: the repository is encrypted before it leaves the cluster. */
export const OFFSITE_CIPHER_TYPE = "aes-256-cbc";

/** The file in the configuration Secret (pgBackRest reads every `*.conf` in /etc/pgbackrest/conf.d). */
export const OFFSITE_CONFIGURATION_FILE = "offsite.conf";

/** repo2 in the spec: the bucket, endpoint and region PGO writes as `repo2-s3-*` (config.go:549-554), and its schedules. */
function offsiteRepo(config: OffsiteBackupConfig): PGBackRestRepo {
    return {
        name: OFFSITE_REPO,
        s3: { bucket: config.bucket, endpoint: config.endpoint, region: config.region },
        schedules: { ...config.schedules },
    };
}

/**
 * The `[global]` options of repo2 that are no secret. PGO writes `repo2-path=/pgbackrest/repo2` first and the spec's
 * `global` after it, so ours wins (internal/pgbackrest/config.go:382 and 405, 433 and 453, 495 and 509 at v6.0.3).
 */
export function offsiteGlobal(config: OffsiteBackupConfig): Record<string, string> {
    return {
        ...offsiteReadOptions(config),
        [`${OFFSITE_REPO}-retention-full`]: String(config.retentionFull),
        [`${OFFSITE_REPO}-retention-full-type`]: "count",
        // Small files bundled into one object: a backup is tens of requests to the store, not one per file (pgBackRest 2.39+;
        // PGO 6.0.3 runs 2.59, config/components/images-by-tag/kustomization.yaml).
        [`${OFFSITE_REPO}-bundle`]: "y",
    };
}

/** What reading repo2 needs besides the bucket and the credentials: where it is, how it is addressed, its cipher. */
function offsiteReadOptions(config: OffsiteBackupConfig): Record<string, string> {
    return {
        [`${OFFSITE_REPO}-path`]: config.path,
        [`${OFFSITE_REPO}-s3-uri-style`]: config.uriStyle,
        [`${OFFSITE_REPO}-cipher-type`]: OFFSITE_CIPHER_TYPE,
    };
}

/**
 * Every pgBackRest option PGO ends up giving repo2 (no secret among them): `repo2-type` and `repo2-s3-*` from the repo
 * (config.go:549-554) and our global options. The credentials come from the configuration Secret.
 */
export function offsiteRepoOptions(config: OffsiteBackupConfig): Record<string, string> {
    return {
        [`${OFFSITE_REPO}-type`]: "s3",
        [`${OFFSITE_REPO}-s3-bucket`]: config.bucket,
        [`${OFFSITE_REPO}-s3-endpoint`]: config.endpoint,
        [`${OFFSITE_REPO}-s3-region`]: config.region,
        ...offsiteGlobal(config),
    };
}

/** The configuration file's text, with the three secrets given as they should appear (ESO template references). */
export function offsiteConfigurationText(values: { accessKey: string; secretKey: string; cipherPass: string }): string {
    return [
        "[global]",
        `${OFFSITE_REPO}-s3-key=${values.accessKey}`,
        `${OFFSITE_REPO}-s3-key-secret=${values.secretKey}`,
        `${OFFSITE_REPO}-cipher-pass=${values.cipherPass}`,
        "",
    ].join("\n");
}

/**
 * The cloud data source the first `up` of a restoring lab creates the cluster from. PGO runs a restore Job with it
 * only while the cluster has not bootstrapped (controller/postgrescluster/pgbackrest.go:1793), with the data source's
 * `global`, repo and configuration as the only pgBackRest settings (pgbackrest.go:1864-1869; pgbackrest/reconcile.go:234-240),
 * and adds `--stanza`, `--repo=2` and, with a `--target`, `--target-action=promote` itself (pgbackrest.go:1231-1254).
 * Options reach a shell unquoted: the time was checked to hold no quote (config/backup.ts).
 */
export function offsiteDataSource(offsite: OffsiteRepo): PGBackRestCloudDataSource {
    const restore = offsite.config.restore!;
    return {
        stanza: PGBACKREST_STANZA,
        repo: offsiteRepo(offsite.config),
        global: offsiteReadOptions(offsite.config),
        configuration: [{ secret: { name: offsite.configurationSecret } }],
        options: restore.kind === "time" ? ["--type=time", `--target="${restore.time}"`] : [],
    };
}

/**
 * Name and labels of the Secret PGO keeps a user's credentials in. PGO lists Secrets by the cluster label
 * and the pguser label (internal/naming/selectors.go `ClusterPostgresUsers`), and one that exists before
 * the cluster is adopted: its `password` and `verifier` are kept (internal/controller/postgrescluster/
 * postgres.go `generatePostgresUserSecret`, lines 214-248 at v6.0.3).
 */
export function pguserSecretMetadata(clusterName: string, user: string): { name: string; labels: Record<string, string> } {
    return {
        name: `${clusterName}-pguser-${user}`,
        labels: { [`${PGO}/cluster`]: clusterName, [`${PGO}/pguser`]: user, [`${PGO}/role`]: "pguser" },
    };
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677, the format PGO writes:
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`). Computed here from a salt kept in state,
 * so rotating the password rotates the verifier with it and PGO never runs ALTER ROLE with a stale one.
 * The password must be ASCII letters and digits (SASLprep leaves those unchanged).
 */
export function scramSha256Verifier(password: string, saltBase64: string, iterations = 4096): string {
    if (!/^[A-Za-z0-9]+$/.test(password)) {
        throw new Error("scramSha256Verifier: the password must be ASCII letters and digits (no SASLprep here).");
    }
    const salt = Buffer.from(saltBase64, "base64");
    const salted = crypto.pbkdf2Sync(password, salt, iterations, 32, "sha256");
    const clientKey = crypto.createHmac("sha256", salted).update("Client Key").digest();
    const storedKey = crypto.createHash("sha256").update(clientKey).digest();
    const serverKey = crypto.createHmac("sha256", salted).update("Server Key").digest();
    return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** The in-cluster DNS name of the Service PGO points at the current primary. */
export function primaryServiceHost(clusterName: string, namespace: string): string {
    return serviceFqdn(`${clusterName}-primary`, namespace);
}

function quoteIdent(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
}
