// `npm run configure`: creates or selects the stack, asks for (or takes as flags) the few values a lab needs,
// proposes what it can see (the stack's current values, the endpoint's address, the API's node list, the key
// file), writes only what changed with the pinned CLI (secrets on stdin, never argv), and ends with the check.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { PROXMOX_TOKEN_PATTERN } from "../../components/config/patterns";
import { formatIpv4, parseIpv4, parseSubnet } from "../../components/config/ipv4";
import { privateKeyFacts } from "../../components/config/sshKeys";
import type { ProxmoxApi } from "../shared/proxmoxApi";
import { STACK_NAME_PATTERN, stackFileValues } from "../shared/stackFile";

/** Every flag, documented once: --help prints this table. */
export const CONFIGURE_FLAGS = [
    ["--stack <name>", "the stack to create or select (default: $PULUMI_STACK, else homelab)"],
    ["--endpoint <url>", "proxmoxve:endpoint, the Proxmox API, e.g. https://pve.lan:8006/"],
    ["--api-token-file <file>", "proxmoxve:apiToken from a file holding USER@REALM!TOKENID=UUID (/dev/stdin to pipe it; never on the command line)"],
    ["--insecure <true|false>", "proxmoxve:insecure, accept the host's self-signed certificate (Proxmox ships one; default true)"],
    ["--proxmox-node <name>", "homelab:proxmoxNode, the Proxmox node of the VMs (proposed from the API's node list)"],
    ["--subnet <cidr>", "homelab:subnet, the VMs' LAN, e.g. 10.0.10.0/24 (proposed from the endpoint's address)"],
    ["--gateway <ip>", "homelab:gateway, the VMs' router (default: the subnet's first host)"],
    ["--dns <ip,...>", "homelab:dnsServers, the VMs' DNS servers (default: the gateway)"],
    ["--nodes <name=ip,...|ip,...>", "homelab:nodes, the K3s VMs (an odd count; bare addresses are named k3s-node-01...)"],
    ["--ssh-key <file>", "the private key the program connects with, without passphrase, its .pub beside it (default ~/.ssh/homelab)"],
    ["--create-ssh-key", 'make the key with ssh-keygen -t ed25519 -N "" when it is missing (asked when interactive)'],
    ["--non-interactive", "ask nothing: flags, then the stack's current values, then the proposals; a value still missing is an error"],
    ["--timeout <seconds>", "bound of each network and CLI call (default 15)"],
    ["--dir <folder>", "where Pulumi.yaml and the stack files are (default: this clone)"],
    ["--help", "this text"],
] as const;

export const CONFIGURE_USAGE = [
    "usage: npm run configure -- [flags]",
    "",
    "Creates or selects the stack, sets the values a lab needs (each flag, else a question with a proposal), writes only",
    "what changed with the pinned Pulumi CLI, then runs `npm run check`. The stack's secrets are encrypted with a",
    "passphrase: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE (asked when interactive).",
    "",
    ...CONFIGURE_FLAGS.map(([flag, help]) => `  ${flag.padEnd(30)} ${help}`),
].join("\n");

export interface ConfigureDeps {
    root: string;
    env: Record<string, string | undefined>;
    home: string;
    out: (line: string) => void;
    /** A question with a proposal (Enter takes it); only when interactive. */
    ask: (question: string, proposal?: string) => Promise<string>;
    /** A question whose answer is not echoed; only when interactive. */
    askSecret: (question: string) => Promise<string>;
    /** Fetch the pinned CLI (scripts/pulumi-cli.sh --cli): true when it is there. */
    fetchCli: () => Promise<boolean>;
    /** The pinned CLI, bounded, `input` on stdin. */
    pulumi: (
        args: string[],
        options: { input?: string; timeoutMs: number; env: Record<string, string | undefined>; cwd: string },
    ) => Promise<{ status: number | null; stderr: string }>;
    /** The Proxmox API's node names (bounded); rejects when unreachable. */
    proxmoxNodes: (api: ProxmoxApi) => Promise<{ name: string; online: boolean }[]>;
    sshKeygen: (file: string) => Promise<void>;
    /** `npm run check` on the stack: its exit status. */
    check: (argv: string[]) => Promise<number>;
}

