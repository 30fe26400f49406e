// The PostgresCluster spec, the schema fix and the user Secret PGO adopts: pure builders, tested directly.
import * as crypto from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { POSTGRES, POSTGRES_EXPORTER, POSTGRES_PGO_CONTAINERS, STORAGE_CLASS } from "../defaults";
import { resourceRequirements } from "../kubernetes/resources";
import type { PostgresClusterSpec } from "./crds";
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

/** The PostgresCluster `.spec`: three instances spread over the nodes, a volume repository with retention. */
export function postgresClusterSpec(args: {
    clusterName: string;
    sizing: PostgresSizing;
    initSql: { configMapName: pulumi.Input<string>; key: string };
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
                },
                repos: [
                    {
                        name: "repo1",
                        volume: { volumeClaimSpec: volume(args.sizing.backupVolumeGiB) },
                        schedules: { ...POSTGRES.backupSchedules },
                    },
                ],
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
