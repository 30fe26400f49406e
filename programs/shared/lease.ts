// The drill lock: a coordination.k8s.io Lease `npm run drill` takes so two drills never run at once, and that
// `npm run verify` reads so it never judges a lab a drill is breaking on purpose.
import { DRILLS } from "./facts";

/** coordination.k8s.io/v1 Lease: the lock that keeps two drills from running at once. */
export interface DrillLease {
    apiVersion: "coordination.k8s.io/v1";
    kind: "Lease";
    metadata: { name: string; namespace: string; resourceVersion?: string };
    spec: { holderIdentity: string; leaseDurationSeconds: number; acquireTime: string; renewTime: string };
}

/** The lock `holder` takes at `now` (MicroTime: RFC 3339 with microseconds). */
export function drillLease(holder: string, now: number): DrillLease {
    const at = new Date(now).toISOString().replace("Z", "000Z");
    return {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: DRILLS.lock.name, namespace: DRILLS.lock.namespace },
        spec: { holderIdentity: holder, leaseDurationSeconds: DRILLS.lock.leaseSeconds, acquireTime: at, renewTime: at },
    };
}

/** When a lease lapses: its renewTime plus its duration (ms since the epoch). */
export function leaseExpiry(lease: Pick<DrillLease, "spec">): number {
    return Date.parse(lease.spec.renewTime) + lease.spec.leaseDurationSeconds * 1000;
}
