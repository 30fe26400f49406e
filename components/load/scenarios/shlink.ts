// What every scenario does against Shlink: seed short URLs, create more, follow redirects, report.
// Runs inside k6 (imports with the .ts extension: k6 resolves siblings as files, not as Node modules).
import { check, fail } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import { Trend } from "k6/metrics";
import {
    buildSummary,
    heartbeatLine,
    METRICS,
    paretoIndex,
    plannedIterations,
    REQUEST_TIMEOUT_SECONDS,
    summaryText,
    TIMELINE,
    timelineLine,
    type RateProfile,
    type ScenarioSpec,
} from "./catalog.ts";

const creationDuration = new Trend(METRICS.creation, true);
const redirectDuration = new Trend(METRICS.redirect, true);
const warmRedirectDuration = new Trend(METRICS.warmRedirect, true);

/** What setup() hands every VU: the short codes to redirect. */
export interface SeedData {
    codes: string[];
}

/** Short codes this VU has already followed (k6 keeps module state per VU): their next redirect is warm. */
const visited = new Set<string>();

// k6's console (its logger: a line in the runner's log); @types/k6 does not declare it.
declare const console: { log(...args: unknown[]): void };

/** This VU's requests not yet logged to the drill timeline (only when a drill asked for it). */
const pending: [number, boolean][] = [];
/** Iterations k6 had dropped in this VU's scenario when its last pending request started. */
let dropped: { scenario: string; count: number } | undefined;

/** Whether a drill asked for the timeline. */
export function timelineOn(): boolean {
    return __ENV[TIMELINE.env] === "1";
}

/**
 * Iterations the executor scheduled but never started in the current scenario, as of now: its schedule so far
 * minus the iterations it numbered (k6 numbers only the iterations a VU started, in the order they start).
 */
function droppedSoFar(profile: RateProfile, spec: ScenarioSpec, startedMs: number): { scenario: string; count: number } {
    const planned = plannedIterations(profile, durationSeconds(spec), (startedMs - exec.scenario.startTime) / 1000);
    return { scenario: exec.scenario.name, count: Math.max(0, planned - (exec.scenario.iterationInTest + 1)) };
}

/**
 * Notes one request for the drill timeline: successes are logged in batches once a second old; a failure flushes
 * at once, since the VU that saw it may stay idle afterwards (extra VUs during a fault) and its batch never go out.
 * `schedule`: the scenario the request belongs to (none during setup), for its dropped-iteration count.
 */
export function record(startedMs: number, ok: boolean, schedule?: { profile: RateProfile; spec: ScenarioSpec }): void {
    if (!timelineOn()) {
        return;
    }
    pending.push([startedMs, ok]);
    if (schedule !== undefined) {
        dropped = droppedSoFar(schedule.profile, schedule.spec, startedMs);
    }
    if (!ok || Date.now() - pending[0][0] >= TIMELINE.flushMs) {
        console.log(timelineLine(pending.splice(0), dropped));
    }
}

/** The heartbeat scenario's iteration: one line, no request, so it beats while every request hangs. */
export function beat(): void {
    console.log(heartbeatLine(Date.now()));
}

function targetUrl(): string {
    const url = __ENV.TARGET_URL;
    if (!url) {
        fail("TARGET_URL is not set");
    }
    return url.replace(/\/+$/, "");
}

/** Run length: DURATION_SECONDS when `npm run load -- --duration` set it, else the scenario's default. */
export function durationSeconds(spec: ScenarioSpec): number {
    const requested = Number(__ENV.DURATION_SECONDS);
    return Number.isInteger(requested) && requested > 0 ? requested : spec.defaultDurationSeconds;
}

/** A long URL no other request of this run used (creations must not be deduplicated). */
function uniqueLongUrl(role: string): string {
    return `https://example.com/homelab-load/${role}/${__VU}-${__ITER}-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`;
}

/** POST /rest/v3/short-urls with the API key; the new short code, or undefined when Shlink refused (or timed out). */
function createShortUrl(role: string, spec?: ScenarioSpec): { code: string | undefined; durationMs: number } {
    const key = __ENV.SHLINK_API_KEY;
    if (!key) {
        fail("SHLINK_API_KEY is not set");
    }
    const started = Date.now();
    const res = http.post(`${targetUrl()}/rest/v3/short-urls`, JSON.stringify({ longUrl: uniqueLongUrl(role) }), {
        headers: { "X-Api-Key": key, "Content-Type": "application/json" },
        tags: { name: "create-short-url" },
        timeout: `${REQUEST_TIMEOUT_SECONDS}s`,
        responseCallback: http.expectedStatuses(200),
    });
    const created = check(res, { "short URL created (200)": (r) => r.status === 200 });
    record(started, created, spec?.creations === undefined ? undefined : { profile: spec.creations, spec });
    const code = created ? res.json("shortCode") : undefined;
    return { code: typeof code === "string" ? code : undefined, durationMs: res.timings.duration };
}

/** setup(): the scenario's short URLs, created through the API (a run fails fast if Shlink refuses them). */
export function seed(spec: ScenarioSpec): SeedData {
    const codes: string[] = [];
    for (let i = 0; i < spec.seedUrls; i++) {
        const { code } = createShortUrl("seed");
        if (code !== undefined) {
            codes.push(code);
        }
    }
    if (codes.length < spec.seedUrls) {
        fail(`seeding created ${codes.length} of ${spec.seedUrls} short URLs: is the API key right?`);
    }
    return { codes };
}

/** One URL creation, timed into url_creation_duration. */
export function createUrl(spec: ScenarioSpec): void {
    creationDuration.add(createShortUrl("load", spec).durationMs);
}

/** One redirect of a seeded URL (uniform or Pareto pick), timed into redirect_duration (and warm, if seen). */
export function redirect(spec: ScenarioSpec, data: SeedData): void {
    const n = data.codes.length;
    const index = spec.skew === "pareto" ? paretoIndex(Math.random(), n) : Math.floor(Math.random() * n);
    const code = data.codes[index];
    const started = Date.now();
    const res = http.get(`${targetUrl()}/${code}`, {
        redirects: 0,
        tags: { name: "redirect" },
        timeout: `${REQUEST_TIMEOUT_SECONDS}s`,
        responseCallback: http.expectedStatuses(302),
    });
    // A timed-out request has status 0: a failure, on the timeline like any other.
    record(started, check(res, { "redirected (302)": (r) => r.status === 302 }), { profile: spec.redirects, spec });
    redirectDuration.add(res.timings.duration);
    if (visited.has(code)) {
        warmRedirectDuration.add(res.timings.duration);
    }
    visited.add(code);
}

/** handleSummary(): the verdicts as JSON between markers on stdout, where `npm run load` reads them. */
export function summaryHandler(name: string, spec: ScenarioSpec): (data: Parameters<typeof buildSummary>[2]) => Record<string, string> {
    return (data) => ({ stdout: summaryText(buildSummary(name, spec, data)) });
}
