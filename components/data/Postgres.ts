import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { OffsiteBackupConfig, OffsiteBackupSecrets } from "../config/types";
import type { DatabaseConnection } from "../contracts/connections";
import { GENERATED_SECRET_LENGTH } from "../defaults";
import { POSTGRES } from "./facts";
import { namespaceArgs } from "../kubernetes/namespace";
import { externalSecret, vaultReader, type VaultReader, templateRef } from "../kubernetes/externalSecrets";
import type { VaultAccess } from "../contracts/vault";
import { POSTGRES_NAMESPACE } from "./part";
import { POSTGRES_CLUSTER } from "./crds";
import {
    databaseInitSql,
    OFFSITE_CONFIGURATION_FILE,
    offsiteConfigurationText,
    pguserSecretMetadata,
    postgresClusterSpec,
    primaryServiceHost,
    scramSha256Verifier,
    type OffsiteRepo,
    type PostgresSizing,
} from "./postgresSpec";

export interface PostgresArgs {
    /** Volume sizes and backup retention, from config. */
    sizing: PostgresSizing;
    /** The PGO Helm release: it installs the PostgresCluster CRD and the operator. */
    operator: pulumi.Resource;
    /** Where the user Secret comes from: Vault, through External Secrets. */
    vault: VaultAccess;
    /** The off-site repository (repo2) and its credentials, from config; undefined when off. */
    offsite?: { config: OffsiteBackupConfig; secrets: OffsiteBackupSecrets };
}

/** What Vault holds for the off-site repository (`postgres/offsite-backup`), every value secret. */
export interface OffsiteSeed {
    accessKey: pulumi.Output<string>;
    secretKey: pulumi.Output<string>;
    cipherPass: pulumi.Output<string>;
}

/** Key of the init SQL in its ConfigMap. */
const INIT_SQL_KEY = "init.sql";

/** How long Pulumi waits for a new cluster to be ready, and for one restored from the off-site repository first. */
const CREATE_TIMEOUT_SECONDS = 1200;
const RESTORE_TIMEOUT_SECONDS = 3600;

/**
 * A replicated PostgreSQL 17 for Shlink, run by Crunchy PGO in the `postgres` namespace: three instances
 * (Patroni elects the primary and fails over), one per node, pgBackRest backups to a volume repository
 * (and, when configured, to an encrypted off-site bucket it can also be created from), and the user `shlink`
 * owning database `shlink` with a password generated here, seeded into Vault, and delivered back by External
 * Secrets as the user Secret PGO adopts.
 */
export class Postgres extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly cluster: k8s.apiextensions.CustomResource;
    public readonly connection: DatabaseConnection;
    /** What Vault holds for the user (`postgres/shlink-user`): the password and its SCRAM verifier (secret). */
    public readonly seed: { password: pulumi.Output<string>; verifier: pulumi.Output<string> };
    /** What Vault holds for the off-site repository; undefined when it is off. */
    public readonly offsiteSeed?: OffsiteSeed;
    /**
     * The off-site repository's cipher passphrase (secret): without it, the bucket's backups cannot be read. Generated
     * once and kept in the stack's state (or homelab:offsiteBackupCipherKey, the old lab's); keep a copy off the box.
     */
    public readonly offsiteCipherKey: pulumi.Output<string>;
    /** Each pgBackRest repository (pgMonitor's `repo` label is its number) and its schedules: what the backup alerts watch. */
    public readonly backupRepos: { repo: string; name: string; schedules: string[] }[];

    constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:data:Postgres", name, {}, opts);

        const namespace = new k8s.core.v1.Namespace(`${name}-ns`, namespaceArgs(POSTGRES_NAMESPACE, false), { parent: this });
        this.namespace = namespace.metadata.name;

        const password = new random.RandomPassword(`${name}-password`, { length: GENERATED_SECRET_LENGTH, special: false }, { parent: this });
        // Kept in state so the verifier only changes when the password does.
        const salt = new random.RandomBytes(`${name}-verifier-salt`, { length: 16 }, { parent: this });
        const secretPassword = pulumi.secret(password.result);

        const child = { parent: this };
        this.seed = {
            password: secretPassword,
            verifier: pulumi.secret(pulumi.all([password.result, salt.base64]).apply(([p, s]) => scramSha256Verifier(p, s))),
        };
        // Generated even while the off-site repository is off: turning it off and on again keeps the bucket readable.
        const cipher = new random.RandomPassword(`${name}-offsite-cipher`, { length: OFFSITE_CIPHER_LENGTH, special: false }, child);
        this.offsiteCipherKey = pulumi.secret(args.offsite?.secrets.cipherKey ?? cipher.result);
        const reader = vaultReader(name, this.namespace, args.vault, this);
        const userSecret = pguserSecret(`${name}-pguser`, reader, this);
        this.offsiteSeed = args.offsite && {
            accessKey: pulumi.secret(args.offsite.secrets.accessKey),
            secretKey: pulumi.secret(args.offsite.secrets.secretKey),
            cipherPass: this.offsiteCipherKey,
        };
        const offsiteSecret = args.offsite && offsiteConfigurationSecret(`${name}-offsite-credentials`, reader, this);
        const initSql = new k8s.core.v1.ConfigMap(
            `${name}-init-sql`,
            {
                metadata: { name: `${POSTGRES.clusterName}-init-sql`, namespace: this.namespace },
                data: { [INIT_SQL_KEY]: databaseInitSql(POSTGRES.database, POSTGRES.user) },
            },
            child,
        );
        const offsite = args.offsite && offsiteSecret && { config: args.offsite.config, configurationSecret: offsiteSecret.secretName };
        this.cluster = postgresCluster(
            `${name}-cluster`,
            this.namespace,
            { sizing: args.sizing, initSqlConfigMap: initSql.metadata.name, offsite },
            {
                parent: this,
                // The CRD comes with the PGO release; the user Secret must exist first, or PGO generates its own password;
                // the off-site credentials too, or the pods wait on a projected Secret that is not there yet.
                dependsOn: [args.operator, userSecret, ...(offsiteSecret ? [offsiteSecret.resource] : [])],
            },
        );

        this.backupRepos = [
            { repo: "1", name: "repo1 (local volume)", schedules: Object.values(POSTGRES.backupSchedules) },
            ...(args.offsite ? [{ repo: "2", name: "repo2 (off-site bucket)", schedules: Object.values(args.offsite.config.schedules) }] : []),
        ];
        this.connection = {
            host: pulumi.all([this.cluster.metadata.name, this.cluster.metadata.namespace]).apply(([cluster, ns]) => primaryServiceHost(cluster, ns)),
            port: POSTGRES.port,
            database: POSTGRES.database,
            user: POSTGRES.user,
            password: secretPassword,
        };

        this.registerOutputs({ namespace: this.namespace, host: this.connection.host });
    }
}

