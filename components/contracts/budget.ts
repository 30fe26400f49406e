// What a part adds to the platform's resource budget (PartOperations.budget): one line per kind of pod, computed
// from the part's own builders, and the helpers that turn a pod's containers into what the scheduler reserves.
// stacks/budget.ts sums the parts' lines; tests/budget.test.ts proves them equal to what the program sends.
// A shared contract: it imports no part.
import { cpuMillicores, memoryMiB, podRequests } from "../kubernetes/resources";

/** One kind of pod, what the scheduler reserves for one, and how many of it run. */
export interface BudgetLine {
    what: string;
    cpu: number;
    memory: number;
    count: number;
}

/** What the budget depends on. */
export interface BudgetPlan {
    shlinkReplicas: number;
    /** Nodes running the DaemonSets (node exporter). */
    nodeCount: number;
    /** Argo CD installed (homelab:argocd). */
    argocd: boolean;
    /** The off-site repository on (homelab:offsiteBackup*): its backup Jobs beside repo1's. */
    offsiteBackup?: boolean;
}

type Requests = { requests?: { cpu?: unknown; memory?: unknown } } | undefined;

/** A container's requests as numbers; refuses a container without them (it would escape the budget). */
export function containerRequests(what: string, resources: unknown): { cpu: number; memory: number } {
    const requests = (resources as Requests)?.requests;
    if (typeof requests?.cpu !== "string" || typeof requests.memory !== "string") {
        throw new Error(`${what}: sets no CPU and memory requests`);
    }
    return { cpu: cpuMillicores(requests.cpu), memory: memoryMiB(requests.memory) };
}

/** A pod's containers' resources, and its init containers' in order (a native sidecar marked). */
export interface PodResources {
    containers: readonly { name: string; resources: unknown }[];
    initContainers?: readonly { name: string; resources: unknown; sidecar?: boolean }[];
}

/** A line from one kind of pod: what the scheduler reserves for it (podRequests), every container with requests. */
export function podLine(what: string, pod: PodResources, count: number): BudgetLine {
    const requests = (c: { name: string; resources: unknown }) => containerRequests(`${what}/${c.name}`, c.resources);
    const reserved = podRequests({
        containers: pod.containers.map(requests),
        initContainers: (pod.initContainers ?? []).map((c) => ({ ...requests(c), sidecar: c.sidecar === true })),
    });
    return { what, cpu: reserved.cpu, memory: reserved.memory, count };
}

/** A line from a pod of one container. */
export function budgetLine(what: string, resources: unknown, count: number): BudgetLine {
    return podLine(what, { containers: [{ name: what.split("/").pop() as string, resources }] }, count);
}

/**
 * A meshed pod as Istio 1.30.3 injects it with the CNI agent and native sidecars (every kubelet ≥ 1.33, K3s v1.34):
 * `istio-validation` first, then `istio-proxy` as a restartable init container, both sized by global.proxy.resources
 * (istio-discovery files/injection-template.yaml:1-26, 80-83, 154-155, 187-193, 421-422). Without native
 * sidecars `istio-proxy` is a plain container: the same reservation.
 */
export function meshedPod(containers: PodResources["containers"], proxy: unknown): PodResources {
    return {
        containers,
        initContainers: [
            { name: "istio-validation", resources: proxy },
            { name: "istio-proxy", resources: proxy, sidecar: true },
        ],
    };
}
