// The config of a stack on a cluster the user already has: Pulumi.cluster.yaml plus a kubeconfig, no homelab:nodes.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { FAKE_K3S_KUBECONFIG } from "./pulumi";

/** A kubeconfig of another cluster (k3d's, say), with its own API server. */
export const CLUSTER_KUBECONFIG = FAKE_K3S_KUBECONFIG.replace("https://127.0.0.1:6443", "https://10.20.30.40:6443");

/** Pulumi.cluster.yaml as the engine hands it to the program, with the kubeconfig set as a secret. */
export function clusterStackConfig(overrides: Record<string, string | undefined> = {}): Record<string, string> {
    const file = parse(fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.cluster.yaml"), "utf8")) as { config: Record<string, unknown> };
    const config: Record<string, string | undefined> = { "homelab:kubeconfig": CLUSTER_KUBECONFIG };
    for (const [key, value] of Object.entries(file.config)) {
        if (!key.startsWith("pulumi:")) {
            config[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return Object.fromEntries(Object.entries({ ...config, ...overrides }).filter((e): e is [string, string] => e[1] !== undefined));
}
