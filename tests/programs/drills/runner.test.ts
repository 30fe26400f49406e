// `npm run drill` without a cluster: refusals, the sequence (lock, load, steady, inject, restore, heal,
// measure, report, unlock), restore on every path (success, failure at each step, synchronous throws, Ctrl-C), the
// runner kept off the node a drill takes away, one clock, progress, INCONCLUSIVE, and the numbers of a scripted fault.
import { describe, expect, it } from "vitest";
import { SHLINK } from "../../../components/apps/facts";
import { K6_OPERATOR_VERSION } from "../../../components/load/facts";
import { DRILLS } from "../../../programs/shared/facts";
import { validateTestRun } from "../../helpers/crdSchemas";
import { DRILL_CATALOG, drillListText, parseDrillArgs, type DrillName } from "../../../programs/drills/catalog";
import { FAULT_DRILLS } from "../../../programs/drills/drills";
import { monthlyBudget } from "../../../programs/drills/measure";
import { markRestorePointCommand } from "../../../programs/drills/objects";
import { drillLease } from "../../../programs/shared/lease";
import type { DrillReport } from "../../../programs/drills/report";
import { isSteady, runDrill } from "../../../programs/drills/runner";
import { EXIT } from "../../../programs/shared/exit";
import { TIMELINE } from "../../../components/load/scenarios/catalog";
import { API_SERVER_NODE, FAKE_RATE, fakeLab, LOAD_WARMUP, QUIET_NODE, T0, type Failure, type Script } from "./fakeLab";

const reportOf = (files: Map<string, string>): DrillReport => {
    const json = [...files.entries()].find(([path]) => path.endsWith(".json"));
    expect(json).toBeDefined();
    return JSON.parse(json![1]) as DrillReport;
};

describe("arguments and --list", () => {
    it("--list prints every drill and the verdict rule offline: no stack, no cluster", async () => {
        const { deps, lines } = fakeLab({});
        deps.connect = () => Promise.reject(new Error("--list must not read the stack"));
        expect(await runDrill(["--list"], deps)).toBe(EXIT.ok);
        expect(lines).toEqual(drillListText());
        for (const name of Object.keys(DRILL_CATALOG)) {
            expect(lines.some((l) => l.trimStart().startsWith(`${name} `))).toBe(true);
        }
        expect(lines.join("\n")).toContain("1 % of the month's error budget (99.5 % over 30 days); INCONCLUSIVE (exit 3)");
    });

    it("takes a drill, --node only for node-loss and etcd-member, or --all; anything else exits 2 without touching the stack", async () => {
        expect(parseDrillArgs(["node-loss", "--node", "k3s-2"])).toEqual({ kind: "run", drill: "node-loss", node: "k3s-2" });
        expect(parseDrillArgs(["etcd-member", "--node", "k3s-2"])).toEqual({ kind: "run", drill: "etcd-member", node: "k3s-2" });
        expect(parseDrillArgs(["--all"])).toEqual({ kind: "all" });
        expect(() => parseDrillArgs(["--all", "x"])).toThrow();
        expect(parseDrillArgs(["redis-master"])).toEqual({ kind: "run", drill: "redis-master" });
        for (const bad of [[], ["nope"], ["redis-master", "--node", "x"], ["node-loss", "--node"]]) {
            expect(() => parseDrillArgs(bad)).toThrow();
        }
        const { deps, lines, calls } = fakeLab({});
        deps.connect = () => Promise.reject(new Error("must not connect"));
        expect(await runDrill(["bogus"], deps)).toBe(EXIT.error);
        expect(lines.join("\n")).toContain('unknown drill "bogus"');
        expect(calls).toEqual([]);
    });
});

