import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GENERATED_SECRET_LENGTH } from "../defaults";
import { REDIS, REDIS_ROTATION } from "./facts";
import type { RedisConnection } from "../contracts/connections";
import { namespaceArgs } from "../kubernetes/namespace";
import { externalSecret, vaultReader } from "../kubernetes/externalSecrets";
import type { VaultAccess } from "../contracts/vault";
import { REDIS_NAMESPACE } from "./part";
import { REDIS_FAILOVER } from "./crds";
import { REDIS_ROTATION_FILES, redisClientRotation, redisGenerationAnnotation, redisRotationJobSpec } from "./redisRotation";
import { REDIS_PASSWORD_KEY, redisAuthSecretName, redisFailoverSpec, redisMasterSelector } from "./redisSpec";
import { serviceFqdn } from "../kubernetes/serviceNames";

export interface RedisArgs {
    /** Size of each redis pod's volume, from config. */
    volumeGiB: number;
    /** StorageClass of those volumes (homelab:storageClass); K3s' local-path when unset. */
    storageClass?: string;
    /** The redis-operator Helm release: it installs the RedisFailover CRD and the operator. */
    operator: pulumi.Resource;
    /** Where the auth Secret comes from: Vault, through External Secrets. */
    vault: VaultAccess;
    /** homelab:redisPasswordGeneration: which generated password is current; raising it runs the rotation. */
    passwordGeneration: number;
}

/** What Vault's redis/auth entry holds: the current password, the one before it, and the generation. */
export interface RedisSeed {
    password: pulumi.Output<string>;
    previousPassword: pulumi.Output<string>;
    generation: string;
}

/**
 * Redis with Sentinel failover for Shlink's cache and locks, run by Spotahome's redis-operator in the
 * `redis` namespace: three redis pods with volumes, three sentinels, a password generated here (seeded into
 * Vault, delivered back by External Secrets), and a Service of ours that selects whichever pod is master, so
 * clients follow a failover.
 */
export class Redis extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly failover: k8s.apiextensions.CustomResource;
    public readonly masterService: k8s.core.v1.Service;
    public readonly connection: RedisConnection;
    public readonly seed: RedisSeed;
    /** The rotation Job of this generation (none for the first password): clients switch after it. */
    public readonly rotation?: k8s.batch.v1.Job;
    private readonly resourceName: string;
    private readonly generation: number;

    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:data:Redis", name, {}, opts);
        this.resourceName = name;
        this.generation = args.passwordGeneration;

        const namespace = new k8s.core.v1.Namespace(`${name}-ns`, namespaceArgs(REDIS_NAMESPACE, false), { parent: this });
        this.namespace = namespace.metadata.name;

        const generation = args.passwordGeneration;
        const secretPassword = generatedPassword(name, generation, this);
        this.seed = {
            password: secretPassword,
            previousPassword: generation > 0 ? generatedPassword(name, generation - 1, this) : secretPassword,
            generation: String(generation),
        };

        const reader = vaultReader(name, this.namespace, args.vault, this);
        const auth = externalSecret(
            `${name}-auth`,
            reader,
            redisAuthSecretName(REDIS.name),
            [
                { secretKey: REDIS_PASSWORD_KEY, entry: "redisAuth", property: "password" },
                { secretKey: REDIS_ROTATION_FILES.previous, entry: "redisAuth", property: "previousPassword" },
                { secretKey: REDIS_ROTATION_FILES.generation, entry: "redisAuth", property: "generation" },
            ],
            { parent: this },
        );

        this.failover = new k8s.apiextensions.CustomResource(
            `${name}-failover`,
            {
                ...REDIS_FAILOVER,
                metadata: { name: REDIS.name, namespace: this.namespace },
                spec: redisFailoverSpec({
                    failoverName: REDIS.name,
                    volumeGiB: args.volumeGiB,
                    storageClass: args.storageClass,
                    passwordSecretName: redisAuthSecretName(REDIS.name),
                }),
            },
            // The CRD and the operator come with the redis-operator release; the pods read the auth Secret at start.
            { parent: this, dependsOn: [args.operator, auth] },
        );

        this.rotation = generation > 0 ? rotationJob(`${name}-rotation`, this.namespace, generation, [auth, this.failover], this) : undefined;

        // Ours, since operator 1.2.4 creates none for the master: it follows the role label, so clients follow failovers.
        this.masterService = masterService(`${name}-master`, this.namespace, this.failover.metadata.name, { parent: this });

        const host = pulumi.all([this.masterService.metadata.name, this.masterService.metadata.namespace]).apply(([service, ns]) => serviceFqdn(service, ns));
        this.connection = {
            host,
            port: REDIS.port,
            password: secretPassword,
            readyGeneration: generation,
            rotated: this.rotation ? [this.rotation] : [],
            rotation: redisClientRotation(generation),
        };

        this.registerOutputs({ namespace: this.namespace, host: this.connection.host });
    }

    /**
     * The rotation's last step, once every client runs with the new password (`clients`, e.g. Shlink's Deployment,
     * whose rollout Pulumi awaits): the operator restarts the redis pods, which come back with only the new password
     * (its ConfigMap) and the new REDIS_PASSWORD for their probes and exporter. Nothing at generation 0.
     */
    public restartAfterClients(clients: pulumi.Resource[]): k8s.apiextensions.CustomResourcePatch | undefined {
        const podAnnotations = redisGenerationAnnotation(this.generation);
        if (!podAnnotations) {
            return undefined;
        }
        return new k8s.apiextensions.CustomResourcePatch(
            `${this.resourceName}-restart`,
            {
                ...REDIS_FAILOVER,
                metadata: { name: this.failover.metadata.name, namespace: this.namespace },
                spec: { redis: { podAnnotations } },
            },
            // Only after the clients switched: the restarted pods refuse the previous password.
            { parent: this, dependsOn: clients },
        );
    }
}

