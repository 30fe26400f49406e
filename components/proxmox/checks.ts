import type { PartChecks } from "../contracts/checks";

export const proxmoxChecks: PartChecks = {};
