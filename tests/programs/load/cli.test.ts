// `npm run load` without a cluster: the TestRun it creates (typed after the CRD), how
// it waits, how it reads the verdict, its exit codes, and that it deletes the run on every path.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../../../components/config/defaults";
import { K6, K6_LAB_CA, K6_OPERATOR_VERSION } from "../../../components/load/facts";
import { validateTestRun } from "../../helpers/crdSchemas";
import { listText, parseArgs, runDeadlineSeconds, runLoad, runName, verdictExit, verdictTable, type LoadDeps } from "../../../programs/load/cli";
import { EXIT } from "../../../programs/shared/exit";
import { parseStackOutputs } from "../../../programs/shared/stackOutputs";
import type { LoadCluster } from "../../../programs/shared/kube";
import { loadTarget, scenarioFiles, type LoadTarget } from "../../../components/load/manifests";
import {
    buildSummary,
    METRICS,
    SCENARIOS,
    scenarioThresholds,
    summaryText,
    SUMMARY_MARKERS,
    type LoadSummary,
    type ScenarioName,
} from "../../../components/load/scenarios/catalog";
import { LAB_CA_FILE, parseSummary, runnerPodSelector, testRun, type TestRun } from "../../../components/load/testRun";

const LIMITS = { createPerMinute: CONFIG_DEFAULTS.shlinkCreateRatePerMinute, redirectPerSecond: CONFIG_DEFAULTS.shlinkRedirectRatePerSecond };
const TARGET: LoadTarget = loadTarget("https://istio-ingressgateway.istio-ingress.svc.cluster.local:443", "http://prom:9090/api/v1/write", LIMITS);
const T0 = Date.UTC(2026, 10, 22, 3, 4, 5);

/** A fake cluster that replays `stages` (one per poll) and records every call. */
function fakeCluster(stages: (string | undefined | null)[], logs = "", failRemove = false) {
    const calls: string[] = [];
    let created: TestRun | undefined;
    let poll = 0;
    const cluster: LoadCluster = {
        create: (run) => {
            created = run;
            calls.push(`create ${run.metadata.name}`);
            return Promise.resolve();
        },
        stage: () => Promise.resolve(stages[Math.min(poll++, stages.length - 1)]),
        runnerLogs: (ns, name) => {
            calls.push(`logs ${ns}/${name}`);
            return Promise.resolve(logs);
        },
        remove: (ns, name) => {
            calls.push(`remove ${ns}/${name}`);
            return failRemove ? Promise.reject(new Error("forbidden")) : Promise.resolve();
        },
    };
    return { cluster, calls, created: () => created, polls: () => poll };
}

/** Deps with a fake clock: sleep advances time; `abortAfter` polls simulates Ctrl-C. */
function fakeDeps(cluster: LoadCluster, abortAfterSleeps?: number) {
    const lines: string[] = [];
    const controller = new AbortController();
    let now = T0;
    let sleeps = 0;
    const deps: LoadDeps = {
        connect: () => Promise.resolve({ target: TARGET, cluster }),
        out: (line) => lines.push(line),
        now: () => now,
        sleep: (ms) => {
            now += ms;
            if (++sleeps === abortAfterSleeps) {
                controller.abort();
            }
            return Promise.resolve();
        },
        signal: controller.signal,
    };
    return { deps, lines, elapsed: () => (now - T0) / 1000 };
}

function summary(name: ScenarioName, ok: (metric: string, expression: string) => boolean, warmP99 = 5): LoadSummary {
    const spec = SCENARIOS[name];
    const metrics: Parameters<typeof buildSummary>[2]["metrics"] = {};
    for (const [metric, expressions] of Object.entries(scenarioThresholds(spec))) {
        metrics[metric] = { values: { count: 10 }, thresholds: Object.fromEntries(expressions.map((e) => [e, { ok: ok(metric, e) }])) };
    }
    metrics[METRICS.warmRedirect] = { values: { count: 8, "p(99)": warmP99 } };
    return buildSummary(name, spec, { metrics });
}

const STAGES = [
    undefined,
    "initialization",
    "initialized",
    "created",
    "started",
    "started",
    "started",
    "started",
    "started",
    "started",
    "started",
    "stopped",
    "finished",
];

