import type { PartPlacement } from "../contracts/placement";

/** No namespace, no pod of its own in the cluster, no door. */
export const proxmoxPlacement: PartPlacement = { namespaces: [], flows: () => [], doors: () => [] };
