import type { PartOperations } from "../contracts/operations";

export const meshOperations: PartOperations = {};
