import type { PartOperations } from "../contracts/operations";

export const edgeOperations: PartOperations = { vaultEntries: {}, budget: () => [] };
