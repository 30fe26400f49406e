import type { PartChecks } from "../contracts/checks";

export const secretsChecks: PartChecks = {};
