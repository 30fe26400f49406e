// A pod's containers as a line of the budget (contracts/budget.ts): what the scheduler reserves for it, every
// container with its requests, a meshed pod with the sidecar Istio injects.
import type { BudgetLine, PodResources } from "../contracts/budget";
import { cpuMillicores, memoryMiB, podRequests } from "./resources";

type Requests = { requests?: { cpu?: unknown; memory?: unknown } } | undefined;

/** A container's requests as numbers; refuses a container without them (it would escape the budget). */
export function containerRequests(what: string, resources: unknown): { cpu: number; memory: number } {
    const requests = (resources as Requests)?.requests;
    if (typeof requests?.cpu !== "string" || typeof requests.memory !== "string") {
        throw new Error(`${what}: sets no CPU and memory requests`);
    }
    return { cpu: cpuMillicores(requests.cpu), memory: memoryMiB(requests.memory) };
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
