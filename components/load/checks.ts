import type { PartChecks } from "../contracts/checks";

/** The load generator: it drives the drills (their verdicts read its results), none takes it away. */
export const loadChecks: PartChecks = { probes: () => [], drills: [] };
