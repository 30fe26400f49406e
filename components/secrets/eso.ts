// The seed's External Secrets pieces as pure builders, tested directly: the key of each value in the seed Secret
// and the PushSecret of each entry. The stores and ExternalSecrets every reading part uses: kubernetes/externalSecrets.ts.
import { SECRET_DELIVERY, type VaultEntry } from "../contracts/vault";
import { ESO_API } from "../kubernetes/externalSecrets";

/** Key of one property in the seed Secret: `<path with / as ->-<property>` (the catalog's contract). */
export function seedKey(entry: VaultEntry, property: string): string {
    return `${entry.path.replace(/\//g, "-")}-${property}`;
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
