// The RedisFailover spec and the Service that follows the master: pure builders, tested directly.
import type * as pulumi from "@pulumi/pulumi";
import { STORAGE_CLASS } from "../defaults";
import { REDIS, REDIS_EXPORTER } from "./facts";
import { resourceRequirements } from "../kubernetes/resources";
import type { RedisFailoverSpec } from "./crds";

/** Key the operator reads the password from in the `auth.secretPath` Secret (service/k8s/util.go at v1.2.4). */
export const REDIS_PASSWORD_KEY = "password";

/** The Secret holding the failover's password (written by External Secrets from Vault). */
export function redisAuthSecretName(failoverName: string): string {
    return `${failoverName}-auth`;
}

/** Container port of both exporters (operator/redisfailover/service/generator.go at v1.2.4). */
export const REDIS_EXPORTER_PORT = "metrics";

/** Label every redis and sentinel pod of any failover carries (service/constants.go `appLabel`). */
export const REDIS_FAILOVER_PART_OF = { "app.kubernetes.io/part-of": "redis-failover" } as const;

/** Labels redis-operator v1.2.4 puts on every redis pod of a failover (service/client.go `generateSelectorLabels`). */
export function redisPodLabels(failoverName: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": failoverName,
        "app.kubernetes.io/component": "redis",
        ...REDIS_FAILOVER_PART_OF,
    };
}

/**
 * Selects the current master: the operator moves the role label (constants.go `redisfailovers-role`,
 * `master`/`slave`) to the pod Sentinel promoted, on every resync (30 s, operator/redisfailover/factory.go).
 */
export function redisMasterSelector(failoverName: string): Record<string, string> {
    return { ...redisPodLabels(failoverName), "redisfailovers-role": "master" };
}

/** Labels of the sentinel pods, for their spread constraint. */
function sentinelPodLabels(failoverName: string): Record<string, string> {
    return { ...redisPodLabels(failoverName), "app.kubernetes.io/component": "sentinel" };
}

/** The RedisFailover `.spec`: three redis pods with volumes, three sentinels, password from a Secret. */
export function redisFailoverSpec(args: {
    failoverName: string;
    volumeGiB: number;
    passwordSecretName: pulumi.Input<string>;
    /** StorageClass of the redis pods' volumes (homelab:storageClass); K3s' local-path when unset. */
    storageClass?: string;
}): RedisFailoverSpec {
    const spread = (labels: Record<string, string>, whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway") => [
        { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable, labelSelector: { matchLabels: labels } },
    ];
    // A current exporter: the operator's default v1.43.0 predates Redis 7.2.
    const exporter = { enabled: true, image: REDIS_EXPORTER.image, resources: resourceRequirements(REDIS_EXPORTER.resources) };
    return {
        auth: { secretPath: args.passwordSecretName },
        redis: {
            image: REDIS.image,
            replicas: REDIS.redisReplicas,
            port: REDIS.port,
            resources: resourceRequirements(REDIS.redisResources),
            storage: {
                persistentVolumeClaim: {
                    metadata: { name: `${args.failoverName}-data` },
                    spec: {
                        accessModes: ["ReadWriteOnce"],
                        storageClassName: args.storageClass ?? STORAGE_CLASS,
                        resources: { requests: { storage: `${args.volumeGiB}Gi` } },
                    },
                },
            },
            // Volumes pin each pod to its node, so place them one per node from the start.
            topologySpreadConstraints: spread(redisPodLabels(args.failoverName), "DoNotSchedule"),
            exporter,
        },
        sentinel: {
            image: REDIS.image,
            replicas: REDIS.sentinelReplicas,
            resources: resourceRequirements(REDIS.sentinelResources),
            // Sentinels hold no data: prefer one per node, but reschedule anywhere when a node is gone.
            topologySpreadConstraints: spread(sentinelPodLabels(args.failoverName), "ScheduleAnyway"),
            exporter,
        },
    };
}
