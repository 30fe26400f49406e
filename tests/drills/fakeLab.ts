// A stand-in lab for the drill runner: a fake clock, a load that writes the k6 timeline lines the real
// scenario writes (failing inside a scripted window after the injection), and a cluster whose pods, nodes and
// workloads change when the runner kills, stops or starts something. Every call is recorded in order.
import { expect } from "vitest";
import { CONFIG_DEFAULTS, DRILLS, POSTGRES, SHLINK } from "../../components/defaults";
import type { DrillCluster, DrillLab, NodeInfo, PodInfo } from "../../components/drills/cluster";
import type { DrillLease, ScratchPostgresCluster } from "../../components/drills/objects";
import type { DrillDeps } from "../../components/drills/runner";
import { primarySelector } from "../../components/drills/objects";
import { loadTarget } from "../../components/load/manifests";
import { timelineLine } from "../../components/load/scenarios/catalog";
import type { TestRun } from "../../components/load/testRun";

export const T0 = Date.UTC(2026, 10, 22, 3, 0, 0);
export const TARGET = loadTarget("https://istio-ingressgateway.istio-ingress.svc.cluster.local:443", "http://prom:9090/api/v1/write", { createPerMinute: CONFIG_DEFAULTS.shlinkCreateRatePerMinute, redirectPerSecond: CONFIG_DEFAULTS.shlinkRedirectRatePerSecond });
/** Requests the fake load sends per second (one every 100 ms). */
export const FAKE_RATE = 10;
/** Seconds the fake k6 needs before its first request (image pull, seeding). */
export const LOAD_WARMUP = 20;

export interface Script {
    /** Failed requests: those starting in [from, to) seconds after the injection. */
    failures?: { from: number; to: number };
    /** Seconds after the injection until a new leader pod is ready (undefined: never). */
    promoteAfter?: number;
    /** Seconds after the injection (or, for node-loss, after the restore) until every workload is ready (undefined: never). */
    healAfter?: number;
    unhealthy?: string[];
    heldLock?: DrillLease;
    /** No active OpenBao pod. */
    noVault?: boolean;
    /** backup-restore: the counts psql answers. */
    counts?: { live: number; restored: number };
    /** backup-restore: the live cluster's repositories with their stanza (status.pgbackrest.repos). */
    repos?: string[];
    /** backup-restore: the live cluster's data volume. */
    liveVolume?: { storageClassName: string; storage: string };
    abortAfterSleeps?: number;
    /** node-loss: the SSH stop fails (after killing k3s, say). */
    stopFails?: boolean;
    /** A stack on an existing cluster: no server of ours to take away. */
    noServers?: boolean;
    /** The runner's log cannot be read the first N times (its container is still being created). */
    logsFailTimes?: number;
}

export const NODES = ["k3s-1", "k3s-2", "k3s-3"];
export const API_SERVER_NODE = "k3s-1";

