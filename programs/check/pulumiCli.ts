// The project's pinned Pulumi CLI (node_modules/.bin/pulumi), run bounded: a value goes in on stdin, never argv.
import { spawn } from "node:child_process";
import * as path from "node:path";

export const REPO_ROOT = path.join(__dirname, "..", "..");

export interface PulumiRun {
    /** Exit status (null when killed by the timeout). */
    status: number | null;
    stdout: string;
    stderr: string;
}

/** Runs `pulumi <args>` in the clone, `input` on stdin, killed after `timeoutMs`; PULUMI names another binary (tests). */
export function runPulumi(args: string[], options: { input?: string; timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<PulumiRun> {
    const env = options.env ?? process.env;
    const bin = env.PULUMI ?? path.join(REPO_ROOT, "node_modules", ".bin", "pulumi");
    return new Promise((resolve, reject) => {
        const child = spawn(bin, args, { cwd: options.cwd ?? REPO_ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        const timer = setTimeout(() => {
            child.kill("SIGTERM");
            stderr += `\n(pulumi ${args[0]} ${args[1] ?? ""} gave no answer within ${options.timeoutMs / 1000} s and was stopped)`;
        }, options.timeoutMs);
        child.on("error", (e) => {
            clearTimeout(timer);
            reject(new Error(`cannot start the Pulumi CLI (${bin}): ${e.message}; run \`npm ci\` first`));
        });
        child.on("close", (status) => {
            clearTimeout(timer);
            resolve({ status, stdout, stderr });
        });
        child.stdin.on("error", () => undefined);
        child.stdin.end(options.input ?? "");
    });
}

/** The stack's config, secrets decrypted: `pulumi config --json --show-secrets` (needs the stack's passphrase). */
export async function decryptedConfig(stack: string, timeoutMs: number): Promise<Record<string, string>> {
    const run = await runPulumi(["config", "--json", "--show-secrets", "--stack", stack], { timeoutMs });
    if (run.status !== 0) {
        const passphrase = /passphrase/i.test(run.stderr) ? " (set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE)" : "";
        throw new Error(`pulumi config --show-secrets failed${passphrase}: ${run.stderr.trim().split("\n").slice(-3).join(" ")}`);
    }
    const entries = JSON.parse(run.stdout) as Record<string, { value?: unknown }>;
    return Object.fromEntries(
        Object.entries(entries)
            .filter(([, entry]) => entry.value !== undefined)
            .map(([key, entry]) => [key, typeof entry.value === "string" ? entry.value : JSON.stringify(entry.value)]),
    );
}
