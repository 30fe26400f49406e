// Where the parts' pods live and who may reach them, composed from every part's placement (PartPlacement): the
// namespaces the stack creates and hands to Argo CD as managed, their Pod Security levels, the flows the
// NetworkPolicies allow, and the doors at the ingress gateway. Only the stack knows which part owns which peer.
import type { PodSecurityLevel } from "../components/defaults";
import { doorServicePorts, type EdgeDoor } from "../components/contracts/doors";
import { isPodPeer, type Flow } from "../components/contracts/flows";
import {
    ownNamespaces,
    type FlowContext,
    type FlowPeers,
    type OwnNamespace,
    type PartPlacement,
    type PlacementConfig,
} from "../components/contracts/placement";
import { POSTGRES_PEER, REDIS_PEER } from "../components/data/part";
import { CLUSTER_DNS_PODS, CLUSTER_DNS_PORTS } from "../components/k3s/part";
import { GATEWAY_PODS, ISTIOD_PODS } from "../components/mesh/part";
import { GRAFANA_PODS, JAEGER_PODS, KIALI_PODS, PROMETHEUS_PODS } from "../components/observability/part";
import { partFlows } from "../components/security/flows";
import { PARTS } from "./parts";

type Placed = Pick<PartPlacement, "namespaces">;

/** The peers a part's flows name that another part owns, from the owning parts' placements. */
export const FLOW_PEERS: FlowPeers = {
    prometheus: PROMETHEUS_PODS,
    grafana: GRAFANA_PODS,
    gateway: GATEWAY_PODS,
    kiali: KIALI_PODS,
    istiod: ISTIOD_PODS,
    jaeger: JAEGER_PODS,
    postgres: POSTGRES_PEER,
    redis: REDIS_PEER,
    dns: { pods: CLUSTER_DNS_PODS, ports: CLUSTER_DNS_PORTS },
};

/** Every namespace of the parts: the ones the stack creates and the cluster's system ones. None is the user's apps' to write. */
export function managedNamespaces(parts: readonly Placed[] = PARTS): string[] {
    return parts.flatMap((part) => part.namespaces.map((ns) => ns.name));
}

/** Every namespace the stack may create, whatever the config (the verify program checks those it finds). */
export function ownedNamespaces(parts: readonly Placed[] = PARTS): OwnNamespace[] {
    return ownNamespaces(parts.flatMap((part) => part.namespaces));
}

/** The namespaces the stack creates for `config` (the smoke check's only in cluster mode, Argo CD's only when installed). */
export function createdNamespaces(config: PlacementConfig, parts: readonly Placed[] = PARTS): OwnNamespace[] {
    return ownedNamespaces(parts).filter((ns) => ns.createdWhen(config));
}

/** The Pod Security level each namespace of ours enforces, by name. */
export function podSecurityLevels(parts: readonly Placed[] = PARTS): Record<string, PodSecurityLevel> {
    return Object.fromEntries(ownedNamespaces(parts).map((ns) => [ns.name, ns.podSecurity]));
}

/** Every door of the lab at the ingress gateway, in the gateway's port order; `own` the doors a part routes itself. */
export function labDoors(
    config: PlacementConfig,
    parts: readonly Pick<PartPlacement, "doors">[] = PARTS,
): { own: EdgeDoor[]; edge: EdgeDoor[]; all: EdgeDoor[] } {
    const doors = parts.flatMap((part) => part.doors(config)).sort((a, b) => a.order - b.order);
    const pick = (routing: "own" | "edge") => doors.filter((d) => d.routing === routing).map((d) => d.door);
    return { own: pick("own"), edge: pick("edge"), all: doors.map((d) => d.door) };
}

/** What the flows depend on from the config and the cluster: the gateway's ports, the API server's addresses. */
export interface FlowInputs {
    /** Ports the ingress gateway's pods listen on (its Gateway servers' port numbers). */
    gatewayPorts: number[];
    /** Where pods reach the API server after kube-proxy's DNAT: the nodes' network and port(s). */
    apiServer: { cidr: string; ports: number[] };
    /** Addresses the API server's webhook calls come from (see flannelTunnelAddresses). */
    webhookCallers: string[];
    /** The off-site backup store's port (homelab:offsiteBackupEndpoint); undefined when the off-site repository is off. */
    offsiteBackupPort?: number;
}

