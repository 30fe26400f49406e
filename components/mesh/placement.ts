import type { PartPlacement } from "../contracts/placement";

export const meshPlacement: PartPlacement = {};
