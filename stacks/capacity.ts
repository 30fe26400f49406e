// Capacity planning over the whole platform, above the config loader: the loader parses the keys
// (components/config), this sums what every part requests (stacks/budget.ts) and tells the loader what the
// nodes lack, through the CapacityPlan it is handed (index.ts), so a platform that cannot fit is refused with the
// other config problems, before any resource exists.
import { budgetTotals, platformBudget, podCapacity } from "./budget";
import type { CapacityPlan, GitopsConfig, NodeSpec, PlatformConfig } from "../components/config";
import { NODE_RESERVE } from "../components/k3s/facts";

/**
 * Refuses VMs too small for what the platform requests with one node drained (an upgrade, a lost VM): the
 * other nodes, less what K3s and Ubuntu keep on each, must hold every request (stacks/budget.ts, the
 * same sum tests/budget.test.ts proves equal to what the program sends). Each resource is checked against
 * the node whose loss costs the most of it. A single node has nothing to drain: it must hold everything.
 */
export function drainedCapacityProblems(nodes: NodeSpec[], platform: PlatformConfig, gitops: Pick<GitopsConfig, "argocd">, offsiteBackup = false): string[] {
    if (nodes.length === 0) {
        return [];
    }
    const problems: string[] = [];
    const remaining = Math.max(nodes.length - 1, 1);
    const need = budgetTotals(platformBudget({ shlinkReplicas: platform.shlinkReplicas, nodeCount: remaining, argocd: gitops.argocd, offsiteBackup }));
    const resources = [
        { key: "cpu", unit: "m CPU", fix: "vmCores (or a node's cores)" },
        { key: "memory", unit: " MiB of memory", fix: "vmMemoryMiB (or a node's memoryMiB)" },
    ] as const;
    for (const { key, unit, fix } of resources) {
        const capacities = nodes.map((node) => ({ node, have: podCapacity(node)[key] }));
        const drained = nodes.length > 1 ? capacities.reduce((max, c) => (c.have > max.have ? c : max)) : undefined;
        const have = capacities.filter((c) => c !== drained).reduce((sum, c) => sum + c.have, 0);
        if (need[key] > have) {
            const which = drained ? `With ${drained.node.name} drained, the other ${remaining} node(s) leave` : `The single node ${nodes[0].name} leaves`;
            problems.push(
                `${which} ${have}${unit} for pods (after ${NODE_RESERVE.cpuMillicores}m CPU and ${NODE_RESERVE.memoryMiB} MiB ` +
                    `per node for K3s and Ubuntu), but the platform requests ${need[key]}${unit}: ${need[key] - have}${unit} ` +
                    `missing. Raise homelab:${fix}, or add two nodes.`,
            );
        }
    }
    return problems;
}

/** What the cluster's other nodes must leave for pods with one of `nodeCount` drained (cluster mode cannot see node sizes). */
export function drainedBudgetNote(nodeCount: number, platform: PlatformConfig, gitops: Pick<GitopsConfig, "argocd">, offsiteBackup = false): string {
    const remaining = nodeCount - 1;
    const need = budgetTotals(platformBudget({ shlinkReplicas: platform.shlinkReplicas, nodeCount: remaining, argocd: gitops.argocd, offsiteBackup }));
    return (
        `The platform requests ${need.cpu}m CPU and ${need.memory} MiB of memory with one of homelab:nodeCount ${nodeCount} nodes drained: ` +
        `the other ${remaining} must have that free for pods, which this stack cannot check on a cluster it did not make.`
    );
}

/** The plan the config loader is handed: the drained-node checks above. */
export const capacityPlan: CapacityPlan = { drainedProblems: drainedCapacityProblems, drainedNote: drainedBudgetNote };
