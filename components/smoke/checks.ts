import type { PartChecks } from "../contracts/checks";

export const smokeChecks: PartChecks = {};
