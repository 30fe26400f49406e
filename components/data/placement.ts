import type { PartPlacement } from "../contracts/placement";

export const dataPlacement: PartPlacement = {};
