import type { PartChecks } from "../contracts/checks";

export const appsChecks: PartChecks = {};
