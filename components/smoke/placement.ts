import type { PartPlacement } from "../contracts/placement";

export const smokePlacement: PartPlacement = {};
