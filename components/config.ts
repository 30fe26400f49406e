import * as pulumi from "@pulumi/pulumi";
import { CONFIG_DEFAULTS, DEFAULT_DNS_SERVERS, K3S_SERVER_MINIMUMS, RESERVED_NODE_PORTS, SHLINK } from "./defaults";
import { isHostInSubnet, parseIpv4, parseSubnet } from "./network";

/** One K3s server VM, after defaults are applied. */
export interface NodeSpec {
    name: string;
    ip: string;
    cores: number;
    memoryMiB: number;
    diskGiB: number;
    /** The Proxmox node the VM runs on. */
    proxmoxNode: string;
    /** Fixed Proxmox VM ID; Proxmox picks the next free one when unset. */
    vmId?: number;
}

/** Everything the config loader checked, with plain values only (secrets travel separately). */
export interface PlainConfig {
    proxmox: { endpoint: string; insecure: boolean };
    network: { subnet: string; prefixLength: number; gateway: string; dnsServers: string[]; bridge: string };
    image: { url: string; sha256: string; fileName: string; datastore: string };
    vmDatastore: string;
    nodes: NodeSpec[];
    k3s: { version: string; readyTimeoutSeconds: number };
    ssh: { user: string; publicKey: string };
    host: { memoryGiB: number; threads: number; reservedMemoryGiB: number };
    platform: PlatformConfig;
    mesh: MeshConfig;
}

/** The URLs' ports (one LoadBalancer each) and the mesh and observability settings. */
export interface MeshConfig {
    ports: { shlink: number; grafana: number; jaeger: number; kiali: number };
    /** Share of requests traced, 0-100. */
    tracingSamplingPercent: number;
    kialiAuth: "anonymous" | "token";
    prometheusRetentionDays: number;
    smokeCheckTimeoutSeconds: number;
}

/** Sizes of the data layer and Shlink that a user may tune. */
export interface PlatformConfig {
    /** Shlink pods, spread over the nodes. */
    shlinkReplicas: number;
    /** Size of each PostgreSQL instance's data volume. */
    postgresVolumeGiB: number;
    /** Size of the pgBackRest repository volume. */
    postgresBackupVolumeGiB: number;
    /** Full backups pgBackRest keeps (with the differential backups that depend on them). */
    postgresBackupRetentionFull: number;
    /** Size of each Redis pod's volume. */
    redisVolumeGiB: number;
}

export interface HomelabConfig extends PlainConfig {
    secrets: {
        proxmoxApiToken: pulumi.Output<string>;
        sshPrivateKey: pulumi.Output<string>;
    };
}

/** Raw config as read: every value is a string (or parsed JSON for objects) or undefined. */
export interface RawConfig {
    homelab: Record<string, unknown>;
    proxmoxve: Record<string, unknown>;
}

