// The Proxmox hosts' size, and the preflight that refuses VMs which would overcommit one.
import { Reader } from "./read";
import type { Checked, HostConfig, NodeSpec } from "./types";

export function validateHost(h: Record<string, unknown>): Checked<HostConfig> {
    const read = new Reader(h);
    const memoryGiB = read.int("hostMemoryGiB", 1, 65_536);
    const threads = read.int("hostThreads", 1, 1024);
    const reservedMemoryGiB = read.int("hostReservedMemoryGiB", 0, 1024);
    if (memoryGiB === undefined || threads === undefined || reservedMemoryGiB === undefined) {
        return { problems: read.problems };
    }
    return { problems: read.problems, value: { memoryGiB, threads, reservedMemoryGiB } };
}

/**
 * Refuses a plan whose VMs would overcommit a Proxmox host: per Proxmox node, the VMs' memory must fit
 * in the host's memory less what Proxmox itself keeps, and their vCPUs in the host's threads.
 */
export function capacityProblems(nodes: NodeSpec[], host: HostConfig): string[] {
    const problems: string[] = [];
    const byHost = new Map<string, NodeSpec[]>();
    for (const node of nodes) {
        byHost.set(node.proxmoxNode, [...(byHost.get(node.proxmoxNode) ?? []), node]);
    }
    const usableMiB = (host.memoryGiB - host.reservedMemoryGiB) * 1024;
    for (const [proxmoxNode, vms] of byHost) {
        const memoryMiB = vms.reduce((sum, vm) => sum + vm.memoryMiB, 0);
        const cores = vms.reduce((sum, vm) => sum + vm.cores, 0);
        if (memoryMiB > usableMiB) {
            problems.push(
                `Proxmox node ${proxmoxNode}: the VMs need ${memoryMiB} MiB of memory but the host has ` +
                    `${usableMiB} MiB for guests (homelab:hostMemoryGiB ${host.memoryGiB} less homelab:hostReservedMemoryGiB ` +
                    `${host.reservedMemoryGiB}). Lower vmMemoryMiB or set the real host size.`,
            );
        }
        if (cores > host.threads) {
            problems.push(
                `Proxmox node ${proxmoxNode}: the VMs need ${cores} vCPUs but the host has ${host.threads} threads ` +
                    "(homelab:hostThreads). Lower vmCores or set the real host size.",
            );
        }
    }
    return problems;
}
