// The k6 scenarios executed against a local stand-in of Shlink's REST API through a minimal k6 (k6shim.ts):
// setup seeding with the API key, the read/write mix of each scenario's rates, the Pareto skew, and
// thresholds that name real metrics. What only a real k6 run in the cluster proves is in docs/operating.md (Load tests).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
    DROPPED_ITERATIONS,
    HEARTBEAT,
    LOAD_SLO,
    parseLoadLog,
    plannedIterations,
    REQUEST_TIMEOUT_SECONDS,
    TIMELINE,
    METRICS,
    PARETO_HOT_FRACTION,
    PARETO_SHARE,
    paretoIndex,
    SCENARIOS,
    scenarioOptions,
    type ScenarioName,
} from "../../components/load/scenarios/catalog";
import { parseSummary } from "../../components/load/testRun";
import { execution, K6_BUILTIN_METRICS, meanRate, planIterations, runtime, summaryData, thresholdMetric } from "./k6shim";
import type { Ledger } from "./standin-worker";

vi.mock("k6", async () => (await import("./k6shim")).k6Module);
vi.mock("k6/http", async () => (await import("./k6shim")).httpModule);
vi.mock("k6/metrics", async () => (await import("./k6shim")).metricsModule);
vi.mock("k6/execution", async () => (await import("./k6shim")).executionModule);

const API_KEY = "test-api-key-0123456789";
/** Iterations each scenario runs after its setup: enough to measure the mix and the skew, few enough to be fast. */
const ITERATIONS = 600;
/** Hard cap on requests the stand-in serves in this file (seeding + iterations of all scenarios + the bad key). */
const REQUEST_BUDGET = 4 * (ITERATIONS + 200) + 100;

/** The issue's rates per second: creations and redirects (viral: ranges). */
const ISSUE_RATES: Record<ScenarioName, { creations: [number, number] | undefined; redirects: [number, number] }> = {
    baseline: { creations: [1, 1], redirects: [20, 20] },
    peak: { creations: [2, 2], redirects: [50, 50] },
    viral: { creations: [5, 8], redirects: [100, 250] },
    cache: { creations: undefined, redirects: [1, 1000] },
};

type ScenarioModule = {
    options: ReturnType<typeof scenarioOptions>;
    setup(): { codes: string[] };
    createUrl?: () => void;
    redirect(data: { codes: string[] }): void;
    handleSummary(data: unknown): Record<string, string>;
};

/** A script's k6 scenarios as plain records (the shim reads their fields by name). */
function scenariosOf(module: ScenarioModule): Record<string, Record<string, unknown>> {
    return module.options.scenarios as unknown as Record<string, Record<string, unknown>>;
}

