// k6 scenario "peak" (see SCENARIOS.peak in catalog.ts): run by `npm run load -- peak`.
import { SCENARIOS, scenarioOptions } from "./catalog.ts";
import { beat, createUrl as create, durationSeconds, redirect as follow, seed, summaryHandler, timelineOn, type SeedData } from "./shlink.ts";

const spec = SCENARIOS.peak;

export const options = scenarioOptions(spec, durationSeconds(spec), timelineOn());

export function setup(): SeedData {
    return seed(spec);
}

export function createUrl(): void {
    create(spec);
}

export function redirect(data: SeedData): void {
    follow(spec, data);
}

/** The drill timeline's heartbeat (scheduled only when a drill asked for the timeline). */
export function heartbeat(): void {
    beat();
}

export const handleSummary = summaryHandler("peak", spec);
