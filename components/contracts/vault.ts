// The lab's Vault entries as a typed vocabulary: which entries exist and their properties (so a read or a seed
// with a wrong property does not compile), and what an entry is. The parts own the entries themselves (path,
// readers: PartOperations.vaultEntries); the secrets layer derives the policies, roles and seeds from them, the
// reading parts build their ExternalSecrets with components/kubernetes/externalSecrets.ts.
// A shared contract: it imports no part.
import type * as pulumi from "@pulumi/pulumi";

/** Every entry of the lab by name, and its properties. */
export interface VaultEntryProperties {
    /** Shlink's first API key. */
    shlinkApiKey: "apiKey";
    /** The `shlink` database user's password and the SCRAM verifier PGO adopts. */
    postgresShlinkUser: "password" | "verifier";
    /** Redis' requirepass (the redis pods, the sentinels and Shlink), the one before it and their generation (rotation). */
    redisAuth: "password" | "previousPassword" | "generation";
    /** Grafana's admin login (Grafana itself, and Kiali logging into it). */
    grafanaAdmin: "user" | "password";
    /** The off-site pgBackRest repository's S3 keys and its cipher passphrase (only with homelab:offsiteBackup* set). */
    postgresOffsiteBackup: "accessKey" | "secretKey" | "cipherPass";
}

/** One application secret: an entry by name. */
export type VaultEntryName = keyof VaultEntryProperties;

/** The entries seeded only when their feature is on (their values exist only then). */
export type OptionalVaultEntryName = "postgresOffsiteBackup";

/**
 * The order the policies list the entries in (OpenBao's self-init text, seeded once: a reorder would change it),
 * whichever part owns each. tests/secrets/catalog.test.ts holds it to the names above.
 */
export const VAULT_ENTRY_ORDER = [
    "shlinkApiKey",
    "postgresShlinkUser",
    "redisAuth",
    "grafanaAdmin",
    "postgresOffsiteBackup",
] as const satisfies readonly VaultEntryName[];

/** One KV v2 entry under `secret/`: its path, its properties, and the namespaces whose store may read it. */
export interface VaultEntry<P extends string = string> {
    /** Path below the KV mount, e.g. `shlink/app` (read as `secret/data/shlink/app`). */
    readonly path: string;
    /** Properties of the entry (each a key of the seed Secret named `<path with / as ->-<property>`). */
    readonly properties: readonly P[];
    /**
     * Namespaces whose SecretStore role gets `read` on this path, and nothing else: the owner's in its part; the catalog
     * adds those other parts read it from (PartOperations.vaultReads).
     */
    readonly readers: readonly string[];
    /** Seeded only when its feature is on (its values exist only then); the policies name it either way. */
    readonly optional?: boolean;
}

/** Entries by name, each with its own properties; an optional one says so. A part's (PartOperations.vaultEntries), or the lab's catalog. */
export type VaultEntries = {
    readonly [N in VaultEntryName]?: VaultEntry<VaultEntryProperties[N]> &
        (N extends OptionalVaultEntryName ? { readonly optional: true } : { readonly optional?: false });
};

type EntryValues<N extends VaultEntryName> = { [P in VaultEntryProperties[N]]: pulumi.Input<string> };

/** Every property of every entry (an optional one's when its feature is on): the values Pulumi generated, each a secret. */
export type SeedValues = { [N in Exclude<VaultEntryName, OptionalVaultEntryName>]: EntryValues<N> } & { [N in OptionalVaultEntryName]?: EntryValues<N> };

/** One value an ExternalSecret reads: `secretKey` in the target (or template) from an entry's property. */
export type VaultRead = { [N in VaultEntryName]: { secretKey: string; entry: N; property: VaultEntryProperties[N] } }[VaultEntryName];

/** What every reading namespace waits for, handed down from the stack. */
export interface VaultAccess {
    /** The ESO release: it installs the external-secrets.io CRDs. */
    operator: pulumi.Resource;
    /** Vault ready and every value pushed into it (the seed's PushSecrets, Ready); a promise while the seed is built later. */
    seeded: PromiseLike<pulumi.Resource[]> | pulumi.Resource[];
    /** The lab's entries (every part's): where each read's path comes from. */
    entries: VaultEntries;
}

/** Vault role (and policy) names: `reader-<namespace>` for each reading namespace, `seeder` for the pushes. */
export const VAULT_ROLES = {
    reader: (namespace: string) => `reader-${namespace}`,
    seeder: "seeder",
} as const;

/** The ServiceAccount each reading namespace's SecretStore authenticates as (and the seeder's, in `vault`). */
export const VAULT_CLIENT_SERVICE_ACCOUNT = "vault-client";

/**
 * Where every reading namespace's SecretStore finds Vault (the secrets part's VAULT is built on it): the active
 * server's Service (the chart's `openbao-active` follows the leader), its API port, the KV version 2 mount at
 * `secret/` and Kubernetes auth at `auth/kubernetes`.
 */
export const VAULT_ENDPOINT = {
    namespace: "vault",
    activeService: "openbao-active",
    apiPort: 8200,
    kvMount: "secret",
    kubernetesAuthPath: "kubernetes",
} as const;

/** How application secrets travel from Vault into the namespaces (ESO) and back into the pods (Reloader). */
export const SECRET_DELIVERY = {
    /** Name of the namespaced SecretStore in every namespace that talks to Vault (readers and the seeder's). */
    storeName: "vault",
    /** How often ESO re-reads Vault and re-pushes the seed: a rotation reaches the pods within minutes. */
    refreshInterval: "1m",
    /** Reloader's annotation: the listed Secrets (comma-separated) restart the workload carrying it. */
    reloadAnnotation: "secret.reloader.stakater.com/reload",
} as const;
