import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GENERATED_SECRET_LENGTH, SHLINK } from "../defaults";
import { redisServersUri } from "../data/redisSpec";
import { namespaceArgs } from "../kubernetes/namespace";
import { resourceRequirements } from "../kubernetes/resources";
import { SHLINK_SECRET_KEYS, shlinkEnv } from "./shlinkEnv";
import { serviceUrl } from "../kubernetes/serviceNames";

export interface ShlinkArgs {
    /** Pods, spread one per node as far as the nodes go. */
    replicas: number;
    /** PostgreSQL: the primary Service, the database and user, and the user's password (secret). */
    database: {
        host: pulumi.Input<string>;
        port: number;
        database: string;
        user: string;
        password: pulumi.Input<string>;
    };
    /** Redis: the master Service and the password (secret). */
    redis: { host: pulumi.Input<string>; port: number; password: pulumi.Input<string> };
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
            throw new Error(
                `homelab:apps:Shlink needs more than ${SHLINK.minAvailable} replicas (the PodDisruptionBudget keeps ` +
                    `${SHLINK.minAvailable} up), got ${args.replicas}: set homelab:shlinkReplicas.`,
            );
        }
        super("homelab:apps:Shlink", name, {}, opts);

        const namespace = new k8s.core.v1.Namespace(
            `${name}-ns`,
            namespaceArgs(SHLINK.namespace, args.meshInjection ?? false),
            { parent: this },
        );
        this.namespace = namespace.metadata.name;

        const apiKey = new random.RandomPassword(
            `${name}-api-key`,
            { length: GENERATED_SECRET_LENGTH, special: false },
            { parent: this },
        );
        this.apiKey = pulumi.secret(apiKey.result);

        const credentials = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: { name: `${SHLINK.name}-credentials`, namespace: this.namespace },
                type: "Opaque",
                stringData: {
                    [SHLINK_SECRET_KEYS.dbPassword]: pulumi.secret(args.database.password),
                    [SHLINK_SECRET_KEYS.redisServers]: pulumi.secret(
                        pulumi
                            .all([args.redis.host, args.redis.password])
                            .apply(([host, password]) => redisServersUri(host, args.redis.port, password)),
                    ),
                    [SHLINK_SECRET_KEYS.initialApiKey]: this.apiKey,
                },
            },
            { parent: this },
        );

        const selector = { "app.kubernetes.io/name": SHLINK.name };
        const version = SHLINK.image.split(":")[1];
        const probe = (timing: { periodSeconds: number; timeoutSeconds: number; failureThreshold: number }) => ({
            httpGet: { path: SHLINK.healthPath, port: "http" },
            ...timing,
        });

        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: {
                    name: SHLINK.name,
                    namespace: this.namespace,
                    labels: selector,
                    // Above the startup probe's 10 minutes, which the first start's migrations may need.
                    annotations: { "pulumi.com/timeoutSeconds": "900" },
                },
                spec: {
                    replicas: args.replicas,
                    selector: { matchLabels: selector },
                    // A new pod is ready before an old one goes: never below the replica count.
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                    template: {
                        metadata: { labels: { ...selector, "app.kubernetes.io/version": version } },
                        spec: {
                            // Shlink never talks to the Kubernetes API.
                            automountServiceAccountToken: false,
                            securityContext: {
                                runAsNonRoot: true,
                                runAsUser: SHLINK.uid,
                                seccompProfile: { type: "RuntimeDefault" },
                            },
                            topologySpreadConstraints: [
                                {
                                    maxSkew: 1,
                                    topologyKey: "kubernetes.io/hostname",
                                    whenUnsatisfiable: "DoNotSchedule",
                                    labelSelector: { matchLabels: selector },
                                    // Count only this rollout's pods, and skip cordoned nodes, so drains and rollouts proceed.
                                    matchLabelKeys: ["pod-template-hash"],
                                    nodeTaintsPolicy: "Honor",
                                },
                            ],
                            containers: [
                                {
                                    name: SHLINK.name,
                                    image: SHLINK.image,
                                    ports: [{ name: "http", containerPort: SHLINK.port, protocol: "TCP" }],
                                    env: shlinkEnv({
                                        database: {
                                            host: args.database.host,
                                            port: args.database.port,
                                            name: args.database.database,
                                            user: args.database.user,
                                        },
                                        secretName: credentials.metadata.name,
                                        publicDomain: args.publicDomain,
                                    }),
                                    resources: resourceRequirements(SHLINK.resources),
                                    startupProbe: probe(SHLINK.probes.startup),
                                    readinessProbe: probe(SHLINK.probes.readiness),
                                    livenessProbe: probe(SHLINK.probes.liveness),
                                    // The entrypoint writes caches and locks under /etc/shlink/data, so the root filesystem stays writable.
                                    securityContext: {
                                        allowPrivilegeEscalation: false,
                                        capabilities: { drop: ["ALL"] },
                                    },
                                },
                            ],
                        },
                    },
                },
            },
            // Side effects the pods need and cannot see in their inputs: istiod, or meshed pods start without a sidecar.
            { parent: this, dependsOn: args.waitFor ?? [] },
        );

        this.service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { name: SHLINK.name, namespace: this.namespace, labels: selector },
                spec: {
                    type: "ClusterIP",
                    selector,
                    ports: [{ name: "http", port: SHLINK.port, targetPort: "http", protocol: "TCP" }],
                },
            },
            { parent: this },
        );

        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-pdb`,
            {
                metadata: { name: SHLINK.name, namespace: this.namespace },
                spec: { minAvailable: SHLINK.minAvailable, selector: { matchLabels: selector } },
            },
            { parent: this },
        );

        this.serviceAddress = pulumi
            .all([this.service.metadata.name, this.namespace])
            .apply(([service, ns]) => serviceUrl(service, ns, SHLINK.port));

        this.registerOutputs({ namespace: this.namespace, serviceAddress: this.serviceAddress, apiKey: this.apiKey });
    }
}
