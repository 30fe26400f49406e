// The load scenarios as data, shared by the k6 scripts (this file ships in their ConfigMap, so it imports
// nothing but types) and by `npm run load`, which lists them and reads the summary they print.
import type { ConstantArrivalRateScenario, Options, RampingArrivalRateScenario } from "k6/options";

/** A request rate over a run: from `start` per second, then linear ramps to each stage's `target`. */
export interface RateProfile {
    start: number;
    /** `fraction` of the run's duration each stage takes; the fractions sum to 1. */
    stages: { target: number; fraction: number }[];
}

export interface ScenarioSpec {
    description: string;
    /** Short URLs `setup()` creates through the API before the load starts. */
    seedUrls: number;
    defaultDurationSeconds: number;
    /** URL creations per second (none: a read-only scenario). */
    creations?: RateProfile;
    /** Redirects per second, spread over the seeded URLs. */
    redirects: RateProfile;
    /** `pareto`: 80 % of the redirects on 20 % of the URLs (and so on, recursively). */
    skew: "uniform" | "pareto";
}

const constant = (rate: number): RateProfile => ({ start: rate, stages: [{ target: rate, fraction: 1 }] });

/** The scenarios of the seed's load model; each one is `<name>.ts` next to this file. */
export const SCENARIOS = {
    baseline: {
        description: "a normal day: 1 URL creation/s, 20 redirects/s",
        seedUrls: 50,
        defaultDurationSeconds: 300,
        creations: constant(1),
        redirects: constant(20),
        skew: "uniform",
    },
    peak: {
        description: "a busy hour: 2 URL creations/s, 50 redirects/s",
        seedUrls: 100,
        defaultDurationSeconds: 300,
        creations: constant(2),
        redirects: constant(50),
        skew: "uniform",
    },
    viral: {
        description: "a link goes viral: 5-8 creations/s, 100-200 redirects/s with a 250/s burst, 80 % on 20 % of the URLs",
        seedUrls: 200,
        defaultDurationSeconds: 600,
        creations: { start: 5, stages: [{ target: 8, fraction: 0.4 }, { target: 8, fraction: 0.6 }] },
        redirects: {
            start: 100,
            stages: [
                { target: 200, fraction: 0.4 },
                { target: 200, fraction: 0.4 },
                { target: 250, fraction: 0.1 },
                { target: 200, fraction: 0.1 },
            ],
        },
        skew: "pareto",
    },
    cache: {
        description: "Redis cache check: read-only, 100 redirects/s in a Pareto pattern over 100 URLs",
        seedUrls: 100,
        defaultDurationSeconds: 300,
        redirects: constant(100),
        skew: "pareto",
    },
} as const satisfies Record<string, ScenarioSpec>;

export type ScenarioName = keyof typeof SCENARIOS;

/** Custom metrics the scripts define (k6 prefixes them `k6_` in Prometheus). */
export const METRICS = {
    creation: "url_creation_duration",
    redirect: "redirect_duration",
    /** Redirects of a URL this VU already visited: Shlink should answer them from Redis. */
    warmRedirect: "redirect_warm_duration",
} as const;

/** k6's built-in counter of iterations an arrival-rate executor had no free VU for. */
export const DROPPED_ITERATIONS = "dropped_iterations";

/** Our SLOs for the API under load, and the seed ADR's cache-hit goal (reported, never failing a run). */
export const LOAD_SLO = { p95Ms: 100, p99Ms: 200, errorRate: 0.01, cacheHitP99Ms: 10 } as const;

/** Lines around the JSON summary each run prints to stdout (the runner pod's log). */
export const SUMMARY_MARKERS = { begin: "=== homelab-load-summary begin ===", end: "=== homelab-load-summary end ===" } as const;

/** Share of the URLs that gets `PARETO_SHARE` of the redirects under the Pareto skew. */
export const PARETO_HOT_FRACTION = 0.2;
export const PARETO_SHARE = 0.8;

/**
 * Index in [0, n) of an 80/20 self-similar draw (Knuth, TAOCP vol. 3, 6.1): for `u` uniform in [0, 1), a
 * fraction h of the indices gets 1 − h of the draws, and the same holds inside that hot set.
 */
export function paretoIndex(u: number, n: number): number {
    const exponent = Math.log(PARETO_HOT_FRACTION) / Math.log(PARETO_SHARE);
    return Math.min(n - 1, Math.floor(n * Math.pow(u, exponent)));
}

const rounded = (seconds: number): string => `${Math.max(1, Math.round(seconds))}s`;

/**
 * Every request gives up after this long (k6's default is 60 s): 10× the p99 SLO, and short enough that a hanging
 * Shlink shows as timed-out requests, failures, instead of as iterations k6 never started (dropped_iterations).
 */
export const REQUEST_TIMEOUT_SECONDS = 2;