describe("refusals", () => {
    it("refuses when a Deployment or StatefulSet in shlink/postgres/redis is not ready: no lock, no load, no fault", async () => {
        const lab = fakeLab({ unhealthy: ["StatefulSet redis/rfr-shlink-redis 2/3"] });
        expect(await runDrill(["redis-master"], lab.deps)).toBe(EXIT.error);
        expect(lab.lines.join("\n")).toContain("the lab is not healthy, no drill now: StatefulSet redis/rfr-shlink-redis 2/3");
        expect(lab.calls).toEqual([]);
    });

    it("refuses while another drill holds the lock, naming the holder and its expiry, and leaves that lock alone", async () => {
        const held = drillLease("alice@laptop", T0 - 60_000);
        const lab = fakeLab({ heldLock: held });
        expect(await runDrill(["shlink-pod"], lab.deps)).toBe(EXIT.error);
        const expiry = new Date(T0 - 60_000 + DRILLS.lock.leaseSeconds * 1000).toISOString();
        expect(lab.lines.join("\n")).toContain(`another drill is running: load/drill-lock is held by alice@laptop until ${expiry}`);
        expect(lab.calls).toEqual(["lock tester@workstation"]);
    });

    it("vault-pod refuses, asking whether Vault is up, when there is no active OpenBao pod", async () => {
        const lab = fakeLab({ noVault: true });
        expect(await runDrill(["vault-pod"], lab.deps)).toBe(EXIT.error);
        expect(lab.lines.join("\n")).toContain("no active OpenBao pod (app.kubernetes.io/name=openbao, openbao-active=true) in namespace vault: is Vault up?");
        expect(lab.calls).toEqual([]);
    });
});

describe("postgres-primary under a scripted failover", () => {
    const script = { failures: { from: 1, to: 8 }, promoteAfter: 6, healAfter: 20 };

    it("locks, starts the load, injects only once the load is steady, deletes the load and unlocks", async () => {
        const lab = fakeLab(script);
        expect(await runDrill(["postgres-primary"], lab.deps)).toBe(EXIT.ok);
        const name = lab.created()!.metadata.name;
        expect(lab.calls).toEqual([
            "lock tester@workstation",
            `create ${name}`,
            `delete postgres/shlink-db-pgha1-a grace=${DRILLS.killGraceSeconds}`,
            `remove load/${name}`,
            "unlock tester@workstation",
        ]);
        expect(lab.injectedAt()! - lab.runStart()!).toBeGreaterThanOrEqual((LOAD_WARMUP + DRILLS.steadySeconds) * 1000);
        expect(lab.created()!.spec.runner.env).toContainEqual({ name: TIMELINE.env, value: "1" });
        // What the API server takes, with the operator's starter pinned to its version (never `latest-starter`).
        expect(() => validateTestRun(lab.created()!)).not.toThrow();
        expect(lab.created()!.spec.starter).toEqual({ image: `ghcr.io/grafana/k6-operator:starter-v${K6_OPERATOR_VERSION}` });
        expect(lab.lockHeld()).toBe(false);
    });

    it("measures the fault window from the timeline: requests, failures, longest run, first/last failure, promotion, health", async () => {
        const lab = fakeLab(script);
        await runDrill(["postgres-primary"], lab.deps);
        const m = reportOf(lab.files).measurement!;
        // 21 requests/s; those starting 1.0-7.95 s after the kill failed; healthy 20 s after it.
        expect(m.failed).toBe(7 * FAKE_RATE);
        expect(m.firstFailureAfter).toBeCloseTo(1, 1);
        expect(m.lastFailureAfter).toBeCloseTo(7.95, 1);
        expect(m.longestFailedRun.requests).toBe(7 * FAKE_RATE);
        expect(m.longestFailedRun.seconds).toBeCloseTo(6.95, 1);
        expect(m.promotedAfter).toBe(6);
        expect(m.healthyAfter).toBe(20);
        expect(m.windowSeconds).toBe(20);
        expect(m.requests).toBe(20 * FAKE_RATE + 1);
        expect(m.errorRate).toBeCloseTo(147 / 421, 10);
        expect(m.requestsPerSecond).toBeCloseTo(FAKE_RATE, 1);
        // 0.5 % of 30 days at 21 requests/s is 272 160 failed requests; 147 of them is 0.054 %.
        expect(m.budgetShare).toBeCloseTo(147 / monthlyBudget(m.requestsPerSecond), 6);
        expect(m.evidence).toEqual({ planned: 20 * FAKE_RATE, dropped: 0, longestSilenceSeconds: 1 });
    });

    it("prints the table, writes JSON and Markdown under reports/, and annotates the fault window in Grafana", async () => {
        const lab = fakeLab(script);
        await runDrill(["postgres-primary"], lab.deps);
        const report = reportOf(lab.files);
        expect(report.verdict).toEqual({ outcome: "PASS", pass: true, reasons: [] });
        const paths = [...lab.files.keys()];
        expect(paths).toEqual([`reports/drill-postgres-primary-20261122T030001Z.json`, `reports/drill-postgres-primary-20261122T030001Z.md`]);
        const md = lab.files.get(paths[1])!;
        expect(md).toContain("| failed requests | 147 |");
        expect(md).toContain("| verdict | PASS |");
        const text = lab.lines.join("\n");
        expect(text).toMatch(/longest run of failures +147 requests over 7\.0 s/);
        expect(text).toMatch(/new primary\/master after +6\.0 s/);
        expect(lab.annotations).toEqual([
            {
                text: `drill postgres-primary: ${report.target} (PASS)`,
                from: Date.parse(report.injectedAt),
                to: Date.parse(report.endedAt),
                tags: ["drill", "postgres-primary"],
            },
        ]);
    });

    it("fails the verdict (exit 1) when the primary never comes back, and still cleans up", async () => {
        const lab = fakeLab({ failures: { from: 1, to: 10_000 } });
        expect(await runDrill(["postgres-primary"], lab.deps)).toBe(EXIT.breach);
        const report = reportOf(lab.files);
        expect(report.verdict.pass).toBe(false);
        expect(report.verdict.reasons).toContain(`the failed part was not healthy again within ${DRILLS.recoverySeconds} s`);
        expect(report.verdict.reasons.some((r) => r.startsWith("spent ") && r.endsWith("(limit 1.00 % per event)"))).toBe(true);
        expect(report.measurement!.healthyAfter).toBeUndefined();
        expect(lab.calls.slice(-2)).toEqual([`remove load/${lab.created()!.metadata.name}`, "unlock tester@workstation"]);
    });
});