interface Options {
    stack: string;
    dir?: string;
    interactive: boolean;
    timeoutMs: number;
    flags: Record<string, string | boolean | undefined>;
}

export function parseConfigureArgs(argv: string[], env: Record<string, string | undefined>): Options | { help: true } | { error: string } {
    const names = CONFIGURE_FLAGS.map(([flag]) => flag.split(" ")[0].slice(2));
    const booleans = new Set(["create-ssh-key", "non-interactive", "help"]);
    let values: Record<string, string | boolean | undefined>;
    try {
        ({ values } = parseArgs({
            args: argv,
            options: Object.fromEntries(names.map((n) => [n, { type: booleans.has(n) ? ("boolean" as const) : ("string" as const) }])),
            strict: true,
            allowPositionals: false,
        }));
    } catch (e) {
        return { error: e instanceof Error ? e.message : String(e) };
    }
    if (values.help) {
        return { help: true };
    }
    const stack = (values.stack as string | undefined) ?? (env.PULUMI_STACK || "homelab");
    if (!STACK_NAME_PATTERN.test(stack)) {
        return { error: `--stack "${stack}" is not a stack name (letters, digits, -, _ and .)` };
    }
    const seconds = values.timeout === undefined ? 15 : Number(values.timeout);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 600) {
        return { error: `--timeout must be a whole number of seconds from 1 to 600 (got "${String(values.timeout)}")` };
    }
    return { stack, dir: values.dir as string | undefined, interactive: values["non-interactive"] !== true, timeoutMs: seconds * 1000, flags: values };
}

/** `--nodes`: `name=ip` pairs, or bare addresses named k3s-node-01, -02, ... */
export function parseNodes(text: string): { name: string; ip: string }[] {
    return text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .map((entry, i) => {
            const [name, ip] = entry.includes("=") ? entry.split("=", 2) : [`k3s-node-${String(i + 1).padStart(2, "0")}`, entry];
            return { name: name.trim(), ip: ip.trim() };
        });
}

/** A /24 around the endpoint's IPv4 address: where a homelab's VMs most often live too. */
export function subnetNear(endpoint: string | undefined): string | undefined {
    try {
        const ip = parseIpv4(new URL(endpoint ?? "").hostname);
        return ip === undefined ? undefined : `${formatIpv4(ip - (ip % 256))}/24`;
    } catch {
        return undefined;
    }
}

/**
 * The stack's subnet, unless the Proxmox host's address lies outside it (the seed lab's 192.168.2.0/24 on a fresh
 * clone, say): then the /24 around the host, where a homelab's VMs most often live too.
 */
export function subnetProposal(current: string | undefined, endpoint: string): string | undefined {
    const near = subnetNear(endpoint);
    const subnet = current === undefined ? undefined : parseSubnet(current);
    let host: number | undefined;
    try {
        host = parseIpv4(new URL(endpoint).hostname);
    } catch {
        host = undefined;
    }
    const holdsHost = subnet !== undefined && host !== undefined && host > subnet.network && host < subnet.network + subnet.size - 1;
    return current !== undefined && (host === undefined || holdsHost) ? current : (near ?? current);
}

class Refused extends Error {}

export async function runConfigure(argv: string[], deps: ConfigureDeps): Promise<number> {
    const options = parseConfigureArgs(argv, deps.env);
    if ("error" in options) {
        deps.out(`configure: ${options.error}\n\n${CONFIGURE_USAGE}`);
        return 2;
    }
    if ("help" in options) {
        deps.out(CONFIGURE_USAGE);
        return 0;
    }
    try {
        return await configure(options, deps);
    } catch (e) {
        deps.out(`configure: ${e instanceof Error ? e.message : String(e)}`);
        return 1;
    }
}

/** The value of one setting: the flag, else (interactive) the answer with the proposal, else the proposal. */
type PickValue = (name: string, question: string, proposal: string | undefined, required?: boolean) => Promise<string | undefined>;

/** What the stack file holds now: a value, and whether a key (a secret one too) is set. */
interface Current {
    now: (key: string) => string | undefined;
    isSet: (key: string) => boolean;
}

/** Every value configure sets, and what it read to propose them. */
interface Values {
    endpoint: string;
    insecure: string;
    token?: string;
    proxmoxNode: string;
    subnet: string;
    gateway: string;
    dns: string[];
    currentDns?: string;
    currentNodes: { name: string; ip: string }[];
    nodes: { name: string; ip: string }[];
    keyFile: string;
    privateKey: string;
    publicKey: string;
}

