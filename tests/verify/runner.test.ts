// The verify command: --list offline, the verdict and exit status, the deadlines (per check, and an API server that
// accepts but never answers), the drill lock, the probe objects deleted on every path, progress, the reports.
import * as fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GROUPS, fail, pass, type Check } from "../../programs/verify/check";
import { CHECKS, FAST_CHECKS, listText } from "../../programs/verify/catalog";
import { httpApi, Unreachable } from "../../programs/verify/http";
import { kubeApi, parseVerifyOutputs } from "../../programs/verify/lab";
import { EXIT, parseVerifyArgs, runVerify, type VerifyDeps } from "../../programs/verify/runner";
import { fakeContext, startFakeLab, type FakeLab } from "./fakeLab";
import { healthyExecs, healthyRoutes } from "./world";

let lab: FakeLab;
beforeEach(async () => {
    lab = await startFakeLab();
    lab.routes = healthyRoutes(lab);
    lab.execs = healthyExecs();
});
afterEach(async () => lab.close());

const check = (id: string, run: Check["run"], timeoutSeconds = 5): Check => ({ id, group: "cluster", proves: `${id} holds`, timeoutSeconds, run });

function deps(over: Partial<VerifyDeps> = {}): VerifyDeps & { lines: string[]; files: Map<string, string> } {
    const lines: string[] = [];
    const files = new Map<string, string>();
    return {
        lines,
        files,
        connect: () => Promise.resolve(fakeContext(lab)),
        out: (l) => lines.push(l),
        now: () => Date.now(),
        sleep: (ms, signal) =>
            new Promise((r) => {
                const t = setTimeout(r, ms);
                signal?.addEventListener("abort", () => (clearTimeout(t), r()), { once: true });
            }),
        signal: new AbortController().signal,
        write: (path, text) => files.set(path, text),
        apiAnswerMs: 500,
        ...over,
    };
}

describe("npm run verify -- --list", () => {
    it("names at least 30 checks in every group, offline (no stack, no cluster)", async () => {
        const d = deps({ connect: () => Promise.reject(new Error("--list must not connect")) });
        expect(await runVerify(["--list"], d)).toBe(EXIT.ok);
        expect(CHECKS.length).toBeGreaterThanOrEqual(30);
        for (const title of Object.values(GROUPS)) {
            expect(d.lines.some((l) => l.startsWith(title))).toBe(true);
        }
        for (const group of Object.keys(GROUPS)) {
            expect(CHECKS.filter((c) => c.group === group).length, group).toBeGreaterThan(0);
        }
        expect(d.lines).toEqual(listText());
        expect(d.lines.at(-1)).toMatch(new RegExp(`^${CHECKS.length} checks`));
    });

    it("has unique ids, each <group-ish>.<what>, and bounded timeouts that fit the 5-minute suite", () => {
        expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length);
        expect(CHECKS.every((c) => /^[a-z-]+\.[a-z0-9.-]+$/.test(c.id))).toBe(true);
        expect(Math.max(...CHECKS.map((c) => c.timeoutSeconds))).toBeLessThanOrEqual(180);
    });

    it("parses --fast, --only and refuses anything else", () => {
        expect(parseVerifyArgs(["--fast"])).toMatchObject({ kind: "run", suite: "fast", checks: FAST_CHECKS });
        expect(parseVerifyArgs(["--only", "data"])).toMatchObject({ suite: "selected" });
        expect((parseVerifyArgs(["--only", "data.openbao-health,cluster"]) as { checks: readonly Check[] }).checks.map((c) => c.id)).toEqual([
            ...CHECKS.filter((c) => c.group === "cluster").map((c) => c.id),
            "data.openbao-health",
        ]);
        expect(() => parseVerifyArgs(["--only", "nothing"])).toThrow(/no check matches nothing/);
        expect(() => parseVerifyArgs(["--bogus"])).toThrow(/usage: npm run verify/);
    });
});

