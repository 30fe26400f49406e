import type { PartOperations } from "../contracts/operations";

export const loadOperations: PartOperations = {};
