// The real side of `npm run load`: the stack outputs through the pinned Pulumi CLI, and the cluster through
// @kubernetes/client-node with the kubeconfig output loaded in memory (never a file the user wrote).
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import type { LoadCluster } from "./cli";
import type { LoadTarget } from "./manifests";
import { runnerPodSelector, TEST_RUN_API } from "./testRun";

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
    return { kubeconfig, target };
}

/** Runs the project's Pulumi CLI; stdin and stderr stay on the terminal, so a passphrase prompt works. */
export function readStackOutputs(stack: string = process.env.PULUMI_STACK ?? "homelab"): { kubeconfig: string; target: LoadTarget } {
    const pulumi = path.join(REPO_ROOT, "node_modules", ".bin", "pulumi");
    const json = execFileSync(pulumi, ["stack", "output", "--json", "--show-secrets", "--stack", stack], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        stdio: ["inherit", "pipe", "inherit"],
    });
    return parseStackOutputs(json);
}

const isNotFound = (e: unknown): boolean => e instanceof k8s.ApiException && e.code === 404;

/** LoadCluster over the Kubernetes API. */
export function kubeCluster(kubeconfig: string): LoadCluster {
    const config = new k8s.KubeConfig();
    config.loadFromString(kubeconfig);
    const custom = config.makeApiClient(k8s.CustomObjectsApi);
    const core = config.makeApiClient(k8s.CoreV1Api);
    const ref = (namespace: string) => ({ group: TEST_RUN_API.group, version: TEST_RUN_API.version, plural: TEST_RUN_API.plural, namespace });
    return {
        async create(run) {
            await custom.createNamespacedCustomObject({ ...ref(run.metadata.namespace), body: run });
        },
        async stage(namespace, name) {
            try {
                const run = (await custom.getNamespacedCustomObject({ ...ref(namespace), name })) as { status?: { stage?: string } };
                return run.status?.stage;
            } catch (e) {
                if (isNotFound(e)) {
                    return null;
                }
                throw e;
            }
        },
        async runnerLogs(namespace, name) {
            const pods = await core.listNamespacedPod({ namespace, labelSelector: runnerPodSelector(name) });
            const logs = await Promise.all(
                pods.items.map((pod) => core.readNamespacedPodLog({ name: pod.metadata?.name ?? "", namespace })),
            );
            return logs.join("\n");
        },
        async remove(namespace, name) {
            try {
                await custom.deleteNamespacedCustomObject({ ...ref(namespace), name, propagationPolicy: "Foreground" });
            } catch (e) {
                if (!isNotFound(e)) {
                    throw e;
                }
            }
        },
    };
}
