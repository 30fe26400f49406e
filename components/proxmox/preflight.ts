import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import type { NodeSpec } from "../config";
import { IMAGE_CONTENT_TYPE, PROXMOX_MIN_VERSION, VM_DISK_CONTENT_TYPE } from "./facts";

/** What the Proxmox API reports about the cluster, as far as the VMs need it. */
export interface ProxmoxFacts {
    /** pve-manager's version, e.g. "8.4.1". */
    version: string;
    /** Every node of the cluster. */
    nodes: { name: string; online: boolean }[];
    /** The configured nodes that exist and are online: the host's totals and the datastores it sees. */
    hosts: Record<string, HostFacts>;
}

export interface HostFacts {
    memoryTotalBytes: number;
    /** Logical CPUs (threads). */
    cpuCount: number;
    datastores: { id: string; contentTypes: string[] }[];
}

/** What the stack is about to place on Proxmox. */
export interface PreflightPlan {
    vms: Pick<NodeSpec, "name" | "proxmoxNode" | "cores" | "memoryMiB">[];
    imageDatastore: string;
    vmDatastore: string;
    /** Memory kept for Proxmox itself on every host (homelab:hostReservedMemoryGiB). */
    reservedMemoryGiB: number;
}

/** Everything that would make the VMs fail half-way, each naming what to change. Pure: tests call it alone. */
export function preflightProblems(facts: ProxmoxFacts, plan: PreflightPlan): string[] {
    const problems: string[] = [];
    const { major, minor } = PROXMOX_MIN_VERSION;
    const [haveMajor, haveMinor] = facts.version.split(".").map((part) => parseInt(part, 10));
    if (!(haveMajor > major || (haveMajor === major && haveMinor >= minor))) {
        problems.push(
            `Proxmox VE ${facts.version} is older than ${major}.${minor}: the cloud image needs the ` +
                `"${IMAGE_CONTENT_TYPE}" content type that ${major}.${minor} introduced. Upgrade Proxmox VE.`,
        );
    }
    for (const proxmoxNode of new Set(plan.vms.map((vm) => vm.proxmoxNode))) {
        const listed = facts.nodes.find((n) => n.name === proxmoxNode);
        const host = facts.hosts[proxmoxNode];
        if (!listed) {
            const known = facts.nodes.map((n) => n.name).join(", ");
            problems.push(
                `Proxmox node "${proxmoxNode}" does not exist (the cluster has: ${known}). ` +
                    "Set homelab:proxmoxNode (or the node's proxmoxNode in homelab:nodes) to one of them.",
            );
        } else if (!listed.online || !host) {
            problems.push(`Proxmox node "${proxmoxNode}" is offline. Start it, or place the VMs on an online node.`);
        } else {
            problems.push(...hostProblems(proxmoxNode, host, plan));
        }
    }
    return problems;
}

