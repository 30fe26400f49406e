// One quarter of a part's contract (components/contracts/part.ts): where the part's pods live and who may reach
// them. The stack derives from every part's placement the namespaces it creates and hands to Argo CD as managed,
// their Pod Security levels, the NetworkPolicies (components/security/flows.ts) and the ingress gateway's doors.
// A shared contract: it imports no part.
import type { PodSecurityLevel } from "../defaults";
import type { DoorPorts, EdgeDoor } from "./doors";
import type { AddressPeer, Flow, FlowPort, PodPeer } from "./flows";

/** What placement reads of the checked config (HomelabConfig has it; a contract imports no config). */
export interface PlacementConfig {
    mode: "proxmox" | "cluster";
    gitops: { argocd: boolean };
    mesh: { ports: DoorPorts };
}

/** A namespace the stack creates for a part, and the stance its pods take. */
export interface OwnNamespace {
    kind: "own";
    name: string;
    /** The level Pod Security admission enforces: the strictest of privileged, baseline, restricted its pods pass. */
    podSecurity: PodSecurityLevel;
    /** `restricted`: a default-deny of egress, so its pods open only the connections its flows list (and DNS). */
    egress: "restricted" | "open";
    /** `envoy`: its pods carry an Envoy (a sidecar, or the gateway's own) fetching config from istiod, sending spans, scraped. */
    mesh: "envoy" | "none";
    /** `flows`: some flow of the part reaches its pods; `none`: nothing does (default-deny only: operators, Jobs). */
    ingress: "flows" | "none";
    /** Whether the stack creates it for this config (the smoke Job's only in cluster mode, Argo CD's only when on). */
    createdWhen: (config: PlacementConfig) => boolean;
}

/** A namespace the cluster runs its own system in: managed (Argo CD must not write there), never created nor policed. */
export interface SystemNamespace {
    kind: "system";
    name: string;
}

export type PartNamespace = OwnNamespace | SystemNamespace;

/** Created for every config. */
export const ALWAYS = (): boolean => true;

/** A namespace of ours out of the mesh with open egress (its pods reach the API server and the world), always created. */
export const openNamespace = (name: string, podSecurity: PodSecurityLevel, ingress: OwnNamespace["ingress"]): OwnNamespace => ({
    kind: "own",
    name,
    podSecurity,
    egress: "open",
    mesh: "none",
    ingress,
    createdWhen: ALWAYS,
});

/** The peers of other parts a part's flows name: the stack builds them from the owning parts' exports. */
export interface FlowPeers {
    prometheus: PodPeer;
    grafana: PodPeer;
    gateway: PodPeer;
    kiali: PodPeer;
    istiod: PodPeer;
    jaeger: PodPeer;
    /** The data stores a client connects to: PostgreSQL's instances, Redis' master (through its Service), and their ports. */
    postgres: { pods: PodPeer; port: number };
    redis: { pods: PodPeer; port: number };
    /** The cluster's DNS pods and ports. */
    dns: { pods: PodPeer; ports: FlowPort[] };
}

/** What a part's flows depend on beyond its own facts: the config's ports, the cluster's addresses, other parts' peers. */
export interface FlowContext {
    /** Ports the ingress gateway's pods listen on (every door's ports). */
    gatewayPorts: number[];
    /** Where pods reach the API server after kube-proxy's DNAT: the nodes' network and port(s). */
    apiServer: { peer: AddressPeer; ports: number[] };
    /** Where the API server's webhook calls come from (see flannelTunnelAddresses). */
    webhookCallers: AddressPeer;
    /** The off-site backup store's port (homelab:offsiteBackupEndpoint); undefined when the off-site repository is off. */
    offsiteBackupPort: number | undefined;
    /** Every part's namespaces, in the parts' order: the stance flows are derived from (envoy, restricted egress). */
    namespaces: readonly PartNamespace[];
    peers: FlowPeers;
}

/** One door at the ingress gateway and who serves its routes. */
export interface PartDoor {
    door: EdgeDoor;
    /** `edge`: the EdgeDoors component forwards it; `own`: the part's own routing (Shlink's MeshRouting, rate-limited). */
    routing: "edge" | "own";
    /** Its place in the gateway Service's ports: an existing lab keeps its order (an input of the mesh's release). */
    order: number;
}

export interface PartPlacement {
    /** Every namespace the part owns. */
    readonly namespaces: readonly PartNamespace[];
    /** The flows the part's pods receive, and its pods' egress-only rows (to the API server, to anywhere). */
    flows(context: FlowContext): Flow[];
    /** The part's doors at the ingress gateway. */
    doors(config: PlacementConfig): PartDoor[];
}

/** The own namespaces among `namespaces` (in order). */
export const ownNamespaces = (namespaces: readonly PartNamespace[]): OwnNamespace[] => namespaces.filter((ns): ns is OwnNamespace => ns.kind === "own");

/** One own namespace by name: what a part's component creates with the level its placement declares. */
export function ownNamespace(namespaces: readonly PartNamespace[], name: string): OwnNamespace {
    const found = ownNamespaces(namespaces).find((ns) => ns.name === name);
    if (found === undefined) {
        throw new Error(`namespace "${name}" is not in the part's placement: add it to its part.ts namespaces`);
    }
    return found;
}
