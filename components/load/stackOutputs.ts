// The stack outputs `npm run load` needs, read through the project's pinned Pulumi CLI.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import type { LoadTarget } from "./manifests";

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

/** Runs the project's Pulumi CLI; stdin and stderr stay on the terminal, so a passphrase prompt works. */
export function readStackOutputs(stack: string = process.env.PULUMI_STACK ?? "homelab"): { kubeconfig: string; target: LoadTarget } {
    const pulumi = path.join(REPO_ROOT, "node_modules", ".bin", "pulumi");
    let json: string;
    try {
        json = execFileSync(pulumi, ["stack", "output", "--json", "--show-secrets", "--stack", stack], {
            cwd: REPO_ROOT,
            encoding: "utf8",
            stdio: ["inherit", "pipe", "inherit"],
        });
    } catch (e) {
        throw new Error(`could not read the outputs of stack '${stack}' (pulumi stack output): ${e instanceof Error ? e.message : String(e)}`);
    }
    return parseStackOutputs(json);
}
