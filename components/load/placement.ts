import type { PartPlacement } from "../contracts/placement";

export const loadPlacement: PartPlacement = {};
