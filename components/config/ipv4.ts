// IPv4 helpers for the config loader: pure functions, no Pulumi.

/** Parses dotted-quad IPv4 into a 32-bit unsigned number, or undefined when it is not one. */
export function parseIpv4(text: string): number | undefined {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
    if (!match) {
        return undefined;
    }
    const octets = match.slice(1).map(Number);
    if (octets.some((o, i) => o > 255 || (match[i + 1].length > 1 && match[i + 1].startsWith("0")))) {
        return undefined;
    }
    return ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
}

export interface Subnet {
    network: number;
    prefixLength: number;
    /** Number of addresses, network and broadcast included. */
    size: number;
}

/** Parses `a.b.c.d/n` into its network; undefined when malformed or when host bits are set. */
export function parseSubnet(cidr: string): Subnet | undefined {
    const [address, prefix, ...rest] = cidr.split("/");
    if (rest.length > 0 || prefix === undefined || !/^\d{1,2}$/.test(prefix)) {
        return undefined;
    }
    const prefixLength = Number(prefix);
    const network = parseIpv4(address);
    if (network === undefined || prefixLength < 8 || prefixLength > 30) {
        return undefined;
    }
    const size = 2 ** (32 - prefixLength);
    if (network % size !== 0) {
        return undefined;
    }
    return { network, prefixLength, size };
}

/** True when `ip` is a usable host address of `subnet` (not its network or broadcast address). */
export function isHostInSubnet(ip: number, subnet: Subnet): boolean {
    return ip > subnet.network && ip < subnet.network + subnet.size - 1;
}

/** Formats a 32-bit unsigned number as dotted-quad IPv4. */
export function formatIpv4(ip: number): string {
    return [24, 16, 8, 0].map((shift) => (ip >>> shift) & 255).join(".");
}
