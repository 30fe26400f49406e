// The real DrillCluster: @kubernetes/client-node with the stack's kubeconfig output loaded in memory.
import { Writable } from "node:stream";
import * as k8s from "@kubernetes/client-node";
import { DRILLS } from "../defaults";
import { POSTGRES_CLUSTER } from "../data/crds";
import { kubeCluster } from "../load/kube";
import type { DrillCluster, PostgresClusterStatus } from "./cluster";
import { DEFAULT_DATA_VOLUME, leaseExpiry, type DrillLease } from "./objects";

const isStatus = (e: unknown, code: number): boolean => e instanceof k8s.ApiException && e.code === code;
const PGC = { group: POSTGRES_CLUSTER.apiVersion.split("/")[0], version: POSTGRES_CLUSTER.apiVersion.split("/")[1], plural: "postgresclusters" };

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
    await p.catch((e: unknown) => {
        if (!isStatus(e, 404)) {
            throw e;
        }
    });
}

/** Our Lease (MicroTime as RFC 3339 strings) as the client's, whose serializer wants V1MicroTime dates. */
function toV1Lease(lease: DrillLease, resourceVersion?: string): k8s.V1Lease {
    return {
        ...lease,
        metadata: { ...lease.metadata, resourceVersion },
        spec: { ...lease.spec, acquireTime: new k8s.V1MicroTime(lease.spec.acquireTime), renewTime: new k8s.V1MicroTime(lease.spec.renewTime) },
    };
}

function fromV1Lease(lease: k8s.V1Lease): DrillLease {
    // The client's deserializer leaves MicroTime as the server's string, whatever its type says.
    const time = (t: Date | string | undefined): string => (t === undefined ? new Date(0).toISOString() : typeof t === "string" ? t : t.toISOString());
    return {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: lease.metadata?.name ?? "", namespace: lease.metadata?.namespace ?? "", resourceVersion: lease.metadata?.resourceVersion },
        spec: {
            holderIdentity: lease.spec?.holderIdentity ?? "?",
            leaseDurationSeconds: lease.spec?.leaseDurationSeconds ?? 0,
            acquireTime: time(lease.spec?.acquireTime),
            renewTime: time(lease.spec?.renewTime),
        },
    };
}

export function kubeDrillCluster(kubeconfig: string): DrillCluster {
    const config = new k8s.KubeConfig();
    config.loadFromString(kubeconfig);
    const core = config.makeApiClient(k8s.CoreV1Api);
    const apps = config.makeApiClient(k8s.AppsV1Api);
    const leases = config.makeApiClient(k8s.CoordinationV1Api);
    const custom = config.makeApiClient(k8s.CustomObjectsApi);
    const { namespace, name } = DRILLS.lock;
    return {
        load: kubeCluster(kubeconfig),
        async notReady(namespaces) {
            const problems: string[] = [];
            for (const ns of namespaces) {
                for (const d of (await apps.listNamespacedDeployment({ namespace: ns })).items) {
                    const want = d.spec?.replicas ?? 1;
                    const ready = d.status?.readyReplicas ?? 0;
                    if (ready < want) {
                        problems.push(`Deployment ${ns}/${d.metadata?.name} ${ready}/${want}`);
                    }
                }
                for (const s of (await apps.listNamespacedStatefulSet({ namespace: ns })).items) {
                    const want = s.spec?.replicas ?? 1;
                    const ready = s.status?.readyReplicas ?? 0;
                    if (ready < want) {
                        problems.push(`StatefulSet ${ns}/${s.metadata?.name} ${ready}/${want}`);
                    }
                }
            }
            return problems;
        },
        async lock(lease, now) {
            try {
                await leases.createNamespacedLease({ namespace, body: toV1Lease(lease) });
                return undefined;
            } catch (e) {
                if (!isStatus(e, 409)) {
                    throw e;
                }
            }
            const current = fromV1Lease(await leases.readNamespacedLease({ name, namespace }));
            if (leaseExpiry(current) > now) {
                return current;
            }
            // Lapsed: replace it; the resourceVersion makes a race with another drill fail (409) instead of both winning.
            await leases.replaceNamespacedLease({ name, namespace, body: toV1Lease(lease, current.metadata.resourceVersion) });
            return undefined;
        },
        async unlock(holder) {
            const current = await leases.readNamespacedLease({ name, namespace }).catch(() => undefined);
            if (current?.spec?.holderIdentity === holder) {
                await ignoreNotFound(leases.deleteNamespacedLease({ name, namespace }));
            }
        },
        async pods(ns, selector) {
            return (await core.listNamespacedPod({ namespace: ns, labelSelector: selector })).items
                .filter((p) => p.metadata?.deletionTimestamp === undefined)
                .map((p) => ({
                    name: p.metadata?.name ?? "",
                    uid: p.metadata?.uid ?? "",
                    node: p.spec?.nodeName,
                    ready: p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
                }));
        },
        async deletePod(ns, pod, graceSeconds) {
            await ignoreNotFound(core.deleteNamespacedPod({ name: pod, namespace: ns, gracePeriodSeconds: graceSeconds }));
        },
        async nodes() {
            return (await core.listNode()).items.map((n) => ({
                name: n.metadata?.name ?? "",
                ready: n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
            }));
        },
        async patchPostgresCluster(ns, cluster, patch) {
            await custom.patchNamespacedCustomObject(
                { ...PGC, namespace: ns, name: cluster, body: patch },
                k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
            );
        },
        async postgresCluster(ns, cluster) {
            try {
                const object = (await custom.getNamespacedCustomObject({ ...PGC, namespace: ns, name: cluster })) as { status?: PostgresClusterStatus };
                return object.status ?? {};
            } catch (e) {
                if (isStatus(e, 404)) {
                    return null;
                }
                throw e;
            }
        },
        async postgresVolume(ns, cluster) {
            const object = (await custom.getNamespacedCustomObject({ ...PGC, namespace: ns, name: cluster })) as {
                spec?: { instances?: { dataVolumeClaimSpec?: { storageClassName?: string; resources?: { requests?: { storage?: string } } } }[] };
            };
            const claim = object.spec?.instances?.[0]?.dataVolumeClaimSpec;
            return {
                storageClassName: claim?.storageClassName ?? DEFAULT_DATA_VOLUME.storageClassName,
                storage: claim?.resources?.requests?.storage ?? DEFAULT_DATA_VOLUME.storage,
            };
        },
        async createPostgresCluster(object) {
            await custom.createNamespacedCustomObject({ ...PGC, namespace: object.metadata.namespace, body: object });
        },
        async deletePostgresCluster(ns, cluster) {
            await ignoreNotFound(custom.deleteNamespacedCustomObject({ ...PGC, namespace: ns, name: cluster }));
        },
        async exec(ns, pod, container, command) {
            let stdout = "";
            let stderr = "";
            const sink = (append: (s: string) => void) =>
                new Writable({
                    write(chunk: Buffer, _enc, done) {
                        append(chunk.toString());
                        done();
                    },
                });
            const status = await new Promise<k8s.V1Status>((resolve, reject) => {
                new k8s.Exec(config)
                    .exec(ns, pod, container, command, sink((s) => (stdout += s)), sink((s) => (stderr += s)), null, false, resolve)
                    .catch(reject);
            });
            if (status.status !== "Success") {
                throw new Error(`${command.join(" ")} in ${ns}/${pod}: ${status.message ?? ""} ${stderr}`.trim());
            }
            return stdout;
        },
    };
}