export function fakeLab(script: Script) {
    const calls: string[] = [];
    const files = new Map<string, string>();
    const lines: string[] = [];
    const annotations: { text: string; from: number; to: number; tags: string[] }[] = [];
    const controller = new AbortController();
    let now = T0;
    let sleeps = 0;
    let runStart: number | undefined;
    let injectedAt: number | undefined;
    let restoredAt: number | undefined;
    let stoppedNode: string | undefined;
    let created: TestRun | undefined;
    let scratch: ScratchPostgresCluster | undefined;
    let patch: object | undefined;
    const patches: object[] = [];
    let backupAskedAt: number | undefined;
    let lockHeld = false;
    let logReads = 0;
    /** Shlink pods: killed ones come back ready 10 s later under a new name. */
    const shlink: (PodInfo & { readyAt: number })[] = [1, 2, 3].map((i) => ({ name: `shlink-${i}`, uid: `s${i}`, node: NODES[i - 1], ready: true, readyAt: 0 }));
    /** The most Shlink pods ever missing at once. */
    let worstShlink = 0;

    const since = (t: number | undefined, s: number | undefined) => t !== undefined && s !== undefined && now >= t + s * 1000;
    const healed = () => (stoppedNode !== undefined ? since(restoredAt, script.healAfter) : injectedAt === undefined || since(injectedAt, script.healAfter));
    const leader = (prefix: string, node: string): PodInfo[] => {
        if (injectedAt === undefined || stoppedNode !== undefined) {
            return [{ name: `${prefix}-a`, uid: `${prefix}-1`, node, ready: true }];
        }
        return since(injectedAt, script.promoteAfter) ? [{ name: `${prefix}-b`, uid: `${prefix}-2`, node: "k3s-3", ready: true }] : [];
    };

    function timeline(): string {
        if (runStart === undefined) {
            return "";
        }
        const out: string[] = [];
        let batch: [number, boolean][] = [];
        for (let t = runStart + LOAD_WARMUP * 1000; t <= now; t += 1000 / FAKE_RATE) {
            const after = injectedAt === undefined ? -1 : (t - injectedAt) / 1000;
            const f = script.failures;
            batch.push([t, !(f !== undefined && after >= f.from && after < f.to)]);
            if (batch.length === FAKE_RATE) {
                out.push(`time="${new Date(t).toISOString()}" level=info msg="${timelineLine(batch)}" source=console`);
                batch = [];
            }
        }
        return out.join("\n");
    }

    const cluster: DrillCluster = {
        load: {
            create: (run) => {
                created = run;
                runStart = now;
                calls.push(`create ${run.metadata.name}`);
                return Promise.resolve();
            },
            stage: () => Promise.resolve("started"),
            runnerLogs: () =>
                (script.logsFailTimes ?? 0) > logReads++
                    ? Promise.reject(new Error('container "k6" in pod "x" is waiting to start: ContainerCreating'))
                    : Promise.resolve(timeline()),
            remove: (ns, name) => {
                calls.push(`remove ${ns}/${name}`);
                return Promise.resolve();
            },
        },
        notReady: (namespaces) => {
            if (script.unhealthy !== undefined) {
                return Promise.resolve(script.unhealthy);
            }
            const missing = shlink.filter((p) => now < p.readyAt).length;
            const broken = !healed() && namespaces.includes(POSTGRES.namespace) ? ["StatefulSet postgres/shlink-db-pgha1 2/3"] : [];
            return Promise.resolve([...broken, ...(missing > 0 ? [`Deployment shlink/shlink ${3 - missing}/3`] : [])]);
        },
        lock: (lease) => {
            calls.push(`lock ${lease.spec.holderIdentity}`);
            if (script.heldLock !== undefined) {
                return Promise.resolve(script.heldLock);
            }
            lockHeld = true;
            return Promise.resolve(undefined);
        },
        unlock: (holder) => {
            calls.push(`unlock ${holder}`);
            lockHeld = false;
            return Promise.resolve();
        },
        pods: (ns, selector) => {
            if (selector === primarySelector(POSTGRES.clusterName)) {
                return Promise.resolve(leader("shlink-db-pgha1", "k3s-2"));
            }
            if (selector === primarySelector(DRILLS.scratchCluster)) {
                return Promise.resolve(scratch !== undefined && now - (backupAskedAt ?? now) > 60_000 ? [{ name: "drill-restore-0", uid: "r", node: "k3s-3", ready: true }] : []);
            }
            if (selector === DRILLS.redisMaster.selector) {
                return Promise.resolve(leader("rfr-shlink-redis", "k3s-1"));
            }
            if (selector === DRILLS.vaultActive.selector) {
                return Promise.resolve(script.noVault ? [] : leader("openbao", "k3s-1"));
            }
            if (ns === SHLINK.namespace && selector === DRILLS.shlinkPods.selector) {
                return Promise.resolve(shlink.map((p) => ({ ...p, ready: now >= p.readyAt })));
            }
            throw new Error(`unexpected pods(${ns}, ${selector})`);
        },
        deletePod: (ns, name, grace) => {
            calls.push(`delete ${ns}/${name} grace=${grace}`);
            injectedAt ??= now;
            const pod = shlink.find((p) => p.name === name);
            if (pod !== undefined) {
                pod.name = `${name}-new`;
                pod.uid = `${pod.uid}-new`;
                pod.readyAt = now + 10_000;
                worstShlink = Math.max(worstShlink, shlink.filter((p) => now < p.readyAt).length);
            }
            return Promise.resolve();
        },
        nodes: () => Promise.resolve(NODES.map((name): NodeInfo => ({ name, ready: name !== stoppedNode || since(restoredAt, script.healAfter) }))),
        patchPostgresCluster: (ns, name, p) => {
            calls.push(`patch ${ns}/${name}`);
            patch = p;
            patches.push(p);
            backupAskedAt = now;
            return Promise.resolve();
        },
        postgresCluster: (ns, name) => {
            expect(ns).toBe(POSTGRES.namespace);
            if (name === DRILLS.scratchCluster) {
                return Promise.resolve(scratch === undefined ? null : {});
            }
            const id = (patch as { metadata?: { annotations?: Record<string, string> } } | undefined)?.metadata?.annotations?.[
                "postgres-operator.crunchydata.com/pgbackrest-backup"
            ];
            const finished = backupAskedAt !== undefined && now - backupAskedAt >= 30_000;
            const repos = (script.repos ?? ["repo1"]).map((repo) => ({ name: repo, stanzaCreated: true }));
            return Promise.resolve({ pgbackrest: { repos, ...(id === undefined ? {} : { manualBackup: { id, finished, succeeded: finished ? 1 : 0 } }) } });
        },
        postgresVolume: (ns, name) => {
            expect([ns, name]).toEqual([POSTGRES.namespace, POSTGRES.clusterName]);
            return Promise.resolve(script.liveVolume ?? { storageClassName: "local-path", storage: "20Gi" });
        },
        createPostgresCluster: (object) => {
            calls.push(`create PostgresCluster ${object.metadata.namespace}/${object.metadata.name}`);
            scratch = object;
            return Promise.resolve();
        },
        deletePostgresCluster: (ns, name) => {
            calls.push(`delete PostgresCluster ${ns}/${name}`);
            return Promise.resolve();
        },
        exec: (ns, pod, container, command) => {
            calls.push(`exec ${ns}/${pod} ${container} ${command.join(" ")}`);
            const counts = script.counts ?? { live: 0, restored: 0 };
            return Promise.resolve(`${pod.startsWith("drill-restore") ? counts.restored : counts.live}\n`);
        },
    };

    const lab: DrillLab = {
        target: TARGET,
        cluster,
        nodes: {
            candidates: () => (script.noServers ? [] : NODES.filter((n) => n !== API_SERVER_NODE)),
            stop: (node) => {
                calls.push(`stop ${node}`);
                if (script.stopFails) {
                    return Promise.reject(new Error("ssh: connection reset"));
                }
                stoppedNode = node;
                injectedAt ??= now;
                return Promise.resolve();
            },
            start: (node) => {
                calls.push(`start ${node}`);
                restoredAt = now;
                return Promise.resolve();
            },
        },
        annotate: (text, from, to, tags) => {
            annotations.push({ text, from, to, tags });
            return Promise.resolve();
        },
    };

    const deps: DrillDeps = {
        connect: () => Promise.resolve(lab),
        out: (line) => lines.push(line),
        now: () => now,
        sleep: (ms) => {
            now += ms;
            if (++sleeps === script.abortAfterSleeps) {
                controller.abort();
            }
            return Promise.resolve();
        },
        signal: controller.signal,
        holder: "tester@workstation",
        write: (path, text) => {
            files.set(path, text);
        },
    };
    return {
        deps,
        calls,
        lines,
        files,
        annotations,
        abort: () => controller.abort(),
        created: () => created,
        scratch: () => scratch,
        patch: () => patch,
        patches: () => patches,
        injectedAt: () => injectedAt,
        runStart: () => runStart,
        lockHeld: () => lockHeld,
        worstShlink: () => worstShlink,
        now: () => now,
    };
}
