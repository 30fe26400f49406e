// External Secrets objects as pure builders: the stores, the seed's pushes and the ExternalSecrets, tested directly.
import type * as pulumi from "@pulumi/pulumi";
import { SECRET_DELIVERY, VAULT } from "../defaults";
import { serviceUrl } from "../kubernetes/serviceNames";
import { VAULT_CLIENT_SERVICE_ACCOUNT, VAULT_ENTRIES, type VaultEntry } from "./catalog";

/** API versions of the ESO kinds at chart 2.9.0: PushSecret is served only as v1alpha1. */
export const ESO_API = {
    secretStore: { apiVersion: "external-secrets.io/v1", kind: "SecretStore" },
    externalSecret: { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret" },
    pushSecret: { apiVersion: "external-secrets.io/v1alpha1", kind: "PushSecret" },
} as const;

/** Where every store reaches Vault: the chart's `openbao-active` Service, which follows the Raft leader. */
export function vaultServerUrl(): string {
    return serviceUrl(VAULT.activeService, VAULT.namespace, VAULT.apiPort);
}

/** One application secret: a catalog entry by name. */
export type VaultEntryName = keyof typeof VAULT_ENTRIES;

/** Key of one property in the seed Secret: `<path with / as ->-<property>` (the catalog's contract). */
export function seedKey(entry: VaultEntry, property: string): string {
    return `${entry.path.replace(/\//g, "-")}-${property}`;
}

/** A namespaced SecretStore on Vault's KV v2 at `secret/`, logging in with Kubernetes auth as `role`. */
export function secretStoreSpec(role: string) {
    return {
        provider: {
            vault: {
                server: vaultServerUrl(),
                path: VAULT.kvMount,
                version: "v2",
                auth: {
                    kubernetes: {
                        mountPath: VAULT.kubernetesAuthPath,
                        role,
                        // The namespace's own ServiceAccount, not ESO's: Vault's role binds exactly this one.
                        serviceAccountRef: { name: VAULT_CLIENT_SERVICE_ACCOUNT },
                    },
                },
            },
        },
    };
}

/** The PushSecret of one entry: every property from the seed Secret to its path, replaced when the seed changes. */
export function pushSecretSpec(entry: VaultEntry, seedSecret: string) {
    return {
        refreshInterval: SECRET_DELIVERY.refreshInterval,
        updatePolicy: "Replace",
        // Removing the push leaves the value in Vault: readers keep working until they are removed too.
        deletionPolicy: "None",
        secretStoreRefs: [{ name: SECRET_DELIVERY.storeName, kind: ESO_API.secretStore.kind }],
        selector: { secret: { name: seedSecret } },
        data: entry.properties.map((property) => ({
            match: { secretKey: seedKey(entry, property), remoteRef: { remoteKey: entry.path, property } },
        })),
    };
}

/** One value an ExternalSecret reads: `secretKey` in the target (or template) from a catalog entry's property. */
export interface VaultRead {
    secretKey: string;
    entry: VaultEntryName;
    property: string;
}

/** How the target Secret is written: ESO's creation policy, labels it carries, and templated keys (engine v2). */
export interface TargetOptions {
    /** `Owner` (default): ESO owns and writes the whole Secret. */
    creationPolicy?: "Owner" | "CreateOrMerge";
    labels?: Record<string, string>;
    /** Keys rendered from the reads (`{{ .<secretKey> }}`); without it each read is a key of the target. */
    template?: Record<string, pulumi.Input<string>>;
}

/** An ExternalSecret's spec: reads from the namespace's store into `target`, re-read every refresh interval. */
export function externalSecretSpec(target: string, reads: readonly VaultRead[], options: TargetOptions = {}) {
    const templated = options.template !== undefined || options.labels !== undefined;
    return {
        refreshInterval: SECRET_DELIVERY.refreshInterval,
        secretStoreRef: { name: SECRET_DELIVERY.storeName, kind: ESO_API.secretStore.kind },
        target: {
            name: target,
            creationPolicy: options.creationPolicy ?? "Owner",
            ...(templated
                ? {
                      template: {
                          engineVersion: "v2",
                          type: "Opaque",
                          ...(options.labels ? { metadata: { labels: options.labels } } : {}),
                          ...(options.template ? { data: options.template } : {}),
                      },
                  }
                : {}),
        },
        data: reads.map((read) => {
            const entry: VaultEntry = VAULT_ENTRIES[read.entry];
            if (!entry.properties.includes(read.property)) {
                throw new Error(`externalSecretSpec: ${entry.path} has no property ${read.property}`);
            }
            return { secretKey: read.secretKey, remoteRef: { key: entry.path, property: read.property } };
        }),
    };
}

/** A Go-template reference to one read, for `TargetOptions.template`. */
export function templateRef(secretKey: string): string {
    return `{{ .${secretKey} }}`;
}

/** Reloader's annotation: the workload restarts when any of these Secrets (in its namespace) changes. */
export function reloadOnSecrets(...secrets: string[]): Record<string, string> {
    return { [SECRET_DELIVERY.reloadAnnotation]: [...secrets].sort().join(",") };
}
