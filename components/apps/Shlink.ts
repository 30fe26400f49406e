import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { DatabaseConnection, RedisConnection } from "../contracts/connections";
import { GENERATED_SECRET_LENGTH } from "../defaults";
import { SHLINK } from "./facts";
import { namespaceArgs } from "../kubernetes/namespace";
import { SHLINK_NAMESPACE } from "./part";
import { serviceUrl } from "../kubernetes/serviceNames";
import { externalSecret, vaultReader, type VaultReader, reloadOnSecrets, templateRef } from "../kubernetes/externalSecrets";
import type { VaultAccess } from "../contracts/vault";
import { SHLINK_ROLLOUT_TIMEOUT_SECONDS, SHLINK_SELECTOR, shlinkDeploymentSpec } from "./shlinkSpec";
import { redisServersUri, SHLINK_SECRET_KEYS } from "./shlinkEnv";

export interface ShlinkArgs {
    /** Pods, spread one per node as far as the nodes go. */
    replicas: number;
    /** PostgreSQL: the primary Service, the database and user (the password comes from Vault). */
    database: Omit<DatabaseConnection, "password">;
    /** Redis: the master Service and its port (the password comes from Vault). */
    redis: Omit<RedisConnection, "password">;
    /** Where the credentials come from: Vault, through External Secrets. */
    vault: VaultAccess;
    /** Host (and port) users reach Shlink on and whether over HTTPS, for the short URLs it returns. */
    publicDomain?: { host: string; https: boolean };
    /** Label the namespace for Istio sidecar injection (the mesh layer turns this on). */
    meshInjection?: boolean;
    /** Resources the pods must not start before (e.g. istiod, or pods get no sidecar). */
    waitFor?: pulumi.Input<pulumi.Resource>[];
    /** The old lab's API key (homelab:shlinkApiKey, secret) for a lab restored from its backups; unset, one is generated. */
    apiKey?: pulumi.Input<string>;
}

/**
 * Shlink in the `shlink` namespace: a Deployment on PostgreSQL and Redis with its first API key, a Service
 * and a PodDisruptionBudget. Its credentials reach this namespace from Vault through External Secrets (the API
 * key is generated here and seeded into Vault like the data stores' passwords); Reloader restarts the pods
 * when they change.
 */
