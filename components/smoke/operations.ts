import type { PartOperations } from "../contracts/operations";

export const smokeOperations: PartOperations = { vaultEntries: {}, budget: () => [] };
