// The end-to-end check: a Job (or, in proxmox mode, a script over SSH) that proves the other parts answer.
import type { OwnNamespace } from "../contracts/placement";
import type { Part } from "../contracts/part";
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

export const smokePart: Part = {
    name: "smoke",
    namespaces: [SMOKE_NAMESPACE],
    // Nothing reaches the Job.
    flows: () => [],
    doors: () => [],
    vaultEntries: {},
    vaultReads: [],
    budget: () => [],
    monitors: [],
    rules: () => [],
    dashboards: [],
    // The check itself: it proves the other parts, and no drill takes it away.
    probes: () => [],
    drills: [],
};
