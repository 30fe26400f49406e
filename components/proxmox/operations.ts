import type { PartOperations } from "../contracts/operations";

export const proxmoxOperations: PartOperations = { vaultEntries: {}, budget: () => [] };
