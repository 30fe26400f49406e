// What Vault holds for the lab and who may read it: one entry per application secret, the one place the OpenBao
// policies, the seeding PushSecrets and the ExternalSecrets are all derived from.
import { ISTIO, KUBE_PROMETHEUS_STACK, POSTGRES, REDIS, SHLINK, VAULT } from "../defaults";

/** One KV v2 entry under `secret/`: its path, its properties, and the namespaces whose store may read it. */
export interface VaultEntry {
    /** Path below the KV mount, e.g. `shlink/app` (read as `secret/data/shlink/app`). */
    path: string;
    /** Properties of the entry (each a key of the seed Secret named `<path with / as ->-<property>`). */
    properties: readonly string[];
    /** Namespaces whose SecretStore role gets `read` on this path, and nothing else. */
    readers: readonly string[];
    /** Seeded only when its feature is on (its values exist only then); the policies name it either way. */
    optional?: boolean;
}

/** Every application secret in Vault. Pulumi generates the values once; ESO pushes them in and pulls them out. */
export const VAULT_ENTRIES = {
    /** Shlink's first API key. */
    shlinkApiKey: { path: "shlink/api-key", properties: ["apiKey"], readers: [SHLINK.namespace] },
    /** The `shlink` database user's password and the SCRAM verifier PGO adopts. */
    postgresShlinkUser: { path: "postgres/shlink-user", properties: ["password", "verifier"], readers: [POSTGRES.namespace, SHLINK.namespace] },
    /** Redis' requirepass (the redis pods, the sentinels and Shlink), the one before it and their generation (rotation). */
    redisAuth: { path: "redis/auth", properties: ["password", "previousPassword", "generation"], readers: [REDIS.namespace, SHLINK.namespace] },
    /** Grafana's admin login (Grafana itself, and Kiali, whose CR lives in Istio's namespace, logging into it). */
    grafanaAdmin: { path: "monitoring/grafana-admin", properties: ["user", "password"], readers: [KUBE_PROMETHEUS_STACK.namespace, ISTIO.namespace] },
    /** The off-site pgBackRest repository's S3 keys and its cipher passphrase (only with homelab:offsiteBackup* set). */
    postgresOffsiteBackup: {
        path: "postgres/offsite-backup",
        properties: ["accessKey", "secretKey", "cipherPass"],
        readers: [POSTGRES.namespace],
        optional: true,
    },
} as const satisfies Record<string, VaultEntry>;

/** The namespaces that read from Vault: each gets one SecretStore, one ServiceAccount and one Vault role. */
export function readerNamespaces(): string[] {
    return [...new Set(Object.values(VAULT_ENTRIES).flatMap((e) => e.readers))].sort();
}

/** Vault role (and policy) names: `reader-<namespace>` for each reading namespace, `seeder` for the pushes. */
export const VAULT_ROLES = {
    reader: (namespace: string) => `reader-${namespace}`,
    seeder: "seeder",
} as const;

/** The ServiceAccount each reading namespace's SecretStore authenticates as (and the seeder's, in `vault`). */
export const VAULT_CLIENT_SERVICE_ACCOUNT = "vault-client";

/** The Secret in the `vault` namespace Pulumi writes the generated values into, for the PushSecrets to push. */
export const VAULT_SEED_SECRET = { namespace: VAULT.namespace, name: "vault-seed" } as const;
