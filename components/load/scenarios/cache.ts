// k6 scenario "cache" (see SCENARIOS.cache in catalog.ts): read-only Pareto redirects, so most of them hit
// URLs Shlink has already resolved and cached in Redis; run by `npm run load -- cache`.
import { SCENARIOS, scenarioOptions } from "./catalog.ts";
import { beat, durationSeconds, redirect as follow, seed, summaryHandler, timelineOn, type SeedData } from "./shlink.ts";

const spec = SCENARIOS.cache;

export const options = scenarioOptions(spec, durationSeconds(spec), timelineOn());

export function setup(): SeedData {
    return seed(spec);
}

export function redirect(data: SeedData): void {
    follow(spec, data);
}

/** The drill timeline's heartbeat (scheduled only when a drill asked for the timeline). */
export function heartbeat(): void {
    beat();
}

export const handleSummary = summaryHandler("cache", spec);