describe("redis-master", () => {
    it("kills the master with no grace period (its preStop would hand over first) and reports the new master", async () => {
        const lab = fakeLab({ failures: { from: 0, to: 5.4 }, promoteAfter: 6, healAfter: 8 });
        expect(await runDrill(["redis-master"], lab.deps)).toBe(EXIT.ok);
        expect(lab.calls).toContain("delete redis/rfr-shlink-redis-a grace=0");
        expect(reportOf(lab.files).measurement!.promotedAfter).toBe(6);
    });
});

describe("shlink-pod", () => {
    it("kills every Shlink pod in turn, never more than one missing, so the PodDisruptionBudget holds", async () => {
        const lab = fakeLab({ healAfter: 0 });
        expect(await runDrill(["shlink-pod"], lab.deps)).toBe(EXIT.ok);
        expect(lab.calls.filter((c) => c.startsWith("delete shlink/"))).toEqual([
            "delete shlink/shlink-1 grace=0",
            "delete shlink/shlink-2 grace=0",
            "delete shlink/shlink-3 grace=0",
        ]);
        expect(3 - lab.worstShlink()).toBe(SHLINK.minAvailable);
        expect(reportOf(lab.files).measurement!.healthyAfter).toBeGreaterThanOrEqual(30);
    });
});