describe("arguments", () => {
    it("takes a scenario, an optional --duration, or --list; anything else is an error", () => {
        expect(parseArgs(["--list"])).toEqual({ kind: "list" });
        expect(parseArgs(["viral"])).toEqual({ kind: "run", scenario: "viral" });
        expect(parseArgs(["cache", "--duration", "60"])).toEqual({ kind: "run", scenario: "cache", durationSeconds: 60 });
        for (const bad of [[], ["nope"], ["peak", "--duration"], ["peak", "--duration", "0"], ["peak", "--duration", "1.5"], ["peak", "-x", "3"]]) {
            expect(() => parseArgs(bad)).toThrow();
        }
    });

    it("--list prints every scenario and the thresholds offline: no stack, no cluster", async () => {
        const deps = fakeDeps(fakeCluster([]).cluster).deps;
        deps.connect = () => Promise.reject(new Error("--list must not read the stack"));
        const lines: string[] = [];
        deps.out = (l) => lines.push(l);
        expect(await runLoad(["--list"], deps)).toBe(EXIT.ok);
        expect(lines).toEqual(listText());
        for (const name of Object.keys(SCENARIOS)) {
            expect(lines.some((l) => l.trimStart().startsWith(`${name} `))).toBe(true);
        }
        expect(lines.join("\n")).toContain("p95 < 100 ms, p99 < 200 ms, errors < 1 %");
    });

    it("exits 2 on a bad argument without touching the stack", async () => {
        const { deps, lines } = fakeDeps(fakeCluster([]).cluster);
        deps.connect = () => Promise.reject(new Error("must not connect"));
        expect(await runLoad(["bogus"], deps)).toBe(EXIT.error);
        expect(lines.join("\n")).toContain('unknown scenario "bogus"');
    });
});

