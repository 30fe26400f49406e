import type { PartChecks } from "../contracts/checks";

export const dataChecks: PartChecks = {};