describe("node-loss", () => {
    it("stops a server that is neither the API server nor hosting the primary/master, holds it away, starts it, waits for Ready", async () => {
        const lab = fakeLab({ failures: { from: 0, to: 2 }, healAfter: 40 });
        expect(await runDrill(["node-loss"], lab.deps)).toBe(EXIT.ok);
        const stop = lab.calls.indexOf("stop k3s-3");
        const start = lab.calls.indexOf("start k3s-3");
        expect(stop).toBeGreaterThan(0);
        expect(start).toBeGreaterThan(stop);
        expect(lab.calls.some((c) => c.includes(API_SERVER_NODE))).toBe(false);
        const m = reportOf(lab.files).measurement!;
        expect(m.healthyAfter).toBe(DRILLS.nodeAwaySeconds + 40);
    });

    it("when the SSH stop fails half-way, starts k3s again before giving up (exit 2)", async () => {
        const lab = fakeLab({ fail: [{ call: "stop", sync: false }] });
        expect(await runDrill(["node-loss"], lab.deps)).toBe(EXIT.error);
        const name = lab.created()!.metadata.name;
        expect(lab.calls.slice(-4)).toEqual(["stop k3s-3", "start k3s-3", `remove load/${name}`, "unlock tester@workstation"]);
        expect(lab.lines.join("\n")).toContain("error: node-loss: stop failed (scripted)");
    });

    it("rides through reads that fail for a while (the runner's log before its container starts), saying so once", async () => {
        const lab = fakeLab({ failures: { from: 0, to: 3 }, promoteAfter: 5, healAfter: 20, logsFailTimes: 3 });
        expect(await runDrill(["postgres-primary"], lab.deps)).toBe(EXIT.ok);
        const retries = lab.lines.filter((l) => l.includes("(retrying)"));
        expect(retries).toEqual(['  ... steady load: container "k6" in pod "x" is waiting to start: ContainerCreating (retrying)']);
    });

    it("refuses node-loss on a stack with no server of its own (an existing cluster), touching nothing", async () => {
        const lab = fakeLab({ noServers: true });
        expect(await runDrill(["node-loss"], lab.deps)).toBe(EXIT.error);
        expect(lab.lines.join("\n")).toContain("no server to take away: node-loss needs the lab's own K3s servers");
        expect(lab.calls.filter((c) => c.startsWith("stop") || c.startsWith("start"))).toEqual([]);
    });

    it("refuses --node for the server the kubeconfig talks to", async () => {
        const lab = fakeLab({});
        expect(await runDrill(["node-loss", "--node", API_SERVER_NODE], lab.deps)).toBe(EXIT.error);
        expect(lab.lines.join("\n")).toContain("the server your kubeconfig talks to cannot be taken away");
        expect(lab.calls).toEqual([]);
    });

    it("on Ctrl-C while the node is away: starts it again, deletes the load, releases the lock, exits 2", async () => {
        // Sleeps: warm-up and steady polls (2 s each), then the hold; abort inside the hold.
        const lab = fakeLab({ healAfter: 10, abortAfterSleeps: (LOAD_WARMUP + DRILLS.steadySeconds) / DRILLS.pollSeconds + 2 });
        expect(await runDrill(["node-loss"], lab.deps)).toBe(EXIT.error);
        const name = lab.created()!.metadata.name;
        expect(lab.calls.slice(-4)).toEqual(["stop k3s-3", "start k3s-3", `remove load/${name}`, "unlock tester@workstation"]);
        expect(lab.lines.join("\n")).toContain("interrupted: interrupted while keeping node k3s-3 away");
        expect(lab.files.size).toBe(0);
    });

    it("on Ctrl-C before the injection: nothing is taken away, the load is deleted and the lock released", async () => {
        const lab = fakeLab({ abortAfterSleeps: 3 });
        expect(await runDrill(["node-loss"], lab.deps)).toBe(EXIT.error);
        expect(lab.calls.some((c) => c.startsWith("stop") || c.startsWith("start"))).toBe(false);
        expect(lab.calls.slice(-2)).toEqual([`remove load/${lab.created()!.metadata.name}`, "unlock tester@workstation"]);
    });
});

