// Container resources: from the specs in defaults.ts to Kubernetes inputs, and Kubernetes quantities to numbers.
import type { ContainerResources } from "../defaults";

/** Container requests and limits from a spec in defaults.ts (copied: Pulumi inputs must not share objects). */
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
