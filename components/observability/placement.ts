import type { PartPlacement } from "../contracts/placement";

export const observabilityPlacement: PartPlacement = {};
