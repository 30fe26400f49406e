import type { PartOperations } from "../contracts/operations";

export const secretsOperations: PartOperations = {};
