// The platform's resource budget: every part's requests (PartOperations.budget), summed for the config loader's
// capacity check (stacks/capacity.ts). tests/budget.test.ts proves the lines equal what the program actually sends.
import type { BudgetLine, BudgetPlan } from "../components/contracts/budget";
import type { Part } from "../components/contracts/part";
import { NODE_RESERVE } from "../components/k3s/facts";
import { PARTS } from "./parts";

/** Every request of the platform, one line per kind of pod, each part's from its own builders, in the parts' order. */
export function platformBudget(plan: BudgetPlan, parts: readonly Pick<Part, "name" | "budget">[] = PARTS): BudgetLine[] {
    return parts.flatMap((part) => part.budget(plan));
}

/** Total CPU (millicores) and memory (MiB) of the lines. */
export function budgetTotals(lines: readonly BudgetLine[]): { cpu: number; memory: number } {
    return {
        cpu: lines.reduce((sum, l) => sum + l.cpu * l.count, 0),
        memory: lines.reduce((sum, l) => sum + l.memory * l.count, 0),
    };
}

/** What the pods of one node may request: the VM less what K3s and Ubuntu keep. */
export function podCapacity(node: { cores: number; memoryMiB: number }): { cpu: number; memory: number } {
    return { cpu: node.cores * 1000 - NODE_RESERVE.cpuMillicores, memory: node.memoryMiB - NODE_RESERVE.memoryMiB };
}