function hostProblems(proxmoxNode: string, host: HostFacts, plan: PreflightPlan): string[] {
    const problems: string[] = [];
    const datastore = (id: string) => host.datastores.find((d) => d.id === id);
    const known = host.datastores.map((d) => d.id).join(", ");
    const image = datastore(plan.imageDatastore);
    if (!image) {
        problems.push(
            `Datastore "${plan.imageDatastore}" does not exist on Proxmox node "${proxmoxNode}" (it has: ${known}). ` + "Set homelab:imageDatastore.",
        );
    } else if (!image.contentTypes.includes(IMAGE_CONTENT_TYPE)) {
        problems.push(
            `Datastore "${plan.imageDatastore}" on Proxmox node "${proxmoxNode}" does not allow the "${IMAGE_CONTENT_TYPE}" ` +
                `content type (it allows: ${image.contentTypes.join(", ")}). Add it in Datacenter > Storage > ` +
                `${plan.imageDatastore} > Content, or set homelab:imageDatastore.`,
        );
    }
    const vmStore = datastore(plan.vmDatastore);
    if (!vmStore) {
        problems.push(`Datastore "${plan.vmDatastore}" does not exist on Proxmox node "${proxmoxNode}" (it has: ${known}). ` + "Set homelab:vmDatastore.");
    } else if (!vmStore.contentTypes.includes(VM_DISK_CONTENT_TYPE)) {
        problems.push(
            `Datastore "${plan.vmDatastore}" on Proxmox node "${proxmoxNode}" does not allow the "${VM_DISK_CONTENT_TYPE}" ` +
                `content type VM disks need (it allows: ${vmStore.contentTypes.join(", ")}). Set homelab:vmDatastore.`,
        );
    }

    const vms = plan.vms.filter((vm) => vm.proxmoxNode === proxmoxNode);
    const memoryMiB = vms.reduce((sum, vm) => sum + vm.memoryMiB, 0);
    const totalMiB = Math.floor(host.memoryTotalBytes / 1024 ** 2);
    const usableMiB = totalMiB - plan.reservedMemoryGiB * 1024;
    if (memoryMiB > usableMiB) {
        problems.push(
            `Proxmox node "${proxmoxNode}" reports ${totalMiB} MiB of memory, ${usableMiB} MiB for guests after ` +
                `homelab:hostReservedMemoryGiB ${plan.reservedMemoryGiB}, but its VMs (${vms.map((vm) => vm.name).join(", ")}) ` +
                `need ${memoryMiB} MiB. Lower vmMemoryMiB or place VMs on another node.`,
        );
    }
    const cores = vms.reduce((sum, vm) => sum + vm.cores, 0);
    if (cores > host.cpuCount) {
        problems.push(
            `Proxmox node "${proxmoxNode}" reports ${host.cpuCount} threads but its VMs ` +
                `(${vms.map((vm) => vm.name).join(", ")}) need ${cores} vCPUs. Lower vmCores or place VMs on another node.`,
        );
    }
    return problems;
}

/** The one error a failed preflight stops the program with (a RunError: Pulumi prints it without a stack trace). */
export function preflightError(problems: string[]): pulumi.RunError {
    return new pulumi.RunError(`The Proxmox preflight found ${problems.length} problem(s); no VM was created:\n` + problems.map((p) => `  - ${p}`).join("\n"));
}

/**
 * Asks the Proxmox API (already in `pulumi preview`) and resolves to its facts, or fails with `preflightError`.
 * Every VM and image input derives from this Output, so a failed preflight creates none of them.
 */
export function preflight(plan: PreflightPlan, provider: proxmoxve.Provider): pulumi.Output<ProxmoxFacts> {
    return proxmoxFacts([...new Set(plan.vms.map((vm) => vm.proxmoxNode))], provider).apply((facts) => {
        const problems = preflightProblems(facts, plan);
        if (problems.length > 0) {
            throw preflightError(problems);
        }
        return facts;
    });
}

/** The invokes behind `ProxmoxFacts`; per-node lookups only for nodes that exist and are online (others error). */
export function proxmoxFacts(proxmoxNodes: string[], provider: proxmoxve.Provider): pulumi.Output<ProxmoxFacts> {
    const opts = { provider };
    const version = proxmoxve.getVersionOutput(opts);
    const listed = proxmoxve.getNodesLegacyOutput(opts);
    return pulumi.all([version, listed]).apply(([v, list]) => {
        const nodes = list.names.map((name, i) => ({ name, online: list.onlines[i] === true }));
        const reachable = proxmoxNodes.filter((n) => nodes.some((node) => node.name === n && node.online));
        const hosts = reachable.map((nodeName) =>
            pulumi
                .all([proxmoxve.getNodeLegacyOutput({ nodeName }, opts), proxmoxve.getDatastoresOutput({ nodeName }, opts)])
                .apply(([node, stores]): [string, HostFacts] => [
                    nodeName,
                    {
                        memoryTotalBytes: node.memoryTotal,
                        cpuCount: node.cpuCount,
                        datastores: (stores.datastores ?? []).map((d) => ({ id: d.id, contentTypes: d.contentTypes })),
                    },
                ]),
        );
        return pulumi.all(hosts).apply((entries) => ({ version: v.version, nodes, hosts: Object.fromEntries(entries) }));
    });
}
