// The stack's outputs the programs read (`npm run load`, `npm run drill`, `npm run verify`), through the project's
// pinned Pulumi CLI.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import type { LoadTarget } from "../../components/load/manifests";

/** Stack outputs `npm run load` reads (index.ts exports them). */
export const STACK_OUTPUTS = { kubeconfig: "kubeconfig", target: "loadTesting" } as const;

const REPO_ROOT = path.join(__dirname, "..", "..");

/** The kubeconfig and load target out of `pulumi stack output --json --show-secrets`. */
export function parseStackOutputs(json: string): { kubeconfig: string; target: LoadTarget } {
    const outputs = JSON.parse(json) as Record<string, unknown>;
    const kubeconfig = outputs[STACK_OUTPUTS.kubeconfig];
    const target = outputs[STACK_OUTPUTS.target] as LoadTarget | undefined;
    if (typeof kubeconfig !== "string" || kubeconfig === "") {
        throw new Error(`the stack has no '${STACK_OUTPUTS.kubeconfig}' output: run \`npm run up\` first`);
    }
    if (target === undefined || typeof target.namespace !== "string" || typeof target.targetUrl !== "string") {
        throw new Error(`the stack has no '${STACK_OUTPUTS.target}' output: run \`npm run up\` to install the load layer`);
    }
    const limits = target.rateLimits as Partial<LoadTarget["rateLimits"]> | undefined;
    if (!Number.isInteger(limits?.createPerMinute) || !Number.isInteger(limits?.redirectPerSecond)) {
        throw new Error(`the stack's '${STACK_OUTPUTS.target}' output predates the gateway's rate limits: run \`npm run up\``);
    }
    return { kubeconfig, target };
}

/**
 * The outputs besides the load layer's: the API server, Grafana, and the node addresses (Proxmox mode only: a
 * stack on an existing cluster has none, and only node-loss needs them).
 */
export function parseLabOutputs(json: string): {
    nodeAddresses: Record<string, string>;
    apiServerUrl: string;
    /** Grafana over HTTPS, and the lab CA's certificate its certificate chains to (labCaCertificate). */
    grafana?: { url: string; password: string; ca?: string };
} {
    const o = JSON.parse(json) as Record<string, unknown>;
    const nodeAddresses = (o.nodeAddresses as Record<string, string> | undefined) ?? {};
    if (typeof o.apiServerUrl !== "string") {
        throw new Error("the stack has no 'apiServerUrl' output: run `npm run up` first");
    }
    const ca = typeof o.labCaCertificate === "string" ? { ca: o.labCaCertificate } : {};
    const grafana =
        typeof o.grafanaUrl === "string" && typeof o.grafanaAdminPassword === "string"
            ? { url: o.grafanaUrl, password: o.grafanaAdminPassword, ...ca }
            : undefined;
    return { nodeAddresses, apiServerUrl: o.apiServerUrl, grafana };
}

/** How long `pulumi stack output` may take (it decrypts the outputs; a hung backend must not hang the program). */
export const STACK_OUTPUT_TIMEOUT_MS = 120_000;

/**
 * Runs the project's Pulumi CLI (PULUMI names another, for tests); stdin stays on the terminal, so a passphrase
 * prompt works. A stack that was never built, or any other failure, ends in a message that says what to do next.
 */
export function readStackOutputs(stack: string = process.env.PULUMI_STACK ?? "homelab"): { kubeconfig: string; target: LoadTarget } {
    return parseStackOutputs(stackOutputJson(stack));
}

/** `pulumi stack output --json --show-secrets` of the stack, or an Error saying what to do next. */
export function stackOutputJson(stack: string): string {
    const pulumi = process.env.PULUMI ?? path.join(REPO_ROOT, "node_modules", ".bin", "pulumi");
    const run = spawnSync(pulumi, ["stack", "output", "--json", "--show-secrets", "--stack", stack], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        stdio: ["inherit", "pipe", "pipe"],
        timeout: STACK_OUTPUT_TIMEOUT_MS,
    });
    if (run.status === 0) {
        return run.stdout;
    }
    throw new Error(stackOutputFailure(stack, run.stderr ?? "", run.error));
}

/** What a failed `pulumi stack output` means for the user. */
export function stackOutputFailure(stack: string, stderr: string, error?: Error): string {
    if (/no stack named/i.test(stderr)) {
        return `the stack '${stack}' does not exist yet: run \`npm run up\` first`;
    }
    const said = stderr.trim().split("\n").filter(Boolean).slice(-2).join(" ");
    const why = error ? (/ETIMEDOUT/.test(error.message) ? `no answer within ${STACK_OUTPUT_TIMEOUT_MS / 1000} s` : error.message) : said || "no message";
    const passphrase = /passphrase/i.test(stderr) ? " (set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE)" : "";
    return `could not read the outputs of stack '${stack}' (pulumi stack output: ${why})${passphrase}; if the lab was never built, run \`npm run up\` first`;
}