/**
 * VUs of an arrival-rate scenario peaking at `peak` per second: one per ~100 ms request to start with, and enough
 * for every iteration of a whole timeout window at the peak rate (plus a fifth for the iteration's own work), so a
 * hang fills the VUs with requests that time out rather than leaving the executor none to start new ones.
 */
export function scenarioVus(peak: number): { preAllocatedVUs: number; maxVUs: number } {
    return { preAllocatedVUs: Math.max(2, Math.ceil(peak / 10)), maxVUs: Math.max(10, Math.ceil(peak * REQUEST_TIMEOUT_SECONDS * 1.2)) };
}

/** A k6 arrival-rate scenario running `exec` at `profile`'s rate, VUs sized by scenarioVus. */
function arrivalRate(
    exec: string,
    profile: RateProfile,
    durationSeconds: number,
): ConstantArrivalRateScenario | RampingArrivalRateScenario {
    const peak = Math.max(profile.start, ...profile.stages.map((s) => s.target));
    const vus = scenarioVus(peak);
    const flat = profile.stages.every((s) => s.target === profile.start);
    if (flat) {
        return { executor: "constant-arrival-rate", exec, rate: profile.start, timeUnit: "1s", duration: rounded(durationSeconds), ...vus };
    }
    const stages = profile.stages.map((s) => ({ target: s.target, duration: rounded(s.fraction * durationSeconds) }));
    return { executor: "ramping-arrival-rate", exec, startRate: profile.start, timeUnit: "1s", stages, ...vus };
}

/**
 * Iterations k6's arrival-rate executor has scheduled `elapsedSeconds` into a scenario of `profile` over
 * `durationSeconds` (the first starts at 0): the integral of the rate, plus that first one.
 */
export function plannedIterations(profile: RateProfile, durationSeconds: number, elapsedSeconds: number): number {
    let area = 0;
    let at = 0;
    let rate = profile.start;
    for (const stage of profile.stages) {
        const length = stage.fraction * durationSeconds;
        const upTo = Math.min(length, Math.max(0, elapsedSeconds - at));
        area += upTo * (rate + ((stage.target - rate) * upTo) / (2 * length));
        at += length;
        rate = stage.target;
    }
    return Math.floor(area + 1e-9) + 1;
}

/** Thresholds that fail a run: our SLOs on every metric the scenario drives, and the error budget. */
export function scenarioThresholds(spec: ScenarioSpec): Record<string, string[]> {
    const latency = [`p(95)<${LOAD_SLO.p95Ms}`, `p(99)<${LOAD_SLO.p99Ms}`];
    return {
        http_req_failed: [`rate<${LOAD_SLO.errorRate}`],
        // An iteration k6 could not start is a request the schedule planned and no user got an answer to.
        [DROPPED_ITERATIONS]: ["count<1"],
        ...(spec.creations === undefined ? {} : { [METRICS.creation]: latency }),
        [METRICS.redirect]: latency,
    };
}

/** Goals reported next to the thresholds but never failing a run: the cache-hit latency of Pareto scenarios. */
export function scenarioTargets(spec: ScenarioSpec): { metric: string; stat: "p(99)"; below: number }[] {
    return spec.skew === "pareto" ? [{ metric: METRICS.warmRedirect, stat: "p(99)", below: LOAD_SLO.cacheHitP99Ms }] : [];
}

/**
 * The k6 options of a scenario: one arrival-rate scenario per request kind, the SLO thresholds; with the drill
 * timeline on, a heartbeat scenario too.
 */
export function scenarioOptions(spec: ScenarioSpec, durationSeconds: number, timeline = false): Options {
    const scenarios: Record<string, ConstantArrivalRateScenario | RampingArrivalRateScenario> = {
        redirects: arrivalRate("redirect", spec.redirects, durationSeconds),
    };
    if (spec.creations !== undefined) {
        scenarios.creations = arrivalRate("createUrl", spec.creations, durationSeconds);
    }
    if (timeline) {
        // Its own VU, never busy with a request: its beat proves the generator is alive even while every request hangs.
        scenarios[HEARTBEAT.scenario] = {
            executor: "constant-arrival-rate",
            exec: HEARTBEAT.exec,
            rate: 1,
            timeUnit: "1s",
            duration: rounded(durationSeconds),
            preAllocatedVUs: 1,
            maxVUs: 1,
        };
    }
    return {
        scenarios,
        thresholds: scenarioThresholds(spec),
        // Seeding 200 URLs one by one through the gateway takes seconds; k6's default allows 60.
        setupTimeout: "180s",
        summaryTrendStats: ["count", "avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"],
        // Redirects are the product: a 302 is the answer we measure, never followed.
        maxRedirects: 0,
    };
}

/** The part of k6's handleSummary() data the summary reads. */
export interface SummaryData {
    metrics: Record<string, { values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }>;
}

