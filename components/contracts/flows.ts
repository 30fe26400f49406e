// Who may talk to whom, as data: the flows every part declares (PartPlacement.flows), from which the security
// layer (components/security/flows.ts) generates every NetworkPolicy. A shared contract: it imports no part.

/**
 * A port by number or by the name of the target pod's container port, TCP unless said. A name only for ports a
 * chart declares in spec.containers: kube-router resolves names from there alone, never from a native sidecar.
 */
export interface FlowPort {
    port: number | string;
    protocol?: "TCP" | "UDP";
}

/** Pods of one namespace: all of them, or those carrying every label in `pods`. */
export interface PodPeer {
    namespace: string;
    pods?: Record<string, string>;
}

/** Addresses outside any pod selector: the API server on the nodes, or the world (the ingress gateway's clients). */
export interface AddressPeer {
    cidrs: string[];
    what: string;
}

export type Peer = PodPeer | AddressPeer;

/** One allowed connection: `from` may open connections to `to` on `ports` (every port when empty). */
export interface Flow {
    /** DNS label; the policy is named `allow-<name>` (ingress) or `egress-<name>` (egress). */
    name: string;
    from: Peer;
    to: Peer;
    ports: FlowPort[];
    why: string;
}

export const tcp = (...ports: (number | string)[]): FlowPort[] => ports.map((port) => ({ port }));
export const pods = (namespace: string, labels?: Record<string, string>): PodPeer => (labels === undefined ? { namespace } : { namespace, pods: labels });

export const EVERY_ADDRESS = "0.0.0.0/0";
export const ANYWHERE: AddressPeer = { cidrs: [EVERY_ADDRESS], what: "anywhere" };

export const isPodPeer = (peer: Peer): peer is PodPeer => "namespace" in peer;
