// A drill's numbers from the load's request timeline: pure functions, tested with fake timelines.
import { SLO_DEFAULTS } from "../../components/apps/facts";
import { DRILLS } from "../shared/facts";
import type { LoadLog } from "../../components/load/scenarios/catalog";

export interface RequestEvent {
    /** Start of the request, ms since the epoch (the runner pod's clock). */
    t: number;
    ok: boolean;
}

/** Whether the load can be trusted for the fault window: it ran throughout and sent or dropped what it planned. */
export interface LoadEvidence {
    /** Requests the schedule planned inside the window. */
    planned: number;
    /** Iterations k6 planned but could not start inside the window (no free VU): failures to every user. */
    dropped: number;
    /** The longest stretch inside the window without a heartbeat from the load generator, in seconds. */
    longestSilenceSeconds: number;
}

/** What one drill measured. Times in seconds from the injection; undefined where nothing happened. */
export interface DrillMeasurement {
    /** The fault window: from the injection to the later of "healthy again" and the last failed request. */
    windowSeconds: number;
    requests: number;
    failed: number;
    errorRate: number;
    /** Most failed requests in a row (no success between them), and how long that run lasted. */
    longestFailedRun: { requests: number; seconds: number };
    firstFailureAfter: number | undefined;
    lastFailureAfter: number | undefined;
    /** New primary/master seen (undefined for drills with no promotion). */
    promotedAfter: number | undefined;
    /** The failed part healthy again; undefined when it was not within the drill's recovery limit. */
    healthyAfter: number | undefined;
    /** Requests per second over the whole run, the rate the month's budget is counted at. */
    requestsPerSecond: number;
    /** Share of a 30-day error budget (99.5 % availability) this event spent, at that rate (dropped iterations included). */
    budgetShare: number;
    evidence: LoadEvidence;
}

export type Outcome = "PASS" | "FAIL" | "INCONCLUSIVE";

/**
 * FAIL when a promise was broken (the failures measured are a lower bound, so a budget overrun stands even on
 * partial evidence); else INCONCLUSIVE when the load cannot vouch for the window; else PASS.
 */
export interface Verdict {
    outcome: Outcome;
    pass: boolean;
    reasons: string[];
}

const seconds = (ms: number): number => Math.round(ms) / 1000;

/** Requests a month's error budget allows at `rate` requests per second. */
export function monthlyBudget(rate: number): number {
    return (1 - SLO_DEFAULTS.availability) * rate * DRILLS.sloWindowDays * 86_400;
}

/** The counter's value as of `t`: its last sample at or before `t` (0 before the first). */
function counterBefore(samples: readonly { t: number; count: number }[], t: number): number {
    return samples.filter((s) => s.t <= t).at(-1)?.count ?? 0;
}

/**
 * The counter's value once `t` has passed: its first sample at or after `t` (k6 reports it only with a request
 * that starts, and none may start while every VU hangs), else its last.
 */
function counterAfter(samples: readonly { t: number; count: number }[], t: number): number {
    return (samples.find((s) => s.t >= t) ?? samples.at(-1))?.count ?? 0;
}

/** The longest time in [from, to] without a heartbeat (the edges count: a generator lost before `to` shows here). */
export function longestSilence(heartbeats: readonly number[], from: number, to: number): number {
    const inside = heartbeats.filter((t) => t >= from && t <= to);
    const marks = [from, ...inside, to];
    let longest = 0;
    for (let i = 1; i < marks.length; i++) {
        longest = Math.max(longest, marks[i] - marks[i - 1]);
    }
    return seconds(longest);
}

/**
 * The numbers of one drill: `load` is the whole run's log (requests, dropped-iteration counters, heartbeats), times
 * are ms since the epoch on the cluster's clock, `plannedPerSecond` the rate the drill's scenario schedules.
 */
