// What a namespace needs to read its credentials from Vault, as External Secrets objects: a ServiceAccount, a
// SecretStore, ExternalSecrets (pure spec builders, tested directly, and the resources). Every reading part uses
// it; the entries it reads come from the stack (VaultAccess.entries), each part's. A shared room: it imports no part.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { VaultAccess, VaultEntries, VaultEntry, VaultRead } from "../contracts/vault";
import { SECRET_DELIVERY, VAULT_CLIENT_SERVICE_ACCOUNT, VAULT_ENDPOINT, VAULT_ROLES } from "../contracts/vault";
import { childName } from "./names";
import { serviceUrl } from "./serviceNames";
import { WAIT_FOR_READY } from "./wait";

/** API versions of the ESO kinds at chart 2.9.0: PushSecret is served only as v1alpha1. */
export const ESO_API = {
    secretStore: { apiVersion: "external-secrets.io/v1", kind: "SecretStore" },
    externalSecret: { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret" },
    pushSecret: { apiVersion: "external-secrets.io/v1alpha1", kind: "PushSecret" },
} as const;

/** Where every store reaches Vault: the chart's `openbao-active` Service, which follows the Raft leader. */
export function vaultServerUrl(): string {
    return serviceUrl(VAULT_ENDPOINT.activeService, VAULT_ENDPOINT.namespace, VAULT_ENDPOINT.apiPort);
}

/** A namespaced SecretStore on Vault's KV v2 at `secret/`, logging in with Kubernetes auth as `role`. */
export function secretStoreSpec(role: string) {
    return {
        provider: {
            vault: {
                server: vaultServerUrl(),
                path: VAULT_ENDPOINT.kvMount,
                version: "v2",
                auth: {
                    kubernetes: {
                        mountPath: VAULT_ENDPOINT.kubernetesAuthPath,
                        role,
                        // The namespace's own ServiceAccount, not ESO's: Vault's role binds exactly this one.
                        serviceAccountRef: { name: VAULT_CLIENT_SERVICE_ACCOUNT },
                    },
                },
            },
        },
    };
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
export function externalSecretSpec(target: string, reads: readonly VaultRead[], entries: VaultEntries, options: TargetOptions = {}) {
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
            const entry: VaultEntry | undefined = entries[read.entry];
            if (entry === undefined) {
                throw new Error(`externalSecretSpec: no part declares the Vault entry ${read.entry}`);
            }
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

/** A reading namespace's store, for its ExternalSecrets to name and wait for. */
export interface VaultReader {
    namespace: pulumi.Output<string>;
    store: k8s.apiextensions.CustomResource;
    access: VaultAccess;
}

/**
 * The ServiceAccount `vault-client` and the SecretStore `vault` of one namespace, logging in as `reader-<ns>`
 * (the Vault role that may read exactly this namespace's paths). Created after Vault is ready and seeded.
 */
export function vaultReader(
    component: string,
    namespace: pulumi.Output<string>,
    access: VaultAccess,
    parent: pulumi.Resource,
    namespaceReady: pulumi.Input<pulumi.Resource>[] = [],
): VaultReader {
    const account = new k8s.core.v1.ServiceAccount(
        childName(component, "vault-client"),
        { metadata: { name: VAULT_CLIENT_SERVICE_ACCOUNT, namespace } },
        // A namespace another layer creates (given as a name, not an Output of it) must exist first.
        { parent, dependsOn: namespaceReady },
    );
    const store = new k8s.apiextensions.CustomResource(
        childName(component, "vault-store"),
        {
            ...ESO_API.secretStore,
            metadata: { name: SECRET_DELIVERY.storeName, namespace },
            spec: namespace.apply((ns) => secretStoreSpec(VAULT_ROLES.reader(ns))),
        },
        // The CRD comes with the ESO release; Vault must be up and seeded before a store can log in.
        { parent, dependsOn: afterSeeded(access, [account]) },
    );
    return { namespace, store, access };
}

/** An ExternalSecret writing `target` in the reader's namespace (after `after`); Pulumi waits until ESO reports it synced. */
export function externalSecret(
    name: string,
    reader: VaultReader,
    target: string,
    reads: readonly VaultRead[],
    options: TargetOptions & { parent: pulumi.Resource; after?: pulumi.Resource[] },
): k8s.apiextensions.CustomResource {
    const { parent, after = [], ...targetOptions } = options;
    return new k8s.apiextensions.CustomResource(
        name,
        {
            ...ESO_API.externalSecret,
            metadata: { name: target, namespace: reader.namespace, annotations: { ...WAIT_FOR_READY } },
            spec: externalSecretSpec(target, reads, reader.access.entries, targetOptions),
        },
        // Its store, and the values it reads already in Vault, or it would wait on an empty path.
        { parent, dependsOn: afterSeeded(reader.access, [reader.store, ...after]) },
    );
}

/** The ESO release, the seed and `also`, as one dependsOn (the seed's pushes are known only once it exists). */
function afterSeeded(access: VaultAccess, also: pulumi.Resource[]): Promise<pulumi.Resource[]> {
    return Promise.resolve(access.seeded).then((seeded) => [access.operator, ...also, ...seeded]);
}
