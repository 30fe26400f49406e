import type { PartPlacement } from "../contracts/placement";

export const secretsPlacement: PartPlacement = {};
