import type { PartChecks } from "../contracts/checks";

/** Proven by no smoke check and taken away by no drill of its own. */
export const operatorsChecks: PartChecks = { probes: () => [], drills: [] };