export function measure(
    load: LoadLog,
    times: { injectedAt: number; promotedAt?: number; healthyAt?: number; endedAt: number },
    plannedPerSecond: number,
): DrillMeasurement {
    const sorted = [...load.events].sort((a, b) => a.t - b.t);
    const failures = sorted.filter((e) => !e.ok && e.t >= times.injectedAt);
    const lastFailure = failures.at(-1)?.t;
    const windowEnd = Math.max(times.healthyAt ?? times.endedAt, lastFailure ?? times.injectedAt);
    const window = sorted.filter((e) => e.t >= times.injectedAt && e.t <= windowEnd);
    let run: RequestEvent[] = [];
    let longest = { requests: 0, seconds: 0 };
    for (const e of window) {
        run = e.ok ? [] : [...run, e];
        if (run.length > longest.requests) {
            longest = { requests: run.length, seconds: seconds(run[run.length - 1].t - run[0].t) };
        }
    }
    const scenarios = [...new Set(load.dropped.map((d) => d.scenario))];
    const dropped = scenarios
        .map((name) => load.dropped.filter((d) => d.scenario === name))
        .reduce((sum, samples) => sum + Math.max(0, counterAfter(samples, windowEnd) - counterBefore(samples, times.injectedAt)), 0);
    const failed = window.filter((e) => !e.ok).length;
    const span = sorted.length > 1 ? (sorted[sorted.length - 1].t - sorted[0].t) / 1000 : 0;
    const rate = span > 0 ? sorted.length / span : 0;
    const after = (t: number | undefined) => (t === undefined ? undefined : seconds(t - times.injectedAt));
    const lost = failed + dropped;
    return {
        windowSeconds: seconds(windowEnd - times.injectedAt),
        requests: window.length,
        failed,
        errorRate: window.length + dropped === 0 ? 0 : lost / (window.length + dropped),
        longestFailedRun: longest,
        firstFailureAfter: after(failures[0]?.t),
        lastFailureAfter: after(lastFailure),
        promotedAfter: after(times.promotedAt),
        healthyAfter: after(times.healthyAt),
        requestsPerSecond: rate,
        budgetShare: rate === 0 ? 0 : lost / monthlyBudget(rate),
        evidence: {
            planned: Math.round((plannedPerSecond * (windowEnd - times.injectedAt)) / 1000),
            dropped,
            longestSilenceSeconds: longestSilence(load.heartbeats, times.injectedAt, windowEnd),
        },
    };
}

/** Why the load cannot vouch for the fault window (none: it can). */
export function evidenceProblems(m: DrillMeasurement): string[] {
    const { planned, dropped, longestSilenceSeconds } = m.evidence;
    const problems: string[] = [];
    if (longestSilenceSeconds > DRILLS.heartbeatGapSeconds) {
        problems.push(
            `the load generator was silent for ${longestSilenceSeconds.toFixed(1)} s inside the fault window (its heartbeat stopped): ` +
                "it did not run for the whole window (a k6 runner is never restarted: was its pod or node lost?)",
        );
    }
    const accounted = m.requests + dropped;
    if (Math.abs(accounted - planned) > Math.max(DRILLS.plannedTolerance * planned, DRILLS.plannedSlack)) {
        problems.push(
            `the window holds ${m.requests} requests sent + ${dropped} dropped = ${accounted}, the schedule planned ${planned} ` +
                `(tolerance ${DRILLS.plannedTolerance * 100} %): requests are unaccounted for`,
        );
    }
    return problems;
}

/** Pass: the part came back within the limit, the event spent at most its share, and the load vouches for it. */
export function verdict(m: DrillMeasurement): Verdict {
    const reasons: string[] = [];
    if (m.healthyAfter === undefined) {
        reasons.push(`the failed part was not healthy again within ${DRILLS.recoverySeconds} s`);
    }
    if (m.budgetShare > DRILLS.maxBudgetShare) {
        reasons.push(`spent ${percent(m.budgetShare)} of the month's error budget (limit ${percent(DRILLS.maxBudgetShare)} per event)`);
    }
    if (reasons.length > 0) {
        return { outcome: "FAIL", pass: false, reasons };
    }
    const problems =
        m.requests === 0 ? ["the load sent no request during the fault window: nothing was measured", ...evidenceProblems(m)] : evidenceProblems(m);
    return problems.length > 0 ? { outcome: "INCONCLUSIVE", pass: false, reasons: problems } : { outcome: "PASS", pass: true, reasons: [] };
}

export const percent = (x: number): string => `${(x * 100).toFixed(x < 0.001 && x > 0 ? 3 : 2)} %`;
