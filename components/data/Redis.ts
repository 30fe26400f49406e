import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GENERATED_SECRET_LENGTH, REDIS } from "../defaults";
import { namespaceArgs } from "../kubernetes/namespace";
import { externalSecret, vaultReader, type VaultAccess } from "../secrets/reader";
import { REDIS_FAILOVER } from "./crds";
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
}

/** How a client reaches the current master; resolves once a master is serving. */
export interface RedisConnection {
    /** DNS name of our Service that selects the master pod. */
    host: pulumi.Output<string>;
    port: number;
    /** requirepass of every redis pod (secret). */
    password: pulumi.Output<string>;
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

    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:data:Redis", name, {}, opts);

        const namespace = new k8s.core.v1.Namespace(`${name}-ns`, namespaceArgs(REDIS.namespace, false), { parent: this });
        this.namespace = namespace.metadata.name;

        const password = new random.RandomPassword(
            `${name}-password`,
            { length: GENERATED_SECRET_LENGTH, special: false },
            { parent: this },
        );
        const secretPassword = pulumi.secret(password.result);

        const reader = vaultReader(name, this.namespace, args.vault, this);
        const auth = externalSecret(`${name}-auth`, reader, redisAuthSecretName(REDIS.name), [
            { secretKey: REDIS_PASSWORD_KEY, entry: "redisAuth", property: "password" },
        ], { parent: this });

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

        // Ours, since operator 1.2.4 creates none for the master: it follows the role label, so clients follow failovers.
        this.masterService = masterService(`${name}-master`, this.namespace, this.failover.metadata.name, { parent: this });

        const host = pulumi
            .all([this.masterService.metadata.name, this.masterService.metadata.namespace])
            .apply(([service, ns]) => serviceFqdn(service, ns));
        this.connection = {
            host,
            port: REDIS.port,
            password: secretPassword,
        };

        this.registerOutputs({ namespace: this.namespace, host: this.connection.host });
    }
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
