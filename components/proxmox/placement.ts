import type { PartPlacement } from "../contracts/placement";

export const proxmoxPlacement: PartPlacement = {};
