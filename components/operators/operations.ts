import type { PartOperations } from "../contracts/operations";

export const operatorsOperations: PartOperations = {};
