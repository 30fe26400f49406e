import type { PartOperations } from "../contracts/operations";
import { budgetLine, type BudgetLine } from "../contracts/budget";
import { openbaoValues } from "./openbaoValues";

/** OpenBao's server pods (injector off, so not counted). */
function vaultBudget(): BudgetLine[] {
    const placeholder = "placeholder";
    const values = openbaoValues({ sealKeySecret: placeholder, adminSecret: placeholder, selfInitConfigMap: placeholder });
    return [budgetLine("vault/openbao", values.server.resources, values.server.ha.replicas)];
}

export const secretsOperations: PartOperations = { vaultEntries: {}, budget: vaultBudget };
