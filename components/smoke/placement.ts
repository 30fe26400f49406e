import type { OwnNamespace, PartPlacement } from "../contracts/placement";
import { SMOKE_JOB } from "./facts";

export const SMOKE_NAMESPACE: OwnNamespace = {
    kind: "own",
    name: SMOKE_JOB.namespace,
    // Our own Job: non-root, seccomp RuntimeDefault, drop ALL (tests/security/podSecurity.test.ts checks it).
    podSecurity: "restricted",
    // It calls the lab's public address, as a client outside would.
    egress: "open",
    mesh: "none",
    ingress: "none",
    // Proxmox mode runs the check over SSH on a node: the Job and its namespace only on a cluster not of ours.
    createdWhen: (config) => config.mode === "cluster",
};

/** The end-to-end check's Job: nothing reaches it. */
export const smokePlacement: PartPlacement = { namespaces: [SMOKE_NAMESPACE], flows: () => [], doors: () => [] };
