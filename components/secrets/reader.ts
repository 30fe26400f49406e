// What a namespace needs to read its credentials from Vault: a ServiceAccount, a SecretStore, ExternalSecrets.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SECRET_DELIVERY } from "../defaults";
import { childName } from "../kubernetes/names";
import { VAULT_CLIENT_SERVICE_ACCOUNT, VAULT_ROLES } from "./catalog";
import { WAIT_FOR_READY } from "../kubernetes/wait";
import { ESO_API, externalSecretSpec, secretStoreSpec, type TargetOptions, type VaultRead } from "./eso";

/** What every reading namespace waits for, handed down from the stack. */
export interface VaultAccess {
    /** The ESO release: it installs the external-secrets.io CRDs. */
    operator: pulumi.Resource;
    /** Vault ready and every value pushed into it (the seed's PushSecrets, Ready); a promise while the seed is built later. */
    seeded: PromiseLike<pulumi.Resource[]> | pulumi.Resource[];
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
            spec: externalSecretSpec(target, reads, targetOptions),
        },
        // Its store, and the values it reads already in Vault, or it would wait on an empty path.
        { parent, dependsOn: afterSeeded(reader.access, [reader.store, ...after]) },
    );
}

/** The ESO release, the seed and `also`, as one dependsOn (the seed's pushes are known only once it exists). */
function afterSeeded(access: VaultAccess, also: pulumi.Resource[]): Promise<pulumi.Resource[]> {
    return Promise.resolve(access.seeded).then((seeded) => [access.operator, ...also, ...seeded]);
}
