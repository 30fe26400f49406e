import type { PartChecks } from "../contracts/checks";

/** Every node Ready; a whole server, then only its k3s (etcd member, API server, kubelet), taken away. */
export const k3sChecks: PartChecks = {
    probes: () => [{ check: "nodes_ready" }],
    drills: ["node-loss", "etcd-member"],
};
