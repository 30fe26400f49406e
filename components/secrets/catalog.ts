// What Vault holds for the lab and who may read it: every part's entries (PartOperations.vaultEntries) as one
// catalog, the one place the OpenBao policies, the seeding PushSecrets and the reading namespaces derive from.
import type { PartOperations } from "../contracts/operations";
import { VAULT_ENTRY_ORDER, type VaultEntries, type VaultEntry, type VaultEntryName } from "../contracts/vault";
import { VAULT } from "./facts";

/**
 * The lab's entries, every part's, in VAULT_ENTRY_ORDER (the policies' order), each read by its owner's readers and
 * then by the namespaces other parts read it from (vaultReads, in the parts' order). Refuses an entry two parts
 * declare (the paths and readers would disagree), a name outside the order (the policies would leave it out), and a
 * read of an entry no part declares.
 */
export function vaultCatalog(parts: readonly Pick<PartOperations, "vaultEntries" | "vaultReads">[]): VaultEntries {
    const found = new Map<string, VaultEntry>();
    for (const part of parts) {
        for (const [name, entry] of Object.entries(part.vaultEntries) as [string, VaultEntry][]) {
            if (found.has(name)) {
                throw new Error(`vaultCatalog: two parts declare the Vault entry ${name}`);
            }
            if (!(VAULT_ENTRY_ORDER as readonly string[]).includes(name)) {
                throw new Error(`vaultCatalog: ${name} is not in VAULT_ENTRY_ORDER (components/contracts/vault.ts)`);
            }
            found.set(name, entry);
        }
    }
    for (const read of parts.flatMap((part) => part.vaultReads)) {
        const entry = found.get(read.entry);
        if (entry === undefined) {
            throw new Error(`vaultCatalog: ${read.namespace} reads the Vault entry ${read.entry}, which no part declares`);
        }
        found.set(read.entry, { ...entry, readers: [...entry.readers, read.namespace] });
    }
    return Object.fromEntries(VAULT_ENTRY_ORDER.filter((name) => found.has(name)).map((name) => [name, found.get(name)])) as VaultEntries;
}

/** The catalog's entries with their names, in its order. */
export function catalogEntries(entries: VaultEntries): [VaultEntryName, VaultEntry][] {
    return Object.entries(entries) as [VaultEntryName, VaultEntry][];
}

/** The namespaces that read from Vault: each gets one SecretStore, one ServiceAccount and one Vault role. */
export function readerNamespaces(entries: VaultEntries): string[] {
    return [...new Set(catalogEntries(entries).flatMap(([, e]) => e.readers))].sort();
}

/** The Secret in the `vault` namespace Pulumi writes the generated values into, for the PushSecrets to push. */
export const VAULT_SEED_SECRET = { namespace: VAULT.namespace, name: "vault-seed" } as const;