describe("a run", () => {
    it("exits 0 when every promise holds, one line per check, a summary and both reports", async () => {
        const d = deps({ checks: [check("a.one", () => Promise.resolve(pass("fine"))), check("a.two", () => Promise.resolve(pass("also fine")))] });
        expect(await runVerify([], d)).toBe(EXIT.ok);
        expect(d.lines.filter((l) => l.startsWith("PASS"))).toEqual([
            expect.stringMatching(/^PASS  a\.one: a\.one holds — fine \(\d+\.\d s\)$/),
            expect.stringMatching(/^PASS  a\.two/),
        ]);
        expect(d.lines).toContainEqual(expect.stringMatching(/^ALL PROMISES HOLD: 2 passed, 0 failed, 0 could not run, 0 skipped of 2 checks/));
        const [json, md] = [...d.files.keys()];
        expect(json).toMatch(/^reports\/verify-\d{8}T\d{6}Z\.json$/);
        expect(md).toBe(json.replace(/json$/, "md"));
        expect(JSON.parse(d.files.get(json)!)).toMatchObject({ exitCode: 0, counts: { pass: 2 }, mode: "proxmox", suite: "full" });
        expect(d.files.get(md)).toMatch(/\| a\.one \| a\.one holds \| PASS \| fine \|/);
    });

    it("runs a check that must have the lab to itself (the rate-limit burst) after every other, with none beside it", async () => {
        const running = new Set<string>();
        const overlaps: string[] = [];
        const timed = (id: string, ms: number, alone = false): Check => ({
            ...check(id, async () => {
                running.add(id);
                if (running.size > 1 && [...running].some((r) => r === "e.burst")) {
                    overlaps.push([...running].sort().join("+"));
                }
                await new Promise((resolve) => setTimeout(resolve, ms));
                running.delete(id);
                return pass("ok");
            }),
            ...(alone ? { alone: true } : {}),
        });
        // Listed first and short: run with the others, it would overlap the long ones.
        const d = deps({ checks: [timed("e.burst", 20, true), timed("l.load", 80), timed("e.create", 60), timed("a.other", 40)] });
        expect(await runVerify([], d)).toBe(EXIT.ok);
        expect(overlaps).toEqual([]);
        expect(d.lines.filter((l) => l.startsWith("PASS")).at(-1)).toMatch(/^PASS  e\.burst/);
        expect(CHECKS.find((c) => c.id === "edge.rate-limit")?.alone).toBe(true);
    });

    it("exits 1 when a promise is broken, printing the likely cause and where to look", async () => {
        const d = deps({
            checks: [
                check("a.one", () => Promise.resolve(fail("2/3", "a node is down", "kubectl get nodes"))),
                check("a.two", () => Promise.reject(new Error("boom"))),
            ],
        });
        expect(await runVerify([], d)).toBe(EXIT.broken);
        expect(d.lines).toEqual(
            expect.arrayContaining([
                "        likely cause: a node is down",
                "        look at: kubectl get nodes",
                expect.stringMatching(/^ERROR a\.two: .* could not run: boom/),
            ]),
        );
        expect(d.lines).toContainEqual(expect.stringMatching(/^PROMISES BROKEN: 0 passed, 1 failed, 1 could not run/));
    });

    it("exits 2 when a check could not run, and bounds a check that never ends by its deadline", async () => {
        const d = deps({ checks: [check("a.stuck", () => new Promise(() => undefined), 0.3), check("a.fine", () => Promise.resolve(pass("ok")))] });
        const started = Date.now();
        expect(await runVerify([], d)).toBe(EXIT.couldNotRun);
        expect(Date.now() - started).toBeLessThan(3000);
        expect(d.lines).toContainEqual(expect.stringMatching(/^ERROR a\.stuck: .* could not run: did not finish within 0\.3 s/));
        expect(d.lines).toContainEqual(expect.stringMatching(/^PASS  a\.fine/));
    });

    it("ends with a clear message, not a hang, when the API server accepts but never answers", async () => {
        lab.routes["GET /k8s/version"] = { hang: true };
        const d = deps({ checks: [check("a.one", () => Promise.resolve(pass("never reached")))] });
        const started = Date.now();
        expect(await runVerify([], d)).toBe(EXIT.couldNotRun);
        expect(Date.now() - started).toBeLessThan(3000);
        expect(d.lines.at(-1)).toMatch(
            /^error: cannot check the lab: the fake Kubernetes API did not answer within 1 s\. Is the cluster up, and is https:\/\/192\.168\.2\.240:6443 reachable from here\?$/,
        );
        expect(d.lines.some((l) => l.startsWith("PASS"))).toBe(false);
    });

    it("refuses while a drill holds the lab's lock, creating nothing", async () => {
        lab.routes["GET /k8s/apis/coordination.k8s.io/v1/namespaces/load/leases/drill-lock"] = {
            body: {
                metadata: { name: "drill-lock", namespace: "load" },
                spec: { holderIdentity: "ann@laptop", leaseDurationSeconds: 3600, renewTime: new Date().toISOString(), acquireTime: new Date().toISOString() },
            },
        };
        const d = deps({ checks: CHECKS });
        expect(await runVerify([], d)).toBe(EXIT.couldNotRun);
        expect(d.lines.at(-1)).toMatch(/^refused: a drill is running: load\/drill-lock is held by ann@laptop until /);
        expect(lab.calls.filter((c) => c.method !== "GET")).toEqual([]);
    });

    it("runs when the drill lock has lapsed", async () => {
        lab.routes["GET /k8s/apis/coordination.k8s.io/v1/namespaces/load/leases/drill-lock"] = {
            body: {
                metadata: { name: "drill-lock", namespace: "load" },
                spec: {
                    holderIdentity: "ann@laptop",
                    leaseDurationSeconds: 60,
                    renewTime: "2020-01-01T00:00:00.000000Z",
                    acquireTime: "2020-01-01T00:00:00.000000Z",
                },
            },
        };
        expect(await runVerify([], deps({ checks: [check("a.one", () => Promise.resolve(pass("ok")))] }))).toBe(EXIT.ok);
    });

    it("deletes every probe pod on success, on failure, and on Ctrl-C (leftovers of an earlier run too)", async () => {
        for (const outcome of ["pass", "fail", "interrupt"] as const) {
            const interrupt = new AbortController();
            let probed = () => undefined as void;
            const probesDone = new Promise<void>((r) => (probed = r));
            const d = deps({
                signal: interrupt.signal,
                checks: [
                    check(
                        "a.probes",
                        async (ctx) => {
                            await ctx.probes();
                            lab.probePods.set("leftover", {
                                metadata: { name: "leftover", namespace: "default", labels: { "homelab.verify": "probe" } },
                                spec: { containers: [{ env: [{ name: "PROBES", value: "" }] }] },
                            });
                            if (outcome === "interrupt") interrupt.abort();
                            probed();
                            return outcome === "fail" ? fail("x", "y", "z") : pass("ok");
                        },
                        30,
                    ),
                    ...Array.from({ length: 6 }, (_, i) => check(`a.after-${i}`, async () => (await probesDone, pass("ok")))),
                ],
            });
            const code = await runVerify([], d);
            expect(code).toBe(outcome === "pass" ? EXIT.ok : outcome === "fail" ? EXIT.broken : EXIT.couldNotRun);
            expect(lab.probePods.size, outcome).toBe(0);
            expect(d.lines).toContainEqual("deleted probe pods: default/leftover");
            if (outcome === "interrupt") {
                expect(d.lines).toContainEqual(expect.stringMatching(/^ERROR a\.after-5: .* could not run: interrupted before it ran/));
            }
        }
    });

    it("does not start checks past the suite's deadline, so a sick lab still ends in time", async () => {
        // The first four start at once (well inside the deadline), and end past it: the last two are never started.
        const slow = (id: string) => check(id, async (ctx) => (await ctx.sleep(1500), pass("ok")));
        const d = deps({ suiteDeadlineMs: 1000, checks: [1, 2, 3, 4, 5, 6].map((i) => slow(`a.c${i}`)) });
        expect(await runVerify([], d)).toBe(EXIT.couldNotRun);
        expect(d.lines.filter((l) => l.startsWith("PASS"))).toHaveLength(4);
        expect(d.lines).toContainEqual(
            expect.stringMatching(
                /^ERROR a\.c6: .* could not run: not started: the suite passed its 1 s deadline \(the lab answers slowly; npm run verify -- --only a\.c6\)/,
            ),
        );
    });

    it("starts the long waits first: the load run before the other checks, the probe pods before any row asks", async () => {
        const started: string[] = [];
        const record = (id: string, group: Check["group"]): Check => ({ ...check(id, () => (started.push(id), Promise.resolve(pass("ok")))), group });
        const d = deps({ checks: [record("a.first", "cluster"), record("b.second", "data"), record("n.row", "netpol"), record("l.load", "load")] });
        expect(await runVerify([], d)).toBe(EXIT.ok);
        expect(started[0]).toBe("l.load");
        expect(lab.calls.filter((c) => c.method === "POST" && c.path.endsWith("/pods")).length).toBeGreaterThan(10);
        expect(lab.probePods.size).toBe(0);
    });

    it("on Ctrl-C while probe pods are pending, stops waiting for them at once and deletes them", async () => {
        lab.probePhase = "Pending";
        const interrupt = new AbortController();
        // Ctrl-C once the first probe pod exists: the others are not created, and the wait for it ends.
        lab.onProbeCreated = () => interrupt.abort();
        const d = deps({
            signal: interrupt.signal,
            checks: [
                check(
                    "a.probes",
                    async (ctx) => {
                        await ctx.probes();
                        return pass("ok");
                    },
                    60,
                ),
            ],
        });
        const started = Date.now();
        expect(await runVerify([], d)).toBe(EXIT.couldNotRun);
        expect(Date.now() - started).toBeLessThan(5000);
        expect(lab.calls.filter((c) => c.method === "POST").length).toBe(1);
        expect(lab.probePods.size).toBe(0);
    });

    it("prints progress while checks run", async () => {
        const d = deps({ progressMs: 50, checks: [check("a.slow", async (ctx) => (await ctx.sleep(300), pass("ok")))] });
        expect(await runVerify([], d)).toBe(EXIT.ok);
        expect(d.lines.filter((l) => /^ {2}\.\.\. \d+ s: 0\/1 done; running a\.slow$/.test(l)).length).toBeGreaterThanOrEqual(2);
    });
});

