// What every scenario does against Shlink: seed short URLs, create more, follow redirects, report.
// Runs inside k6 (imports with the .ts extension: k6 resolves siblings as files, not as Node modules).
import { check, fail } from "k6";
import http from "k6/http";
import { Trend } from "k6/metrics";
import { buildSummary, METRICS, paretoIndex, summaryText, TIMELINE, timelineLine, type ScenarioSpec } from "./catalog.ts";

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

/**
 * Notes one request for the drill timeline: successes are logged in batches once a second old; a failure flushes
 * at once, since the VU that saw it may stay idle afterwards (extra VUs during a fault) and its batch never go out.
 */
export function record(startedMs: number, ok: boolean): void {
    if (__ENV[TIMELINE.env] !== "1") {
        return;
    }
    pending.push([startedMs, ok]);
    if (!ok || Date.now() - pending[0][0] >= TIMELINE.flushMs) {
        console.log(timelineLine(pending.splice(0)));
    }
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

/** POST /rest/v3/short-urls with the API key; the new short code, or undefined when Shlink refused. */
function createShortUrl(role: string): { code: string | undefined; durationMs: number } {
    const key = __ENV.SHLINK_API_KEY;
    if (!key) {
        fail("SHLINK_API_KEY is not set");
    }
    const started = Date.now();
    const res = http.post(`${targetUrl()}/rest/v3/short-urls`, JSON.stringify({ longUrl: uniqueLongUrl(role) }), {
        headers: { "X-Api-Key": key, "Content-Type": "application/json" },
        tags: { name: "create-short-url" },
        responseCallback: http.expectedStatuses(200),
    });
    const created = check(res, { "short URL created (200)": (r) => r.status === 200 });
    record(started, created);
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
export function createUrl(): void {
    creationDuration.add(createShortUrl("load").durationMs);
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
        responseCallback: http.expectedStatuses(302),
    });
    record(started, check(res, { "redirected (302)": (r) => r.status === 302 }));
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
