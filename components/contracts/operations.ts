// One quarter of a part's contract (components/contracts/part.ts): what the part asks of the platform's shared
// resources, the Vault entries it owns and the requests it adds to the budget. A shared contract: it imports no part.
import type { BudgetLine, BudgetPlan } from "./budget";
import type { VaultEntries } from "./vault";

export interface PartOperations {
    /** The Vault entries the part owns (their values, paths and readers): the secrets layer derives policies, roles and seeds from them. `{}` when none. */
    readonly vaultEntries: VaultEntries;
    /** The part's pods, one line per kind, from its own builders (what the layers send): stacks/budget.ts sums every part's. `[]` when none. */
    budget(plan: BudgetPlan): readonly BudgetLine[];
}
