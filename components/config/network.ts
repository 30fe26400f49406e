// The LAN the VMs live in: subnet, gateway, DNS servers, the Proxmox bridge and the lab's virtual addresses.
import { formatIpv4, isHostInSubnet, parseIpv4, parseSubnet, type Subnet } from "./ipv4";
import { configRm, configSet, PULUMI_CLI } from "./fix";
import { Reader, stringList } from "./read";
import type { Checked, PlainConfig } from "./types";

/** What the node checks need from the network, when it is usable. */
export interface Lan {
    subnet?: Subnet;
    gatewayIp?: number;
    /** homelab:vip and homelab:servicesVip when usable, by key: no node may take them. */
    virtualIps?: Map<number, string>;
}

const VIP_KEYS = { api: "homelab:vip", services: "homelab:servicesVip" } as const;

/** The subnet is required; the gateway defaults to its first host, the DNS servers to the gateway. */
export function validateNetwork(h: Record<string, unknown>): Checked<PlainConfig["network"]> & { lan: Lan } {
    const read = new Reader(h);
    const problems = read.problems;
    const subnetText = read.optional("subnet");
    const subnet = subnetText === undefined ? undefined : parseSubnet(subnetText);
    if (subnetText === undefined) {
        problems.push(`homelab:subnet is not set: ${configSet("homelab:subnet", "<the VMs' LAN in CIDR form, e.g. 10.0.10.0/24>")}`);
    } else if (!subnet) {
        problems.push(`homelab:subnet must be an IPv4 network in CIDR form such as 10.0.10.0/24 (got "${subnetText}").`);
    }
    const gateway = read.optional("gateway") ?? (subnet ? formatIpv4(subnet.network + 1) : undefined);
    let gatewayIp = gateway === undefined ? undefined : parseIpv4(gateway);
    if (gateway !== undefined && gatewayIp === undefined) {
        problems.push(`homelab:gateway must be an IPv4 address (got "${gateway}").`);
    } else if (gatewayIp !== undefined && subnet && !isHostInSubnet(gatewayIp, subnet)) {
        problems.push(
            `homelab:gateway ${gateway} is not a host address of homelab:subnet ${subnetText}, so the VMs cannot reach it: set your router's ` +
                `address in ${subnetText} (${configSet("homelab:gateway", "<router address>")}), or ${configRm("homelab:gateway")} ` +
                `for ${formatIpv4(subnet.network + 1)}.`,
        );
        gatewayIp = undefined;
    }
    const dnsServers = stringList("homelab:dnsServers", h.dnsServers, gateway === undefined ? [] : [gateway], problems) ?? [];
    const notes: string[] = [];
    for (const server of dnsServers) {
        const reach = dnsReach(server, subnet, gatewayIp);
        if (reach.problem) {
            problems.push(reach.problem);
        }
        if (reach.note) {
            notes.push(reach.note);
        }
    }
    const bridge = read.str("bridge");
    const vips = validateVips(read.optional("vip"), read.optional("servicesVip"), subnet, gatewayIp, problems);
    const lan = { subnet, gatewayIp, virtualIps: vips.taken };
    if (problems.length > 0 || !subnet || gateway === undefined) {
        return { problems, notes, lan };
    }
    const value = { subnet: subnetText!, prefixLength: subnet.prefixLength, gateway, dnsServers, bridge };
    return { problems, notes, lan, value: vips.value ? { ...value, ...vips.value } : value };
}

/** Addresses no VM can use as its DNS server: this host, link-local, multicast, reserved, the unspecified one. */
const UNREACHABLE_RANGES = [
    ["0.0.0.0", 8],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["224.0.0.0", 3],
] as const;
/** Private ranges (RFC 1918, RFC 6598 shared): reached through the gateway only if your router routes them. */
const PRIVATE_RANGES = [
    ["10.0.0.0", 8],
    ["172.16.0.0", 12],
    ["192.168.0.0", 16],
    ["100.64.0.0", 10],
] as const;

function inRange(ip: number, [base, prefix]: readonly [string, number]): boolean {
    const size = 2 ** (32 - prefix);
    const start = parseIpv4(base)!;
    return ip >= start && ip < start + size;
}