/** A config write with the pinned CLI; `input` (a secret) goes on stdin. */
interface Write {
    label: string;
    args: string[];
    input?: string;
}

async function configure(o: Options, deps: ConfigureDeps): Promise<number> {
    const dir = o.dir ?? deps.root;
    const flag = (name: string) => o.flags[name] as string | undefined;
    const pick = picker(o, deps, flag);

    if (deps.env.PULUMI === undefined && !(await deps.fetchCli())) {
        return 1;
    }
    const env = await passphraseEnv(o, deps);
    const pulumi = async (args: string[], input?: string) => {
        const run = await deps.pulumi([...args, "--stack", o.stack], { input, timeoutMs: o.timeoutMs, env, cwd: dir });
        if (run.status !== 0) {
            throw new Refused(`pulumi ${args.slice(0, 2).join(" ")} failed: ${run.stderr.trim().split("\n").slice(-3).join(" ")}`);
        }
    };
    deps.out(`Stack '${o.stack}': selecting it (creating it if new)...`);
    const select = await deps.pulumi(["stack", "select", "--create", o.stack], { timeoutMs: o.timeoutMs, env, cwd: dir });
    if (select.status !== 0) {
        throw new Refused(`pulumi stack select --create ${o.stack} failed: ${select.stderr.trim().split("\n").slice(-3).join(" ")}`);
    }
    const stackFile = stackFileValues(dir, o.stack);
    const now = (key: string) => stackFile.config[key];
    const current: Current = { now, isSet: (key: string) => now(key) !== undefined || stackFile.encrypted.includes(key) };

    const proxmox = await proxmoxValues(o, deps, pick, flag, current);
    const lan = await lanValues(pick, current, proxmox.endpoint);
    const key = await sshKeyPair(o, deps, flag);
    const writes = plannedWrites({ ...proxmox, ...lan, ...key }, current);
    deps.out(writes.length === 0 ? "Nothing to change." : `Writing ${writes.length} value(s) with the pinned Pulumi CLI:`);
    for (const write of writes) {
        deps.out(`  ${write.label}`);
        await pulumi(write.args, write.input);
    }
    deps.out("");
    return deps.check(["--stack", o.stack, "--dir", dir]);
}

/** The value: the flag, else (interactive) the answer with the proposal, else the proposal; required ones must exist. */
function picker(o: Options, deps: ConfigureDeps, flag: (name: string) => string | undefined): PickValue {
    return async (name, question, proposal, required = true) => {
        const given = flag(name);
        if (given !== undefined) {
            return given;
        }
        const value = o.interactive ? (await deps.ask(question, proposal)).trim() || proposal : proposal;
        if (required && (value === undefined || value === "")) {
            throw new Refused(`${question.replace(/\?$/, "")} is needed: pass --${name} <value>`);
        }
        return value;
    };
}

/** The environment of the CLI: the stack's passphrase given, or asked when interactive. */
async function passphraseEnv(o: Options, deps: ConfigureDeps): Promise<Record<string, string | undefined>> {
    const env = { ...deps.env };
    if (!env.PULUMI_CONFIG_PASSPHRASE && !env.PULUMI_CONFIG_PASSPHRASE_FILE) {
        if (!o.interactive) {
            throw new Refused("the stack's secrets need its passphrase: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE");
        }
        env.PULUMI_CONFIG_PASSPHRASE = await deps.askSecret("Passphrase of the stack's secrets (a new stack takes this one)");
    }
    return env;
}

