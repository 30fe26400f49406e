// The LAN the VMs live in: subnet, gateway, DNS servers and the Proxmox bridge.
import { DEFAULT_DNS_SERVERS } from "../defaults";
import { isHostInSubnet, parseIpv4, parseSubnet, type Subnet } from "./ipv4";
import { Reader, stringList } from "./read";
import type { Checked, PlainConfig } from "./types";

/** What the node checks need from the network, when it is usable. */
export interface Lan {
    subnet?: Subnet;
    gatewayIp?: number;
}

export function validateNetwork(h: Record<string, unknown>): Checked<PlainConfig["network"]> & { lan: Lan } {
    const read = new Reader(h);
    const problems = read.problems;
    const subnetText = read.str("subnet");
    const subnet = parseSubnet(subnetText);
    if (!subnet) {
        problems.push(`homelab:subnet must be an IPv4 network in CIDR form such as 192.168.2.0/24 (got "${subnetText}").`);
    }
    const gateway = read.str("gateway");
    let gatewayIp = parseIpv4(gateway);
    if (gatewayIp === undefined) {
        problems.push(`homelab:gateway must be an IPv4 address (got "${gateway}").`);
    } else if (subnet && !isHostInSubnet(gatewayIp, subnet)) {
        problems.push(`homelab:gateway ${gateway} is not a host address of homelab:subnet ${subnetText}.`);
        gatewayIp = undefined;
    }
    const dnsServers = stringList("homelab:dnsServers", h.dnsServers, DEFAULT_DNS_SERVERS, problems) ?? [];
    for (const server of dnsServers) {
        if (parseIpv4(server) === undefined) {
            problems.push(`homelab:dnsServers entry "${server}" is not an IPv4 address.`);
        }
    }
    const bridge = read.str("bridge");
    const lan = { subnet, gatewayIp };
    if (problems.length > 0 || !subnet) {
        return { problems, lan };
    }
    return { problems, lan, value: { subnet: subnetText, prefixLength: subnet.prefixLength, gateway, dnsServers, bridge } };
}