export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(
            `The homelab stack config has ${problems.length} problem(s); nothing was created:\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

const NODE_KEYS = new Set(["name", "ip", "cores", "memoryMiB", "diskGiB", "proxmoxNode", "vmId"]);
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const K3S_TAG = /^v1\.\d+\.\d+\+k3s\d+$/;
const PROXMOX_TOKEN = /^[^@\s]+@[^!\s]+![^=\s]+=[0-9a-fA-F-]{36}$/;

/**
 * Validates raw config and applies defaults. Pure: tests call it without Pulumi. Returns every problem
 * found, each naming the key and what to set, so one `pulumi up` shows the whole list.
 */
export function validateConfig(raw: RawConfig): { config?: PlainConfig; problems: string[] } {
    const problems: string[] = [];
    const h = raw.homelab;
    const str = (key: keyof typeof CONFIG_DEFAULTS): string => {
        const value = h[key];
        if (value === undefined || value === "") {
            return String(CONFIG_DEFAULTS[key]);
        }
        if (typeof value !== "string") {
            problems.push(`homelab:${key} must be a string (got ${JSON.stringify(value)}).`);
            return String(CONFIG_DEFAULTS[key]);
        }
        return value;
    };
    const int = (key: keyof typeof CONFIG_DEFAULTS, min: number, max: number): number =>
        intValue(`homelab:${key}`, h[key] ?? CONFIG_DEFAULTS[key], min, max, problems);

    // Proxmox connection: the provider's own keys.
    const endpoint = raw.proxmoxve.endpoint;
    if (typeof endpoint !== "string" || endpoint === "") {
        problems.push("proxmoxve:endpoint is not set: pulumi config set proxmoxve:endpoint https://<proxmox-host>:8006/");
    } else if (!isHttpsUrl(endpoint)) {
        problems.push(`proxmoxve:endpoint must be an https:// URL such as https://192.168.2.10:8006/ (got "${endpoint}").`);
    }
    const insecureRaw = raw.proxmoxve.insecure;
    let insecure = false;
    if (insecureRaw !== undefined) {
        if (insecureRaw === true || insecureRaw === "true") {
            insecure = true;
        } else if (!(insecureRaw === false || insecureRaw === "false")) {
            problems.push(`proxmoxve:insecure must be true or false (got ${JSON.stringify(insecureRaw)}).`);
        }
    }
    const apiToken = raw.proxmoxve.apiToken;
    if (typeof apiToken !== "string" || apiToken === "") {
        problems.push(
            "proxmoxve:apiToken is not set: pulumi config set --secret proxmoxve:apiToken 'root@pam!homelab=<token-uuid>'",
        );
    } else if (!PROXMOX_TOKEN.test(apiToken)) {
        problems.push(
            "proxmoxve:apiToken must look like USER@REALM!TOKENID=UUID (value not shown): " +
                "pulumi config set --secret proxmoxve:apiToken 'root@pam!homelab=<token-uuid>'",
        );
    }

    // Network.
    const subnetText = str("subnet");
    const subnet = parseSubnet(subnetText);
    if (!subnet) {
        problems.push(`homelab:subnet must be an IPv4 network in CIDR form such as 192.168.2.0/24 (got "${subnetText}").`);
    }
    const gateway = str("gateway");
    const gatewayIp = parseIpv4(gateway);
    if (gatewayIp === undefined) {
        problems.push(`homelab:gateway must be an IPv4 address (got "${gateway}").`);
    } else if (subnet && !isHostInSubnet(gatewayIp, subnet)) {
        problems.push(`homelab:gateway ${gateway} is not a host address of homelab:subnet ${subnetText}.`);
    }
    const dnsServers = stringList("homelab:dnsServers", h.dnsServers, DEFAULT_DNS_SERVERS, problems);
    for (const server of dnsServers) {
        if (parseIpv4(server) === undefined) {
            problems.push(`homelab:dnsServers entry "${server}" is not an IPv4 address.`);
        }
    }

    // VM defaults, applied to nodes that do not override them.
    const defaults = {
        cores: int("vmCores", 1, 128),
        memoryMiB: int("vmMemoryMiB", 512, 1_048_576),
        diskGiB: int("vmDiskGiB", 1, 65_536),
        proxmoxNode: str("proxmoxNode"),
    };
    const nodes = parseNodes(h.nodes, defaults, problems);
    checkNodes(nodes, subnet, gatewayIp, problems);

    // K3s.
    const k3sVersion = str("k3sVersion");
    if (!K3S_TAG.test(k3sVersion)) {
        problems.push(`homelab:k3sVersion must be a K3s release tag such as v1.34.9+k3s1 (got "${k3sVersion}").`);
    }
    const readyTimeoutSeconds = int("nodeReadyTimeoutSeconds", 30, 3600);

    // SSH.
    const sshUser = str("sshUser");
    if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(sshUser)) {
        problems.push(`homelab:sshUser must be a Linux user name (got "${sshUser}").`);
    }
    const publicKey = h.sshPublicKey;
    if (typeof publicKey !== "string" || publicKey.trim() === "") {
        problems.push('homelab:sshPublicKey is not set: pulumi config set homelab:sshPublicKey "$(cat ~/.ssh/id_ed25519.pub)"');
    } else if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/=]+( .*)?$/.test(publicKey.trim())) {
        problems.push("homelab:sshPublicKey must be one OpenSSH public key line (ssh-ed25519 AAAA... comment).");
    }
    const privateKey = h.sshPrivateKey;
    if (typeof privateKey !== "string" || privateKey.trim() === "") {
        problems.push("homelab:sshPrivateKey is not set: pulumi config set --secret homelab:sshPrivateKey < ~/.ssh/id_ed25519");
    } else if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
        problems.push(
            "homelab:sshPrivateKey must be a PEM/OpenSSH private key (value not shown): " +
                "pulumi config set --secret homelab:sshPrivateKey < ~/.ssh/id_ed25519",
        );
    }

    // Image.
    const imageUrl = str("imageUrl");
    if (!isHttpsUrl(imageUrl) && !/^http:\/\//.test(imageUrl)) {
        problems.push(`homelab:imageUrl must be an http(s) URL (got "${imageUrl}").`);
    }
    const imageSha256 = str("imageSha256");
    if (!/^[0-9a-f]{64}$/.test(imageSha256)) {
        problems.push("homelab:imageSha256 must be the image's SHA-256 as 64 lowercase hex digits.");
    }
    const imageFileName = str("imageFileName");
    if (!/^[A-Za-z0-9._-]+\.(qcow2|raw|vmdk)$/.test(imageFileName)) {
        problems.push(
            `homelab:imageFileName must end in .qcow2, .raw or .vmdk: Proxmox's import storage accepts no other (got "${imageFileName}").`,
        );
    }

    // Host capacity preflight.
    const host = {
        memoryGiB: int("hostMemoryGiB", 1, 65_536),
        threads: int("hostThreads", 1, 1024),
        reservedMemoryGiB: int("hostReservedMemoryGiB", 0, 1024),
    };
    problems.push(...capacityProblems(nodes, host));

    // Platform sizes.
    const platform: PlatformConfig = {
        shlinkReplicas: int("shlinkReplicas", SHLINK.minAvailable + 1, 12),
        postgresVolumeGiB: int("postgresVolumeGiB", 1, 16_384),
        postgresBackupVolumeGiB: int("postgresBackupVolumeGiB", 1, 16_384),
        postgresBackupRetentionFull: int("postgresBackupRetentionFull", 1, 30),
        redisVolumeGiB: int("redisVolumeGiB", 1, 1024),
    };
    problems.push(...volumeProblems(nodes, platform));

    // Mesh, observability and the port plan.
    const ports = {
        shlink: int("shlinkPort", 1, 65_535),
        grafana: int("grafanaPort", 1, 65_535),
        jaeger: int("jaegerPort", 1, 65_535),
        kiali: int("kialiPort", 1, 65_535),
    };
    problems.push(...portPlanProblems(ports));
    const kialiAuth = str("kialiAuth");
    if (kialiAuth !== "anonymous" && kialiAuth !== "token") {
        problems.push(`homelab:kialiAuth must be "anonymous" (view-only) or "token" (got "${kialiAuth}").`);
    }
    const mesh: MeshConfig = {
        ports,
        tracingSamplingPercent: int("tracingSamplingPercent", 0, 100),
        kialiAuth: kialiAuth === "token" ? "token" : "anonymous",
        prometheusRetentionDays: int("prometheusRetentionDays", 1, 365),
        smokeCheckTimeoutSeconds: int("smokeCheckTimeoutSeconds", 60, 7200),
    };

    if (problems.length > 0) {
        return { problems };
    }
    return {
        problems,
        config: {
            proxmox: { endpoint: endpoint as string, insecure },
            network: {
                subnet: subnetText,
                prefixLength: subnet!.prefixLength,
                gateway,
                dnsServers,
                bridge: str("bridge"),
            },
            image: { url: imageUrl, sha256: imageSha256, fileName: imageFileName, datastore: str("imageDatastore") },
            vmDatastore: str("vmDatastore"),
            nodes,
            k3s: { version: k3sVersion, readyTimeoutSeconds },
            ssh: { user: sshUser, publicKey: (publicKey as string).trim() },
            host,
            platform,
            mesh,
        },
    };
}

