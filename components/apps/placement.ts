import type { PartPlacement } from "../contracts/placement";

export const appsPlacement: PartPlacement = {};
