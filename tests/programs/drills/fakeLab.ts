// A stand-in lab for the drill runner: a fake clock (this machine's, and the cluster's `skew` ahead of it), a
// load that writes the k6 timeline lines the real scenario writes (requests failing inside a scripted window after
// the injection, k6's dropped-iteration counter, the heartbeat) from a runner the fake scheduler places on a node,
// and a cluster whose pods, nodes, workloads and database change when the runner kills, stops or starts something.
// Every call that changes something is recorded in order; every printed line with the time it was printed.
import { expect } from "vitest";
import { SHLINK } from "../../../components/apps/facts";
import { CONFIG_DEFAULTS } from "../../../components/config/defaults";
import { POSTGRES } from "../../../components/data/facts";
import { ISTIO } from "../../../components/mesh/facts";
import { DRILLS } from "../../../programs/shared/facts";
import type { DrillCluster, DrillDeps, DrillLab, NodeInfo, PodInfo } from "../../../programs/drills/cluster";
import type { ScratchPostgresCluster } from "../../../programs/drills/objects";
import { lastArchivedWalCommand, markRestorePointCommand } from "../../../programs/drills/objects";
import type { DrillLease } from "../../../programs/shared/lease";
import { primarySelector } from "../../../programs/shared/postgres";
import { loadTarget } from "../../../components/load/manifests";
import { heartbeatLine, timelineLine } from "../../../components/load/scenarios/catalog";
import type { TestRun } from "../../../components/load/testRun";

export const T0 = Date.UTC(2026, 10, 22, 3, 0, 0);
export const TARGET = loadTarget("https://istio-ingressgateway.istio-ingress.svc.cluster.local:443", "http://prom:9090/api/v1/write", {
    createPerMinute: CONFIG_DEFAULTS.shlinkCreateRatePerMinute,
    redirectPerSecond: CONFIG_DEFAULTS.shlinkRedirectRatePerSecond,
});
/** Requests the fake load sends per second (one every ~48 ms): the drill scenario's schedule, 20 redirects + 1 creation. */
export const FAKE_RATE = 21;
/** Seconds the fake k6 needs before its first request (image pull, seeding). */
export const LOAD_WARMUP = 20;

/** A call of the fake cluster or node control that fails: synchronously (a throw before any promise) or not. */
export interface Failure {
    call: "create" | "runnerLogs" | "remove" | "deletePod" | "stop" | "stopService" | "start" | "unlock" | "nodes" | "notReady";
    sync: boolean;
    /** Fail from the Nth call of it on (1: the first); `times` calls in a row (default: every call from then on). */
    from?: number;
    times?: number;
    /** Count only the calls made once the fault is injected. */
    afterInjection?: boolean;
}

export interface Script {
    /** Failed requests: those starting in [from, to) seconds after the injection. */
    failures?: { from: number; to: number };
    /** Iterations k6 dropped (no request sent, its counter up) in [from, to) seconds after the injection. */
    dropped?: { from: number; to: number };
    /** Seconds after the injection until a new leader pod is ready (undefined: never). */
    promoteAfter?: number;
    /** Seconds after the injection (or, for the node drills, after the restore) until every workload is ready (undefined: never). */
    healAfter?: number;
    unhealthy?: string[];
    heldLock?: DrillLease;
    /** No active OpenBao pod. */
    noVault?: boolean;
    /** backup-restore: short URLs in the live database at the start, a writer adding some every second, rows the restore loses. */
    db?: { rows: number; writesPerSecond?: number; lostInRestore?: number };
    /** backup-restore: the live cluster's repositories with their stanza (status.pgbackrest.repos). */
    repos?: string[];
    /** backup-restore: the live cluster's data volume. */
    liveVolume?: { storageClassName: string; storage: string };
    /** Ctrl-C after this many sleeps from the load's start. */
    abortAfterSleeps?: number;
    /** A stack on an existing cluster: no server of ours to take away. */
    noServers?: boolean;
    /** The runner's log cannot be read the first N times (its container is still being created). */
    logsFailTimes?: number;
    /** Calls that fail. */
    fail?: Failure[];
    /** The cluster's clock is this many ms ahead of this machine's (default 50). */
    skewMs?: number;
    /** The load generator stops (its process dies) this many seconds after the injection. */
    generatorLostAfter?: number;
    /** Only this share of the requests reach the log (the rest are lost between k6 and the drill). */
    loggedShare?: number;
    /** The fake scheduler's preference for the runner's node (the first allowed by its affinity). */
    runnerPrefers?: string[];
    /** The fake scheduler ignores the runner's affinity (as a TestRun without one would be scheduled). */
    ignoreAffinity?: boolean;
    /** From this drill's injection on, the lab stays unhealthy (a game day must stop after it). */
    breaksLabAt?: string;
}