describe("backup-restore", () => {
    it("backs up, marks a restore point after it, restores up to that point, counts both with psql, deletes it: PASS when equal", async () => {
        const lab = fakeLab({ db: { rows: 1234 } });
        expect(await runDrill(["backup-restore"], lab.deps)).toBe(EXIT.ok);
        const ann = (lab.patch() as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
        expect(Object.keys(ann)).toEqual(["postgres-operator.crunchydata.com/pgbackrest-backup"]);
        const id = ann["postgres-operator.crunchydata.com/pgbackrest-backup"];
        expect(lab.calls.filter((c) => !c.includes("pg_stat_archiver"))).toEqual([
            "lock tester@workstation",
            "patch postgres/shlink-db",
            `exec postgres/shlink-db-pgha1-a database ${markRestorePointCommand(id).join(" ")}`,
            "create PostgresCluster postgres/drill-restore",
            "exec postgres/drill-restore-0 database psql -d shlink -tAc SELECT count(*) FROM short_urls",
            "delete PostgresCluster postgres/drill-restore",
            "unlock tester@workstation",
        ]);
        expect(lab.scratch()!.spec.dataSource.postgresCluster).toEqual({
            clusterName: "shlink-db",
            repoName: "repo1",
            options: ["--type=name", `--target=${id}`],
        });
        const report = reportOf(lab.files);
        expect(report.backup!.counts).toEqual({ live: 1234, restored: 1234 });
        expect(report.backup!.backupSeconds).toBe(30);
        expect(report.verdict.outcome).toBe("PASS");
    });

    it("compares like with like while a load writes: rows as of the restore point on both sides, not the live count of another moment", async () => {
        const lab = fakeLab({ db: { rows: 1000, writesPerSecond: 3 } });
        expect(await runDrill(["backup-restore"], lab.deps)).toBe(EXIT.ok);
        const { live, restored } = reportOf(lab.files).backup!.counts;
        expect(live).toBe(restored);
        // The writer went on: the live table has grown past the compared count since.
        expect(lab.rows(lab.now())).toBeGreaterThan(live);
        expect(live).toBeGreaterThan(1000);
    });

    it("restores into a volume like the live one: its StorageClass and size (homelab:storageClass, postgresVolumeGiB)", async () => {
        const lab = fakeLab({ db: { rows: 7 }, liveVolume: { storageClassName: "longhorn", storage: "50Gi" } });
        expect(await runDrill(["backup-restore"], lab.deps)).toBe(EXIT.ok);
        const claim = lab.scratch()!.spec.instances[0].dataVolumeClaimSpec;
        expect(claim).toMatchObject({ storageClassName: "longhorn", resources: { requests: { storage: "50Gi" } } });
    });

    it("FAILs when the restore holds fewer rows than the live database had at the restore point, and still deletes the scratch cluster", async () => {
        const lab = fakeLab({ db: { rows: 1234, lostInRestore: 34 } });
        expect(await runDrill(["backup-restore"], lab.deps)).toBe(EXIT.breach);
        expect(reportOf(lab.files).verdict.reasons).toEqual([
            expect.stringMatching(/^the restore holds 1200 short URLs, the live database 1234 at restore point drill-/),
        ]);
        expect(lab.calls).toContain("delete PostgresCluster postgres/drill-restore");
    });
});

describe("backup-restore --repo offsite", () => {
    it("backs up into repo2, sets manual backups back to repo1, restores the scratch cluster from repo2, reports the repository", async () => {
        const lab = fakeLab({ db: { rows: 99 }, repos: ["repo1", "repo2"] });
        expect(await runDrill(["backup-restore", "--repo", "offsite"], lab.deps)).toBe(EXIT.ok);
        const patches = lab.patches() as Record<string, any>[];
        expect(patches).toHaveLength(3);
        expect(patches[0]).toEqual({ spec: { backups: { pgbackrest: { manual: { repoName: "repo2" } } } } });
        expect(Object.keys(patches[1].metadata.annotations)).toEqual(["postgres-operator.crunchydata.com/pgbackrest-backup"]);
        expect(patches[2]).toEqual({ spec: { backups: { pgbackrest: { manual: { repoName: "repo1" } } } } });
        expect(lab.scratch()!.spec.dataSource).toEqual({
            postgresCluster: { clusterName: "shlink-db", repoName: "repo2", options: ["--type=name", expect.stringMatching(/^--target=drill-/)] },
        });
        const report = reportOf(lab.files);
        expect(report.backup!.repoName).toBe("repo2");
        expect(report.backup!.restoreSeconds).toBeGreaterThan(0);
        expect(report.target).toMatch(/ in repo2$/);
        expect(lab.calls).toContain("delete PostgresCluster postgres/drill-restore");
    });

    it("refuses, before any backup, a lab without the off-site repository", async () => {
        const lab = fakeLab({ db: { rows: 1 } });
        expect(await runDrill(["backup-restore", "--repo", "offsite"], lab.deps)).toBe(EXIT.error);
        expect(lab.lines.join("\n")).toContain("no off-site repository ready");
        expect(lab.patches()).toEqual([]);
        expect(lab.calls.some((c) => c.startsWith("create"))).toBe(false);
    });

    it("parses --repo for backup-restore only", () => {
        expect(parseDrillArgs(["backup-restore", "--repo", "offsite"])).toEqual({ kind: "run", drill: "backup-restore", repo: "offsite" });
        expect(parseDrillArgs(["backup-restore", "--repo", "local"])).toEqual({ kind: "run", drill: "backup-restore", repo: "local" });
        expect(() => parseDrillArgs(["backup-restore", "--repo", "s3"])).toThrow(/usage/);
        expect(() => parseDrillArgs(["redis-master", "--repo", "offsite"])).toThrow(/usage/);
    });
});

describe("steadiness", () => {
    const line = (entries: [number, boolean][]) => `msg="${TIMELINE.marker} ${entries.map(([t, ok]) => `${t}:${ok ? 1 : 0}`).join(" ")}"`;
    it("is steady after steadySeconds of requests with no failure in them, not before", () => {
        const s = DRILLS.steadySeconds * 1000;
        expect(isSteady("")).toBe(false);
        expect(
            isSteady(
                line([
                    [0, true],
                    [s - 1, true],
                ]),
            ),
        ).toBe(false);
        expect(
            isSteady(
                line([
                    [0, true],
                    [s, true],
                ]),
            ),
        ).toBe(true);
        expect(
            isSteady(
                line([
                    [0, true],
                    [30, false],
                    [s + 20, true],
                ]),
            ),
        ).toBe(false);
        expect(
            isSteady(
                line([
                    [0, false],
                    [s + 20, true],
                ]),
            ),
        ).toBe(true);
    });
});

describe("the runner is kept off the node a drill takes away (1)", () => {
    it.each(["node-loss", "etcd-member"] as const)(
        "%s: the TestRun's affinity excludes the node, the runner lands elsewhere and beats throughout",
        async (drill) => {
            // The fake scheduler would put the runner on the very node the drill picks, were the affinity not there.
            const lab = fakeLab({ failures: { from: 0, to: 2 }, healAfter: 40, runnerPrefers: [QUIET_NODE, "k3s-2"] });
            expect(await runDrill([drill], lab.deps)).toBe(EXIT.ok);
            expect(lab.calls).toContain(`${drill === "node-loss" ? "stop" : "stopService"} ${QUIET_NODE}`);
            expect(lab.created()!.spec.runner.affinity).toEqual({
                nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "NotIn", values: [QUIET_NODE] }] }],
                    },
                },
            });
            expect(lab.runnerNode()).toBe("k3s-2");
            expect(reportOf(lab.files).measurement!.evidence.longestSilenceSeconds).toBeLessThanOrEqual(1);
        },
    );

    it("pod drills leave the runner's scheduling alone (a pod kill cannot take its node)", async () => {
        const lab = fakeLab({ failures: { from: 1, to: 3 }, promoteAfter: 5, healAfter: 10 });
        expect(await runDrill(["redis-master"], lab.deps)).toBe(EXIT.ok);
        expect(lab.created()!.spec.runner.affinity).toBeUndefined();
    });
});

