// The real DrillCluster: @kubernetes/client-node with the stack's kubeconfig output loaded in memory. Every call
// is bounded (DRILLS.apiTimeoutSeconds; exec: execTimeoutSeconds) and names itself when it expires.
import * as http from "node:http";
import * as https from "node:https";
import * as k8s from "@kubernetes/client-node";
import { DRILLS } from "../shared/facts";
import { POSTGRES_CLUSTER } from "../../components/data/crds";
import { bounded, kubeCluster, timedKubeConfig } from "../shared/kube";
import type { DrillCluster, PostgresClusterStatus } from "./cluster";
import { leaseExpiry, type DrillLease } from "../shared/lease";
import { DEFAULT_DATA_VOLUME } from "./objects";
import { textSink } from "../../components/kubernetes/textSink";

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

/** The `Date` header of GET /version (any response carries it; this one is small and readable by anyone). */
async function dateHeader(config: k8s.KubeConfig, signal: AbortSignal): Promise<number> {
    const server = config.getCurrentCluster()?.server ?? "";
    const url = new URL("/version", server);
    const options: https.RequestOptions = { method: "GET", signal };
    await config.applyToHTTPSOptions(options);
    return new Promise<number>((resolve, reject) => {
        const request = (url.protocol === "https:" ? https : http).request(url, options, (res) => {
            res.resume();
            const date = Date.parse(res.headers.date ?? "");
            if (Number.isNaN(date)) {
                reject(new Error(`the API server at ${server} sent no Date header`));
            } else {
                resolve(date);
            }
        });
        request.on("error", reject);
        request.end();
    });
}

/** What every method of the real DrillCluster works with: the API clients and the bounded call. */
interface DrillApis {
    config: k8s.KubeConfig;
    timeoutMs: number;
    core: k8s.CoreV1Api;
    apps: k8s.AppsV1Api;
    leases: k8s.CoordinationV1Api;
    custom: k8s.CustomObjectsApi;
    /** `f` bounded by the API timeout, named `what` when it expires. */
    call: <T>(what: string, f: () => Promise<T>) => Promise<T>;
}

/** Readiness of the workloads, pods and nodes. */
function workloadMethods({ core, apps, call }: DrillApis): Pick<DrillCluster, "notReady" | "pods" | "deletePod" | "nodes"> {
    return {
        async notReady(namespaces) {
            const problems: string[] = [];
            for (const ns of namespaces) {
                for (const d of (await call(`listing Deployments in ${ns}`, () => apps.listNamespacedDeployment({ namespace: ns }))).items) {
                    const want = d.spec?.replicas ?? 1;
                    const ready = d.status?.readyReplicas ?? 0;
                    if (ready < want) {
                        problems.push(`Deployment ${ns}/${d.metadata?.name} ${ready}/${want}`);
                    }
                }
                for (const st of (await call(`listing StatefulSets in ${ns}`, () => apps.listNamespacedStatefulSet({ namespace: ns }))).items) {
                    const want = st.spec?.replicas ?? 1;
                    const ready = st.status?.readyReplicas ?? 0;
                    if (ready < want) {
                        problems.push(`StatefulSet ${ns}/${st.metadata?.name} ${ready}/${want}`);
                    }
                }
            }
            return problems;
        },
        async pods(ns, selector) {
            return (await call(`listing pods ${selector} in ${ns}`, () => core.listNamespacedPod({ namespace: ns, labelSelector: selector }))).items
                .filter((p) => p.metadata?.deletionTimestamp === undefined)
                .map((p) => ({
                    name: p.metadata?.name ?? "",
                    uid: p.metadata?.uid ?? "",
                    node: p.spec?.nodeName,
                    ready: p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
                }));
        },
        async deletePod(ns, pod, graceSeconds) {
            await ignoreNotFound(
                call(`deleting pod ${ns}/${pod}`, () => core.deleteNamespacedPod({ name: pod, namespace: ns, gracePeriodSeconds: graceSeconds })),
            );
        },
        async nodes() {
            return (await call("listing nodes", () => core.listNode())).items.map((n) => ({
                name: n.metadata?.name ?? "",
                ready: n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
            }));
        },
    };
}

/** The drill lock: one Lease, taken, taken over when lapsed, released by its holder. */
function lockMethods({ leases, call }: DrillApis): Pick<DrillCluster, "lock" | "unlock"> {
    const { namespace, name } = DRILLS.lock;
    return {
        async lock(lease, now) {
            try {
                await call("creating the drill lock", () => leases.createNamespacedLease({ namespace, body: toV1Lease(lease) }));
                return undefined;
            } catch (e) {
                if (!isStatus(e, 409)) {
                    throw e;
                }
            }
            const current = fromV1Lease(await call("reading the drill lock", () => leases.readNamespacedLease({ name, namespace })));
            if (current.spec.holderIdentity !== lease.spec.holderIdentity && leaseExpiry(current) > now) {
                return current;
            }
            // Lapsed, or ours (a game day renews it before each drill): replace it; the resourceVersion makes a race
            // with another drill fail (409) instead of both winning.
            await call("taking over the drill lock", () =>
                leases.replaceNamespacedLease({ name, namespace, body: toV1Lease(lease, current.metadata.resourceVersion) }),
            );
            return undefined;
        },
        async unlock(holder) {
            const current = await call("reading the drill lock", () => leases.readNamespacedLease({ name, namespace })).catch(() => undefined);
            if (current?.spec?.holderIdentity === holder) {
                await ignoreNotFound(call("deleting the drill lock", () => leases.deleteNamespacedLease({ name, namespace })));
            }
        },
    };
}

