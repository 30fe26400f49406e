import type { PartChecks } from "../contracts/checks";

export const observabilityChecks: PartChecks = {};
