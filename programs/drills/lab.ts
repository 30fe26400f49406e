// The real lab behind `npm run drill`: stack outputs and config through the pinned Pulumi CLI, the cluster
// over the Kubernetes API, nodes over SSH, the fault window as a Grafana annotation.
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { CONFIG_DEFAULTS } from "../../components/config/defaults";
import { DRILLS } from "../shared/facts";
import { parseLabOutputs, parseStackOutputs, stackOutputJson } from "../shared/stackOutputs";
import type { Annotate, DrillLab, NodeControl } from "./cluster";
import { kubeDrillCluster } from "./kube";

const REPO_ROOT = path.join(__dirname, "..", "..");
const STACK = process.env.PULUMI_STACK ?? "homelab";

function pulumi(args: string[]): string {
    return execFileSync(path.join(REPO_ROOT, "node_modules", ".bin", "pulumi"), [...args, "--stack", STACK], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        stdio: ["inherit", "pipe", "inherit"],
        // Bounded like every other call: a CLI that hangs (a passphrase prompt nobody answers) ends the drill.
        timeout: DRILLS.cliTimeoutSeconds * 1000,
    });
}

/** ssh's arguments: the stack's key, a throw-away known_hosts (the user's own is left alone), no prompts. */
export function sshArgs(keyFile: string, knownHosts: string, user: string, address: string, command: string): string[] {
    return [
        "-i",
        keyFile,
        "-o",
        "BatchMode=yes",
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "StrictHostKeyChecking=accept-new",
        "-o",
        `UserKnownHostsFile=${knownHosts}`,
        "-o",
        "ConnectTimeout=10",
        `${user}@${address}`,
        command,
    ];
}

/**
 * Servers the drill may take away: never the one the kubeconfig talks to, nor the first server (Pulumi's own
 * endpoint, which every join went through), also when the kubeconfig names a VIP. None on an existing cluster.
 */
export function nodeCandidates(nodeAddresses: Record<string, string>, apiServerUrl: string): string[] {
    const apiHost = new URL(apiServerUrl).hostname;
    return Object.entries(nodeAddresses)
        .filter(([, ip], index) => index > 0 && ip !== apiHost)
        .map(([name]) => name);
}

/** The SSH commands a drill runs on a server: kill everything, stop the service only, start it. */
export interface NodeCommands {
    stop: string;
    stopService: string;
    start: string;
}

/** Runs ssh with `args`, asynchronously (a failure is a rejection, never a synchronous throw), killed after `timeoutMs`. */
export function runSsh(args: string[], timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
        execFile("ssh", args, { timeout: timeoutMs, killSignal: "SIGKILL" }, (error, _stdout, stderr) => {
            if (error === null) {
                resolve();
                return;
            }
            const why = error.killed ? `no answer within ${timeoutMs / 1000} s` : `exit ${String(error.code)}`;
            reject(new Error(`ssh ${args[args.length - 2]} '${args[args.length - 1]}': ${why}${stderr.trim() === "" ? "" : `: ${stderr.trim()}`}`));
        });
    });
}

/**
 * NodeControl over SSH; the key is read (pulumi config get) and written to a 0600 temp file only when used. Every
 * step runs inside the returned promise, so reading the key failing is a rejection the runner's restore sees.
 */
export function sshNodes(
    nodeAddresses: Record<string, string>,
    apiServerUrl: string,
    commands: NodeCommands,
    io: { config(key: string): string; ssh(args: string[], timeoutMs: number): Promise<void> } = {
        config: (key) => pulumi(["config", "get", key]),
        ssh: runSsh,
    },
): NodeControl {
    let dir: string | undefined;
    let user: string | undefined;
    const login = (): { key: string; knownHosts: string; user: string } => {
        if (dir === undefined) {
            const key = io.config("homelab:sshPrivateKey").trimEnd() + "\n";
            const made = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-drill-"));
            process.once("exit", () => fs.rmSync(made, { recursive: true, force: true }));
            fs.writeFileSync(path.join(made, "key"), key, { mode: 0o600 });
            dir = made;
        }
        if (user === undefined) {
            user = CONFIG_DEFAULTS.sshUser;
            try {
                user = io.config("homelab:sshUser").trim() || user;
            } catch {
                // Not set: the default user.
            }
        }
        return { key: path.join(dir, "key"), knownHosts: path.join(dir, "known_hosts"), user };
    };
    const run = async (node: string, command: string): Promise<void> => {
        const session = login();
        await io.ssh(sshArgs(session.key, session.knownHosts, session.user, nodeAddresses[node], command), DRILLS.sshTimeoutSeconds * 1000);
    };
    return {
        candidates: () => nodeCandidates(nodeAddresses, apiServerUrl),
        stop: (node) => run(node, commands.stop),
        stopService: (node) => run(node, commands.stopService),
        start: (node) => run(node, commands.start),
        startByHand: (node) => `ssh ${user ?? CONFIG_DEFAULTS.sshUser}@${nodeAddresses[node] ?? node} ${commands.start}`,
    };
}

/** Grafana's POST /api/annotations body for a region from `from` to `to` (ms). */
export function annotationBody(text: string, from: number, to: number, tags: string[]): { time: number; timeEnd: number; tags: string[]; text: string } {
    return { time: from, timeEnd: to, tags, text };
}

/**
 * Annotates over HTTPS verified against the lab's CA (Node's fetch trusts only the system's roots), giving up after
 * `timeoutMs`: a Grafana that accepts the connection and never answers must not hang the drill after its report.
 */
export function grafanaAnnotate(grafana: { url: string; password: string; ca?: string }, timeoutMs = DRILLS.apiTimeoutSeconds * 1000): Annotate {
    return (text, from, to, tags) =>
        new Promise<void>((resolve, reject) => {
            const url = `${grafana.url.replace(/\/+$/, "")}/api/annotations`;
            const request = https.request(
                url,
                {
                    method: "POST",
                    ...(grafana.ca === undefined ? {} : { ca: grafana.ca }),
                    headers: { "Content-Type": "application/json", Authorization: `Basic ${Buffer.from(`admin:${grafana.password}`).toString("base64")}` },
                },
                (res) => {
                    res.resume();
                    const status = res.statusCode ?? 0;
                    if (status >= 200 && status < 300) {
                        resolve();
                    } else {
                        reject(new Error(`Grafana answered ${status}`));
                    }
                },
            );
            request.setTimeout(timeoutMs, () => request.destroy(new Error(`Grafana did not answer POST ${url} within ${timeoutMs / 1000} s`)));
            request.on("error", reject);
            request.end(JSON.stringify(annotationBody(text, from, to, tags)));
        });
}

export function realLab(commands: NodeCommands): DrillLab {
    const json = stackOutputJson(STACK);
    const { kubeconfig, target } = parseStackOutputs(json);
    const { nodeAddresses, apiServerUrl, grafana } = parseLabOutputs(json);
    return {
        target,
        cluster: kubeDrillCluster(kubeconfig),
        nodes: sshNodes(nodeAddresses, apiServerUrl, commands),
        annotate: grafana === undefined ? undefined : grafanaAnnotate(grafana),
    };
}