export const NODES = ["k3s-1", "k3s-2", "k3s-3"];
export const API_SERVER_NODE = "k3s-1";
/** The node pickNode chooses in this lab (neither the API server, nor the PostgreSQL primary's, nor the Redis master's). */
export const QUIET_NODE = "k3s-3";

type Pod = PodInfo & { readyAt: number };

export function fakeLab(script: Script) {
    // 50 ms by default: the Date header's second then ticks midway between two probes (100 ms apart), where the
    // measured skew is exact; tests of the clock set other skews and allow the probe's ± 50 ms.
    const skew = script.skewMs ?? 50;
    const calls: string[] = [];
    const files = new Map<string, string>();
    const lines: string[] = [];
    /** The local time each line was printed at. */
    const stamps: number[] = [];
    const annotations: { text: string; from: number; to: number; tags: string[] }[] = [];
    const controller = new AbortController();
    let now = T0;
    let sleeps = 0;
    let runStart: number | undefined;
    let runEnd: number | undefined;
    let runnerNode: string | undefined;
    let drill: string | undefined;
    let injectedAt: number | undefined;
    let restoredAt: number | undefined;
    let stoppedNode: string | undefined;
    let brokenSince: number | undefined;
    let created: TestRun | undefined;
    let scratch: ScratchPostgresCluster | undefined;
    let scratchAt: number | undefined;
    let patch: object | undefined;
    const patches: object[] = [];
    let backupAskedAt: number | undefined;
    let restorePoint: { name: string; at: number } | undefined;
    let lockHeld = false;
    let logReads = 0;
    const counts = new Map<string, number>();
    const pods = (prefix: string, n: number): Pod[] =>
        Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i + 1}`, uid: `${prefix}${i + 1}`, node: NODES[i], ready: true, readyAt: 0 }));
    /** Killed pods come back ready 10 s later under a new name. */
    const shlink = pods("shlink", 3);
    const istiod = pods("istiod", ISTIO.istiodReplicas);
    const gateway = pods("istio-ingressgateway", ISTIO.gatewayReplicas);
    /** The most Shlink pods ever missing at once. */
    let worstShlink = 0;

    /** The cluster's clock. */
    const clusterNow = () => now + skew;
    const since = (t: number | undefined, s: number | undefined) => t !== undefined && s !== undefined && now >= t + s * 1000;
    const healed = () => (stoppedNode !== undefined ? since(restoredAt, script.healAfter) : injectedAt === undefined || since(injectedAt, script.healAfter));
    const leader = (prefix: string, node: string): PodInfo[] => {
        if (injectedAt === undefined || stoppedNode !== undefined || !["postgres-primary", "redis-master", "vault-pod"].includes(drill ?? "")) {
            return [{ name: `${prefix}-a`, uid: `${prefix}-1`, node, ready: true }];
        }
        return since(injectedAt, script.promoteAfter) ? [{ name: `${prefix}-b`, uid: `${prefix}-2`, node: "k3s-3", ready: true }] : [];
    };
    const rows = (at: number) => (script.db?.rows ?? 0) + Math.floor(((at - T0) / 1000) * (script.db?.writesPerSecond ?? 0));

    /** Makes `call` fail as scripted: a synchronous throw, or a rejected promise. */
    function maybeFail(call: Failure["call"]): Promise<never> | undefined {
        const n = (counts.get(call) ?? 0) + 1;
        counts.set(call, n);
        const m = injectedAt === undefined ? 0 : (counts.get(`${call} after`) ?? 0) + 1;
        counts.set(`${call} after`, m);
        const f = script.fail?.find((x) => {
            const k = x.afterInjection ? m : n;
            return x.call === call && k >= (x.from ?? 1) && k < (x.from ?? 1) + (x.times ?? Infinity);
        });
        if (f === undefined) {
            return undefined;
        }
        const error = new Error(`${call} failed (scripted)`);
        if (f.sync) {
            throw error;
        }
        return Promise.reject(error);
    }

    /** When the generator stops: scripted, or when the node it runs on loses its containers. */
    function generatorEnd(): number {
        const lost = script.generatorLostAfter === undefined || injectedAt === undefined ? Infinity : injectedAt + script.generatorLostAfter * 1000;
        const killed = stoppedNode !== undefined && stoppedNode === runnerNode && calls.includes(`stop ${stoppedNode}`) ? (injectedAt ?? Infinity) : Infinity;
        return Math.min(lost, killed, runEnd ?? Infinity, now);
    }

    /** The runner's log: the timeline the real scenario writes, on the cluster's clock. */
    function timeline(): string {
        if (runStart === undefined) {
            return "";
        }
        const out: string[] = [];
        const end = generatorEnd();
        let batch: [number, boolean][] = [];
        let dropped = 0;
        let kept = 0;
        const first = runStart + LOAD_WARMUP * 1000;
        for (let i = 0, t = first; t <= end; i++, t = first + (i * 1000) / FAKE_RATE) {
            const at = Math.round(t + skew);
            const after = injectedAt === undefined ? -1 : (t - injectedAt) / 1000;
            const within = (w: { from: number; to: number } | undefined) => w !== undefined && after >= w.from && after < w.to;
            if (within(script.dropped)) {
                dropped++;
                continue;
            }
            kept += script.loggedShare ?? 1;
            if (kept < 1) {
                continue;
            }
            kept -= 1;
            batch.push([at, !within(script.failures)]);
            if (batch.length === FAKE_RATE) {
                out.push(
                    `time="${new Date(at).toISOString()}" level=info msg="${timelineLine(batch, { scenario: "redirects", count: dropped })}" source=console`,
                );
                batch = [];
            }
        }
        for (let t = first; t <= end; t += 1000) {
            out.push(`time="${new Date(t + skew).toISOString()}" level=info msg="${heartbeatLine(Math.round(t + skew))}" source=console`);
        }
        return out.join("\n");
    }

    /** The fake scheduler: the runner on the first preferred node its affinity allows. */
    function schedule(run: TestRun): string {
        const away =
            run.spec.runner.affinity?.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.flatMap((term) =>
                term.matchFields.filter((f) => f.key === "metadata.name" && f.operator === "NotIn").flatMap((f) => f.values),
            ) ?? [];
        if (script.ignoreAffinity) {
            away.length = 0;
        }
        const node = (script.runnerPrefers ?? [QUIET_NODE, "k3s-2", "k3s-1"]).find((n) => !away.includes(n));
        if (node === undefined) {
            throw new Error("no node for the runner");
        }
        return node;
    }

    const podsOf = (list: Pod[]) => list.map((p) => ({ name: p.name, uid: p.uid, node: p.node, ready: now >= p.readyAt }));
    const kill = (list: Pod[], name: string) => {
        const pod = list.find((p) => p.name === name);
        if (pod !== undefined) {
            pod.name = `${name}-new`;
            pod.uid = `${pod.uid}-new`;
            pod.readyAt = now + 10_000;
        }
        return pod !== undefined;
    };

    const cluster: DrillCluster = {
        load: {
            create: (run) => {
                calls.push(`create ${run.metadata.name}`);
                drill = /^drill-(.+)-\d{8}-\d{6}$/.exec(run.metadata.name)?.[1];
                injectedAt = undefined;
                restoredAt = undefined;
                stoppedNode = undefined;
                runEnd = undefined;
                return maybeFail("create") ?? ((created = run), (runStart = now), (runnerNode = schedule(run)), Promise.resolve());
            },
            stage: () => Promise.resolve("started"),
            runnerLogs: () =>
                maybeFail("runnerLogs") ??
                ((script.logsFailTimes ?? 0) > logReads++
                    ? Promise.reject(new Error('container "k6" in pod "x" is waiting to start: ContainerCreating'))
                    : Promise.resolve(timeline())),
            remove: (ns, name) => {
                calls.push(`remove ${ns}/${name}`);
                runEnd ??= now;
                return maybeFail("remove") ?? Promise.resolve();
            },
        },
        notReady: (namespaces) => {
            const failed = maybeFail("notReady");
            if (failed !== undefined) {
                return failed;
            }
            if (script.unhealthy !== undefined) {
                return Promise.resolve(script.unhealthy);
            }
            const missing = (list: Pod[], label: string, ns: string) => {
                const n = list.filter((p) => now < p.readyAt).length;
                return n > 0 && namespaces.includes(ns) ? [`Deployment ${ns}/${label} ${list.length - n}/${list.length}`] : [];
            };
            const broken = !healed() && namespaces.includes(POSTGRES.namespace) ? ["StatefulSet postgres/shlink-db-pgha1 2/3"] : [];
            const lasting =
                brokenSince !== undefined && namespaces.includes(SHLINK.namespace) ? ["Deployment shlink/shlink 1/3 (scripted: broken for good)"] : [];
            return Promise.resolve([
                ...broken,
                ...lasting,
                ...missing(shlink, "shlink", SHLINK.namespace),
                ...missing(istiod, "istiod", ISTIO.namespace),
                ...missing(gateway, "istio-ingressgateway", ISTIO.gatewayNamespace),
            ]);
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
            const failed = maybeFail("unlock");
            if (failed !== undefined) {
                return failed;
            }
            lockHeld = false;
            return Promise.resolve();
        },
        pods: (ns, selector) => {
            if (selector === primarySelector(POSTGRES.clusterName)) {
                return Promise.resolve(leader("shlink-db-pgha1", "k3s-2"));
            }
            if (selector === primarySelector(DRILLS.scratchCluster)) {
                return Promise.resolve(
                    scratch !== undefined && now - (scratchAt ?? now) > 30_000 ? [{ name: "drill-restore-0", uid: "r", node: "k3s-3", ready: true }] : [],
                );
            }
            if (selector === DRILLS.redisMaster.selector) {
                return Promise.resolve(leader("rfr-shlink-redis", "k3s-1"));
            }
            if (selector === DRILLS.vaultActive.selector) {
                return Promise.resolve(script.noVault ? [] : leader("openbao", "k3s-1"));
            }
            if (ns === SHLINK.namespace && selector === DRILLS.shlinkPods.selector) {
                return Promise.resolve(podsOf(shlink));
            }
            if (ns === DRILLS.istiodPods.namespace && selector === DRILLS.istiodPods.selector) {
                return Promise.resolve(podsOf(istiod));
            }
            if (ns === DRILLS.gatewayPods.namespace && selector === DRILLS.gatewayPods.selector) {
                return Promise.resolve(podsOf(gateway));
            }
            throw new Error(`unexpected pods(${ns}, ${selector})`);
        },
        deletePod: (ns, name, grace) => {
            calls.push(`delete ${ns}/${name} grace=${grace}`);
            injectedAt ??= now;
            if (script.breaksLabAt === drill) {
                brokenSince ??= now;
            }
            const failed = maybeFail("deletePod");
            if (failed !== undefined) {
                return failed;
            }
            if (kill(shlink, name)) {
                worstShlink = Math.max(worstShlink, shlink.filter((p) => now < p.readyAt).length);
            }
            kill(istiod, name);
            kill(gateway, name);
            return Promise.resolve();
        },
        nodes: () =>
            maybeFail("nodes") ??
            Promise.resolve(NODES.map((name): NodeInfo => ({ name, ready: name !== stoppedNode || since(restoredAt, script.healAfter) }))),
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
            scratchAt = now;
            return Promise.resolve();
        },
        deletePostgresCluster: (ns, name) => {
            calls.push(`delete PostgresCluster ${ns}/${name}`);
            return Promise.resolve();
        },
        exec: (ns, pod, container, command) => {
            const sql = command.join(" ");
            calls.push(`exec ${ns}/${pod} ${container} ${sql}`);
            if (command.includes("SELECT pg_walfile_name(pg_switch_wal())")) {
                const name = /pg_create_restore_point\('([^']+)'\)/.exec(sql)![1];
                expect(command).toEqual(markRestorePointCommand(name));
                restorePoint = { name, at: now };
                return Promise.resolve(`${rows(now)}\n0/3000148\n000000010000000000000003\n`);
            }
            if (sql === lastArchivedWalCommand().join(" ")) {
                return Promise.resolve(
                    restorePoint !== undefined && now - restorePoint.at >= 10_000 ? "000000010000000000000003\n" : "000000010000000000000002\n",
                );
            }
            if (pod.startsWith("drill-restore")) {
                // pgBackRest replays the archive up to the named restore point, or (none named) to its end: now.
                const target = scratch?.spec.dataSource.postgresCluster.options?.find((o) => o.startsWith("--target="))?.slice("--target=".length);
                const upTo = target !== undefined && target === restorePoint?.name ? restorePoint.at : scratchAt!;
                return Promise.resolve(`${rows(upTo) - (script.db?.lostInRestore ?? 0)}\n`);
            }
            return Promise.resolve(`${rows(now)}\n`);
        },
        serverTime: () => Promise.resolve(Math.floor(clusterNow() / 1000) * 1000),
    };

    const nodeCall = (call: "stop" | "stopService" | "start", node: string, effect: () => void): Promise<void> => {
        calls.push(`${call} ${node}`);
        // A stop that fails still took the node away (SSH dropped after k3s stopped); a start that fails did nothing.
        if (call !== "start") {
            effect();
        }
        const failed = maybeFail(call);
        if (failed !== undefined) {
            return failed;
        }
        if (call === "start") {
            effect();
        }
        return Promise.resolve();
    };
    const lab: DrillLab = {
        target: TARGET,
        cluster,
        nodes: {
            candidates: () => (script.noServers ? [] : NODES.filter((n) => n !== API_SERVER_NODE)),
            stop: (node) =>
                nodeCall("stop", node, () => {
                    stoppedNode = node;
                    injectedAt ??= now;
                }),
            stopService: (node) =>
                nodeCall("stopService", node, () => {
                    stoppedNode = node;
                    injectedAt ??= now;
                }),
            start: (node) => nodeCall("start", node, () => (restoredAt = now)),
            startByHand: (node) => `ssh ubuntu@${node} sudo systemctl start k3s`,
        },
        annotate: (text, from, to, tags) => {
            annotations.push({ text, from, to, tags });
            return Promise.resolve();
        },
    };

    const deps: DrillDeps = {
        connect: () => Promise.resolve(lab),
        out: (line) => {
            lines.push(line);
            stamps.push(now);
        },
        now: () => now,
        sleep: (ms) => {
            now += ms;
            if (runStart !== undefined && ++sleeps === script.abortAfterSleeps) {
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
        lab,
        calls,
        lines,
        stamps,
        files,
        annotations,
        abort: () => controller.abort(),
        created: () => created,
        scratch: () => scratch,
        patch: () => patch,
        patches: () => patches,
        /** The injection on this machine's clock, and on the cluster's. */
        injectedAt: () => injectedAt,
        runStart: () => runStart,
        runnerNode: () => runnerNode,
        lockHeld: () => lockHeld,
        worstShlink: () => worstShlink,
        now: () => now,
        rows,
    };
}
