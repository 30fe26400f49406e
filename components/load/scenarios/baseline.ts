// k6 scenario "baseline" (see SCENARIOS.baseline in catalog.ts): run by `npm run load -- baseline`.
import { SCENARIOS, scenarioOptions } from "./catalog.ts";
import { createUrl as create, durationSeconds, redirect as follow, seed, summaryHandler, type SeedData } from "./shlink.ts";

const spec = SCENARIOS.baseline;

export const options = scenarioOptions(spec, durationSeconds(spec));

export function setup(): SeedData {
    return seed(spec);
}

export function createUrl(): void {
    create();
}

export function redirect(data: SeedData): void {
    follow(spec, data);
}

export const handleSummary = summaryHandler("baseline", spec);
