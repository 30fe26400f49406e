// A Proxmox VE host as the provider's invokes describe it, for the preflight under mocks.

export interface FakeNode {
    name: string;
    online: boolean;
    memoryGiB: number;
    threads: number;
    datastores: { id: string; contentTypes: string[] }[];
}

export interface FakeProxmox {
    /** pve-manager's version. */
    version: string;
    nodes: FakeNode[];
}

/** The lab's host (Pulumi.homelab.yaml): one UM790 with 64 GiB and 16 threads on PVE 8.4, stock storages plus `import`. */
export const GOOD_HOST: FakeProxmox = {
    version: "8.4.1",
    nodes: [
        {
            name: "um790",
            online: true,
            memoryGiB: 64,
            threads: 16,
            datastores: [
                { id: "local", contentTypes: ["iso", "vztmpl", "backup", "import"] },
                { id: "local-lvm", contentTypes: ["images", "rootdir"] },
            ],
        },
    ],
};

/** Invokes the preflight makes once per Proxmox node (the rest take no arguments). */
const PER_NODE = ["proxmoxve:index/getNodeLegacy:getNodeLegacy", "proxmoxve:index/getDatastores:getDatastores"];

/** The same answers as plain data, for a child process: by token, and by `token#node` for per-node invokes. */
export function invokeTable(host: FakeProxmox): Record<string, unknown> {
    const table: Record<string, unknown> = {};
    for (const [token, answer] of Object.entries(proxmoxInvokes(host))) {
        if (!PER_NODE.includes(token)) {
            table[token] = answer({});
            continue;
        }
        for (const node of host.nodes.filter((n) => n.online)) {
            table[`${token}#${node.name}`] = answer({ nodeName: node.name });
        }
    }
    return table;
}

/** An invoke answer: a function of the invoke's inputs, returning its result (throwing is an API error). */
export type InvokeAnswer = (inputs: Record<string, any>) => Record<string, unknown>;

const GIB = 1024 ** 3;

/** The answers of the invokes the preflight makes (tokens from the SDK's get*.js), for this host. */
export function proxmoxInvokes(host: FakeProxmox): Record<string, InvokeAnswer> {
    const node = (nodeName: string): FakeNode => {
        const found = host.nodes.find((n) => n.name === nodeName && n.online);
        if (!found) {
            // What the API answers for a node it cannot reach; the preflight must never ask.
            throw new Error(`hostname lookup '${nodeName}' failed - failed to get address info`);
        }
        return found;
    };
    return {
        "proxmoxve:index/getVersion:getVersion": () => ({
            id: "version",
            release: host.version.split(".").slice(0, 2).join("."),
            version: host.version,
            repositoryId: "c437",
        }),
        // The provider's `memoryAvailables` is the API's `maxmem` (the total), `cpuCounts` its `maxcpu`.
        "proxmoxve:index/getNodesLegacy:getNodesLegacy": () => ({
            id: "nodes",
            names: host.nodes.map((n) => n.name),
            onlines: host.nodes.map((n) => n.online),
            cpuCounts: host.nodes.map((n) => n.threads),
            memoryAvailables: host.nodes.map((n) => n.memoryGiB * GIB),
            memoryUseds: host.nodes.map(() => 0),
            cpuUtilizations: host.nodes.map(() => 0),
            sslFingerprints: host.nodes.map(() => ""),
            supportLevels: host.nodes.map(() => ""),
            uptimes: host.nodes.map(() => 3600),
        }),
        "proxmoxve:index/getNodeLegacy:getNodeLegacy": ({ nodeName }) => {
            const n = node(nodeName);
            return {
                id: nodeName,
                nodeName,
                cpuCount: n.threads,
                cpuCores: n.threads / 2,
                cpuSockets: 1,
                cpuModel: "AMD Ryzen 9 7940HS",
                cpuUtilization: 0,
                memoryTotal: n.memoryGiB * GIB,
                memoryAvailable: n.memoryGiB * GIB,
                memoryUsed: 0,
                uptime: 3600,
            };
        },
        "proxmoxve:index/getDatastores:getDatastores": ({ nodeName }) => ({
            nodeName,
            datastores: node(nodeName).datastores.map((d) => ({ ...d, nodeName, type: "dir", active: true, enabled: true })),
        }),
    };
}
