import type { PartChecks } from "../contracts/checks";

export const edgeChecks: PartChecks = {};
