// The environment Shlink gets: pure, so tests check every variable against the ones Shlink reads.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { SHLINK } from "./facts";

/** Keys of the Secret in Shlink's namespace; every credential reaches the pod through it, never as a plain value. */
export const SHLINK_SECRET_KEYS = {
    dbPassword: "db-password",
    /** The whole REDIS_SERVERS value, since it carries the password. */
    redisServers: "redis-servers",
    initialApiKey: "initial-api-key",
} as const;

export interface ShlinkEnvArgs {
    database: { host: pulumi.Input<string>; port: number; name: string; user: string };
    /** Host (and port) users reach Shlink on, and whether over HTTPS: the short URLs the API returns use it. */
    publicDomain?: { host: string; https: boolean };
    /** Name of the Secret holding SHLINK_SECRET_KEYS. */
    secretName: pulumi.Input<string>;
}

/**
 * Shlink's env: PostgreSQL through the primary Service, Redis (cache and distributed locks) through the
 * master Service, the first API key, and fixed worker counts.
 */
export function shlinkEnv(args: ShlinkEnvArgs): k8s.types.input.core.v1.EnvVar[] {
    const fromSecret = (name: string, key: string): k8s.types.input.core.v1.EnvVar => ({
        name,
        valueFrom: { secretKeyRef: { name: args.secretName, key } },
    });
    return [
        { name: "DB_DRIVER", value: "postgres" },
        { name: "DB_HOST", value: args.database.host },
        { name: "DB_PORT", value: String(args.database.port) },
        { name: "DB_NAME", value: args.database.name },
        { name: "DB_USER", value: args.database.user },
        fromSecret("DB_PASSWORD", SHLINK_SECRET_KEYS.dbPassword),
        // PGO's pg_hba accepts only TLS connections from other pods (internal/postgres/hba.go at v6.0.3).
        { name: "DB_USE_ENCRYPTION", value: "true" },
        // Set means cache and locks in Redis (Shlink's config/autoload/locks.global.php picks the Redis store).
        fromSecret("REDIS_SERVERS", SHLINK_SECRET_KEYS.redisServers),
        // Read at start by the image's entrypoint: creates this API key when none exists yet.
        fromSecret("INITIAL_API_KEY", SHLINK_SECRET_KEYS.initialApiKey),
        // Unset, Shlink 4.6 answers short URLs as https://<empty host>/<code>.
        ...(args.publicDomain === undefined
            ? []
            : [
                  { name: "DEFAULT_DOMAIN", value: args.publicDomain.host },
                  { name: "IS_HTTPS_ENABLED", value: String(args.publicDomain.https) },
              ]),
        { name: "LOGS_FORMAT", value: "json" },
        // RoadRunner worker pools (config/roadrunner/.rr.yml); unset means one per node CPU.
        { name: "WEB_WORKER_NUM", value: String(SHLINK.webWorkers) },
        { name: "TASK_WORKER_NUM", value: String(SHLINK.taskWorkers) },
    ];
}

/**
 * The address Shlink's REDIS_SERVERS takes: one master, password inside the URI. Shlink 4.6 (shlink-common
 * 7.2 `RedisFactory`) applies REDIS_SERVERS_PASSWORD only in Sentinel mode, and several addresses would
 * make Predis assume Redis Cluster. The password is letters and digits, or ESO template actions only
 * (`{{ .redisPassword }}`, the Redis connection's passwordTemplate) that render to a generated one (no URL-encoding needed).
 */
export function redisServersUri(host: string, port: number, password: string): string {
    if (!/^(?:[A-Za-z0-9]+|(?:\{\{ [^{}@]+ \}\})+)$/.test(password)) {
        throw new Error("redisServersUri: the password must be letters and digits, or it needs URL-encoding.");
    }
    return `tcp://:${password}@${host}:${port}`;
}
