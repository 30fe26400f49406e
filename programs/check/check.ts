// `npm run check`: the stack's config through the same loader and messages `pulumi up` gives, offline, in seconds:
// no Pulumi CLI, no host. `--live` also decrypts the secrets (the pinned CLI, with the stack's passphrase) and runs
// the Proxmox preflight against the real API.
import * as pulumi from "@pulumi/pulumi";
import { parseArgs } from "node:util";
import { checkConfig, configSetSecret, PULUMI_CLI, SECRET_KEYS, UNREAD_SECRET, type NodeSpec } from "../../components/config";
import { capacityPlan } from "../../stacks/capacity";
import { preflightProblems } from "../../components/proxmox/preflight";
import { readProxmoxFacts, type ProxmoxApi } from "../shared/proxmoxApi";
import { readStackConfig, STACK_NAME_PATTERN, stackFileName } from "../shared/stackFile";

export const CHECK_USAGE = `usage: npm run check -- [--stack <name>] [--live] [--timeout <seconds>] [--dir <folder>]

Checks the stack's configuration with the loader \`npm run up\` runs, and prints every problem with the command
that fixes it. Exit status 0 when the config is complete, 1 when it is not, 2 on bad arguments.

  --stack <name>       the stack (default: $PULUMI_STACK, else homelab); reads Pulumi.<name>.yaml
  --live               also decrypt the secrets (the pinned Pulumi CLI, with the stack's passphrase:
                       PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE) and run the Proxmox preflight
                       against the real API (version, nodes, memory, threads, datastores)
  --timeout <seconds>  bound of each network call and of the CLI call with --live (default 15)
  --dir <folder>       where Pulumi.yaml and the stack files are (default: this clone)
  --help               this text

Offline (the default), encrypted values (secure: in the stack file) count as set; their content is checked by
--live and by \`npm run up\`.`;

export interface CheckDeps {
    /** The clone: Pulumi.yaml and the stack files. */
    root: string;
    env: Record<string, string | undefined>;
    out: (line: string) => void;
    /** Fetches the pinned Pulumi CLI when missing (scripts/pulumi-cli.sh --cli, visibly): true when it is there (--live only). */
    fetchCli: () => Promise<boolean>;
    /** `pulumi config --json --show-secrets --stack <stack>` through the pinned CLI, bounded (used by --live only). */
    decryptedConfig: (stack: string, timeoutMs: number) => Promise<Record<string, string>>;
    /** The Proxmox facts behind the preflight (--live only). */
    proxmoxFacts: typeof readProxmoxFacts;
}

type Parsed = { stack: string; live: boolean; timeoutMs: number; dir?: string } | { help: true } | { error: string };

export function parseCheckArgs(argv: string[], env: Record<string, string | undefined>): Parsed {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                live: { type: "boolean" },
                timeout: { type: "string" },
                dir: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
            allowPositionals: false,
        }));
    } catch (e) {
        return { error: e instanceof Error ? e.message : String(e) };
    }
    if (values.help) {
        return { help: true };
    }
    const stack = values.stack ?? (env.PULUMI_STACK || "homelab");
    if (!STACK_NAME_PATTERN.test(stack)) {
        return { error: `--stack "${stack}" is not a stack name (letters, digits, -, _ and .)` };
    }
    const seconds = values.timeout === undefined ? 15 : Number(values.timeout);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 600) {
        return { error: `--timeout must be a whole number of seconds from 1 to 600 (got "${values.timeout}")` };
    }
    return { stack, live: values.live === true, timeoutMs: seconds * 1000, ...(values.dir === undefined ? {} : { dir: values.dir }) };
}

/** The config the loader sees offline: each secret key stored encrypted counts as set; other encrypted keys cannot be read. */
export function offlineConfig(config: Record<string, string>, encrypted: string[]): { config: Record<string, string>; problems: string[]; notes: string[] } {
    const secretKeys: readonly string[] = SECRET_KEYS;
    const problems: string[] = [];
    const notes: string[] = [];
    const withSecrets = { ...config };
    for (const key of encrypted) {
        if (secretKeys.includes(key)) {
            withSecrets[key] = UNREAD_SECRET;
        } else {
            problems.push(
                `${key} is stored encrypted, which it need not be: the offline check cannot read it (npm run check -- --live can); ` +
                    `store it in plain: ${PULUMI_CLI} config set ${key} <value>`,
            );
        }
    }
    for (const key of secretKeys.filter((k) => config[k] !== undefined && config[k] !== "")) {
        notes.push(`${key} is stored in plain text in the stack file: ${configSetSecret(key)} stores it encrypted (paste the value when Pulumi asks).`);
    }
    return { config: withSecrets, problems, notes };
}

/** The config through the loader, as `pulumi up` runs it: every problem (with its fix) and every note. */
export function loaderVerdict(config: Record<string, string>): ReturnType<typeof checkConfig> {
    const secretKeys: readonly string[] = SECRET_KEYS;
    pulumi.runtime.setAllConfig(
        config,
        Object.keys(config).filter((k) => secretKeys.includes(k)),
    );
    return checkConfig(capacityPlan);
}

