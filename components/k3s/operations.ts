import type { PartOperations } from "../contracts/operations";

export const k3sOperations: PartOperations = { vaultEntries: {}, budget: () => [] };
