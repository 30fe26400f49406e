import type { PartChecks } from "../contracts/checks";

export const loadChecks: PartChecks = {};
