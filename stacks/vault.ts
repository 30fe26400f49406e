// The lab's Vault catalog: every part's entries (PartOperations.vaultEntries) as one, for the stack, the verify
// program and the tests. The secrets layer (policies, roles, seeds, reading namespaces) derives from it.
import type { VaultEntries } from "../components/contracts/vault";
import { vaultCatalog } from "../components/secrets/catalog";
import { PARTS } from "./parts";

export const LAB_VAULT_ENTRIES: VaultEntries = vaultCatalog(PARTS);
