import type { PartChecks } from "../contracts/checks";

export const k3sChecks: PartChecks = {};
