// k6 scenario "peak" (see SCENARIOS.peak in catalog.ts): run by `npm run load -- peak`.
import { SCENARIOS, scenarioOptions } from "./catalog.ts";
import { createUrl as create, durationSeconds, redirect as follow, seed, summaryHandler, type SeedData } from "./shlink.ts";

const spec = SCENARIOS.peak;

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

export const handleSummary = summaryHandler("peak", spec);
