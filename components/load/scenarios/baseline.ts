// k6 scenario "baseline" (see SCENARIOS.baseline in catalog.ts): run by `npm run load -- baseline`.
import { SCENARIOS, scenarioOptions } from "./catalog.ts";
import { beat, createUrl as create, durationSeconds, redirect as follow, seed, summaryHandler, timelineOn, type SeedData } from "./shlink.ts";

const spec = SCENARIOS.baseline;

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

export const handleSummary = summaryHandler("baseline", spec);