/**
 * Refuses a port plan where two LoadBalancer Services share a port, or one takes a port the nodes already
 * use: K3s' ServiceLB binds every LoadBalancer port on every node, so a collision leaves a Service pending.
 */
export function portPlanProblems(ports: MeshConfig["ports"]): string[] {
    const problems: string[] = [];
    const seen = new Map<number, string>();
    for (const [service, port] of Object.entries(ports)) {
        const key = `homelab:${service}Port`;
        if (seen.has(port)) {
            problems.push(`${key} ${port} is already homelab:${seen.get(port)}Port: each URL needs a port of its own.`);
        } else {
            seen.set(port, service);
        }
        if (port in RESERVED_NODE_PORTS) {
            problems.push(`${key} ${port} is taken on every node by ${RESERVED_NODE_PORTS[port]}: choose another port.`);
        }
    }
    if (ports.kiali < 1024) {
        // The Kiali operator uses one number for the Service port and the port its non-root server binds.
        problems.push(`homelab:kialiPort must be 1024 or above: Kiali's server listens on it itself (got ${ports.kiali}).`);
    }
    return problems;
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
 * Refuses a plan whose VMs would overcommit a Proxmox host: per Proxmox node, the VMs' memory must fit
 * in the host's memory less what Proxmox itself keeps, and their vCPUs in the host's threads.
 */
export function capacityProblems(
    nodes: NodeSpec[],
    host: { memoryGiB: number; threads: number; reservedMemoryGiB: number },
): string[] {
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

function parseNodes(
    value: unknown,
    defaults: { cores: number; memoryMiB: number; diskGiB: number; proxmoxNode: string },
    problems: string[],
): NodeSpec[] {
    const example =
        'pulumi config set --path "homelab:nodes[0].name" k3s-node-01 && pulumi config set --path "homelab:nodes[0].ip" 192.168.2.242';
    if (value === undefined) {
        problems.push(`homelab:nodes is not set: list the K3s server VMs, e.g. ${example}`);
        return [];
    }
    if (!Array.isArray(value)) {
        problems.push(`homelab:nodes must be a list of { name, ip } objects, e.g. ${example}`);
        return [];
    }
    return value.map((entry: unknown, i): NodeSpec => {
        const key = `homelab:nodes[${i}]`;
        if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
            problems.push(`${key} must be an object with name and ip.`);
            return { name: `#${i}`, ip: "", ...defaults };
        }
        const e = entry as Record<string, unknown>;
        for (const field of Object.keys(e)) {
            if (!NODE_KEYS.has(field)) {
                problems.push(`${key}.${field} is not a node setting (known: ${[...NODE_KEYS].join(", ")}).`);
            }
        }
        const name = typeof e.name === "string" ? e.name : "";
        const ip = typeof e.ip === "string" ? e.ip : "";
        const node: NodeSpec = {
            name,
            ip,
            cores: e.cores === undefined ? defaults.cores : intValue(`${key}.cores`, e.cores, 1, 128, problems),
            memoryMiB:
                e.memoryMiB === undefined
                    ? defaults.memoryMiB
                    : intValue(`${key}.memoryMiB`, e.memoryMiB, 512, 1_048_576, problems),
            diskGiB: e.diskGiB === undefined ? defaults.diskGiB : intValue(`${key}.diskGiB`, e.diskGiB, 1, 65_536, problems),
            proxmoxNode: typeof e.proxmoxNode === "string" && e.proxmoxNode !== "" ? e.proxmoxNode : defaults.proxmoxNode,
        };
        if (e.vmId !== undefined) {
            node.vmId = intValue(`${key}.vmId`, e.vmId, 100, 999_999_999, problems);
        }
        return node;
    });
}

function checkNodes(nodes: NodeSpec[], subnet: ReturnType<typeof parseSubnet>, gatewayIp: number | undefined, problems: string[]) {
    if (nodes.length > 0 && nodes.length % 2 === 0) {
        problems.push(
            `homelab:nodes has ${nodes.length} servers: embedded etcd needs an odd number (1, 3 or 5) to keep quorum.`,
        );
    }
    const names = new Map<string, number>();
    const ips = new Map<number, number>();
    const vmIds = new Map<number, number>();
    nodes.forEach((node, i) => {
        const key = `homelab:nodes[${i}]`;
        if (!DNS_LABEL.test(node.name)) {
            problems.push(`${key}.name must be a lowercase DNS label such as k3s-node-01 (got "${node.name}").`);
        } else if (names.has(node.name)) {
            problems.push(`${key}.name "${node.name}" is already used by homelab:nodes[${names.get(node.name)}].`);
        } else {
            names.set(node.name, i);
        }
        const ip = parseIpv4(node.ip);
        if (ip === undefined) {
            problems.push(`${key}.ip must be an IPv4 address without prefix, such as 192.168.2.242 (got "${node.ip}").`);
        } else {
            if (ips.has(ip)) {
                problems.push(`${key}.ip ${node.ip} is already used by homelab:nodes[${ips.get(ip)}].`);
            } else {
                ips.set(ip, i);
            }
            if (subnet && !isHostInSubnet(ip, subnet)) {
                problems.push(`${key}.ip ${node.ip} is not a host address inside homelab:subnet.`);
            }
            if (ip === gatewayIp) {
                problems.push(`${key}.ip ${node.ip} is the gateway's address.`);
            }
        }
        if (!DNS_LABEL.test(node.proxmoxNode)) {
            problems.push(`${key}.proxmoxNode must be a Proxmox node name (got "${node.proxmoxNode}").`);
        }
        if (node.vmId !== undefined) {
            if (vmIds.has(node.vmId)) {
                problems.push(`${key}.vmId ${node.vmId} is already used by homelab:nodes[${vmIds.get(node.vmId)}].`);
            }
            vmIds.set(node.vmId, i);
        }
        const min = K3S_SERVER_MINIMUMS;
        if (node.cores < min.cores) {
            problems.push(`${key}: ${node.cores} vCPU is below the K3s server minimum of ${min.cores} (set vmCores or ${key}.cores).`);
        }
        if (node.memoryMiB < min.memoryMiB) {
            problems.push(
                `${key}: ${node.memoryMiB} MiB is below the K3s server minimum of ${min.memoryMiB} MiB (set vmMemoryMiB or ${key}.memoryMiB).`,
            );
        }
        if (node.diskGiB < min.diskGiB) {
            problems.push(`${key}: a ${node.diskGiB} GiB disk is below the minimum of ${min.diskGiB} GiB (set vmDiskGiB or ${key}.diskGiB).`);
        }
    });
}

function intValue(key: string, value: unknown, min: number, max: number, problems: string[]): number {
    const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isInteger(n)) {
        problems.push(`${key} must be a whole number (got ${JSON.stringify(value)}).`);
        return min;
    }
    if (n < min || n > max) {
        problems.push(`${key} must be between ${min} and ${max} (got ${n}).`);
    }
    return n;
}

