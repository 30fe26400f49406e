// The real cluster side of `npm run load`: @kubernetes/client-node with the stack's kubeconfig output loaded in
// memory (never a file the user wrote).
import * as k8s from "@kubernetes/client-node";
import type { LoadCluster } from "./cli";
import { runnerPodSelector, TEST_RUN_API } from "./testRun";

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
