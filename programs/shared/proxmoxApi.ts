// The Proxmox API as `npm run check -- --live` and `npm run configure` read it: a few GETs with the stack's token,
// each bounded by a timeout, mapped onto the facts the stack's preflight checks (components/proxmox/preflight.ts).
import * as https from "node:https";
import type { HostFacts, ProxmoxFacts } from "../../components/proxmox/preflight";

export interface ProxmoxApi {
    /** The endpoint as the provider takes it: https://host:port/ */
    endpoint: string;
    /** USER@REALM!TOKENID=UUID */
    token: string;
    /** Accept a self-signed certificate (proxmoxve:insecure). */
    insecure: boolean;
    timeoutMs: number;
}

/** One GET of /api2/json/<path>: its `data`, or an error that says what failed (never the token). */
export function proxmoxGet(api: ProxmoxApi, apiPath: string): Promise<unknown> {
    const url = new URL(`api2/json/${apiPath}`, api.endpoint.endsWith("/") ? api.endpoint : `${api.endpoint}/`);
    return new Promise((resolve, reject) => {
        const request = https.get(
            url,
            { headers: { Authorization: `PVEAPIToken=${api.token}` }, rejectUnauthorized: !api.insecure, timeout: api.timeoutMs },
            (response) => {
                const chunks: Buffer[] = [];
                response.on("data", (chunk: Buffer) => chunks.push(chunk));
                response.on("end", () => {
                    const body = Buffer.concat(chunks).toString("utf8");
                    if (response.statusCode !== 200) {
                        const why = response.statusCode === 401 ? " (the token is refused: check proxmoxve:apiToken)" : "";
                        reject(new Error(`GET ${url.pathname} answered ${response.statusCode} ${response.statusMessage ?? ""}${why}`.trim()));
                        return;
                    }
                    try {
                        resolve((JSON.parse(body) as { data?: unknown }).data);
                    } catch {
                        reject(new Error(`GET ${url.pathname} did not answer JSON: is ${api.endpoint} a Proxmox VE API?`));
                    }
                });
            },
        );
        request.on("timeout", () => request.destroy(new Error(`no answer from ${url.origin} within ${api.timeoutMs / 1000} s`)));
        request.on("error", (e: NodeJS.ErrnoException) => {
            const hint =
                e.code === "DEPTH_ZERO_SELF_SIGNED_CERT" || e.code === "SELF_SIGNED_CERT_IN_CHAIN"
                    ? " (a self-signed certificate: set proxmoxve:insecure true)"
                    : "";
            reject(new Error(`cannot reach ${url.origin}: ${e.message}${hint}`));
        });
    });
}

/** The cluster's node names and whether each is online (what configure proposes for homelab:proxmoxNode). */
export async function proxmoxNodes(api: ProxmoxApi): Promise<{ name: string; online: boolean }[]> {
    const nodes = (await proxmoxGet(api, "nodes")) as { node: string; status?: string }[];
    return nodes.map((n) => ({ name: n.node, online: n.status === "online" })).sort((a, b) => a.name.localeCompare(b.name));
}

/** The facts the stack's preflight reads through the provider, from the same API calls. */
export async function readProxmoxFacts(api: ProxmoxApi, wanted: string[]): Promise<ProxmoxFacts> {
    const version = (await proxmoxGet(api, "version")) as { version: string };
    const nodes = await proxmoxNodes(api);
    const hosts: Record<string, HostFacts> = {};
    for (const name of wanted.filter((n) => nodes.some((node) => node.name === n && node.online))) {
        const node = encodeURIComponent(name);
        const status = (await proxmoxGet(api, `nodes/${node}/status`)) as { memory: { total: number }; cpuinfo: { cpus: number } };
        const storage = (await proxmoxGet(api, `nodes/${node}/storage`)) as { storage: string; content?: string }[];
        hosts[name] = {
            memoryTotalBytes: status.memory.total,
            cpuCount: status.cpuinfo.cpus,
            datastores: storage.map((s) => ({ id: s.storage, contentTypes: (s.content ?? "").split(",").filter(Boolean) })),
        };
    }
    return { version: version.version, nodes, hosts };
}
