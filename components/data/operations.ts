import type { PartOperations } from "../contracts/operations";

export const dataOperations: PartOperations = {};