describe("INCONCLUSIVE: a verdict needs evidence (exit 3)", () => {
    it("when the load generator is lost inside the fault window (its heartbeat stops), naming why", async () => {
        const lab = fakeLab({ failures: { from: 1, to: 3 }, promoteAfter: 5, healAfter: 20, generatorLostAfter: 6 });
        expect(await runDrill(["postgres-primary"], lab.deps)).toBe(EXIT.inconclusive);
        const report = reportOf(lab.files);
        expect(report.verdict.outcome).toBe("INCONCLUSIVE");
        expect(report.verdict.reasons[0]).toMatch(/^the load generator was silent for 1[45]\.\d s inside the fault window \(its heartbeat stopped\)/);
        expect(lab.lines.join("\n")).toMatch(/verdict +INCONCLUSIVE: the load generator was silent/);
        expect(lab.annotations[0].text).toMatch(/\(INCONCLUSIVE\)$/);
    });

    it("when the window holds too few requests: sent + dropped short of the plan", async () => {
        const lab = fakeLab({ failures: { from: 1, to: 3 }, promoteAfter: 5, healAfter: 20, loggedShare: 0.5 });
        expect(await runDrill(["postgres-primary"], lab.deps)).toBe(EXIT.inconclusive);
        const reasons = reportOf(lab.files).verdict.reasons;
        expect(reasons).toEqual([
            expect.stringMatching(/^the window holds 21\d requests sent \+ 0 dropped = 21\d, the schedule planned 420 \(tolerance 5 %\)/),
        ]);
    });

    it("node-loss whose runner dies with the node (a scheduler that ignored the affinity) is INCONCLUSIVE, never PASS", async () => {
        const lab = fakeLab({ failures: { from: 0, to: 2 }, healAfter: 40, ignoreAffinity: true });
        expect(await runDrill(["node-loss"], lab.deps)).toBe(EXIT.inconclusive);
        expect(lab.runnerNode()).toBe(QUIET_NODE);
        expect(reportOf(lab.files).verdict.reasons).toContainEqual(expect.stringContaining("the load generator was silent for"));
    });
});

