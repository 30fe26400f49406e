import type { PartOperations } from "../contracts/operations";

export const observabilityOperations: PartOperations = {};