/**
 * The Secret PGO adopts for the user, written by ESO from Vault: our password and our verifier, so a rotated
 * password brings its verifier and PGO runs ALTER ROLE with it (postgres.go lines 214-218 and 640-690 at v6.0.3:
 * an existing password and verifier are kept; the users' SQL reruns when a verifier changes). `CreateOrMerge`,
 * not `Owner`: PGO makes itself the Secret's controller (line 324), and ESO's `Owner` would set a second controller
 * reference (externalsecret_controller.go line 817 at v2.9.0); merging keeps PGO's host/port/uri keys too
 * (externalsecret_controller_template.go lines 53-58), where `Orphan` would clear them on every refresh.
 */
function pguserSecret(name: string, reader: VaultReader, parent: pulumi.Resource): k8s.apiextensions.CustomResource {
    const pguser = pguserSecretMetadata(POSTGRES.clusterName, POSTGRES.user);
    const reads = (["password", "verifier"] as const).map((property) => ({ secretKey: property, entry: "postgresShlinkUser" as const, property }));
    return externalSecret(name, reader, pguser.name, reads, { creationPolicy: "CreateOrMerge", labels: pguser.labels, parent });
}

/** Letters and digits: one ini value in pgBackRest's conf, no escaping needed. */
const OFFSITE_CIPHER_LENGTH = 64;

/** The Secret ESO writes for pgBackRest: one `.conf` file with repo2's S3 keys and cipher passphrase, read from Vault. */
function offsiteConfigurationSecret(
    name: string,
    reader: VaultReader,
    parent: pulumi.Resource,
): { resource: k8s.apiextensions.CustomResource; secretName: string } {
    const secretName = `${POSTGRES.clusterName}-pgbackrest-offsite`;
    const properties = ["accessKey", "secretKey", "cipherPass"] as const;
    const reads = properties.map((property) => ({ secretKey: property, entry: "postgresOffsiteBackup" as const, property }));
    const text = offsiteConfigurationText({ accessKey: templateRef("accessKey"), secretKey: templateRef("secretKey"), cipherPass: templateRef("cipherPass") });
    const resource = externalSecret(name, reader, secretName, reads, { template: { [OFFSITE_CONFIGURATION_FILE]: text }, parent });
    return { resource, secretName };
}

/** What the PostgresCluster is built from besides the namespace. */
interface ClusterInputs {
    sizing: PostgresSizing;
    initSqlConfigMap: pulumi.Output<string>;
    offsite?: OffsiteRepo;
}

/** The PostgresCluster, which Pulumi waits on until every instance is ready and the init SQL has run. */
function postgresCluster(
    name: string,
    namespace: pulumi.Input<string>,
    inputs: ClusterInputs,
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    const { sizing, initSqlConfigMap, offsite } = inputs;
    // A restore first downloads the backup and replays the WAL since; then the instances bootstrap as usual.
    const timeoutSeconds = offsite?.config.restore ? RESTORE_TIMEOUT_SECONDS : CREATE_TIMEOUT_SECONDS;
    return new k8s.apiextensions.CustomResource(
        name,
        {
            ...POSTGRES_CLUSTER,
            metadata: {
                name: POSTGRES.clusterName,
                namespace,
                annotations: {
                    // Done means: every instance ready and the schema fix applied (Shlink migrates next).
                    "pulumi.com/waitFor": initSqlConfigMap.apply((configMap) =>
                        JSON.stringify([
                            `jsonpath={.status.instances[0].readyReplicas}=${POSTGRES.instances}`,
                            `jsonpath={.status.databaseInitSQL}=${configMap}`,
                        ]),
                    ),
                    // Three instances bootstrap one after another, each pulling images and cloning.
                    "pulumi.com/timeoutSeconds": String(timeoutSeconds),
                },
            },
            spec: postgresClusterSpec({
                clusterName: POSTGRES.clusterName,
                sizing,
                initSql: { configMapName: initSqlConfigMap, key: INIT_SQL_KEY },
                ...(offsite ? { offsite } : {}),
            }),
        },
        opts,
    );
}