/** The context every part's flows get: the inputs as peers, and the other parts' peers. */
export function flowContext(inputs: FlowInputs): Omit<FlowContext, "namespaces"> {
    return {
        gatewayPorts: inputs.gatewayPorts,
        apiServer: { peer: { cidrs: [inputs.apiServer.cidr], what: "the API server" }, ports: inputs.apiServer.ports },
        webhookCallers: { cidrs: inputs.webhookCallers, what: "the API server (webhook calls)" },
        offsiteBackupPort: inputs.offsiteBackupPort,
        peers: FLOW_PEERS,
    };
}

/** Every flow of the lab (each part's, in the parts' order). */
export function labFlows(inputs: FlowInputs, parts: readonly Pick<PartPlacement, "namespaces" | "flows">[] = PARTS): Flow[] {
    return partFlows(parts, flowContext(inputs));
}

/** The gateway's listener ports: every door's. */
export const gatewayPorts = (doors: readonly EdgeDoor[]): number[] => doorServicePorts(doors).map((p) => p.port);

/** `host` of a door's destination (`<service>.<namespace>.svc.cluster.local`): its namespace. */
const doorNamespace = (door: EdgeDoor): string => door.destination.host.split(".")[1];

/**
 * What a part forgot in its placement, for `config`: a namespace reachable by flows none of its own flows reaches
 * (or declared unreachable yet reached), a namespace or flow name declared twice, a door whose namespace no part
 * owns or the gateway may not reach. Empty when the placements hold together.
 */
export function placementProblems(parts: readonly (PartPlacement & { name: string })[], config: PlacementConfig, inputs: FlowInputs): string[] {
    const context = flowContext(inputs);
    const namespaces = parts.flatMap((part) => part.namespaces);
    const flowsOf = new Map(parts.map((part) => [part.name, part.flows({ ...context, namespaces })]));
    const all = [...flowsOf.values()].flat();
    const reached = (flows: readonly Flow[], ns: string) => flows.some((f) => isPodPeer(f.to) && f.to.namespace === ns);
    const problems: string[] = [];
    for (const part of parts) {
        for (const ns of ownNamespaces(part.namespaces)) {
            if (ns.ingress === "flows" && !reached(flowsOf.get(part.name)!, ns.name))
                problems.push(`${part.name}: namespace ${ns.name} takes flows, but none of the part's flows reaches it`);
            if (ns.ingress === "none" && reached(all, ns.name)) problems.push(`${part.name}: namespace ${ns.name} takes no flow, but a flow reaches it`);
        }
    }
    const twice = (names: string[]) => names.filter((n, i) => names.indexOf(n) !== i);
    problems.push(...twice(namespaces.map((ns) => ns.name)).map((n) => `namespace ${n} declared twice`));
    problems.push(...twice(all.map((f) => f.name)).map((n) => `flow ${n} declared twice`));
    // The doors' order is the gateway Service's port order (an input of the mesh's release): a tie would reorder it.
    const doors = parts.flatMap((part) => part.doors(config));
    problems.push(...twice(doors.map((d) => String(d.order))).map((n) => `door order ${n} given twice`));
    const owned = new Set(ownNamespaces(namespaces).map((ns) => ns.name));
    const fromGateway = all.filter((f) => isPodPeer(f.from) && f.from.namespace === context.peers.gateway.namespace);
    for (const door of labDoors(config, parts).all) {
        const ns = doorNamespace(door);
        if (!owned.has(ns)) problems.push(`door ${door.name}: its namespace ${ns} is no part's`);
        else if (!reached(fromGateway, ns)) problems.push(`door ${door.name}: no flow lets the gateway reach ${ns}`);
    }
    return problems;
}
