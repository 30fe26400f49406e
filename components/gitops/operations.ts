import type { PartOperations } from "../contracts/operations";

export const gitopsOperations: PartOperations = {};
