import type { PartPlacement } from "../contracts/placement";

export const edgePlacement: PartPlacement = {};
