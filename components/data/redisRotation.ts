// The Redis password rotation step, as a pure builder tested by running it (tests/data/redisRotation.test.ts).
// Why this shape (redis-operator v1.2.4, Redis 7.2): the operator writes requirepass/masterauth only into its
// ConfigMap (generator.go generateRedisConfigMap), read at pod start; running pods keep the old password, and the
// operator's own checks (IsMaster with the Secret's password) then fail until they accept the new one. Redis' ACL
// lets `default` hold both passwords (`ACL SETUSER default >new` adds; CONFIG SET requirepass would replace), so
// old and new clients work side by side. Removing the old password from a running pod is NOT done here: its
// readiness probe, exporter and preStop authenticate with REDIS_PASSWORD from the pod's environment (the old one
// until it restarts), so the old password leaves with the pods, restarted by the operator.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { RedisClientRotation } from "../contracts/connections";
import { POD_PORTS, REDIS, REDIS_ROTATION } from "./facts";
import { resourceRequirements } from "../kubernetes/resources";

/** Keys of the mounted auth Secret the script reads: the current and previous passwords, and their generation. */
export const REDIS_ROTATION_FILES = { password: "password", previous: "previousPassword", generation: "generation" } as const;

/** The operator's sentinel Service for a failover (service/names.go GetSentinelName: `rfs-<name>`). */
export function redisSentinelServiceName(failoverName: string): string {
    return `rfs-${failoverName}`;
}

/**
 * Shell lines waiting, bounded, until `file` (a mounted Secret's key: it follows External Secrets after a kubelet
 * sync) holds $GENERATION; exit 1 when it never does.
 */
function waitForGeneration(file: string): string {
    const attempts = Math.ceil(REDIS_ROTATION.waitSeconds / REDIS_ROTATION.pollSeconds);
    return `# The mounted Secret follows External Secrets after a kubelet sync: wait for this generation, bounded.
tries=0
until [ "$(cat "${file}" 2>/dev/null || true)" = "$GENERATION" ]; do
    tries=$((tries + 1))
    if [ "$tries" -gt ${attempts} ]; then
        echo "rotation: the Secret never showed generation $GENERATION (External Secrets synced?)" >&2
        exit 1
    fi
    sleep ${REDIS_ROTATION.pollSeconds}
done
`;
}

/** The client-side Job's script: waits until the client's Secret has switched to $GENERATION (nothing else). */
export function redisClientWaitScript(): string {
    return `#!/bin/sh
# Proves a client's Secret switched to the new Redis password before Pulumi rolls the client (see redisRotation.ts).
set -eu
: "\${GENERATION:?}"
${waitForGeneration(`${REDIS_ROTATION.authMountPath}/${REDIS_ROTATION.clientGenerationKey}`)}echo "rotation: the Secret holds generation $GENERATION"
`;
}

/**
 * The Job's script (busybox sh of the redis image). Environment: GENERATION (the one expected), SENTINEL_HOST,
 * SENTINEL_PORT, REDIS_PORT. Waits until the mounted Secret holds GENERATION, then, on every redis pod (the master
 * Sentinel names and the replicas the master lists): adds the new password, keeping the old one; then sets
 * masterauth to the new one; then every sentinel connected to the master gets auth-pass (SENTINEL SET). Passwords
 * go to redis-cli through REDISCLI_AUTH and stdin (`-x`), never its arguments. Idempotent: a retry authenticates
 * with whichever password a pod accepts.
 */
