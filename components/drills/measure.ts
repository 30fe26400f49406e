// A drill's numbers from the load's request timeline: pure functions, tested with fake timelines.
import { DRILLS, SLO_DEFAULTS } from "../defaults";

export interface RequestEvent {
    /** Start of the request, ms since the epoch (the runner pod's clock). */
    t: number;
    ok: boolean;
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
    /** Share of a 30-day error budget (99.5 % availability) this event spent, at that rate. */
    budgetShare: number;
}

export interface Verdict {
    pass: boolean;
    reasons: string[];
}

const seconds = (ms: number): number => Math.round(ms) / 1000;

/** Requests a month's error budget allows at `rate` requests per second. */
export function monthlyBudget(rate: number): number {
    return (1 - SLO_DEFAULTS.availability) * rate * DRILLS.sloWindowDays * 86_400;
}

/** The numbers of one drill: `events` is the whole run's timeline, times are ms since the epoch. */
export function measure(
    events: RequestEvent[],
    times: { injectedAt: number; promotedAt?: number; healthyAt?: number; endedAt: number },
): DrillMeasurement {
    const sorted = [...events].sort((a, b) => a.t - b.t);
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
    const failed = window.filter((e) => !e.ok).length;
    const span = sorted.length > 1 ? (sorted[sorted.length - 1].t - sorted[0].t) / 1000 : 0;
    const rate = span > 0 ? sorted.length / span : 0;
    const after = (t: number | undefined) => (t === undefined ? undefined : seconds(t - times.injectedAt));
    return {
        windowSeconds: seconds(windowEnd - times.injectedAt),
        requests: window.length,
        failed,
        errorRate: window.length === 0 ? 0 : failed / window.length,
        longestFailedRun: longest,
        firstFailureAfter: after(failures[0]?.t),
        lastFailureAfter: after(lastFailure),
        promotedAfter: after(times.promotedAt),
        healthyAfter: after(times.healthyAt),
        requestsPerSecond: rate,
        budgetShare: rate === 0 ? 0 : failed / monthlyBudget(rate),
    };
}

/** Pass: the part came back within the limit, the load saw requests, and the event spent at most its share. */
export function verdict(m: DrillMeasurement): Verdict {
    const reasons: string[] = [];
    if (m.healthyAfter === undefined) {
        reasons.push(`the failed part was not healthy again within ${DRILLS.recoverySeconds} s`);
    }
    if (m.requests === 0) {
        reasons.push("the load sent no request during the fault window: nothing was measured");
    }
    if (m.budgetShare > DRILLS.maxBudgetShare) {
        reasons.push(`spent ${percent(m.budgetShare)} of the month's error budget (limit ${percent(DRILLS.maxBudgetShare)} per event)`);
    }
    return { pass: reasons.length === 0, reasons };
}

export const percent = (x: number): string => `${(x * 100).toFixed(x < 0.001 && x > 0 ? 3 : 2)} %`;
