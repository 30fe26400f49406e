// The Proxmox VMs the lab's servers run on (proxmox mode): outside the cluster, so the part brings it nothing.
import type { Part } from "../contracts/part";

export const proxmoxPart: Part = {
    name: "proxmox",
    // No namespace, no pod of its own in the cluster, no door.
    namespaces: [],
    flows: () => [],
    doors: () => [],
    vaultEntries: {},
    vaultReads: [],
    budget: () => [],
    monitors: [],
    rules: () => [],
    dashboards: [],
    // Proven by no smoke check and taken away by no drill of its own.
    probes: () => [],
    drills: [],
};