export async function runCheck(argv: string[], deps: CheckDeps): Promise<number> {
    const args = parseCheckArgs(argv, deps.env);
    if ("error" in args) {
        deps.out(`check: ${args.error}\n\n${CHECK_USAGE}`);
        return 2;
    }
    if ("help" in args) {
        deps.out(CHECK_USAGE);
        return 0;
    }
    const { stack, live, timeoutMs } = args;
    let stackConfig;
    try {
        stackConfig = readStackConfig(args.dir ?? deps.root, stack);
    } catch (e) {
        deps.out(`check: ${e instanceof Error ? e.message : String(e)}`);
        return 1;
    }
    let config: Record<string, string>;
    const problems: string[] = [];
    const notes: string[] = [];
    if (live) {
        // Fetched first and visibly: left to the npm wrapper, the download would run unseen inside the CLI call's bound.
        if (!(await deps.fetchCli())) {
            deps.out("check: --live decrypts the stack's secrets with the pinned Pulumi CLI, which could not be fetched (the lines above say why)");
            return 1;
        }
        deps.out(`Checking stack '${stack}' (${stackFileName(stack)}), its secrets decrypted by the Pulumi CLI...`);
        try {
            config = { ...stackConfig.config, ...(await deps.decryptedConfig(stack, timeoutMs)) };
        } catch (e) {
            deps.out(`check: could not read the stack's secrets: ${e instanceof Error ? e.message : String(e)}`);
            return 1;
        }
    } else {
        deps.out(`Checking stack '${stack}' (${stackFileName(stack)} over Pulumi.yaml's defaults), offline: encrypted values count as set.`);
        const offline = offlineConfig(stackConfig.config, stackConfig.encrypted);
        ({ config } = offline);
        problems.push(...offline.problems);
        notes.push(...offline.notes);
    }
    const verdict = loaderVerdict(config);
    problems.push(...verdict.problems);
    notes.push(...verdict.result.notes);
    const stackConfigValue = verdict.result.config;
    if (live && problems.length === 0 && stackConfigValue?.mode === "proxmox") {
        deps.out(`Asking the Proxmox API at ${stackConfigValue.proxmox.endpoint} (each call bounded by ${timeoutMs / 1000} s)...`);
        try {
            problems.push(...(await livePreflight(config, stackConfigValue, timeoutMs, deps.proxmoxFacts)));
        } catch (e) {
            problems.push(`the Proxmox preflight could not run: ${e instanceof Error ? e.message : String(e)}`);
        }
    }
    for (const note of notes) {
        deps.out(`note: ${note}`);
    }
    if (problems.length > 0) {
        deps.out(`✗ ${problems.length} problem(s) in the config of stack '${stack}':`);
        for (const problem of problems) {
            deps.out(`  - ${problem}`);
        }
        // configure writes a Proxmox-mode stack; a stack on an existing cluster is set with the commands alone.
        const clusterMode = verdict.raw.homelab.kubeconfig !== undefined || verdict.raw.homelab.publicAddress !== undefined;
        const flag = stack === "homelab" ? "" : ` -- --stack ${stack}`;
        // Always: on a fresh clone no stack exists yet, and Pulumi would ask to create one under any name.
        deps.out(`The commands act on the selected stack: create or select this one first (${PULUMI_CLI} stack select --create ${stack}).`);
        deps.out(
            `Run the commands above${clusterMode ? "" : ` (or \`npm run configure${flag}\`, which asks for each value)`}, then \`npm run check${flag}\` again.`,
        );
        return 1;
    }
    const what =
        stackConfigValue?.mode === "cluster"
            ? "an existing cluster"
            : `${stackConfigValue?.mode === "proxmox" ? stackConfigValue.nodes.length : 0} K3s VMs on Proxmox`;
    deps.out(`✓ the config of stack '${stack}' is complete (${what})${live ? ", and the Proxmox preflight passes" : ""}.`);
    return 0;
}

/** The stack's own preflight (components/proxmox/preflight.ts) on facts read from the API. */
async function livePreflight(
    config: Record<string, string>,
    stackConfig: Extract<NonNullable<ReturnType<typeof checkConfig>["result"]["config"]>, { mode: "proxmox" }>,
    timeoutMs: number,
    readFacts: typeof readProxmoxFacts,
): Promise<string[]> {
    const api: ProxmoxApi = {
        endpoint: stackConfig.proxmox.endpoint,
        token: config["proxmoxve:apiToken"],
        insecure: stackConfig.proxmox.insecure,
        timeoutMs,
    };
    const vms: NodeSpec[] = stackConfig.nodes;
    const facts = await readFacts(api, [...new Set(vms.map((vm) => vm.proxmoxNode))]);
    return preflightProblems(facts, {
        vms,
        imageDatastore: stackConfig.image.datastore,
        vmDatastore: stackConfig.vmDatastore,
        reservedMemoryGiB: stackConfig.host.reservedMemoryGiB,
    });
}