function stringList(key: string, value: unknown, fallback: string[], problems: string[]): string[] {
    if (value === undefined) {
        return [...fallback];
    }
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string") || value.length === 0) {
        problems.push(`${key} must be a non-empty list of strings.`);
        return [...fallback];
    }
    return value as string[];
}

function isHttpsUrl(text: string): boolean {
    try {
        const url = new URL(text);
        return url.protocol === "https:" && url.hostname !== "";
    } catch {
        return false;
    }
}

/** Keys of the `homelab` namespace that hold JSON (lists and objects) rather than scalars. */
const OBJECT_KEYS = ["nodes", "dnsServers"];
const SECRET_KEYS = { homelab: ["sshPrivateKey"], proxmoxve: ["apiToken"] };

/**
 * Reads every config key once (secrets included, to check presence and shape without printing them),
 * validates, and throws one ConfigError listing every problem before any resource exists.
 */
export function loadConfig(): HomelabConfig {
    const raw: RawConfig = { homelab: {}, proxmoxve: {} };
    const problems: string[] = [];
    const scalarKeys = [...Object.keys(CONFIG_DEFAULTS), "sshPublicKey", ...SECRET_KEYS.homelab];
    for (const key of scalarKeys) {
        raw.homelab[key] = pulumi.runtime.getConfig(`homelab:${key}`);
    }
    for (const key of OBJECT_KEYS) {
        const text = pulumi.runtime.getConfig(`homelab:${key}`);
        if (text !== undefined) {
            try {
                raw.homelab[key] = JSON.parse(text);
            } catch {
                problems.push(`homelab:${key} is not valid YAML/JSON structured config.`);
            }
        }
    }
    for (const key of ["endpoint", "insecure", ...SECRET_KEYS.proxmoxve]) {
        raw.proxmoxve[key] = pulumi.runtime.getConfig(`proxmoxve:${key}`);
    }
    const result = validateConfig(raw);
    problems.push(...result.problems);
    if (problems.length > 0 || !result.config) {
        throw new ConfigError(problems);
    }
    return {
        ...result.config,
        secrets: {
            proxmoxApiToken: new pulumi.Config("proxmoxve").requireSecret("apiToken"),
            sshPrivateKey: new pulumi.Config("homelab").requireSecret("sshPrivateKey"),
        },
    };
}
