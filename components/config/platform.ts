// Sizes of the data layer and Shlink, and the checks that the nodes hold its volumes and its requests.
import { budgetTotals, platformBudget, podCapacity } from "../budget";
import { K3S_SERVER_MINIMUMS, NODE_RESERVE, SHLINK } from "../defaults";
import { Reader } from "./read";
import type { Checked, GitopsConfig, NodeSpec, PlatformConfig } from "./types";

export function validatePlatform(h: Record<string, unknown>): Checked<PlatformConfig> {
    const read = new Reader(h);
    const platform = {
        shlinkReplicas: read.int("shlinkReplicas", SHLINK.minAvailable + 1, 12),
        postgresVolumeGiB: read.int("postgresVolumeGiB", 1, 16_384),
        postgresBackupVolumeGiB: read.int("postgresBackupVolumeGiB", 1, 16_384),
        postgresBackupRetentionFull: read.int("postgresBackupRetentionFull", 1, 30),
        redisVolumeGiB: read.int("redisVolumeGiB", 1, 1024),
        redisPasswordGeneration: read.int("redisPasswordGeneration", 0, 1_000_000),
    };
    return read.problems.length > 0 ? { problems: read.problems } : { problems: [], value: platform as PlatformConfig };
}

/**
 * Refuses volumes that cannot fit a node: local-path volumes live on the node's own disk, and one node may
 * hold a PostgreSQL instance, the pgBackRest repository and a Redis pod at once, beside the system.
 */
export function volumeProblems(nodes: NodeSpec[], platform: PlatformConfig): string[] {
    const needGiB =
        platform.postgresVolumeGiB + platform.postgresBackupVolumeGiB + platform.redisVolumeGiB + K3S_SERVER_MINIMUMS.diskGiB;
    return nodes
        .filter((node) => node.diskGiB < needGiB)
        .map(
            (node) =>
                `Node ${node.name}: its ${node.diskGiB} GiB disk cannot hold homelab:postgresVolumeGiB (${platform.postgresVolumeGiB}) + ` +
                `homelab:postgresBackupVolumeGiB (${platform.postgresBackupVolumeGiB}) + homelab:redisVolumeGiB (${platform.redisVolumeGiB}) ` +
                `and ${K3S_SERVER_MINIMUMS.diskGiB} GiB for the system (${needGiB} GiB). Raise vmDiskGiB or lower the volumes.`,
        );
}

/**
 * Refuses VMs too small for what the platform requests with one node drained (an upgrade, a lost VM): the
 * other nodes, less what K3s and Ubuntu keep on each, must hold every request (components/budget.ts, the
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
            const which = drained
                ? `With ${drained.node.name} drained, the other ${remaining} node(s) leave`
                : `The single node ${nodes[0].name} leaves`;
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