describe("the TestRun", () => {
    const name = runName("viral", new Date(T0));
    const run = testRun(TARGET, "viral", name, 120);

    it("is named <scenario>-<UTC timestamp>, a DNS label", () => {
        expect(name).toBe("viral-20261122-030405");
        expect(name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    });

    it("is a k6.io/v1alpha1 TestRun with the fields its CRD requires (parallelism ≥ 1, script), in the load namespace", () => {
        // The TestRun interface (components/load/testRun.ts) types every other field against the CRD at 4.6.0.
        expect(run.apiVersion).toBe("k6.io/v1alpha1");
        expect(run.kind).toBe("TestRun");
        expect(Number.isInteger(run.spec.parallelism) && run.spec.parallelism >= 1).toBe(true);
        expect(run.spec.script.configMap.name).not.toBe("");
        expect(Object.keys(run.spec).sort()).toEqual(["arguments", "parallelism", "runner", "script", "starter"]);
        expect(() => validateTestRun(run)).not.toThrow();
        expect(() => validateTestRun({ ...run, spec: { ...run.spec, starter: { imag: "x" } } })).toThrow("starter: known fields only");
        expect(run.metadata.namespace).toBe("load");
    });

    it("runs the scenario's file from the scripts ConfigMap, a file that ConfigMap holds", () => {
        expect(run.spec.script).toEqual({ configMap: { name: K6.scriptsConfigMap, file: "viral.ts" } });
        for (const scenario of Object.keys(SCENARIOS)) {
            expect(Object.keys(scenarioFiles())).toContain(testRun(TARGET, scenario as ScenarioName, "x").spec.script.configMap.file);
        }
    });

    it("tags every metric with testid=<name> and writes them to Prometheus with the pinned trend stats", () => {
        expect(run.spec.arguments.split(" ")).toEqual(["--tag", `testid=${name}`, "-o", "experimental-prometheus-rw"]);
        expect(run.spec.runner.env).toContainEqual({ name: "K6_PROMETHEUS_RW_SERVER_URL", value: TARGET.prometheusWriteUrl });
        expect(run.spec.runner.env).toContainEqual({ name: "K6_PROMETHEUS_RW_TREND_STATS", value: "p(95),p(99),min,max,avg" });
    });

    it("points at the gateway URL, reads the key from the Secret, and runs the pinned image with resources", () => {
        expect(run.spec.runner.image).toBe("grafana/k6:2.2.0");
        expect(run.spec.runner.resources).toEqual(K6.runnerResources);
        expect(run.spec.runner.env).toContainEqual({ name: "TARGET_URL", value: TARGET.targetUrl });
        expect(run.spec.runner.env).toContainEqual({
            name: "SHLINK_API_KEY",
            valueFrom: { secretKeyRef: { name: K6.apiKeySecret, key: K6.apiKeySecretKey } },
        });
        expect(run.spec.runner.env).toContainEqual({ name: "DURATION_SECONDS", value: "120" });
        expect(testRun(TARGET, "viral", name).spec.runner.env.map((e) => e.name)).not.toContain("DURATION_SECONDS");
    });

    it("targets the gateway over HTTPS trusting the lab CA: its ConfigMap mounted read-only, SSL_CERT_FILE naming the file", () => {
        expect(TARGET.targetUrl.startsWith("https://")).toBe(true);
        expect(run.spec.runner.env).toContainEqual({ name: "TARGET_URL", value: TARGET.targetUrl });
        expect(run.spec.runner.volumes).toEqual([{ name: K6_LAB_CA.volume, configMap: { name: K6_LAB_CA.configMap } }]);
        expect(run.spec.runner.volumeMounts).toEqual([{ name: K6_LAB_CA.volume, mountPath: K6_LAB_CA.mountPath, readOnly: true }]);
        // The operator mounts the script at /test: the CA's mount must not shadow it.
        expect(K6_LAB_CA.mountPath.startsWith("/test")).toBe(false);
        expect(LAB_CA_FILE).toBe(`${K6_LAB_CA.mountPath}/${K6_LAB_CA.key}`);
        expect(run.spec.runner.env).toContainEqual({ name: "SSL_CERT_FILE", value: LAB_CA_FILE });
        // Verification is never switched off (k6's --insecure-skip-tls-verify, K6_INSECURE_SKIP_TLS_VERIFY).
        expect(JSON.stringify(run).toLowerCase()).not.toMatch(/insecure/);
    });

    it("has no `cleanup: post`: the operator would delete the runner's log before the summary is read", () => {
        expect(run.spec).not.toHaveProperty("cleanup");
    });

    it("selects the runner pods by the labels the operator gives them", () => {
        expect(runnerPodSelector(name)).toBe(`app=k6,k6_cr=${name},runner=true`);
    });
});

describe("the verdict", () => {
    it("parses the summary between the markers, the last one when there are several, and rejects garbage", () => {
        const first = summary("peak", () => false);
        const last = summary("peak", () => true);
        expect(parseSummary(`noise\n${summaryText(first)}\nmore\n${summaryText(last)}tail`)).toEqual(last);
        expect(parseSummary("no markers")).toBeUndefined();
        expect(parseSummary(`${SUMMARY_MARKERS.begin}\n{not json\n${SUMMARY_MARKERS.end}`)).toBeUndefined();
        expect(parseSummary(`${SUMMARY_MARKERS.begin}\n{"a":1}`)).toBeUndefined();
    });

    it("exits 0 when every threshold held, 1 on any breach; a failed target is reported, never a breach", () => {
        expect(verdictExit(summary("cache", () => true, 50))).toBe(EXIT.ok);
        expect(verdictExit(summary("viral", (m, e) => !(m === METRICS.redirect && e === "p(99)<200")))).toBe(EXIT.breach);
        expect(verdictExit(summary("baseline", (m) => m !== "http_req_failed"))).toBe(EXIT.breach);
        const table = verdictTable(summary("cache", () => true, 50)).join("\n");
        expect(table).toMatch(/redirect_warm_duration\s+p\(99\)<10\s+FAIL \(target\)/);
        expect(verdictExit({ scenario: "x", verdicts: [], counts: { creations: 0, redirects: 0, warmRedirects: 0 } })).toBe(EXIT.error);
    });

    it("prints a row per threshold with its verdict", () => {
        const s = summary("baseline", (m, e) => !(m === METRICS.creation && e === "p(95)<100"));
        const table = verdictTable(s);
        for (const v of s.verdicts) {
            expect(table.some((row) => row.startsWith(v.metric) && row.includes(v.expression))).toBe(true);
        }
        expect(table.join("\n")).toMatch(/url_creation_duration\s+p\(95\)<100\s+FAIL/);
        expect(table.join("\n")).toMatch(/http_req_failed\s+rate<0.01\s+PASS/);
    });
});

describe("a run", () => {
    it("creates the run, reports each stage once and a progress line every ~10 s, prints the table, exits 0, deletes it", async () => {
        const fake = fakeCluster(STAGES, `k6 output\n${summaryText(summary("peak", () => true))}`);
        const { deps, lines } = fakeDeps(fake.cluster);
        expect(await runLoad(["peak"], deps)).toBe(EXIT.ok);
        const name = "peak-20261122-030405";
        expect(fake.calls).toEqual([`create ${name}`, `logs load/${name}`, `remove load/${name}`]);
        expect(fake.created()?.spec.script.configMap.file).toBe("peak.ts");
        // What the API server takes, with the operator's starter pinned to its version (never `latest-starter`).
        expect(() => validateTestRun(fake.created()!)).not.toThrow();
        expect(fake.created()?.spec.starter).toEqual({ image: `ghcr.io/grafana/k6-operator:starter-v${K6_OPERATOR_VERSION}` });
        expect(lines.filter((l) => l.startsWith("stage: ")).map((l) => l.split(" ")[1])).toEqual([
            "initialization",
            "initialized",
            "created",
            "started",
            "stopped",
            "finished",
        ]);
        const progress = lines.filter((l) => l.startsWith("  ... waiting for the run to finish"));
        expect(progress.length).toBe(Math.floor(((STAGES.length - 1) * K6.pollSeconds) / K6.progressSeconds));
        // What it waits for, and for how long at most.
        expect(progress[0]).toMatch(/^ {2}\.\.\. waiting for the run to finish \(\w+\): 0m10s of at most 15m00s$/);
        expect(lines).toContain("all thresholds held");
        expect(lines.some((l) => /redirect_duration\s+p\(99\)<200\s+PASS/.test(l))).toBe(true);
        expect(lines.some((l) => l.includes(`testid=${name}`))).toBe(true);
    });

    it("exits 1 on a breached threshold, and still deletes the run", async () => {
        const fake = fakeCluster(["started", "finished"], summaryText(summary("viral", (m) => m !== METRICS.creation)));
        const { deps, lines } = fakeDeps(fake.cluster);
        expect(await runLoad(["viral"], deps)).toBe(EXIT.breach);
        expect(lines).toContain("a threshold was breached");
        expect(fake.calls.at(-1)).toMatch(/^remove load\/viral-/);
    });

    it("exits 2 when the operator reports an error, without reading a verdict, and deletes the run", async () => {
        const fake = fakeCluster(["initialization", "error"]);
        const { deps } = fakeDeps(fake.cluster);
        expect(await runLoad(["baseline"], deps)).toBe(EXIT.error);
        expect(fake.calls.map((c) => c.split(" ")[0])).toEqual(["create", "remove"]);
    });

    it("exits 2 when the runner printed no summary, showing the log's last lines", async () => {
        const fake = fakeCluster(["finished"], "level=error msg=\"could not initialize './baseline.ts'\"");
        const { deps, lines } = fakeDeps(fake.cluster);
        expect(await runLoad(["baseline"], deps)).toBe(EXIT.error);
        expect(lines.join("\n")).toContain("could not initialize");
        expect(fake.calls.at(-1)).toMatch(/^remove /);
    });

    it("gives up after the scenario's duration plus grace, exits 2 and deletes the run", async () => {
        const fake = fakeCluster(["started"]);
        const { deps, lines, elapsed } = fakeDeps(fake.cluster);
        expect(await runLoad(["cache", "--duration", "30"], deps)).toBe(EXIT.error);
        expect(lines.join("\n")).toContain("did not finish: timeout");
        expect(elapsed()).toBeGreaterThan(runDeadlineSeconds("cache", 30));
        expect(elapsed()).toBeLessThan(runDeadlineSeconds("cache", 30) + 2 * K6.pollSeconds);
        expect(fake.calls.at(-1)).toMatch(/^remove /);
    });

    it("on Ctrl-C stops waiting, deletes the run and exits 2", async () => {
        const fake = fakeCluster(["started"]);
        const { deps, lines } = fakeDeps(fake.cluster, 3);
        expect(await runLoad(["peak"], deps)).toBe(EXIT.error);
        expect(lines.join("\n")).toContain("did not finish: interrupted");
        expect(fake.polls()).toBe(3);
        expect(fake.calls.map((c) => c.split(" ")[0])).toEqual(["create", "remove"]);
    });

    it("exits 2 when the run vanishes under it", async () => {
        const fake = fakeCluster(["started", null]);
        const { deps, lines } = fakeDeps(fake.cluster);
        expect(await runLoad(["peak"], deps)).toBe(EXIT.error);
        expect(lines.join("\n")).toContain("vanished");
    });

    it("reports a failed deletion without hiding the verdict", async () => {
        const fake = fakeCluster(["finished"], summaryText(summary("peak", () => true)), true);
        const { deps, lines } = fakeDeps(fake.cluster);
        expect(await runLoad(["peak"], deps)).toBe(EXIT.ok);
        expect(lines.join("\n")).toContain("could not delete TestRun peak-20261122-030405: Error: forbidden");
    });

    it("exits 2 when the stack has no load output or the cluster refuses the run", async () => {
        const { deps, lines } = fakeDeps(fakeCluster([]).cluster);
        deps.connect = () => Promise.resolve(parseStackOutputs(JSON.stringify({ kubeconfig: "x" })) as never);
        expect(await runLoad(["peak"], deps)).toBe(EXIT.error);
        expect(lines.join("\n")).toContain("no 'loadTesting' output");
        const refusing = fakeCluster([]);
        refusing.cluster.create = () => Promise.reject(new Error("testruns.k6.io is forbidden"));
        const second = fakeDeps(refusing.cluster);
        expect(await runLoad(["peak"], second.deps)).toBe(EXIT.error);
        expect(second.lines.join("\n")).toContain("forbidden");
    });
});

describe("the gateway's rate limits", () => {
    it("refuse a scenario above them before anything is created, naming the key, the need and how to raise it", async () => {
        const fake = fakeCluster(["finished"]);
        const { deps, lines } = fakeDeps(fake.cluster);
        const tight = { ...TARGET, rateLimits: { createPerMinute: 600, redirectPerSecond: 200 } };
        deps.connect = () => Promise.resolve({ target: tight, cluster: fake.cluster });
        expect(await runLoad(["viral"], deps)).toBe(EXIT.error);
        expect(fake.calls).toEqual([]);
        expect(lines).toEqual([
            "refused: scenario viral sends up to 680 URL creations in a minute (200 seeded + 8/s at peak), over " +
                "homelab:shlinkCreateRatePerMinute 600 per gateway pod. Raise it for the run (npm run pulumi -- config set " +
                "homelab:shlinkCreateRatePerMinute 680 && npm run up; set it back afterwards), or run a lighter scenario.",
            "refused: scenario viral sends up to 250 redirects in a second at peak, over homelab:shlinkRedirectRatePerSecond 200 " +
                "per gateway pod. Raise it for the run (npm run pulumi -- config set homelab:shlinkRedirectRatePerSecond 250 && npm run up; " +
                "set it back afterwards), or run a lighter scenario.",
        ]);
    });

    it("let a scenario within them run (peak fits the same limits viral exceeds)", async () => {
        const fake = fakeCluster(["finished"], summaryText(summary("peak", () => true)));
        const { deps } = fakeDeps(fake.cluster);
        const tight = { ...TARGET, rateLimits: { createPerMinute: 600, redirectPerSecond: 200 } };
        deps.connect = () => Promise.resolve({ target: tight, cluster: fake.cluster });
        expect(await runLoad(["peak"], deps)).toBe(EXIT.ok);
        expect(fake.calls[0]).toMatch(/^create peak-/);
    });
});

describe("npm run load", () => {
    const root = path.join(__dirname, "..", "..", "..");

    it("is the tsx entry scripts/load.ts, and `-- --list` runs offline through it with exit 0", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
        expect(pkg.scripts.load).toMatch(/tsx scripts\/load\.ts$/);
        // No stack: a stack name that cannot exist, and no Pulumi on PATH needed for --list.
        const out = execFileSync(path.join(root, "node_modules", ".bin", "tsx"), ["scripts/load.ts", "--list"], {
            cwd: root,
            encoding: "utf8",
            env: { ...process.env, PULUMI_STACK: "no-such-stack", KUBECONFIG: "/nonexistent" },
            timeout: 20_000,
        });
        expect(out.trimEnd().split("\n")).toEqual(listText());
    });
});
