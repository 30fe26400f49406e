// One quarter of a part's contract (components/contracts/part.ts): what the part asks of the platform's shared
// resources, the Vault entries it owns and the requests it adds to the budget. A shared contract: it imports no part.
import type { BudgetLine, BudgetPlan } from "./budget";
import type { VaultEntries, VaultEntryName } from "./vault";

/** One entry of another part, read from one of this part's namespaces. */
export interface VaultRead {
    entry: VaultEntryName;
    namespace: string;
}

export interface PartOperations {
    /** The Vault entries the part owns (their values, paths and readers): the secrets layer derives policies, roles and seeds from them. `{}` when none. */
    readonly vaultEntries: VaultEntries;
    /** Other parts' entries a namespace of this part reads (Shlink: its database user's, Redis' password): the catalog adds it to their readers. `[]` when none. */
    readonly vaultReads: readonly VaultRead[];
    /** The part's pods, one line per kind, from its own builders (what the layers send): stacks/budget.ts sums every part's. `[]` when none. */
    budget(plan: BudgetPlan): readonly BudgetLine[];
}