export function redisRotationScript(): string {
    const f = REDIS_ROTATION_FILES;
    return `#!/bin/sh
# Rotates the Redis password without a restart: new one added next to the old one everywhere (see redisRotation.ts).
set -eu

auth_dir="${REDIS_ROTATION.authMountPath}"
master_name="${REDIS_ROTATION.sentinelMasterName}"
: "\${GENERATION:?}" "\${SENTINEL_HOST:?}" "\${SENTINEL_PORT:?}" "\${REDIS_PORT:?}"

${waitForGeneration(`${REDIS_ROTATION.authMountPath}/${f.generation}`)}new=$(cat "$auth_dir/${f.password}")
old=$(cat "$auth_dir/${f.previous}")

# cli PASSWORD HOST PORT ARGS...: the password reaches redis-cli through its environment only.
cli() {
    pw=$1 host=$2 port=$3
    shift 3
    REDISCLI_AUTH=$pw redis-cli --no-auth-warning -h "$host" -p "$port" "$@"
}

# The password this pod accepts now: the new one once added (a retry), else the old one.
accepted() {
    if [ "$(cli "$new" "$1" "$2" PING 2>/dev/null)" = "PONG" ]; then
        printf '%s' "$new"
    elif [ "$(cli "$old" "$1" "$2" PING 2>/dev/null)" = "PONG" ]; then
        printf '%s' "$old"
    else
        echo "rotation: $1:$2 accepts neither password" >&2
        return 1
    fi
}

master=$(redis-cli -h "$SENTINEL_HOST" -p "$SENTINEL_PORT" SENTINEL get-master-addr-by-name "$master_name" | tr -d '\\r')
master_ip=$(echo "$master" | sed -n 1p)
[ -n "$master_ip" ] || { echo "rotation: Sentinel names no master" >&2; exit 1; }
master_auth=$(accepted "$master_ip" "$REDIS_PORT")
replicas=$(cli "$master_auth" "$master_ip" "$REDIS_PORT" INFO replication | tr -d '\\r' |
    sed -n 's/^slave[0-9]*:ip=\\([^,]*\\),port=\\([0-9]*\\),.*/\\1/p')
sentinels=$(cli "$master_auth" "$master_ip" "$REDIS_PORT" CLIENT LIST | tr -d '\\r' |
    sed -n 's/.* addr=\\([^ ]*\\):[0-9]* .*name=sentinel-[0-9a-f]*-cmd .*/\\1/p' | sort -u)
nodes="$master_ip $replicas"

# 1. Every redis pod accepts the new password too (old clients keep working).
for ip in $nodes; do
    auth=$(accepted "$ip" "$REDIS_PORT")
    printf '>%s' "$new" | cli "$auth" "$ip" "$REDIS_PORT" -x ACL SETUSER default on
done
# 2. Replicas authenticate to the master with the new one from their next connection.
for ip in $nodes; do
    printf '%s' "$new" | cli "$new" "$ip" "$REDIS_PORT" -x CONFIG SET masterauth
done
# 3. Every sentinel talks to the pods with the new one.
for ip in $sentinels; do
    printf '%s' "$new" | redis-cli -h "$ip" -p "$SENTINEL_PORT" -x SENTINEL SET "$master_name" auth-pass
done
echo "rotation: generation $GENERATION on $(echo "$nodes" | wc -w) redis pods and $(echo "$sentinels" | wc -w) sentinels"
`;
}

/**
 * The rotation Job's spec (in the failover's namespace, whose NetworkPolicy already lets any of its pods reach redis
 * and sentinel ports): the redis image, the script inline (no secret in it), the auth Secret mounted as files (they
 * follow External Secrets' updates, which the script waits for), Pod Security `restricted`. A few retries: the
 * script is idempotent.
 */
export function redisRotationJobSpec(args: { failoverName: string; authSecretName: string; generation: number }): k8s.types.input.batch.v1.JobSpec {
    return generationJobSpec(redisRotationScript(), args.authSecretName, [
        { name: "GENERATION", value: String(args.generation) },
        { name: "SENTINEL_HOST", value: redisSentinelServiceName(args.failoverName) },
        { name: "SENTINEL_PORT", value: String(POD_PORTS.sentinel) },
        { name: "REDIS_PORT", value: String(REDIS.port) },
    ]);
}