/** Deterministic Math.random (mulberry32), so skew measurements never flake. */
function seededRandom(seed: number): () => number {
    let a = seed;
    return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

interface Run {
    module: ScenarioModule;
    codes: string[];
    /** Stand-in ledger after setup, and after the iterations. */
    afterSetup: Ledger;
    afterRun: Ledger;
    plan: string[];
    trendCounts: Record<string, number>;
    summaryStdout: string;
}

const runs = new Map<ScenarioName, Run>();
const names = Object.keys(SCENARIOS) as ScenarioName[];

/** A scenario's script (a computed path: the root tsconfig does not compile the k6 files). */
const scenarioPath = (name: ScenarioName): string => `../../components/load/scenarios/${name}.ts`;

/** Imports a scenario as a fresh VU and runs setup() and ITERATIONS iterations, as k6 would schedule them. */
async function runScenario(name: ScenarioName): Promise<Run> {
    runtime.resetMetrics();
    vi.resetModules();
    const module = (await import(scenarioPath(name))) as ScenarioModule;
    const before = runtime.ledger().created.length;
    const { codes } = module.setup();
    const afterSetup = runtime.ledger();
    afterSetup.created = afterSetup.created.slice(before);
    const plan = planIterations(scenariosOf(module), ITERATIONS);
    const redirectsBefore = { ...runtime.ledger().redirects };
    plan.forEach((exec, iter) => {
        (globalThis as Record<string, unknown>).__ITER = iter;
        if (exec === "createUrl") {
            module.createUrl!();
        } else {
            module.redirect({ codes });
        }
    });
    const afterRun = runtime.ledger();
    afterRun.created = afterRun.created.slice(before + codes.length);
    afterRun.redirects = Object.fromEntries(
        Object.entries(afterRun.redirects)
            .map(([code, n]) => [code, n - (redirectsBefore[code] ?? 0)])
            .filter(([, n]) => (n as number) > 0),
    );
    const trendCounts = Object.fromEntries([...runtime.metrics].map(([metric, m]) => [metric, m.samples.length]));
    const summaryStdout = module.handleSummary(summaryData(module.options.thresholds as Record<string, string[]>)).stdout;
    return { module, codes, afterSetup, afterRun, plan, trendCounts, summaryStdout };
}

beforeAll(async () => {
    Object.assign(globalThis, { __VU: 1, __ITER: 0 });
    runtime.start(API_KEY, REQUEST_BUDGET);
    (globalThis as Record<string, unknown>).__ENV = { TARGET_URL: `${runtime.baseUrl}/`, SHLINK_API_KEY: API_KEY };
    const random = vi.spyOn(Math, "random").mockImplementation(seededRandom(42));
    for (const name of names) {
        runs.set(name, await runScenario(name));
    }
    random.mockRestore();
});

afterAll(async () => {
    await runtime.stop();
});

const run = (name: ScenarioName): Run => runs.get(name)!;
/** Share of the redirects that landed on the first `fraction` of the seeded URLs (the Pareto draw's hot end). */
function hotShare(r: Run, fraction: number): number {
    const hits = r.codes.map((code) => r.afterRun.redirects[code] ?? 0);
    const hot = hits.slice(0, Math.round(fraction * r.codes.length)).reduce((a, n) => a + n, 0);
    return hot / hits.reduce((a, n) => a + n, 0);
}

describe.each(names)("scenario %s", (name) => {
    const spec = SCENARIOS[name];

    it("setup() seeds its URLs through the API with the key, and hands their codes to the VUs", () => {
        const r = run(name);
        expect(r.afterSetup.created).toHaveLength(spec.seedUrls);
        expect(r.afterSetup.rejected).toBe(0);
        expect(r.codes).toEqual(r.afterSetup.created.map((c) => c.code));
        expect(new Set(r.codes).size).toBe(spec.seedUrls);
        expect(new Set(r.afterSetup.created.map((c) => c.longUrl)).size).toBe(spec.seedUrls);
    });

    it("schedules the issue's rates: creations and redirects per second as k6 arrival-rate scenarios", () => {
        const scenarios = scenariosOf(run(name).module);
        const execs = Object.values(scenarios).map((s) => s.exec);
        const expected = ISSUE_RATES[name];
        const rateOf = (exec: string) => meanRate(Object.values(scenarios).find((s) => s.exec === exec)!);
        const all = (s: Record<string, unknown>): number[] =>
            s.executor === "constant-arrival-rate" ? [s.rate as number] : [s.startRate as number, ...(s.stages as { target: number }[]).map((st) => st.target)];
        for (const [exec, range] of [
            ["redirect", expected.redirects],
            ["createUrl", expected.creations],
        ] as const) {
            if (range === undefined) {
                expect(execs).not.toContain(exec);
                continue;
            }
            const scenario = Object.values(scenarios).find((s) => s.exec === exec)!;
            expect(scenario.timeUnit).toBe("1s");
            for (const rate of all(scenario)) {
                expect(rate).toBeGreaterThanOrEqual(range[0]);
                expect(rate).toBeLessThanOrEqual(range[1]);
            }
            expect(rateOf(exec)).toBeGreaterThan(0);
        }
        if (name === "viral") {
            // "100–200+ redirects/s": the run reaches 200/s and bursts above it.
            expect(Math.max(...all(Object.values(scenarios).find((s) => s.exec === "redirect")!))).toBeGreaterThan(200);
            expect(all(Object.values(scenarios).find((s) => s.exec === "createUrl")!)).toEqual(expect.arrayContaining([5, 8]));
        }
    });

    it("drives the read/write mix of its rates at the API: one POST per creation, one 302 per redirect", () => {
        const r = run(name);
        const scenarios = scenariosOf(r.module);
        const creations = r.plan.filter((e) => e === "createUrl").length;
        const redirects = r.plan.length - creations;
        const served = Object.values(r.afterRun.redirects).reduce((a, n) => a + n, 0);
        expect(r.afterRun.created).toHaveLength(creations);
        expect(served).toBe(redirects);
        const rates = Object.values(scenarios).map((s) => ({ exec: s.exec, rate: meanRate(s) }));
        const creationShare = (rates.find((x) => x.exec === "createUrl")?.rate ?? 0) / rates.reduce((a, x) => a + x.rate, 0);
        expect(Math.abs(creations / r.plan.length - creationShare)).toBeLessThan(2 / r.plan.length);
        if (ISSUE_RATES[name].creations === undefined) {
            expect(creations).toBe(0);
        }
        expect(r.trendCounts[METRICS.redirect]).toBe(redirects);
        expect(r.trendCounts[METRICS.creation]).toBe(creations);
        expect(r.afterRun.rejected).toBe(0);
        expect(runtimeChecksFailed()).toBe(0);
    });

    it(`${spec.skew === "pareto" ? "puts ~80 % of the redirects on 20 % of the URLs" : "spreads redirects uniformly (~20 % on 20 % of the URLs)"} (measured at the stand-in)`, () => {
        const share = hotShare(run(name), PARETO_HOT_FRACTION);
        if (spec.skew === "pareto") {
            expect(share).toBeGreaterThan(PARETO_SHARE - 0.05);
            expect(share).toBeLessThan(PARETO_SHARE + 0.05);
        } else {
            expect(share).toBeGreaterThan(PARETO_HOT_FRACTION - 0.07);
            expect(share).toBeLessThan(PARETO_HOT_FRACTION + 0.07);
        }
    });

    it("has thresholds only on metrics the scripts define or k6 builds in, with the SLO values", () => {
        const thresholds = run(name).module.options.thresholds as Record<string, string[]>;
        const defined = [...Object.values(METRICS), ...K6_BUILTIN_METRICS];
        for (const key of Object.keys(thresholds)) {
            expect(defined).toContain(thresholdMetric(key));
        }
        expect(thresholds.http_req_failed).toEqual([`rate<${LOAD_SLO.errorRate}`]);
        expect(thresholds[METRICS.redirect]).toEqual([`p(95)<${LOAD_SLO.p95Ms}`, `p(99)<${LOAD_SLO.p99Ms}`]);
        if (ISSUE_RATES[name].creations !== undefined) {
            expect(thresholds[METRICS.creation]).toEqual([`p(95)<${LOAD_SLO.p95Ms}`, `p(99)<${LOAD_SLO.p99Ms}`]);
        }
        // Every metric a threshold names received samples in the run (none dropped: that counter stays empty).
        expect(thresholds[DROPPED_ITERATIONS]).toEqual(["count<1"]);
        for (const key of Object.keys(thresholds).filter((k) => k !== DROPPED_ITERATIONS)) {
            expect(run(name).trendCounts[thresholdMetric(key)]).toBeGreaterThan(0);
        }
    });

    it("prints a summary the load command parses: every threshold with its verdict", () => {
        const r = run(name);
        const summary = parseSummary(`k6 log line\n${r.summaryStdout}more log\n`);
        expect(summary?.scenario).toBe(name);
        const thresholds = r.module.options.thresholds as Record<string, string[]>;
        const blocking = summary!.verdicts.filter((v) => v.blocking).map((v) => `${v.metric} ${v.expression}`);
        expect(blocking.sort()).toEqual(
            Object.entries(thresholds)
                .flatMap(([m, es]) => es.map((e) => `${m} ${e}`))
                .sort(),
        );
        expect(summary!.counts.redirects).toBe(r.trendCounts[METRICS.redirect]);
        const targets = summary!.verdicts.filter((v) => !v.blocking);
        expect(targets.map((t) => t.metric)).toEqual(spec.skew === "pareto" ? [METRICS.warmRedirect] : []);
    });
});

function runtimeChecksFailed(): number {
    return [...runtime.checks.values()].reduce((a, c) => a + c.fails, 0);
}

describe("setup with a wrong API key", () => {
    it("fails the run instead of loading Shlink with nothing to redirect", async () => {
        (globalThis as Record<string, unknown>).__ENV = { TARGET_URL: runtime.baseUrl, SHLINK_API_KEY: "wrong" };
        runtime.resetMetrics();
        vi.resetModules();
        const module = (await import(scenarioPath("baseline"))) as ScenarioModule;
        const rejectedBefore = runtime.ledger().rejected;
        expect(() => module.setup()).toThrow(/seeding created 0 of 50/);
        expect(runtime.ledger().rejected - rejectedBefore).toBe(SCENARIOS.baseline.seedUrls);
    });
});

describe("paretoIndex", () => {
    it("gives 80 % of the draws to the first 20 % of the indices, and 64 % to the first 4 % (self-similar)", () => {
        const random = seededRandom(7);
        const n = 1000;
        const draws = Array.from({ length: 20_000 }, () => paretoIndex(random(), n));
        expect(draws.every((i) => Number.isInteger(i) && i >= 0 && i < n)).toBe(true);
        const share = (below: number) => draws.filter((i) => i < below * n).length / draws.length;
        expect(share(PARETO_HOT_FRACTION)).toBeCloseTo(PARETO_SHARE, 1);
        expect(share(PARETO_HOT_FRACTION ** 2)).toBeCloseTo(PARETO_SHARE ** 2, 1);
    });
});

/**
 * k6's arrival-rate executor under a Shlink that never answers, second by second: an iteration starts when a VU is
 * free (else it is dropped), holds its VU until the request times out, and is then a failed request on the timeline.
 */
function hang(rate: number, maxVUs: number, timeoutSeconds: number, seconds: number): { planned: number; failed: number; dropped: number } {
    const busyUntil: number[] = [];
    let failed = 0;
    let dropped = 0;
    for (let i = 0; i < rate * seconds; i++) {
        const t = i / rate;
        const free = busyUntil.findIndex((until) => until <= t);
        if (free >= 0) {
            busyUntil[free] = t + timeoutSeconds;
        } else if (busyUntil.length < maxVUs) {
            busyUntil.push(t + timeoutSeconds);
        } else {
            dropped++;
            continue;
        }
        if (t + timeoutSeconds < seconds) {
            failed++;
        }
    }
    return { planned: rate * seconds, failed, dropped };
}

describe("a hanging Shlink shows as failures, not as silence", () => {
    it("every request times out after REQUEST_TIMEOUT_SECONDS (the shim refuses any other), 10× the p99 SLO", () => {
        expect(REQUEST_TIMEOUT_SECONDS * 1000).toBe(10 * LOAD_SLO.p99Ms);
        // Each scenario above ran through the shim, which checks every request's `timeout`.
        expect(run("baseline").afterRun.rejected).toBe(0);
    });

    it.each(names)("%s: VUs enough for a whole timeout at the peak rate, so a 5-minute hang is all failures, none dropped", (name) => {
        for (const scenario of Object.values(scenarioOptions(SCENARIOS[name], 300).scenarios as unknown as Record<string, Record<string, unknown>>)) {
            const peak =
                scenario.executor === "constant-arrival-rate"
                    ? (scenario.rate as number)
                    : Math.max(...(scenario.stages as { target: number }[]).map((s) => s.target));
            expect(scenario.maxVUs as number).toBeGreaterThanOrEqual(peak * REQUEST_TIMEOUT_SECONDS);
        }
        const redirects = scenarioOptions(SCENARIOS[name], 300).scenarios!.redirects as unknown as Record<string, unknown>;
        const peak = Math.max(SCENARIOS[name].redirects.start, ...SCENARIOS[name].redirects.stages.map((s) => s.target));
        const { planned, failed, dropped } = hang(peak, redirects.maxVUs as number, REQUEST_TIMEOUT_SECONDS, 300);
        expect(dropped).toBe(0);
        // All but the last timeout's worth, still in flight at the end, are on the timeline as failures.
        expect(failed).toBe(planned - peak * REQUEST_TIMEOUT_SECONDS);
    });

    it("plans iterations as k6's arrival-rate executor schedules them: the first at 0, then the integral of the rate", () => {
        const flat = SCENARIOS.baseline.redirects;
        expect(plannedIterations(flat, 300, 0)).toBe(1);
        expect(plannedIterations(flat, 300, 10)).toBe(201);
        expect(plannedIterations(flat, 300, 10.04)).toBe(201);
        // viral's redirects ramp 100 → 200 over the first 40 % (240 s of 600): 150/s on average.
        expect(plannedIterations(SCENARIOS.viral.redirects, 600, 240)).toBe(150 * 240 + 1);
        expect(plannedIterations(SCENARIOS.viral.redirects, 600, 120)).toBe(Math.floor(120 * 125) + 1);
    });
});

describe("the drill timeline (DRILL_TIMELINE=1)", () => {
    it("adds a one-VU heartbeat scenario beating once a second; without the timeline there is none", async () => {
        const spec = SCENARIOS.baseline;
        expect(Object.keys(scenarioOptions(spec, 300).scenarios!)).toEqual(["redirects", "creations"]);
        const beat = scenarioOptions(spec, 300, true).scenarios![HEARTBEAT.scenario] as unknown as Record<string, unknown>;
        expect(beat).toMatchObject({ executor: "constant-arrival-rate", exec: HEARTBEAT.exec, rate: 1, timeUnit: "1s", maxVUs: 1 });
        for (const name of names) {
            const module = (await import(scenarioPath(name))) as ScenarioModule & { heartbeat: () => void };
            expect(typeof module.heartbeat).toBe("function");
        }
    });

    it("logs each request and k6's dropped-iteration count of its scenario, and heartbeats, in lines the drill parses", async () => {
        (globalThis as Record<string, unknown>).__ENV = { TARGET_URL: runtime.baseUrl, SHLINK_API_KEY: API_KEY, [TIMELINE.env]: "1" };
        const logged: string[] = [];
        const log = vi.spyOn(console, "log").mockImplementation((line: string) => void logged.push(line));
        try {
            vi.resetModules();
            const module = (await import(scenarioPath("baseline"))) as ScenarioModule & { heartbeat: () => void };
            const codes = runs.get("baseline")!.codes;
            const now = Date.now();
            // 10 s into the redirects scenario k6 scheduled 201 iterations; this is its 150th: 51 were dropped.
            Object.assign(execution.scenario, { name: "redirects", startTime: now - 10_000, iterationInTest: 149 });
            const clock = vi.spyOn(Date, "now").mockReturnValue(now);
            module.redirect({ codes });
            clock.mockReturnValue(now + 1500);
            module.redirect({ codes });
            module.heartbeat();
            clock.mockRestore();
            const parsed = parseLoadLog(logged.join("\n"));
            expect(parsed.events.map((e) => e.ok)).toEqual([true, true]);
            expect(parsed.dropped).toEqual([{ scenario: "redirects", t: now + 1500, count: 201 + 30 - 150 }]);
            expect(parsed.heartbeats).toEqual([now + 1500]);
        } finally {
            log.mockRestore();
            (globalThis as Record<string, unknown>).__ENV = { TARGET_URL: runtime.baseUrl, SHLINK_API_KEY: API_KEY };
        }
    });
});
