// The K3s server VMs: the list, each entry's overrides of the VM defaults, and what K3s and the LAN require.
import { DNS_LABEL_PATTERN, K3S_SERVER_MINIMUMS } from "./defaults";
import { isHostInSubnet, parseIpv4 } from "./ipv4";
import type { Lan } from "./network";
import { intValue, Reader } from "./read";
import type { Checked, NodeSpec } from "./types";
import { configSet, PULUMI_CLI } from "./fix";

const NODE_KEYS = ["name", "ip", "cores", "memoryMiB", "diskGiB", "proxmoxNode", "vmId"];
/** Ranges of a VM's sizes, for the defaults (vmCores...) and each node's override alike. */
const SIZE_RANGES = { cores: [1, 128], memoryMiB: [512, 1_048_576], diskGiB: [1, 65_536] } as const;
const VM_ID_RANGE = [100, 999_999_999] as const;

/** A node as read: a size is undefined when its value is unusable. */
type Draft = Omit<NodeSpec, "cores" | "memoryMiB" | "diskGiB"> & Partial<Pick<NodeSpec, "cores" | "memoryMiB" | "diskGiB">>;
type VmDefaults = Pick<Draft, "cores" | "memoryMiB" | "diskGiB" | "proxmoxNode">;

export function validateNodes(h: Record<string, unknown>, lan: Lan): Checked<NodeSpec[]> {
    const read = new Reader(h);
    const defaults: VmDefaults = {
        cores: read.int("vmCores", ...SIZE_RANGES.cores),
        memoryMiB: read.int("vmMemoryMiB", ...SIZE_RANGES.memoryMiB),
        diskGiB: read.int("vmDiskGiB", ...SIZE_RANGES.diskGiB),
        proxmoxNode: read.optional("proxmoxNode") ?? "",
    };
    const problems = read.problems;
    if (defaults.proxmoxNode === "") {
        problems.push(`homelab:proxmoxNode is not set: ${configSet("homelab:proxmoxNode", "<node name shown in the Proxmox UI>")}`);
    }
    const drafts = parseNodes(h.nodes, defaults, problems);
    if (drafts === undefined) {
        return { problems };
    }
    problems.push(...nodeProblems(drafts, lan));
    const complete = drafts.every((n): n is NodeSpec => n.cores !== undefined && n.memoryMiB !== undefined && n.diskGiB !== undefined && n.proxmoxNode !== "");
    return complete ? { problems, value: drafts } : { problems };
}

function parseNodes(value: unknown, defaults: VmDefaults, problems: string[]): Draft[] | undefined {
    const example = `${PULUMI_CLI} config set --path "homelab:nodes[0].name" k3s-node-01 && ${PULUMI_CLI} config set --path "homelab:nodes[0].ip" <address in homelab:subnet>`;
    if (value === undefined) {
        problems.push(`homelab:nodes is not set: list the K3s server VMs, e.g. ${example}`);
        return undefined;
    }
    if (!Array.isArray(value)) {
        problems.push(`homelab:nodes must be a list of { name, ip } objects, e.g. ${example}`);
        return undefined;
    }
    return value.map((entry: unknown, i): Draft => {
        const key = `homelab:nodes[${i}]`;
        if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
            problems.push(`${key} must be an object with name and ip.`);
            return { name: `#${i}`, ip: "", ...defaults };
        }
        const e = entry as Record<string, unknown>;
        for (const field of Object.keys(e).filter((f) => !NODE_KEYS.includes(f))) {
            problems.push(`${key}.${field} is not a node setting (known: ${NODE_KEYS.join(", ")}).`);
        }
        const size = (field: keyof typeof SIZE_RANGES) => {
            const [min, max] = SIZE_RANGES[field];
            return e[field] === undefined ? defaults[field] : intValue(`${key}.${field}`, e[field], min, max, problems);
        };
        const node: Draft = {
            name: typeof e.name === "string" ? e.name : "",
            ip: typeof e.ip === "string" ? e.ip : "",
            cores: size("cores"),
            memoryMiB: size("memoryMiB"),
            diskGiB: size("diskGiB"),
            proxmoxNode: typeof e.proxmoxNode === "string" && e.proxmoxNode !== "" ? e.proxmoxNode : defaults.proxmoxNode,
        };
        if (e.vmId !== undefined) {
            node.vmId = intValue(`${key}.vmId`, e.vmId, VM_ID_RANGE[0], VM_ID_RANGE[1], problems);
        }
        return node;
    });
}

