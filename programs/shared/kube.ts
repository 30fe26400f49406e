// The programs' Kubernetes client: @kubernetes/client-node with the stack's kubeconfig output loaded in memory (never
// a file the user wrote), and the TestRun side `npm run load`, `npm run drill` and `npm run verify` share. Every call
// is bounded: an API server that accepts the connection and never answers ends the command with a message naming
// the call, not a silent hang.
import * as k8s from "@kubernetes/client-node";
import type { RequestContext } from "@kubernetes/client-node";
import { K6 } from "../../components/load/facts";
import { runnerPodSelector, TEST_RUN_API, type TestRun } from "../../components/load/testRun";

/** What a program does to the load part's TestRuns. */
export interface LoadCluster {
    create(run: TestRun): Promise<void>;
    /** The run's `status.stage`; undefined while the operator has not set it, null once the run is gone. */
    stage(namespace: string, name: string): Promise<string | undefined | null>;
    /** Logs of the run's runner pods, concatenated. */
    runnerLogs(namespace: string, name: string): Promise<string>;
    /** Deletes the run (its Jobs and pods go with it); a run already gone is not an error. */
    remove(namespace: string, name: string): Promise<void>;
}

const isNotFound = (e: unknown): boolean => e instanceof k8s.ApiException && e.code === 404;

/** A KubeConfig whose every request is aborted after `timeoutMs` (the client calls this for each one). */
class TimedKubeConfig extends k8s.KubeConfig {
    constructor(private readonly timeoutMs: number) {
        super();
    }

    override async applySecurityAuthentication(context: RequestContext): Promise<void> {
        await super.applySecurityAuthentication(context);
        context.setSignal(AbortSignal.timeout(this.timeoutMs));
    }
}

/** The stack's kubeconfig, loaded, with every request bounded by `timeoutMs`. */
export function timedKubeConfig(kubeconfig: string, timeoutMs: number): k8s.KubeConfig {
    const config = new TimedKubeConfig(timeoutMs);
    config.loadFromString(kubeconfig);
    return config;
}

/**
 * `call`, given up after `timeoutMs` with a message naming `what` and the server (also for calls that do not go
 * through the abort signal: exec's WebSocket).
 */
export async function bounded<T>(config: k8s.KubeConfig, what: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
    const expired = () =>
        new Error(`the Kubernetes API at ${config.getCurrentCluster()?.server ?? "?"} did not answer within ${timeoutMs / 1000} s (${what}): is it reachable?`);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(expired()), timeoutMs);
    });
    try {
        return await Promise.race([
            call().catch((e: unknown) => {
                throw e instanceof Error && (e.name === "AbortError" || e.name === "TimeoutError") ? expired() : e;
            }),
            deadline,
        ]);
    } finally {
        clearTimeout(timer);
    }
}

/** LoadCluster over the Kubernetes API; each call gives up after `timeoutMs`. */
export function kubeCluster(kubeconfig: string, timeoutMs: number = K6.apiTimeoutSeconds * 1000): LoadCluster {
    const config = timedKubeConfig(kubeconfig, timeoutMs);
    const custom = config.makeApiClient(k8s.CustomObjectsApi);
    const core = config.makeApiClient(k8s.CoreV1Api);
    const ref = (namespace: string) => ({ group: TEST_RUN_API.group, version: TEST_RUN_API.version, plural: TEST_RUN_API.plural, namespace });
    const call = <T>(what: string, f: () => Promise<T>): Promise<T> => bounded(config, what, timeoutMs, f);
    return {
        async create(run) {
            await call(`creating TestRun ${run.metadata.namespace}/${run.metadata.name}`, () =>
                custom.createNamespacedCustomObject({ ...ref(run.metadata.namespace), body: run }),
            );
        },
        async stage(namespace, name) {
            try {
                const run = (await call(`reading TestRun ${namespace}/${name}`, () => custom.getNamespacedCustomObject({ ...ref(namespace), name }))) as {
                    status?: { stage?: string };
                };
                return run.status?.stage;
            } catch (e) {
                if (isNotFound(e)) {
                    return null;
                }
                throw e;
            }
        },
        async runnerLogs(namespace, name) {
            const pods = await call(`listing the runner pods of ${namespace}/${name}`, () =>
                core.listNamespacedPod({ namespace, labelSelector: runnerPodSelector(name) }),
            );
            const logs = await Promise.all(
                pods.items.map((pod) =>
                    call(`reading the log of ${namespace}/${pod.metadata?.name ?? ""}`, () =>
                        core.readNamespacedPodLog({ name: pod.metadata?.name ?? "", namespace }),
                    ),
                ),
            );
            return logs.join("\n");
        },
        async remove(namespace, name) {
            try {
                await call(`deleting TestRun ${namespace}/${name}`, () =>
                    custom.deleteNamespacedCustomObject({ ...ref(namespace), name, propagationPolicy: "Foreground" }),
                );
            } catch (e) {
                if (!isNotFound(e)) {
                    throw e;
                }
            }
        },
    };
}