/** The PostgresClusters the data drills patch, read, create and delete. */
function postgresMethods({
    custom,
    call,
}: DrillApis): Pick<DrillCluster, "patchPostgresCluster" | "postgresCluster" | "postgresVolume" | "createPostgresCluster" | "deletePostgresCluster"> {
    return {
        async patchPostgresCluster(ns, cluster, patch) {
            await call(`patching PostgresCluster ${ns}/${cluster}`, () =>
                custom.patchNamespacedCustomObject(
                    { ...PGC, namespace: ns, name: cluster, body: patch },
                    k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
                ),
            );
        },
        async postgresCluster(ns, cluster) {
            try {
                const object = (await call(`reading PostgresCluster ${ns}/${cluster}`, () =>
                    custom.getNamespacedCustomObject({ ...PGC, namespace: ns, name: cluster }),
                )) as {
                    status?: PostgresClusterStatus;
                };
                return object.status ?? {};
            } catch (e) {
                if (isStatus(e, 404)) {
                    return null;
                }
                throw e;
            }
        },
        async postgresVolume(ns, cluster) {
            const object = (await call(`reading PostgresCluster ${ns}/${cluster}`, () =>
                custom.getNamespacedCustomObject({ ...PGC, namespace: ns, name: cluster }),
            )) as {
                spec?: { instances?: { dataVolumeClaimSpec?: { storageClassName?: string; resources?: { requests?: { storage?: string } } } }[] };
            };
            const claim = object.spec?.instances?.[0]?.dataVolumeClaimSpec;
            return {
                storageClassName: claim?.storageClassName ?? DEFAULT_DATA_VOLUME.storageClassName,
                storage: claim?.resources?.requests?.storage ?? DEFAULT_DATA_VOLUME.storage,
            };
        },
        async createPostgresCluster(object) {
            await call(`creating PostgresCluster ${object.metadata.namespace}/${object.metadata.name}`, () =>
                custom.createNamespacedCustomObject({ ...PGC, namespace: object.metadata.namespace, body: object }),
            );
        },
        async deletePostgresCluster(ns, cluster) {
            await ignoreNotFound(
                call(`deleting PostgresCluster ${ns}/${cluster}`, () => custom.deleteNamespacedCustomObject({ ...PGC, namespace: ns, name: cluster })),
            );
        },
    };
}

/** Commands in containers, and the API server's clock. */
function execMethods({ config, timeoutMs, call }: DrillApis): Pick<DrillCluster, "exec" | "serverTime"> {
    return {
        async exec(ns, pod, container, command) {
            let stdout = "";
            let stderr = "";
            const status = await bounded(config, `running ${command[0]} in ${ns}/${pod}`, DRILLS.execTimeoutSeconds * 1000, async () => {
                let socket: { close(): void } | undefined;
                try {
                    return await new Promise<k8s.V1Status>((resolve, reject) => {
                        new k8s.Exec(config)
                            .exec(
                                ns,
                                pod,
                                container,
                                command,
                                textSink((s) => (stdout += s)),
                                textSink((s) => (stderr += s)),
                                null,
                                false,
                                resolve,
                            )
                            .then((ws) => (socket = ws), reject);
                    });
                } finally {
                    socket?.close();
                }
            });
            if (status.status !== "Success") {
                throw new Error(`${command.join(" ")} in ${ns}/${pod}: ${status.message ?? ""} ${stderr}`.trim());
            }
            return stdout;
        },
        serverTime() {
            return call("reading the API server's clock (GET /version)", () => dateHeader(config, AbortSignal.timeout(timeoutMs)));
        },
    };
}

export function kubeDrillCluster(kubeconfig: string, timeoutMs: number = DRILLS.apiTimeoutSeconds * 1000): DrillCluster {
    const config = timedKubeConfig(kubeconfig, timeoutMs);
    const apis: DrillApis = {
        config,
        timeoutMs,
        core: config.makeApiClient(k8s.CoreV1Api),
        apps: config.makeApiClient(k8s.AppsV1Api),
        leases: config.makeApiClient(k8s.CoordinationV1Api),
        custom: config.makeApiClient(k8s.CustomObjectsApi),
        call: (what, f) => bounded(config, what, timeoutMs, f),
    };
    return {
        load: kubeCluster(kubeconfig, timeoutMs),
        ...workloadMethods(apis),
        ...lockMethods(apis),
        ...postgresMethods(apis),
        ...execMethods(apis),
    };
}