describe("the clients", () => {
    it("talk to the API server with the kubeconfig's credentials", async () => {
        lab.routes["GET /version"] = (req) => ({ body: { gitVersion: req.headers.authorization === "Bearer t0ken" ? "authorised" : "anonymous" } });
        const kubeconfig = JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "lab", cluster: { server: lab.url, "insecure-skip-tls-verify": true } }],
            users: [{ name: "admin", user: { token: "t0ken" } }],
            contexts: [{ name: "lab", context: { cluster: "lab", user: "admin" } }],
            "current-context": "lab",
        });
        const { api } = await kubeApi(kubeconfig);
        expect(await api.json("/version")).toEqual({ gitVersion: "authorised" });
    });

    it("give up on a server that never answers with the server's name and the deadline", async () => {
        lab.routes["GET /slow"] = { hang: true };
        const api = httpApi(lab.url, { timeoutMs: 300, what: "Grafana at https://lab:3000" });
        await expect(api.request("/slow")).rejects.toThrow(new Unreachable("Grafana at https://lab:3000 did not answer within 0 s"));
        await expect(httpApi("http://127.0.0.1:1", { timeoutMs: 1000, what: "Alertmanager" }).request("/")).rejects.toThrow(
            /^Alertmanager: connect ECONNREFUSED/,
        );
    });

    it("read every output they need, and name a missing one", () => {
        const outputs = {
            kubeconfig: "apiVersion: v1",
            loadTesting: { namespace: "load", targetUrl: "https://x", rateLimits: { createPerMinute: 30, redirectPerSecond: 100 } },
            apiServerUrl: "https://192.168.2.240:6443",
            nodeAddresses: { "k3s-node-01": "192.168.2.241" },
            k3sVersion: "v1.34.9+k3s1",
            shlinkUrl: "https://lab",
            grafanaUrl: "https://lab:3000",
            kialiUrl: "https://lab:20001/kiali",
            jaegerUrl: "https://lab:16686",
            alertmanagerUrl: "https://lab:9093",
            vaultUrl: "https://lab:8200",
            labCaCertificate: "-----BEGIN CERTIFICATE-----",
            shlinkApiKey: "key",
            grafanaAdminPassword: "pw",
            vaultAdminPassword: "pw2",
        };
        const parsed = parseVerifyOutputs(JSON.stringify(outputs));
        expect(parsed.lab).toMatchObject({ mode: "proxmox", createPerMinute: 30, urls: { argocd: undefined } });
        // Secrets stay out of what the checks print from.
        expect(JSON.stringify(parsed.lab)).not.toMatch(/key|pw/);
        expect(parseVerifyOutputs(JSON.stringify({ ...outputs, nodeAddresses: {} })).lab.mode).toBe("cluster");
        expect(() => parseVerifyOutputs(JSON.stringify({ ...outputs, vaultUrl: undefined }))).toThrow(
            "the stack has no 'vaultUrl' output: run `npm run up` first",
        );
    });
});

describe("docs/verify.md", () => {
    const doc = fs.readFileSync(`${__dirname}/../../docs/verify.md`, "utf8");

    it("names only checks that exist, and the suite's real size", () => {
        const named = [...doc.matchAll(/`((?:cluster|releases|data|mesh|edge|netpol|pod-security|observability|load)\.[a-z0-9.-]+)`/g)].map((m) => m[1]);
        const ids = new Set(CHECKS.map((c) => c.id));
        expect(named.length).toBeGreaterThan(40);
        expect(named.filter((id) => !ids.has(id))).toEqual([]);
        expect(doc).toContain(`the whole suite (${CHECKS.length} checks)`);
        for (const [group, title] of Object.entries(GROUPS)) {
            const count = CHECKS.filter((c) => c.group === group).length;
            expect(doc, title).toContain(`(${count}):`);
        }
    });
});