/** Etcd quorum, unique names, addresses and VM IDs, addresses inside the LAN, and K3s' minimum sizes. */
function nodeProblems(nodes: Draft[], lan: Lan): string[] {
    const problems: string[] = [];
    if (nodes.length > 0 && nodes.length % 2 === 0) {
        problems.push(`homelab:nodes has ${nodes.length} servers: embedded etcd needs an odd number (1, 3 or 5) to keep quorum.`);
    }
    const names = new Map<string, number>();
    const ips = new Map<number, number>();
    const vmIds = new Map<number, number>();
    const unique = <T>(seen: Map<T, number>, value: T, i: number, what: string) => {
        if (seen.has(value)) {
            problems.push(`homelab:nodes[${i}].${what} is already used by homelab:nodes[${seen.get(value)}].`);
            return false;
        }
        seen.set(value, i);
        return true;
    };
    nodes.forEach((node, i) => {
        const key = `homelab:nodes[${i}]`;
        if (!DNS_LABEL_PATTERN.test(node.name)) {
            problems.push(`${key}.name must be a lowercase DNS label such as k3s-node-01 (got "${node.name}").`);
        } else {
            unique(names, node.name, i, `name "${node.name}"`);
        }
        const ip = parseIpv4(node.ip);
        if (ip === undefined) {
            problems.push(`${key}.ip must be an IPv4 address without prefix, such as 10.0.10.21 (got "${node.ip}").`);
        } else {
            unique(ips, ip, i, `ip ${node.ip}`);
            if (lan.subnet && !isHostInSubnet(ip, lan.subnet)) {
                problems.push(`${key}.ip ${node.ip} is not a host address inside homelab:subnet.`);
            }
            if (ip === lan.gatewayIp) {
                problems.push(`${key}.ip ${node.ip} is the gateway's address.`);
            }
            const virtual = lan.virtualIps?.get(ip);
            if (virtual !== undefined) {
                problems.push(`${key}.ip ${node.ip} is ${virtual}: kube-vip moves that address between the nodes, so no node may own it.`);
            }
        }
        if (node.proxmoxNode !== "" && !DNS_LABEL_PATTERN.test(node.proxmoxNode)) {
            problems.push(`${key}.proxmoxNode must be a Proxmox node name (got "${node.proxmoxNode}").`);
        }
        if (node.vmId !== undefined) {
            unique(vmIds, node.vmId, i, `vmId ${node.vmId}`);
        }
        problems.push(...minimumProblems(node, key));
    });
    return problems;
}

function minimumProblems(node: Draft, key: string): string[] {
    const min = K3S_SERVER_MINIMUMS;
    const problems: string[] = [];
    if (node.cores !== undefined && node.cores < min.cores) {
        problems.push(`${key}: ${node.cores} vCPU is below the K3s server minimum of ${min.cores} (set vmCores or ${key}.cores).`);
    }
    if (node.memoryMiB !== undefined && node.memoryMiB < min.memoryMiB) {
        problems.push(`${key}: ${node.memoryMiB} MiB is below the K3s server minimum of ${min.memoryMiB} MiB (set vmMemoryMiB or ${key}.memoryMiB).`);
    }
    if (node.diskGiB !== undefined && node.diskGiB < min.diskGiB) {
        problems.push(`${key}: a ${node.diskGiB} GiB disk is below the minimum of ${min.diskGiB} GiB (set vmDiskGiB or ${key}.diskGiB).`);
    }
    return problems;
}
