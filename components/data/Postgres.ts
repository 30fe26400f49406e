import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GENERATED_SECRET_LENGTH, POSTGRES } from "../defaults";
import { namespaceArgs } from "../kubernetes/namespace";
import { POSTGRES_CLUSTER } from "./crds";
import {
    databaseInitSql,
    pguserSecretMetadata,
    postgresClusterSpec,
    primaryServiceHost,
    scramSha256Verifier,
    type PostgresSizing,
} from "./postgresSpec";

export interface PostgresArgs {
    /** Volume sizes and backup retention, from config. */
    sizing: PostgresSizing;
    /** The PGO Helm release: it installs the PostgresCluster CRD and the operator. */
    operator: pulumi.Resource;
}

/** How a client reaches the database; resolves once the cluster is ready. */
export interface DatabaseConnection {
    /** DNS name of the Service that follows the primary. */
    host: pulumi.Output<string>;
    port: number;
    database: string;
    user: string;
    /** The user's password (secret). */
    password: pulumi.Output<string>;
}

/** Key of the init SQL in its ConfigMap. */
const INIT_SQL_KEY = "init.sql";

/**
 * A replicated PostgreSQL 17 for Shlink, run by Crunchy PGO in the `postgres` namespace: three instances
 * (Patroni elects the primary and fails over), one per node, pgBackRest backups to a volume repository,
 * and the user `shlink` owning database `shlink` with a password generated here and adopted by PGO.
 */
export class Postgres extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly cluster: k8s.apiextensions.CustomResource;
    public readonly connection: DatabaseConnection;

    constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:data:Postgres", name, {}, opts);

        const namespace = new k8s.core.v1.Namespace(`${name}-ns`, namespaceArgs(POSTGRES.namespace, false), { parent: this });
        this.namespace = namespace.metadata.name;

        const password = new random.RandomPassword(
            `${name}-password`,
            { length: GENERATED_SECRET_LENGTH, special: false },
            { parent: this },
        );
        // Kept in state so the verifier only changes when the password does.
        const salt = new random.RandomBytes(`${name}-verifier-salt`, { length: 16 }, { parent: this });
        const secretPassword = pulumi.secret(password.result);

        const child = { parent: this };
        const userSecret = pguserSecret(`${name}-pguser`, this.namespace, password.result, salt.base64, child);
        const initSql = new k8s.core.v1.ConfigMap(
            `${name}-init-sql`,
            {
                metadata: { name: `${POSTGRES.clusterName}-init-sql`, namespace: this.namespace },
                data: { [INIT_SQL_KEY]: databaseInitSql(POSTGRES.database, POSTGRES.user) },
            },
            child,
        );
        this.cluster = postgresCluster(`${name}-cluster`, this.namespace, args.sizing, initSql.metadata.name, {
            parent: this,
            // The CRD comes with the PGO release; the user Secret must exist first, or PGO generates its own password.
            dependsOn: [args.operator, userSecret],
        });

        this.connection = {
            host: pulumi
                .all([this.cluster.metadata.name, this.cluster.metadata.namespace])
                .apply(([cluster, ns]) => primaryServiceHost(cluster, ns)),
            port: POSTGRES.port,
            database: POSTGRES.database,
            user: POSTGRES.user,
            password: secretPassword,
        };

        this.registerOutputs({ namespace: this.namespace, host: this.connection.host });
    }
}

/** The Secret PGO adopts for the user: the generated password and its SCRAM verifier (both secret). */
function pguserSecret(
    name: string,
    namespace: pulumi.Input<string>,
    password: pulumi.Output<string>,
    salt: pulumi.Output<string>,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
    const pguser = pguserSecretMetadata(POSTGRES.clusterName, POSTGRES.user);
    return new k8s.core.v1.Secret(
        name,
        {
            metadata: {
                name: pguser.name,
                namespace,
                labels: pguser.labels,
                // PGO force-applies this Secret too; a password rotation must still win the field conflict.
                annotations: { "pulumi.com/patchForce": "true" },
            },
            type: "Opaque",
            stringData: {
                password: pulumi.secret(password),
                verifier: pulumi.secret(pulumi.all([password, salt]).apply(([p, s]) => scramSha256Verifier(p, s))),
            },
        },
        opts,
    );
}

/** The PostgresCluster, which Pulumi waits on until every instance is ready and the init SQL has run. */
function postgresCluster(
    name: string,
    namespace: pulumi.Input<string>,
    sizing: PostgresSizing,
    initSqlConfigMap: pulumi.Output<string>,
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
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
                    "pulumi.com/timeoutSeconds": "1200",
                },
            },
            spec: postgresClusterSpec({
                clusterName: POSTGRES.clusterName,
                sizing,
                initSql: { configMapName: initSqlConfigMap, key: INIT_SQL_KEY },
            }),
        },
        opts,
    );
}
