import type { PartPlacement } from "../contracts/placement";

export const gitopsPlacement: PartPlacement = {};
