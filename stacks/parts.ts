// The parts of the lab, in the order data flows: what the cross-cutting layers range over (stacks/placement.ts,
// stacks/budget.ts, stacks/vault.ts, stacks/smoke.ts, and the observability component through stacks/homelab.ts).
// Adding a part is its folder under components/ and one line here.
import type { Part } from "../components/contracts/part";
import { proxmoxPart } from "../components/proxmox/part";
import { k3sPart } from "../components/k3s/part";
import { operatorsPart } from "../components/operators/part";
import { secretsPart } from "../components/secrets/part";
import { dataPart } from "../components/data/part";
import { appsPart } from "../components/apps/part";
import { meshPart } from "../components/mesh/part";
import { edgePart } from "../components/edge/part";
import { observabilityPart } from "../components/observability/part";
import { gitopsPart } from "../components/gitops/part";
import { loadPart } from "../components/load/part";
import { smokePart } from "../components/smoke/part";

export const PARTS: readonly Part[] = [
    proxmoxPart,
    k3sPart,
    operatorsPart,
    secretsPart,
    dataPart,
    appsPart,
    meshPart,
    edgePart,
    observabilityPart,
    gitopsPart,
    loadPart,
    smokePart,
];
