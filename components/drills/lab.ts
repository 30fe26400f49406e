// The real lab behind `npm run drill`: stack outputs and config through the pinned Pulumi CLI, the cluster
// over the Kubernetes API, nodes over SSH, the fault window as a Grafana annotation.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { CONFIG_DEFAULTS } from "../defaults";
import { parseStackOutputs, stackOutputJson } from "../load/stackOutputs";
import type { Annotate, DrillLab, NodeControl } from "./cluster";
import { kubeDrillCluster } from "./kube";

const REPO_ROOT = path.join(__dirname, "..", "..");
const STACK = process.env.PULUMI_STACK ?? "homelab";

function pulumi(args: string[]): string {
    return execFileSync(path.join(REPO_ROOT, "node_modules", ".bin", "pulumi"), [...args, "--stack", STACK], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        stdio: ["inherit", "pipe", "inherit"],
    });
}

/**
 * The outputs besides the load layer's: the API server, Grafana, and the node addresses (Proxmox mode only: a
 * stack on an existing cluster has none, and only node-loss needs them).
 */
export function parseDrillOutputs(json: string): {
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
    const grafana = typeof o.grafanaUrl === "string" && typeof o.grafanaAdminPassword === "string" ? { url: o.grafanaUrl, password: o.grafanaAdminPassword, ...ca } : undefined;
    return { nodeAddresses, apiServerUrl: o.apiServerUrl, grafana };
}

/** ssh's arguments: the stack's key, a throw-away known_hosts (the user's own is left alone), no prompts. */
export function sshArgs(keyFile: string, knownHosts: string, user: string, address: string, command: string): string[] {
    return [
        "-i", keyFile,
        "-o", "BatchMode=yes",
        "-o", "IdentitiesOnly=yes",
        "-o", "StrictHostKeyChecking=accept-new",
        "-o", `UserKnownHostsFile=${knownHosts}`,
        "-o", "ConnectTimeout=10",
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

/** NodeControl over SSH; the key is read (pulumi config get) and written to a 0600 temp file only when used. */
function sshNodes(nodeAddresses: Record<string, string>, apiServerUrl: string, commands: { stop: string; start: string }): NodeControl {
    let dir: string | undefined;
    const run = (node: string, command: string): void => {
        if (dir === undefined) {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-drill-"));
            fs.writeFileSync(path.join(dir, "key"), pulumi(["config", "get", "homelab:sshPrivateKey"]).trimEnd() + "\n", { mode: 0o600 });
            process.once("exit", () => fs.rmSync(dir!, { recursive: true, force: true }));
        }
        let user: string = CONFIG_DEFAULTS.sshUser;
        try {
            user = pulumi(["config", "get", "homelab:sshUser"]).trim() || user;
        } catch {
            // Not set: the default user.
        }
        execFileSync("ssh", sshArgs(path.join(dir, "key"), path.join(dir, "known_hosts"), user, nodeAddresses[node], command), { stdio: "inherit" });
    };
    return {
        candidates: () => nodeCandidates(nodeAddresses, apiServerUrl),
        stop: (node) => Promise.resolve(run(node, commands.stop)),
        start: (node) => Promise.resolve(run(node, commands.start)),
    };
}

/** Grafana's POST /api/annotations body for a region from `from` to `to` (ms). */
export function annotationBody(text: string, from: number, to: number, tags: string[]): { time: number; timeEnd: number; tags: string[]; text: string } {
    return { time: from, timeEnd: to, tags, text };
}

/** Annotates over HTTPS verified against the lab's CA (Node's fetch trusts only the system's roots). */
function grafanaAnnotate(grafana: { url: string; password: string; ca?: string }): Annotate {
    return (text, from, to, tags) =>
        new Promise<void>((resolve, reject) => {
            const request = https.request(
                `${grafana.url.replace(/\/+$/, "")}/api/annotations`,
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
            request.on("error", reject);
            request.end(JSON.stringify(annotationBody(text, from, to, tags)));
        });
}

export function realLab(commands: { stop: string; start: string }): DrillLab {
    const json = stackOutputJson(STACK);
    const { kubeconfig, target } = parseStackOutputs(json);
    const { nodeAddresses, apiServerUrl, grafana } = parseDrillOutputs(json);
    return {
        target,
        cluster: kubeDrillCluster(kubeconfig),
        nodes: sshNodes(nodeAddresses, apiServerUrl, commands),
        annotate: grafana === undefined ? undefined : grafanaAnnotate(grafana),
    };
}