/**
 * A DNS server the VMs can use: a host address of their subnet, or one they reach through the gateway. A private
 * address outside the subnet is most often a value left from another LAN (the VMs would fail much later, inside
 * apt and the K3s download), yet a routed resolver on another VLAN is legitimate: a note, with the fix.
 */
function dnsReach(server: string, subnet: Subnet | undefined, gatewayIp: number | undefined): { problem?: string; note?: string } {
    const ip = parseIpv4(server);
    const fix = (example: string) => `${PULUMI_CLI} config set --path "homelab:dnsServers[0]" ${example}`;
    const inSubnetExample = gatewayIp === undefined ? "<your DNS server>" : formatIpv4(gatewayIp);
    if (ip === undefined) {
        return { problem: `homelab:dnsServers entry "${server}" is not an IPv4 address: ${fix(inSubnetExample)}` };
    }
    if (UNREACHABLE_RANGES.some((range) => inRange(ip, range))) {
        return { problem: `homelab:dnsServers entry ${server} is not an address a VM can send queries to: ${fix(inSubnetExample)}` };
    }
    if (!subnet) {
        return {};
    }
    const broadcast = subnet.network + subnet.size - 1;
    if (ip === subnet.network || ip === broadcast) {
        return { problem: `homelab:dnsServers entry ${server} is the network or broadcast address of homelab:subnet: ${fix(inSubnetExample)}` };
    }
    if (!isHostInSubnet(ip, subnet) && PRIVATE_RANGES.some((range) => inRange(ip, range))) {
        return {
            note:
                `homelab:dnsServers entry ${server} is a private address outside homelab:subnet ${formatIpv4(subnet.network)}/${subnet.prefixLength}: ` +
                `the VMs reach it only if the gateway routes there (else apt and the K3s download fail inside the VMs). ` +
                `If it is left from another LAN: ${fix(inSubnetExample)}`,
        };
    }
    return {};
}

/**
 * homelab:vip (the API server) and homelab:servicesVip (the LoadBalancer Services), both or neither: kube-vip
 * cannot hold one address for both (kube-vip/kube-vip#464). Each a free host address of the subnet.
 */
function validateVips(
    vip: string | undefined,
    servicesVip: string | undefined,
    subnet: Subnet | undefined,
    gatewayIp: number | undefined,
    problems: string[],
): { taken: Map<number, string>; value?: { vip: string; servicesVip: string } } {
    const taken = new Map<number, string>();
    const before = problems.length;
    if (vip === undefined && servicesVip !== undefined) {
        problems.push(`${VIP_KEYS.services} is set without homelab:vip: set homelab:vip too (the API server's address), or remove it.`);
    }
    if (vip !== undefined && servicesVip === undefined) {
        problems.push(
            `homelab:vip is set without ${VIP_KEYS.services}: kube-vip cannot share one address between the API server and the ` +
                `LoadBalancer Services (kube-vip/kube-vip#464): ${configSet(VIP_KEYS.services, "<another free address in homelab:subnet>")}`,
        );
    }
    const check = (key: string, text: string | undefined) => {
        const ip = text === undefined ? undefined : parseIpv4(text);
        if (text === undefined) {
            return;
        } else if (ip === undefined) {
            problems.push(`${key} must be an IPv4 address without prefix, such as 10.0.10.20 (got "${text}").`);
        } else if (subnet && !isHostInSubnet(ip, subnet)) {
            problems.push(`${key} ${text} is not a host address inside homelab:subnet (nor its network or broadcast address).`);
        } else if (ip === gatewayIp) {
            problems.push(`${key} ${text} is the gateway's address: pick a free address in homelab:subnet.`);
        } else if (taken.has(ip)) {
            problems.push(`${key} ${text} is already ${taken.get(ip)}: the two addresses must differ (kube-vip/kube-vip#464).`);
        } else {
            taken.set(ip, key);
        }
    };
    check(VIP_KEYS.api, vip);
    check(VIP_KEYS.services, servicesVip);
    return problems.length === before && vip !== undefined && servicesVip !== undefined ? { taken, value: { vip, servicesVip } } : { taken };
}
