// The LAN the VMs live in: subnet, gateway, DNS servers and the Proxmox bridge.
import { formatIpv4, isHostInSubnet, parseIpv4, parseSubnet, type Subnet } from "./ipv4";
import { Reader, stringList } from "./read";
import type { Checked, PlainConfig } from "./types";

/** What the node checks need from the network, when it is usable. */
export interface Lan {
    subnet?: Subnet;
    gatewayIp?: number;
}

/** The subnet is required; the gateway defaults to its first host, the DNS servers to the gateway. */
export function validateNetwork(h: Record<string, unknown>): Checked<PlainConfig["network"]> & { lan: Lan } {
    const read = new Reader(h);
    const problems = read.problems;
    const subnetText = read.optional("subnet");
    const subnet = subnetText === undefined ? undefined : parseSubnet(subnetText);
    if (subnetText === undefined) {
        problems.push("homelab:subnet is not set: pulumi config set homelab:subnet <the VMs' LAN in CIDR form, e.g. 10.0.10.0/24>");
    } else if (!subnet) {
        problems.push(`homelab:subnet must be an IPv4 network in CIDR form such as 10.0.10.0/24 (got "${subnetText}").`);
    }
    const gateway = read.optional("gateway") ?? (subnet ? formatIpv4(subnet.network + 1) : undefined);
    let gatewayIp = gateway === undefined ? undefined : parseIpv4(gateway);
    if (gateway !== undefined && gatewayIp === undefined) {
        problems.push(`homelab:gateway must be an IPv4 address (got "${gateway}").`);
    } else if (gatewayIp !== undefined && subnet && !isHostInSubnet(gatewayIp, subnet)) {
        problems.push(`homelab:gateway ${gateway} is not a host address of homelab:subnet ${subnetText}.`);
        gatewayIp = undefined;
    }
    const dnsServers = stringList("homelab:dnsServers", h.dnsServers, gateway === undefined ? [] : [gateway], problems) ?? [];
    for (const server of dnsServers) {
        if (parseIpv4(server) === undefined) {
            problems.push(`homelab:dnsServers entry "${server}" is not an IPv4 address.`);
        }
    }
    const bridge = read.str("bridge");
    const lan = { subnet, gatewayIp };
    if (problems.length > 0 || !subnet || gateway === undefined) {
        return { problems, lan };
    }
    return { problems, lan, value: { subnet: subnetText!, prefixLength: subnet.prefixLength, gateway, dnsServers, bridge } };
}
