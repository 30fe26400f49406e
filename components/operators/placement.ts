import type { PartPlacement } from "../contracts/placement";

export const operatorsPlacement: PartPlacement = {};
