import type { PartChecks } from "../contracts/checks";

export const operatorsChecks: PartChecks = {};
