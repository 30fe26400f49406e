// `npm run drill` without a cluster: refusals, the sequence (lock, load, steady, inject, restore, heal,
// measure, report, unlock), restore on success, failure and Ctrl-C, and the numbers of a scripted fault.
import { describe, expect, it } from "vitest";
import { DRILLS, SHLINK } from "../../components/defaults";
import { DRILL_CATALOG, drillListText, parseDrillArgs } from "../../components/drills/catalog";
import { drillLease } from "../../components/drills/objects";
import type { DrillReport } from "../../components/drills/report";
import { isSteady, runDrill } from "../../components/drills/runner";
import { EXIT } from "../../components/load/cli";
import { TIMELINE } from "../../components/load/scenarios/catalog";
import { API_SERVER_NODE, fakeLab, LOAD_WARMUP, T0 } from "./fakeLab";

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
        expect(lines.join("\n")).toContain("1 % of the month's error budget (99.5 % over 30 days)");
    });

    it("takes a drill, --node only for node-loss; anything else exits 2 without touching the stack", async () => {
        expect(parseDrillArgs(["node-loss", "--node", "k3s-2"])).toEqual({ kind: "run", drill: "node-loss", node: "k3s-2" });
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
        expect(lab.lockHeld()).toBe(false);
    });

    it("measures the fault window from the timeline: requests, failures, longest run, first/last failure, promotion, health", async () => {
        const lab = fakeLab(script);
        await runDrill(["postgres-primary"], lab.deps);
        const m = reportOf(lab.files).measurement!;
        // 10 requests/s; those starting 1.0-7.9 s after the kill failed; healthy 20 s after it.
        expect(m.failed).toBe(70);
        expect(m.firstFailureAfter).toBe(1);
        expect(m.lastFailureAfter).toBe(7.9);
        expect(m.longestFailedRun).toEqual({ requests: 70, seconds: 6.9 });
        expect(m.promotedAfter).toBe(6);
        expect(m.healthyAfter).toBe(20);
        expect(m.windowSeconds).toBe(20);
        expect(m.requests).toBe(201);
        expect(m.errorRate).toBeCloseTo(70 / 201, 10);
        expect(m.requestsPerSecond).toBeCloseTo(10, 1);
        // 0.5 % of 30 days at 10 requests/s is 129 600 failed requests; 70 of them is 0.054 %.
        expect(m.budgetShare).toBeCloseTo(70 / 129_600, 4);
    });

    it("prints the table, writes JSON and Markdown under reports/, and annotates the fault window in Grafana", async () => {
        const lab = fakeLab(script);
        await runDrill(["postgres-primary"], lab.deps);
        const report = reportOf(lab.files);
        expect(report.verdict).toEqual({ pass: true, reasons: [] });
        const paths = [...lab.files.keys()];
        expect(paths).toEqual([`reports/drill-postgres-primary-20261122T030000Z.json`, `reports/drill-postgres-primary-20261122T030000Z.md`]);
        const md = lab.files.get(paths[1])!;
        expect(md).toContain("| failed requests | 70 |");
        expect(md).toContain("| verdict | PASS |");
        const text = lab.lines.join("\n");
        expect(text).toMatch(/longest run of failures +70 requests over 6\.9 s/);
        expect(text).toMatch(/new primary\/master after +6\.0 s/);
        expect(lab.annotations).toEqual([
            { text: `drill postgres-primary: ${report.target} (PASS)`, from: Date.parse(report.injectedAt), to: Date.parse(report.endedAt), tags: ["drill", "postgres-primary"] },
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
        const lab = fakeLab({ stopFails: true });
        expect(await runDrill(["node-loss"], lab.deps)).toBe(EXIT.error);
        const name = lab.created()!.metadata.name;
        expect(lab.calls.slice(-4)).toEqual(["stop k3s-3", "start k3s-3", `remove load/${name}`, "unlock tester@workstation"]);
        expect(lab.lines.join("\n")).toContain("error: ssh: connection reset");
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
        expect(lab.lines.join("\n")).toContain("interrupted: interrupted while the part was away");
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
    it("annotates the live cluster, restores into the scratch cluster, counts both with psql, deletes it: PASS when equal", async () => {
        const lab = fakeLab({ counts: { live: 1234, restored: 1234 } });
        expect(await runDrill(["backup-restore"], lab.deps)).toBe(EXIT.ok);
        const ann = (lab.patch() as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
        expect(Object.keys(ann)).toEqual(["postgres-operator.crunchydata.com/pgbackrest-backup"]);
        expect(lab.calls).toEqual([
            "lock tester@workstation",
            "exec postgres/shlink-db-pgha1-a database psql -d shlink -tAc SELECT count(*) FROM short_urls",
            "patch postgres/shlink-db",
            "create PostgresCluster postgres/drill-restore",
            "exec postgres/drill-restore-0 database psql -d shlink -tAc SELECT count(*) FROM short_urls",
            "delete PostgresCluster postgres/drill-restore",
            "unlock tester@workstation",
        ]);
        const report = reportOf(lab.files);
        expect(report.backup!.counts).toEqual({ live: 1234, restored: 1234 });
        expect(report.backup!.backupSeconds).toBe(30);
        expect(report.verdict.pass).toBe(true);
    });

    it("restores into a volume like the live one: its StorageClass and size (homelab:storageClass, postgresVolumeGiB)", async () => {
        const lab = fakeLab({ counts: { live: 7, restored: 7 }, liveVolume: { storageClassName: "longhorn", storage: "50Gi" } });
        expect(await runDrill(["backup-restore"], lab.deps)).toBe(EXIT.ok);
        const claim = lab.scratch()!.spec.instances[0].dataVolumeClaimSpec;
        expect(claim).toMatchObject({ storageClassName: "longhorn", resources: { requests: { storage: "50Gi" } } });
    });

    it("FAILs when the counts differ, and still deletes the scratch cluster", async () => {
        const lab = fakeLab({ counts: { live: 1234, restored: 1200 } });
        expect(await runDrill(["backup-restore"], lab.deps)).toBe(EXIT.breach);
        expect(reportOf(lab.files).verdict.reasons).toEqual(["the restore holds 1200 short URLs, the live database 1234"]);
        expect(lab.calls).toContain("delete PostgresCluster postgres/drill-restore");
    });
});

describe("backup-restore --repo offsite", () => {
    it("backs up into repo2, sets manual backups back to repo1, restores the scratch cluster from repo2, reports the repository", async () => {
        const lab = fakeLab({ counts: { live: 99, restored: 99 }, repos: ["repo1", "repo2"] });
        expect(await runDrill(["backup-restore", "--repo", "offsite"], lab.deps)).toBe(EXIT.ok);
        const patches = lab.patches() as Record<string, any>[];
        expect(patches).toHaveLength(3);
        expect(patches[0]).toEqual({ spec: { backups: { pgbackrest: { manual: { repoName: "repo2" } } } } });
        expect(Object.keys(patches[1].metadata.annotations)).toEqual(["postgres-operator.crunchydata.com/pgbackrest-backup"]);
        expect(patches[2]).toEqual({ spec: { backups: { pgbackrest: { manual: { repoName: "repo1" } } } } });
        expect(lab.scratch()!.spec.dataSource).toEqual({ postgresCluster: { clusterName: "shlink-db", repoName: "repo2" } });
        const report = reportOf(lab.files);
        expect(report.backup!.repoName).toBe("repo2");
        expect(report.backup!.restoreSeconds).toBeGreaterThan(0);
        expect(report.target).toMatch(/ in repo2$/);
        expect(lab.calls).toContain("delete PostgresCluster postgres/drill-restore");
    });

    it("refuses, before any backup, a lab without the off-site repository", async () => {
        const lab = fakeLab({ counts: { live: 1, restored: 1 } });
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
        expect(isSteady(line([[0, true], [s - 1, true]]))).toBe(false);
        expect(isSteady(line([[0, true], [s, true]]))).toBe(true);
        expect(isSteady(line([[0, true], [30, false], [s + 20, true]]))).toBe(false);
        expect(isSteady(line([[0, false], [s + 20, true]]))).toBe(true);
    });
});