/** The Job in a client's namespace waiting for its Secret to hold `generation` (out of the mesh: a sidecar never exits). */
export function redisClientWaitJobSpec(args: { secretName: pulumi.Input<string>; generation: number }): k8s.types.input.batch.v1.JobSpec {
    return generationJobSpec(redisClientWaitScript(), args.secretName, [{ name: "GENERATION", value: String(args.generation) }], {
        "sidecar.istio.io/inject": "false",
    });
}

/** One pod running `script` in the redis image with `secretName` mounted read-only, Pod Security `restricted`. */
function generationJobSpec(
    script: string,
    secretName: pulumi.Input<string>,
    env: k8s.types.input.core.v1.EnvVar[],
    labels?: Record<string, string>,
): k8s.types.input.batch.v1.JobSpec {
    return {
        backoffLimit: 3,
        template: {
            ...(labels ? { metadata: { labels } } : {}),
            spec: {
                restartPolicy: "Never",
                // fsGroup makes the mounted Secret readable by the non-root user.
                securityContext: { runAsNonRoot: true, runAsUser: REDIS_ROTATION.uid, fsGroup: REDIS_ROTATION.uid, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "rotate",
                        image: REDIS.image,
                        command: ["sh", "-c", script],
                        env,
                        resources: resourceRequirements(REDIS_ROTATION.resources),
                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                        volumeMounts: [{ name: "auth", mountPath: REDIS_ROTATION.authMountPath, readOnly: true }],
                    },
                ],
                volumes: [{ name: "auth", secret: { secretName, defaultMode: 0o440 } }],
            },
        },
    };
}

/** The template keys a client's ExternalSecret reads redis/auth into, for redisClientPasswordTemplate. */
export const REDIS_CLIENT_TEMPLATE_KEYS = { password: "redisPassword", previous: "redisPreviousPassword", generation: "redisGeneration" } as const;

/**
 * The password a client's Secret holds (an ESO template): the current one only once `readyGeneration`, the generation
 * whose rotation Job Pulumi saw complete, is what Vault holds; until then the previous one, which every pod still
 * accepts. Vault gets a new generation at the start of an up, this template (and so the client) only after the Job.
 */
export function redisClientPasswordTemplate(readyGeneration: number): string {
    const k = REDIS_CLIENT_TEMPLATE_KEYS;
    return `{{ if eq .${k.generation} "${readyGeneration}" }}{{ .${k.password} }}{{ else }}{{ .${k.previous} }}{{ end }}`;
}

/**
 * The pod-template annotation of a rotated generation (none for the first password, so an upgrade restarts nothing):
 * on Shlink's Deployment, Pulumi rolls it and waits for the rollout; on the RedisFailover, the operator restarts the
 * redis pods (replicas, then the master after a Sentinel failover), which then accept only the new password.
 */
export function redisGenerationAnnotation(generation: number): Record<string, string> | undefined {
    return generation > 0 ? { [REDIS_ROTATION.generationAnnotation]: String(generation) } : undefined;
}

/** What a client's Secret says about the generation it holds (the key redisClientWaitScript reads). */
export function redisClientGenerationTemplate(readyGeneration: number): string {
    const k = REDIS_CLIENT_TEMPLATE_KEYS;
    return `{{ if eq .${k.generation} "${readyGeneration}" }}${readyGeneration}{{ else }}previous{{ end }}`;
}

/** What a client needs to follow the rotation to `readyGeneration`, handed over on the Redis connection. */
export function redisClientRotation(readyGeneration: number): RedisClientRotation {
    return {
        templateKeys: REDIS_CLIENT_TEMPLATE_KEYS,
        passwordTemplate: redisClientPasswordTemplate(readyGeneration),
        generationTemplate: redisClientGenerationTemplate(readyGeneration),
        generationKey: REDIS_ROTATION.clientGenerationKey,
        podAnnotations: redisGenerationAnnotation(readyGeneration),
        waitSeconds: REDIS_ROTATION.waitSeconds,
        waitJobSpec: (secretName) => redisClientWaitJobSpec({ secretName, generation: readyGeneration }),
    };
}