/** Generation 0 keeps the original resource (and its value); each later one is a new resource, the previous kept. */
function generatedPassword(name: string, generation: number, parent: pulumi.Resource): pulumi.Output<string> {
    const resourceName = generation === 0 ? `${name}-password` : `${name}-password-${generation}`;
    const password = new random.RandomPassword(resourceName, { length: GENERATED_SECRET_LENGTH, special: false }, { parent });
    return pulumi.secret(password.result);
}

/** The Job adding this generation's password to the running pods and sentinels; Pulumi waits for it to complete. */
function rotationJob(name: string, namespace: pulumi.Input<string>, generation: number, after: pulumi.Resource[], parent: pulumi.Resource): k8s.batch.v1.Job {
    const timeout = `${REDIS_ROTATION.waitSeconds * 2}s`;
    return new k8s.batch.v1.Job(
        name,
        {
            // One Job per generation: a new generation replaces it, and the script runs again.
            metadata: { name: `${REDIS.name}-rotation-${generation}`, namespace, annotations: { "pulumi.com/replaceUnready": "true" } },
            spec: redisRotationJobSpec({ failoverName: REDIS.name, authSecretName: redisAuthSecretName(REDIS.name), generation }),
        },
        // It waits for ESO to deliver this generation and talks to the failover's pods.
        { parent, dependsOn: after, customTimeouts: { create: timeout, update: timeout } },
    );
}

/** A ClusterIP Service selecting whichever redis pod the operator labels master. */
function masterService(
    name: string,
    namespace: pulumi.Input<string>,
    failoverName: pulumi.Output<string>,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Service {
    return new k8s.core.v1.Service(
        name,
        {
            metadata: { name: `${REDIS.name}-master`, namespace },
            spec: {
                type: "ClusterIP",
                selector: failoverName.apply(redisMasterSelector),
                ports: [{ name: "tcp-redis", port: REDIS.port, targetPort: REDIS.port, protocol: "TCP" }],
            },
        },
        opts,
    );
}
