// The lab's NetworkPolicies, generated from the flows every part declares (components/<part>/part.ts).
// Pure: tests evaluate the generated policies and docs/architecture.md shows the table.
import { EVERY_ADDRESS, isPodPeer, type Flow, type FlowPort, type Peer, type PodPeer } from "../contracts/flows";
import type { FlowContext, OwnNamespace, PartPlacement } from "../contracts/placement";

/**
 * The addresses a webhook call from the API server on another K3s node comes from: that node's flannel tunnel
 * address, the first IP of its podCIDR (facts-next §7). Which /24 a node gets is decided when it joins, so every
 * /24 of the cluster CIDR is listed, each by its first address only: the whole /16 would let every pod through
 * too (kube-router matches ipBlock against pod addresses), while the first address of a podCIDR is never a pod's.
 * Calls from the API server on the pod's own node are LOCAL, which kube-router always accepts.
 */
export function flannelTunnelAddresses(clusterCidr: string, nodeMaskBits: number): string[] {
    const [base, bitsText] = clusterCidr.split("/");
    const bits = Number(bitsText);
    const start = base.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
    const count = 2 ** (nodeMaskBits - bits);
    const step = 2 ** (32 - nodeMaskBits);
    return Array.from({ length: count }, (_, i) => {
        const n = start + i * step;
        return `${[24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".")}/32`;
    });
}

/**
 * Every connection the lab needs, and nothing else: each part's flows (components/<part>/part.ts), in the
 * parts' order, given every part's namespaces (the stance the mesh's, observability's and DNS's flows derive from).
 */
export function partFlows(parts: readonly Pick<PartPlacement, "namespaces" | "flows">[], context: Omit<FlowContext, "namespaces">): Flow[] {
    const namespaces = parts.flatMap((part) => part.namespaces);
    return parts.flatMap((part) => part.flows({ ...context, namespaces }));
}

/** A NetworkPolicy (networking.k8s.io/v1) as the program sends it. */
export interface NetworkPolicyObject {
    apiVersion: "networking.k8s.io/v1";
    kind: "NetworkPolicy";
    metadata: { name: string; namespace: string };
    spec: {
        podSelector: { matchLabels?: Record<string, string> };
        policyTypes: ("Ingress" | "Egress")[];
        ingress?: PolicyRule[];
        egress?: PolicyRule[];
    };
}

export interface PolicyPeer {
    namespaceSelector?: { matchLabels: Record<string, string> };
    podSelector?: { matchLabels: Record<string, string> };
    ipBlock?: { cidr: string; except?: string[] };
}

export interface PolicyRule {
    from?: PolicyPeer[];
    to?: PolicyPeer[];
    ports?: { port: number | string; protocol: "TCP" | "UDP" }[];
}

/** The label Kubernetes puts on every namespace with its name (immutable, so a selector on it cannot be spoofed). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

function policyPeers(peer: Peer): PolicyPeer[] {
    if (!isPodPeer(peer)) {
        return peer.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
    }
    return [
        {
            namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: peer.namespace } },
            ...(peer.pods === undefined ? {} : { podSelector: { matchLabels: { ...peer.pods } } }),
        },
    ];
}

const isAnywhere = (peer: Peer) => !isPodPeer(peer) && peer.cidrs.includes(EVERY_ADDRESS);

function policyPorts(ports: FlowPort[]): Pick<PolicyRule, "ports"> {
    return ports.length === 0 ? {} : { ports: ports.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" })) };
}

function policy(name: string, namespace: string, selected: PodPeer, type: "Ingress" | "Egress", rule?: PolicyRule): NetworkPolicyObject {
    const rules = rule === undefined ? {} : type === "Ingress" ? { ingress: [rule] } : { egress: [rule] };
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace },
        spec: { podSelector: selected.pods === undefined ? {} : { matchLabels: { ...selected.pods } }, policyTypes: [type], ...rules },
    };
}

/**
 * Every NetworkPolicy of the lab: in each of `namespaces` a default-deny of ingress (and of egress where its
 * stance restricts egress), then per flow an ingress allow in the target's namespace and, when the source's
 * egress is restricted, an egress allow in the source's. A flow from anywhere names no source at all, so pods
 * (the k6 runner, ServiceLB's forwarders) count too.
 */
export function networkPolicies(flows: readonly Flow[], namespaces: readonly Pick<OwnNamespace, "name" | "egress">[]): NetworkPolicyObject[] {
    const ours = new Set(namespaces.map((ns) => ns.name));
    const restricted = new Set(namespaces.filter((ns) => ns.egress === "restricted").map((ns) => ns.name));
    const out: NetworkPolicyObject[] = [];
    for (const { name: ns } of namespaces) {
        out.push(policy("default-deny-ingress", ns, { namespace: ns }, "Ingress"));
        if (restricted.has(ns)) {
            out.push(policy("default-deny-egress", ns, { namespace: ns }, "Egress"));
        }
    }
    for (const flow of flows) {
        if (isPodPeer(flow.to) && ours.has(flow.to.namespace)) {
            const from = isAnywhere(flow.from) ? {} : { from: policyPeers(flow.from) };
            out.push(policy(`allow-${flow.name}`, flow.to.namespace, flow.to, "Ingress", { ...from, ...policyPorts(flow.ports) }));
        }
        if (isPodPeer(flow.from) && restricted.has(flow.from.namespace)) {
            out.push(
                policy(`egress-${flow.name}`, flow.from.namespace, flow.from, "Egress", {
                    ...(isAnywhere(flow.to) ? {} : { to: policyPeers(flow.to) }),
                    ...policyPorts(flow.ports),
                }),
            );
        }
    }
    return out;
}

/** One row of the flow matrix (docs/architecture.md): who, to whom, on which ports, why. */
export interface FlowRow {
    from: string;
    to: string;
    ports: string;
    why: string;
}

function describePeer(peer: Peer): string {
    if (!isPodPeer(peer)) {
        return isAnywhere(peer) ? peer.what : `${peer.what} (${peer.cidrs.length > 2 ? `${peer.cidrs.length} addresses` : peer.cidrs.join(", ")})`;
    }
    const labels =
        peer.pods === undefined
            ? ""
            : ` (${Object.entries(peer.pods)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(",")})`;
    return `${peer.namespace}${labels}`;
}

/** The flows as rows for a table. */
export function flowRows(flows: readonly Flow[]): FlowRow[] {
    return flows.map((f) => ({
        from: describePeer(f.from),
        to: describePeer(f.to),
        ports: f.ports.length === 0 ? "all" : f.ports.map((p) => `${p.port}${p.protocol === undefined ? "" : `/${p.protocol.toLowerCase()}`}`).join(", "),
        why: f.why,
    }));
}
