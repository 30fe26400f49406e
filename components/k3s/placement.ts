import type { PartPlacement } from "../contracts/placement";

export const k3sPlacement: PartPlacement = {};
