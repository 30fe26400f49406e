import type { PartOperations } from "../contracts/operations";

export const appsOperations: PartOperations = {};
