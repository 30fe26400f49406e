// Container resources: from the specs in the parts' facts.ts to Kubernetes inputs, and Kubernetes quantities to numbers.
import type { ContainerResources } from "../defaults";

/** Container requests and limits from a spec in a part's facts.ts (copied: Pulumi inputs must not share objects). */
export function resourceRequirements(spec: ContainerResources): {
    requests: Record<string, string>;
    limits: Record<string, string>;
} {
    const limits: Record<string, string> = { memory: spec.limits.memory };
    if (spec.limits.cpu !== undefined) {
        limits.cpu = spec.limits.cpu;
    }
    return { requests: { ...spec.requests }, limits };
}

/** CPU quantity in millicores ("250m", "1", "0.5"). */
export function cpuMillicores(quantity: string): number {
    const milli = /^(\d+)m$/.exec(quantity);
    if (milli) {
        return Number(milli[1]);
    }
    if (/^\d+(\.\d+)?$/.test(quantity)) {
        return Math.round(Number(quantity) * 1000);
    }
    throw new Error(`unsupported CPU quantity "${quantity}"`);
}

/** Memory quantity in MiB ("96Mi", "1Gi"). */
export function memoryMiB(quantity: string): number {
    const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
    if (!match) {
        throw new Error(`unsupported memory quantity "${quantity}"`);
    }
    return Number(match[1]) * (match[2] === "Gi" ? 1024 : 1);
}

/** CPU (millicores) and memory (MiB) requests. */
export interface Requests {
    cpu: number;
    memory: number;
}

/** A pod's containers and its init containers in order; a native sidecar is an init container with `restartPolicy: Always`. */
export interface PodRequestsSpec {
    containers: readonly Requests[];
    initContainers?: readonly (Requests & { sidecar?: boolean })[];
}

/**
 * What the scheduler reserves for a pod (kubernetes/kubernetes staging/src/k8s.io/component-helpers/resource/
 * helpers.go `PodRequests`, the rule of KEP-753's sidecars): the containers' sum plus every native sidecar's, against
 * the largest init container plus the sidecars started before it; the larger, for CPU and memory separately.
 */
export function podRequests(pod: PodRequestsSpec): Requests {
    const reqs = { cpu: 0, memory: 0 };
    for (const c of pod.containers) {
        reqs.cpu += c.cpu;
        reqs.memory += c.memory;
    }
    const sidecars = { cpu: 0, memory: 0 };
    const init = { cpu: 0, memory: 0 };
    for (const c of pod.initContainers ?? []) {
        let running: Requests;
        if (c.sidecar === true) {
            reqs.cpu += c.cpu;
            reqs.memory += c.memory;
            sidecars.cpu += c.cpu;
            sidecars.memory += c.memory;
            running = sidecars;
        } else {
            running = { cpu: c.cpu + sidecars.cpu, memory: c.memory + sidecars.memory };
        }
        init.cpu = Math.max(init.cpu, running.cpu);
        init.memory = Math.max(init.memory, running.memory);
    }
    return { cpu: Math.max(reqs.cpu, init.cpu), memory: Math.max(reqs.memory, init.memory) };
}