/** Proxmox: the endpoint, whether to accept its certificate, the token, and the node of the VMs. */
async function proxmoxValues(
    o: Options,
    deps: ConfigureDeps,
    pick: PickValue,
    flag: (name: string) => string | undefined,
    { now, isSet }: Current,
): Promise<Pick<Values, "endpoint" | "insecure" | "token" | "proxmoxNode">> {
    const endpoint = (await pick("endpoint", "Proxmox API endpoint (https://<host>:8006/)?", now("proxmoxve:endpoint")))!;
    const insecure = (await pick("insecure", "Accept the host's self-signed certificate (true/false)?", now("proxmoxve:insecure") ?? "true"))!;
    let token: string | undefined;
    const tokenFile = flag("api-token-file");
    if (tokenFile !== undefined) {
        token = fs.readFileSync(tokenFile, "utf8").trim();
    } else if (!isSet("proxmoxve:apiToken") || (o.interactive && (await deps.ask("Replace the stored API token (y/N)?", "n")).toLowerCase().startsWith("y"))) {
        if (!o.interactive) {
            throw new Refused("proxmoxve:apiToken is needed: pass --api-token-file <file holding USER@REALM!TOKENID=UUID>");
        }
        token = (await deps.askSecret("Proxmox API token (USER@REALM!TOKENID=UUID)")).trim();
    }
    if (token !== undefined && !PROXMOX_TOKEN_PATTERN.test(token)) {
        throw new Refused("the API token must look like USER@REALM!TOKENID=UUID (value not shown)");
    }
    const proposal = await nodeProposal(o, deps, flag, now("homelab:proxmoxNode"), { endpoint, insecure, token });
    const proxmoxNode = (await pick("proxmox-node", "Proxmox node of the VMs?", proposal))!;
    return { endpoint, insecure, token, proxmoxNode };
}

/** The Proxmox node: proposed from the API's list when it answers in time, else the stack's. */
async function nodeProposal(
    o: Options,
    deps: ConfigureDeps,
    flag: (name: string) => string | undefined,
    stored: string | undefined,
    api: { endpoint: string; insecure: string; token?: string },
): Promise<string | undefined> {
    if (api.token === undefined || flag("proxmox-node") !== undefined) {
        return stored;
    }
    try {
        const nodes = await deps.proxmoxNodes({ endpoint: api.endpoint, token: api.token, insecure: api.insecure === "true", timeoutMs: o.timeoutMs });
        deps.out(`The Proxmox API lists: ${nodes.map((n) => `${n.name}${n.online ? "" : " (offline)"}`).join(", ")}`);
        return nodes.some((n) => n.name === stored) ? stored : (nodes.find((n) => n.online)?.name ?? stored);
    } catch (e) {
        deps.out(`(the node list is not available: ${e instanceof Error ? e.message : String(e)})`);
        return stored;
    }
}

/** The LAN: a subnet kept unless changed; the gateway, DNS and nodes follow it unless given. */
async function lanValues(
    pick: PickValue,
    { now }: Current,
    endpoint: string,
): Promise<Pick<Values, "subnet" | "gateway" | "dns" | "currentDns" | "currentNodes" | "nodes">> {
    const subnet = (await pick("subnet", "The VMs' LAN (CIDR)?", subnetProposal(now("homelab:subnet"), endpoint)))!;
    const parsed = parseSubnet(subnet);
    if (!parsed) {
        throw new Refused(`homelab:subnet must be an IPv4 network in CIDR form such as 10.0.10.0/24 (got "${subnet}")`);
    }
    const inSubnet = (ip: string | undefined) => {
        const n = ip === undefined ? undefined : parseIpv4(ip);
        return n !== undefined && n > parsed.network && n < parsed.network + parsed.size - 1;
    };
    const sameLan = subnet === now("homelab:subnet");
    const gateway = (await pick(
        "gateway",
        "The VMs' gateway?",
        sameLan && inSubnet(now("homelab:gateway")) ? now("homelab:gateway") : formatIpv4(parsed.network + 1),
    ))!;
    const currentDns = now("homelab:dnsServers") === undefined ? undefined : (JSON.parse(now("homelab:dnsServers")!) as string[]).join(",");
    const dns = (await pick("dns", "The VMs' DNS servers (comma-separated)?", sameLan && currentDns !== undefined ? currentDns : gateway))!
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    const currentNodes = now("homelab:nodes") === undefined ? [] : (JSON.parse(now("homelab:nodes")!) as { name: string; ip: string }[]);
    const nodesProposal =
        currentNodes.length > 0 && currentNodes.every((n) => inSubnet(n.ip)) ? currentNodes.map((n) => `${n.name}=${n.ip}`).join(",") : undefined;
    const nodes = parseNodes((await pick("nodes", "The K3s VMs (name=ip, comma-separated; free addresses outside DHCP)?", nodesProposal))!);
    return { subnet, gateway, dns, currentDns, currentNodes, nodes };
}

