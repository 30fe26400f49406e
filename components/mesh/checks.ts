import type { PartChecks } from "../contracts/checks";

export const meshChecks: PartChecks = {};
