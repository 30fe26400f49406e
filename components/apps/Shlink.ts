import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { DatabaseConnection } from "../data/Postgres";
import type { RedisConnection } from "../data/Redis";
import { GENERATED_SECRET_LENGTH, SHLINK } from "../defaults";
import { namespaceArgs } from "../kubernetes/namespace";
import { serviceUrl } from "../kubernetes/serviceNames";
import { SHLINK_ROLLOUT_TIMEOUT_SECONDS, SHLINK_SELECTOR, shlinkDeploymentSpec } from "./shlinkSpec";
import { SHLINK_SECRET_KEYS } from "./shlinkEnv";

export interface ShlinkArgs {
    /** Pods, spread one per node as far as the nodes go. */
    replicas: number;
    /** PostgreSQL: the primary Service, the database and user, and the user's password (secret). */
    database: DatabaseConnection;
    /** Redis: the master Service and the URI with the password (secret). */
    redis: RedisConnection;
    /** Host (and port) users reach Shlink on and whether over HTTPS, for the short URLs it returns. */
    publicDomain?: { host: string; https: boolean };
    /** Label the namespace for Istio sidecar injection (the mesh layer turns this on). */
    meshInjection?: boolean;
    /** Resources the pods must not start before (e.g. istiod, or pods get no sidecar). */
    waitFor?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Shlink in the `shlink` namespace: a Deployment on PostgreSQL and Redis with its first API key, a Service
 * and a PodDisruptionBudget. The credentials are copied by Pulumi into a Secret of this namespace (Secrets
 * cannot be referenced across namespaces), from the same generated values the data stores use.
 */
export class Shlink extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly service: k8s.core.v1.Service;
    /** The first API key, created by Shlink at start (secret). */
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

        const namespace = new k8s.core.v1.Namespace(`${name}-ns`, namespaceArgs(SHLINK.namespace, args.meshInjection ?? false), child);
        this.namespace = namespace.metadata.name;
        const apiKey = new random.RandomPassword(`${name}-api-key`, { length: GENERATED_SECRET_LENGTH, special: false }, child);
        this.apiKey = pulumi.secret(apiKey.result);

        const credentials = shlinkCredentials(`${name}-credentials`, this.namespace, args, this.apiKey, child);
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: {
                    name: SHLINK.name,
                    namespace: this.namespace,
                    labels: { ...SHLINK_SELECTOR },
                    annotations: { "pulumi.com/timeoutSeconds": String(SHLINK_ROLLOUT_TIMEOUT_SECONDS) },
                },
                spec: shlinkDeploymentSpec(args.replicas, {
                    database: { host: args.database.host, port: args.database.port, name: args.database.database, user: args.database.user },
                    secretName: credentials.metadata.name,
                    publicDomain: args.publicDomain,
                }),
            },
            // Side effects the pods need and cannot see in their inputs: istiod, or meshed pods start without a sidecar.
            { parent: this, dependsOn: args.waitFor ?? [] },
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

        this.serviceAddress = pulumi
            .all([this.service.metadata.name, this.namespace])
            .apply(([service, ns]) => serviceUrl(service, ns, SHLINK.port));
        this.registerOutputs({ namespace: this.namespace, serviceAddress: this.serviceAddress, apiKey: this.apiKey });
    }
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

/** Shlink's Secret: every credential it reads (Secrets cannot be referenced across namespaces, so copied here). */
function shlinkCredentials(
    name: string,
    namespace: pulumi.Input<string>,
    args: ShlinkArgs,
    apiKey: pulumi.Output<string>,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
        name,
        {
            metadata: { name: `${SHLINK.name}-credentials`, namespace },
            type: "Opaque",
            stringData: {
                [SHLINK_SECRET_KEYS.dbPassword]: pulumi.secret(args.database.password),
                [SHLINK_SECRET_KEYS.redisServers]: pulumi.secret(args.redis.uri),
                [SHLINK_SECRET_KEYS.initialApiKey]: apiKey,
            },
        },
        opts,
    );
}