export class Shlink extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly service: k8s.core.v1.Service;
    /** The first API key, created by Shlink at start (secret; seeded into Vault as `shlink/api-key`). */
    public readonly apiKey: pulumi.Output<string>;
    /** In-cluster URL of the Service. */
    public readonly serviceAddress: pulumi.Output<string>;

    constructor(name: string, args: ShlinkArgs, opts?: pulumi.ComponentResourceOptions) {
        if (!Number.isInteger(args.replicas) || args.replicas <= SHLINK.minAvailable) {
            throw new pulumi.RunError(
                `homelab:apps:Shlink needs more than ${SHLINK.minAvailable} replicas (the PodDisruptionBudget keeps ` +
                    `${SHLINK.minAvailable} up), got ${args.replicas}: set homelab:shlinkReplicas.`,
            );
        }
        super("homelab:apps:Shlink", name, {}, opts);
        const child = { parent: this };

        const namespace = new k8s.core.v1.Namespace(`${name}-ns`, namespaceArgs(SHLINK_NAMESPACE, args.meshInjection ?? false), child);
        this.namespace = namespace.metadata.name;
        const apiKey = new random.RandomPassword(`${name}-api-key`, { length: GENERATED_SECRET_LENGTH, special: false }, child);
        // A restored database keeps the old lab's keys, and Shlink creates its initial key only while it has none.
        this.apiKey = pulumi.secret(args.apiKey ?? apiKey.result);

        const secretName = `${SHLINK.name}-credentials`;
        const credentials = shlinkCredentials(`${name}-credentials`, vaultReader(name, this.namespace, args.vault, this), secretName, args, this);
        const redisSwitched = redisSwitchJob(`${name}-redis-switch`, this.namespace, secretName, args.redis, credentials, this);
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: {
                    name: SHLINK.name,
                    namespace: this.namespace,
                    labels: { ...SHLINK_SELECTOR },
                    annotations: { "pulumi.com/timeoutSeconds": String(SHLINK_ROLLOUT_TIMEOUT_SECONDS), ...reloadOnSecrets(secretName) },
                },
                spec: shlinkDeploymentSpec(
                    args.replicas,
                    {
                        database: { host: args.database.host, port: args.database.port, name: args.database.database, user: args.database.user },
                        secretName,
                        publicDomain: args.publicDomain,
                    },
                    args.redis.rotation.podAnnotations,
                ),
            },
            // Its credentials synced (no CrashLoop while ESO syncs), and istiod, or meshed pods start without a sidecar.
            // A rotated Redis password: its Secret proven switched, so the rollout Pulumi awaits leaves no pod on the old one.
            { parent: this, dependsOn: [credentials, ...redisSwitched, ...(args.waitFor ?? [])] },
        );
        this.service = shlinkService(`${name}-service`, this.namespace, child);
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-pdb`,
            {
                metadata: { name: SHLINK.name, namespace: this.namespace },
                spec: { minAvailable: SHLINK.minAvailable, selector: { matchLabels: { ...SHLINK_SELECTOR } } },
            },
            child,
        );

        this.serviceAddress = pulumi.all([this.service.metadata.name, this.namespace]).apply(([service, ns]) => serviceUrl(service, ns, SHLINK.port));
        this.registerOutputs({ namespace: this.namespace, serviceAddress: this.serviceAddress, apiKey: this.apiKey });
    }
}

/** After a Redis rotation (none at generation 0): a Job that completes once Shlink's Secret holds the new generation. */
function redisSwitchJob(
    name: string,
    namespace: pulumi.Input<string>,
    secretName: string,
    redis: ShlinkArgs["redis"],
    credentials: pulumi.Resource,
    parent: pulumi.Resource,
): k8s.batch.v1.Job[] {
    const generation = redis.readyGeneration;
    if (generation === 0) {
        return [];
    }
    const timeout = `${redis.rotation.waitSeconds * 2}s`;
    const job = new k8s.batch.v1.Job(
        name,
        {
            metadata: { name: `${SHLINK.name}-redis-switch-${generation}`, namespace, annotations: { "pulumi.com/replaceUnready": "true" } },
            spec: redis.rotation.waitJobSpec(secretName),
        },
        // ESO rewrites the Secret once Pulumi updated its ExternalSecret (after the rotation Job).
        { parent, dependsOn: [credentials], customTimeouts: { create: timeout, update: timeout } },
    );
    return [job];
}

/** Shlink's ClusterIP Service on its HTTP port. */
function shlinkService(name: string, namespace: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): k8s.core.v1.Service {
    return new k8s.core.v1.Service(
        name,
        {
            metadata: { name: SHLINK.name, namespace, labels: { ...SHLINK_SELECTOR } },
            spec: {
                type: "ClusterIP",
                selector: { ...SHLINK_SELECTOR },
                ports: [{ name: "http", port: SHLINK.port, targetPort: "http", protocol: "TCP" }],
            },
        },
        opts,
    );
}

/**
 * Shlink's Secret, written by ESO from Vault: the database password, the first API key, and REDIS_SERVERS rendered
 * in the cluster from the Redis password and the master Service the data layer hands over.
 */
function shlinkCredentials(name: string, reader: VaultReader, secretName: string, args: ShlinkArgs, parent: pulumi.Resource): k8s.apiextensions.CustomResource {
    const rotation = args.redis.rotation;
    const reads = [
        { secretKey: "dbPassword", entry: "postgresShlinkUser", property: "password" },
        { secretKey: "apiKey", entry: "shlinkApiKey", property: "apiKey" },
        { secretKey: rotation.templateKeys.password, entry: "redisAuth", property: "password" },
        { secretKey: rotation.templateKeys.previous, entry: "redisAuth", property: "previousPassword" },
        { secretKey: rotation.templateKeys.generation, entry: "redisAuth", property: "generation" },
    ] as const;
    // The new Redis password only once every redis pod accepts it (the connection's passwordTemplate).
    const redisPassword = rotation.passwordTemplate;
    const template = {
        [SHLINK_SECRET_KEYS.dbPassword]: templateRef("dbPassword"),
        [SHLINK_SECRET_KEYS.initialApiKey]: templateRef("apiKey"),
        [SHLINK_SECRET_KEYS.redisServers]: pulumi.output(args.redis.host).apply((host) => redisServersUri(host, args.redis.port, redisPassword)),
        [rotation.generationKey]: rotation.generationTemplate,
    };
    // After this generation's Redis rotation Job, when one runs: its new template then switches Shlink over.
    return externalSecret(name, reader, secretName, reads, { template, parent, after: args.redis.rotated });
}