describe("dropped iterations and timed-out requests are failures (3)", () => {
    it("a 5-minute hang in which k6 drops what it has no VU for: ~6,000 failures, over the budget, FAIL", async () => {
        const lab = fakeLab({ dropped: { from: 1, to: 301 }, promoteAfter: 5, healAfter: 300 });
        expect(await runDrill(["postgres-primary"], lab.deps)).toBe(EXIT.breach);
        const m = reportOf(lab.files).measurement!;
        expect(m.evidence.dropped).toBeGreaterThanOrEqual(299 * FAKE_RATE);
        expect(m.budgetShare).toBeGreaterThan(DRILLS.maxBudgetShare);
        expect(reportOf(lab.files).verdict.reasons[0]).toMatch(/^spent \d+\.\d\d % of the month's error budget/);
    });
});

describe("one clock: the fault window on the cluster's time (5)", () => {
    it.each([3000, -2050])("with the cluster %i ms off this machine, the failures land where they happened; the skew is printed", async (skew) => {
        const lab = fakeLab({ failures: { from: 1, to: 8 }, promoteAfter: 6, healAfter: 20, skewMs: skew });
        expect(await runDrill(["postgres-primary"], lab.deps)).toBe(EXIT.ok);
        const report = reportOf(lab.files);
        const m = report.measurement!;
        expect(Math.abs(m.firstFailureAfter! - 1)).toBeLessThanOrEqual(0.1);
        expect(Math.abs(m.failed - 7 * FAKE_RATE)).toBeLessThanOrEqual(2);
        expect(Math.abs(report.clock!.skewMs - skew)).toBeLessThanOrEqual(report.clock!.uncertaintyMs);
        expect(report.clock!.uncertaintyMs).toBeLessThanOrEqual(100);
        const ahead = skew > 0 ? "ahead of" : "behind";
        expect(lab.lines[0]).toMatch(
            new RegExp(`^clock: the cluster \\(its API server's Date header\\) is ${(Math.abs(skew) / 1000).toFixed(1)}\\d s ${ahead} this machine`),
        );
        // The injection is reported on the cluster's clock.
        expect(Math.abs(Date.parse(report.injectedAt) - (lab.injectedAt()! + skew))).toBeLessThanOrEqual(100);
    });
});

describe("progress: never silent for more than 10 s (6)", () => {
    it.each(["postgres-primary", "node-loss", "etcd-member", "shlink-pod", "istiod", "backup-restore"] as const)(
        "%s prints a line at least every 10 s, saying what it waits for and for how long at most",
        async (drill) => {
            const lab = fakeLab({ failures: { from: 1, to: 3 }, promoteAfter: 5, healAfter: 40, db: { rows: 10 } });
            await runDrill([drill], lab.deps);
            for (let i = 1; i < lab.stamps.length; i++) {
                expect(lab.stamps[i] - lab.stamps[i - 1], `silent before: ${lab.lines[i]}`).toBeLessThanOrEqual(DRILLS.progressSeconds * 1000);
            }
            expect(lab.lines.some((l) => /^ {2}\.\.\. waiting for .+: \d+ s of at most \d+ s$/.test(l) || /^ {2}\.\.\. .+: \d+ s of \d+ s$/.test(l))).toBe(
                true,
            );
        },
    );
});

/** The failures of each step: a synchronous throw (before any promise exists) and a rejection. */
const STEPS: { name: string; fail: Failure; injected: boolean }[] = [
    { name: "creating the TestRun", fail: { call: "create", sync: true }, injected: false },
    { name: "reading the runner's log", fail: { call: "runnerLogs", sync: true }, injected: false },
    { name: "healing (a read throws)", fail: { call: "notReady", sync: true, afterInjection: true }, injected: true },
    { name: "reading the runner's log after the fault", fail: { call: "runnerLogs", sync: true, afterInjection: true }, injected: true },
];
const INJECT: Record<Exclude<DrillName, "backup-restore">, Failure["call"]> = {
    "postgres-primary": "deletePod",
    "redis-master": "deletePod",
    "shlink-pod": "deletePod",
    "vault-pod": "deletePod",
    istiod: "deletePod",
    "ingress-gateway": "deletePod",
    "node-loss": "stop",
    "etcd-member": "stopService",
};

describe("restore on every path (2)", () => {
    const drills = Object.keys(FAULT_DRILLS) as Exclude<DrillName, "backup-restore">[];
    const cases = drills.flatMap((drill) => [
        ...STEPS.map((s) => ({ drill, ...s })),
        { drill, name: "injecting (sync throw)", fail: { call: INJECT[drill], sync: true } satisfies Failure, injected: true },
        { drill, name: "injecting (rejection)", fail: { call: INJECT[drill], sync: false } satisfies Failure, injected: true },
    ]);

    it.each(cases)("$drill: a failure $name still restores what was taken, removes the TestRun and releases the lock", async ({ drill, fail, injected }) => {
        const script: Script = { failures: { from: 1, to: 3 }, promoteAfter: 5, healAfter: 20, fail: [fail] };
        const lab = fakeLab(script);
        expect(await runDrill([drill], lab.deps)).toBe(EXIT.error);
        const name = lab.created()?.metadata.name ?? (lab.calls.find((c) => c.startsWith("create "))?.slice("create ".length) as string);
        const node = INJECT[drill] === "deletePod" ? undefined : QUIET_NODE;
        if (node !== undefined && injected) {
            expect(lab.calls.filter((c) => c === `start ${node}`)).toHaveLength(1);
            expect(lab.calls.indexOf(`start ${node}`)).toBeLessThan(lab.calls.indexOf(`remove load/${name}`));
        }
        if (!injected) {
            expect(lab.calls.some((c) => c.startsWith("stop") || c.startsWith("delete ") || c.startsWith("start"))).toBe(false);
        }
        expect(lab.calls.slice(-2)).toEqual([`remove load/${name}`, "unlock tester@workstation"]);
        expect(lab.lines.join("\n")).toContain("failed (scripted)");
        expect(lab.lockHeld()).toBe(false);
    });

    it.each(["node-loss", "etcd-member"] as const)(
        "%s: when giving the node back fails, it says exactly what is left broken and how to fix it",
        async (drill) => {
            const lab = fakeLab({ failures: { from: 0, to: 2 }, healAfter: 40, fail: [{ call: "start", sync: true }] });
            expect(await runDrill([drill], lab.deps)).toBe(EXIT.error);
            const text = lab.lines.join("\n");
            expect(text).toContain(
                `LEFT BROKEN: k3s is stopped on ${QUIET_NODE}: start it with \`ssh ubuntu@${QUIET_NODE} sudo systemctl start k3s\`, then check \`kubectl get nodes\``,
            );
            expect(lab.calls.slice(-2)).toEqual([`remove load/${lab.created()!.metadata.name}`, "unlock tester@workstation"]);
        },
    );

    it("when removing the TestRun or releasing the lock fails, it says what is left behind and the command that removes it", async () => {
        const lab = fakeLab({
            failures: { from: 1, to: 3 },
            promoteAfter: 5,
            healAfter: 20,
            fail: [
                { call: "remove", sync: true },
                { call: "unlock", sync: true },
            ],
        });
        expect(await runDrill(["redis-master"], lab.deps)).toBe(EXIT.ok);
        const name = lab.created()!.metadata.name;
        const text = lab.lines.join("\n");
        expect(text).toContain(`LEFT BEHIND: TestRun load/${name} (remove failed (scripted)); delete it: kubectl -n load delete testrun ${name}`);
        expect(text).toContain("LEFT BEHIND: the drill lock (unlock failed (scripted)); once no drill runs: kubectl -n load delete lease drill-lock");
    });
});