/** The SSH key pair: the README's passphrase-less ~/.ssh/homelab, made here when asked. */
async function sshKeyPair(
    o: Options,
    deps: ConfigureDeps,
    flag: (name: string) => string | undefined,
): Promise<Pick<Values, "keyFile" | "privateKey" | "publicKey">> {
    const keyFile = expandHome(flag("ssh-key") ?? path.join(deps.home, ".ssh", "homelab"), deps.home);
    if (!fs.existsSync(keyFile)) {
        const create =
            o.flags["create-ssh-key"] === true ||
            (o.interactive && !(await deps.ask(`No ${keyFile}: create it with ssh-keygen, without passphrase (Y/n)?`, "y")).toLowerCase().startsWith("n"));
        if (!create) {
            throw new Refused(`no SSH key ${keyFile}: pass --create-ssh-key, or --ssh-key <an existing key without passphrase>`);
        }
        deps.out(`Creating ${keyFile} (ssh-keygen -t ed25519 -N "")...`);
        await deps.sshKeygen(keyFile);
    }
    const privateKey = fs.readFileSync(keyFile, "utf8");
    if (privateKeyFacts(privateKey).encrypted) {
        throw new Refused(`${keyFile} has a passphrase, which nothing can type during \`pulumi up\`: pass --create-ssh-key with another --ssh-key file`);
    }
    const publicKey = fs.readFileSync(`${keyFile}.pub`, "utf8").trim();
    return { keyFile, privateKey, publicKey };
}

/** Only what differs from the stack file is written. */
function plannedWrites(v: Values, { now, isSet }: Current): Write[] {
    const writes: Write[] = [];
    const set = (key: string, value: string) => {
        if (now(key) !== value) {
            writes.push({ label: `${key} = ${value}`, args: ["config", "set", key, value] });
        }
    };
    set("proxmoxve:endpoint", v.endpoint);
    set("proxmoxve:insecure", v.insecure);
    if (v.token !== undefined) {
        writes.push({ label: "proxmoxve:apiToken (secret)", args: ["config", "set", "--secret", "proxmoxve:apiToken"], input: v.token });
    }
    set("homelab:proxmoxNode", v.proxmoxNode);
    set("homelab:subnet", v.subnet);
    set("homelab:gateway", v.gateway);
    setList(writes, "homelab:dnsServers", v.currentDns?.split(","), v.dns);
    setNodes(writes, v.currentNodes, v.nodes);
    set("homelab:sshPublicKey", v.publicKey);
    if (now("homelab:sshPublicKey") !== v.publicKey || !isSet("homelab:sshPrivateKey")) {
        writes.push({
            label: `homelab:sshPrivateKey (secret, from ${v.keyFile})`,
            args: ["config", "set", "--secret", "homelab:sshPrivateKey"],
            input: v.privateKey,
        });
    }
    return writes;
}

function setList(writes: { label: string; args: string[] }[], key: string, before: string[] | undefined, after: string[]): void {
    if (JSON.stringify(before) === JSON.stringify(after)) {
        return;
    }
    if (before !== undefined) {
        writes.push({ label: `${key} cleared`, args: ["config", "rm", key] });
    }
    after.forEach((value, i) => writes.push({ label: `${key}[${i}] = ${value}`, args: ["config", "set", "--path", `${key}[${i}]`, value] }));
}

/** Each node's name and address by path (other fields of an entry stay); a shorter list is rewritten whole. */
function setNodes(writes: { label: string; args: string[] }[], before: { name: string; ip: string }[], after: { name: string; ip: string }[]): void {
    const rewrite = after.length < before.length;
    if (rewrite) {
        writes.push({ label: "homelab:nodes cleared", args: ["config", "rm", "homelab:nodes"] });
    }
    after.forEach((node, i) => {
        for (const field of ["name", "ip"] as const) {
            if (rewrite || before[i]?.[field] !== node[field]) {
                const key = `homelab:nodes[${i}].${field}`;
                writes.push({ label: `${key} = ${node[field]}`, args: ["config", "set", "--path", key, node[field]] });
            }
        }
    });
}

function expandHome(file: string, home: string): string {
    return file === "~" || file.startsWith("~/") ? path.join(home, file.slice(2)) : path.resolve(file);
}
