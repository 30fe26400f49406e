// k6 scenario "viral" (see SCENARIOS.viral in catalog.ts): run by `npm run load -- viral`.
import { SCENARIOS, scenarioOptions } from "./catalog.ts";
import { createUrl as create, durationSeconds, redirect as follow, seed, summaryHandler, type SeedData } from "./shlink.ts";

const spec = SCENARIOS.viral;

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

export const handleSummary = summaryHandler("viral", spec);
