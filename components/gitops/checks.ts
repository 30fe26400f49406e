import type { PartChecks } from "../contracts/checks";

export const gitopsChecks: PartChecks = {};
