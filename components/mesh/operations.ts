import type { PartOperations } from "../contracts/operations";
import { budgetLine, type BudgetLine, type BudgetPlan } from "../contracts/budget";
import { cniValues, gatewayValues, istiodValues } from "./values";

/** istiod, the ingress gateway and the CNI node agent, with the values the layer sends. */
function meshBudget(plan: BudgetPlan): BudgetLine[] {
    const istiod = istiodValues({ service: "placeholder", port: 1 });
    const gateway = gatewayValues([]);
    return [
        budgetLine("istio-system/istiod", istiod.resources, istiod.replicaCount),
        budgetLine("istio-ingress/gateway", gateway.resources, gateway.replicaCount),
        // A DaemonSet: one node agent on every node.
        budgetLine("istio-system/istio-cni", cniValues().resources, plan.nodeCount),
    ];
}

export const meshOperations: PartOperations = { vaultEntries: {}, budget: meshBudget };