export interface Verdict {
    metric: string;
    expression: string;
    /** undefined: the metric got no samples. */
    ok: boolean | undefined;
    /** false for targets, which are reported only. */
    blocking: boolean;
}

/** What a run prints at its end and `npm run load` turns into its table and exit code. */
export interface LoadSummary {
    scenario: string;
    verdicts: Verdict[];
    counts: { creations: number; redirects: number; warmRedirects: number };
}

/** The summary of a finished run: k6's threshold results, then the targets evaluated here. */
export function buildSummary(scenario: string, spec: ScenarioSpec, data: SummaryData): LoadSummary {
    const verdicts: Verdict[] = [];
    for (const [metric, m] of Object.entries(data.metrics)) {
        for (const [expression, result] of Object.entries(m.thresholds ?? {})) {
            verdicts.push({ metric, expression, ok: result.ok, blocking: true });
        }
    }
    // k6 leaves a counter nothing was added to out of the summary: none dropped is a threshold that held.
    if (data.metrics[DROPPED_ITERATIONS] === undefined) {
        for (const expression of scenarioThresholds(spec)[DROPPED_ITERATIONS]) {
            verdicts.push({ metric: DROPPED_ITERATIONS, expression, ok: true, blocking: true });
        }
    }
    for (const t of scenarioTargets(spec)) {
        const value = data.metrics[t.metric]?.values[t.stat];
        verdicts.push({ metric: t.metric, expression: `${t.stat}<${t.below}`, ok: value === undefined ? undefined : value < t.below, blocking: false });
    }
    const count = (metric: string): number => data.metrics[metric]?.values.count ?? 0;
    return {
        scenario,
        verdicts,
        counts: { creations: count(METRICS.creation), redirects: count(METRICS.redirect), warmRedirects: count(METRICS.warmRedirect) },
    };
}

/** The summary as printed between its markers. */
export function summaryText(summary: LoadSummary): string {
    return `${SUMMARY_MARKERS.begin}\n${JSON.stringify(summary)}\n${SUMMARY_MARKERS.end}\n`;
}

/**
 * The per-request timeline a drill reads (k6's summary has aggregates only): when `env` is "1", each VU logs
 * `<marker> <startMs>:<1 ok|0 failed> ... dropped=<scenario>:<n>` about once a second (console.log, so it lands in
 * the runner's log), n being the iterations k6 had dropped in that scenario when the line's last request started;
 * and the heartbeat scenario logs `<heartbeat marker> <ms>` every second.
 */
export const TIMELINE = { env: "DRILL_TIMELINE", marker: "homelab-tl", flushMs: 1000 } as const;

/** The drill's proof that the load generator runs: a one-VU scenario beating once a second. */
export const HEARTBEAT = { scenario: "heartbeat", exec: "heartbeat", marker: "homelab-hb" } as const;

/** One timeline line of `entries` ([start ms, ok]), with the scenario's dropped-iteration count when known. */
export function timelineLine(entries: [number, boolean][], dropped?: { scenario: string; count: number }): string {
    const counter = dropped === undefined ? "" : ` dropped=${dropped.scenario}:${dropped.count}`;
    return `${TIMELINE.marker} ${entries.map(([t, ok]) => `${t}:${ok ? 1 : 0}`).join(" ")}${counter}`;
}

/** One heartbeat line. */
export function heartbeatLine(ms: number): string {
    return `${HEARTBEAT.marker} ${ms}`;
}

/** Every request a log's timeline lines hold, sorted by start time. */
export function parseTimeline(log: string): { t: number; ok: boolean }[] {
    return parseLoadLog(log).events;
}

/** What a drill's load logged: requests, dropped-iteration counters by scenario (at a time), heartbeats; sorted. */
export interface LoadLog {
    events: { t: number; ok: boolean }[];
    dropped: { scenario: string; t: number; count: number }[];
    heartbeats: number[];
}

export function parseLoadLog(log: string): LoadLog {
    const events: { t: number; ok: boolean }[] = [];
    const dropped: LoadLog["dropped"] = [];
    const line = new RegExp(`${TIMELINE.marker}((?: \\d+:[01])+)(?: dropped=([A-Za-z0-9_-]+):(\\d+))?`, "g");
    for (const match of log.matchAll(line)) {
        const entries = match[1].trim().split(" ").map((entry) => entry.split(":"));
        for (const [t, ok] of entries) {
            events.push({ t: Number(t), ok: ok === "1" });
        }
        if (match[2] !== undefined) {
            dropped.push({ scenario: match[2], t: Number(entries[entries.length - 1][0]), count: Number(match[3]) });
        }
    }
    const heartbeats = [...log.matchAll(new RegExp(`${HEARTBEAT.marker} (\\d+)`, "g"))].map((m) => Number(m[1]));
    return { events: events.sort((a, b) => a.t - b.t), dropped: dropped.sort((a, b) => a.t - b.t), heartbeats: heartbeats.sort((a, b) => a - b) };
}
