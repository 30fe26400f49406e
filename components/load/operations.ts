import type { PartOperations } from "../contracts/operations";
import { budgetLine } from "../contracts/budget";
import { operatorValues } from "./manifests";

export const loadOperations: PartOperations = {
    vaultEntries: {},
    // Only the operator: a run's k6 pod (K6.runnerResources) exists while `npm run load` runs.
    budget: () => [budgetLine("load/k6-operator", (operatorValues().manager as Record<string, unknown>).resources, 1)],
};
