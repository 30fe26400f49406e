// A small evaluator of NetworkPolicy (networking.k8s.io/v1) semantics, after the API reference and
// kubernetes.io/docs/concepts/services-networking/network-policies, for the rules K3s' kube-router enforces:
// - a pod selected by no policy of a direction is open in that direction; selected by any, it is closed
//   except what some selecting policy's rule allows (policies are additive, there is no deny rule);
// - policyTypes decides the directions a policy covers (absent: Ingress, plus Egress when it has egress rules);
// - a rule's peers are OR'ed, a peer's namespaceSelector and podSelector are AND'ed, a podSelector alone means
//   the policy's own namespace, a namespaceSelector alone every pod of those namespaces;
// - an ipBlock matches by address, pods included (what kube-router does; the API leaves it to the plugin);
// - a rule with no peers matches every source or destination, with no ports every port;
// - a named port resolves as kube-router resolves it (cloudnativelabs/kube-router @ v2.6.3 :
//   pkg/controllers/netpol/policy.go : 863-900 grabNamedPortFromPod, 546-559 ingress, 640-672 egress): from the
//   ports of `spec.containers` only (a native sidecar, an init container with restartPolicy Always, declares its
//   ports in vain), of the pods the policy selects (ingress) or the pods its egress peers select (egress; a rule
//   with no peers: the pods of the policy's own namespace), and for the protocol the policy names.

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

export interface PolicyPeer {
    podSelector?: LabelSelector;
    namespaceSelector?: LabelSelector;
    ipBlock?: { cidr: string; except?: string[] };
}

export interface PolicyPort {
    port?: number | string;
    endPort?: number;
    protocol?: "TCP" | "UDP" | "SCTP";
}

export interface PolicyRule {
    from?: PolicyPeer[];
    to?: PolicyPeer[];
    ports?: PolicyPort[];
}

export interface NetworkPolicy {
    metadata: { name: string; namespace: string };
    spec: {
        podSelector: LabelSelector;
        policyTypes?: ("Ingress" | "Egress")[];
        ingress?: PolicyRule[];
        egress?: PolicyRule[];
    };
}

export interface ContainerPort {
    name?: string;
    containerPort: number;
    protocol?: "TCP" | "UDP" | "SCTP";
}

/** A container as the pod spec declares it (`ports` as written there). */
export interface Container {
    name: string;
    ports?: ContainerPort[];
    /** `Always` on an init container makes it a native sidecar (Kubernetes ≥ 1.29): it keeps running beside the others. */
    restartPolicy?: "Always";
}

/** A pod: where it runs, its labels, its address, its containers, and the ports it listens on that none declares. */
export interface Pod {
    kind: "pod";
    name: string;
    namespace: string;
    labels: Record<string, string>;
    ip: string;
    /** `spec.containers`. */
    containers: Container[];
    /** `spec.initContainers` (native sidecars among them). */
    initContainers?: Container[];
    /** Ports a process of the pod listens on without any container declaring them (Envoy's listeners, Patroni's API). */
    undeclared?: ContainerPort[];
}

/** Something that is not a pod of the cluster: a LAN client, the API server on a node, the internet. */
export interface Address {
    kind: "address";
    name: string;
    ip: string;
}

export type Endpoint = Pod | Address;

/** A connection's destination port: by number (a named port is resolved on the destination pod). */
export interface Connection {
    from: Endpoint;
    to: Endpoint;
    port: number;
    protocol?: "TCP" | "UDP";
}

/** Every namespace carries its name as this label (the API server sets it). */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
        if (labels[key] !== value) {
            return false;
        }
    }
    for (const expr of selector.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, expr.key);
        const values = expr.values ?? [];
        switch (expr.operator) {
            case "In":
                if (!has || !values.includes(labels[expr.key])) return false;
                break;
            case "NotIn":
                if (has && values.includes(labels[expr.key])) return false;
                break;
            case "Exists":
                if (!has) return false;
                break;
            case "DoesNotExist":
                if (has) return false;
                break;
            default:
                throw new Error(`unknown selector operator ${String((expr as { operator: unknown }).operator)}`);
        }
    }
    return true;
}

function ipv4(text: string): number {
    const parts = text.split(".").map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
        throw new Error(`not an IPv4 address: ${text}`);
    }
    return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function inCidr(ip: string, cidr: string): boolean {
    const [base, bitsText] = cidr.split("/");
    const bits = Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > 32) {
        throw new Error(`not an IPv4 CIDR: ${cidr}`);
    }
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return (ipv4(ip) & mask) === (ipv4(base) & mask);
}

function peerMatches(peer: PolicyPeer, policyNamespace: string, other: Endpoint): boolean {
    if (peer.ipBlock !== undefined) {
        return inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(other.ip, c));
    }
    if (other.kind !== "pod") {
        return false;
    }
    const namespaceOk =
        peer.namespaceSelector === undefined
            ? other.namespace === policyNamespace
            : selects(peer.namespaceSelector, { [NAMESPACE_NAME_LABEL]: other.namespace });
    const podOk = peer.podSelector === undefined || selects(peer.podSelector, other.labels);
    return namespaceOk && podOk;
}

/** The ports kube-router resolves a named port from: `spec.containers`' only. */
function namedPortSources(pod: Pod): ContainerPort[] {
    return pod.containers.flatMap((c) => c.ports ?? []);
}

/**
 * Whether a policy port entry matches the connection. `namedPortPods` says whether the destination is among the
 * pods kube-router takes a named port's numbers from for this rule.
 */
function portMatches(entry: PolicyPort, connection: Connection, namedPortPods: boolean): boolean {
    const protocol = connection.protocol ?? "TCP";
    if ((entry.protocol ?? "TCP") !== protocol) {
        return false;
    }
    if (entry.port === undefined) {
        return true;
    }
    if (typeof entry.port === "number") {
        const end = entry.endPort ?? entry.port;
        return connection.port >= entry.port && connection.port <= end;
    }
    // A named port means the destination pod's container port of that name and protocol, from spec.containers only.
    const target = connection.to;
    if (target.kind !== "pod" || !namedPortPods) {
        return false;
    }
    return namedPortSources(target).some((p) => p.name === entry.port && p.containerPort === connection.port && (p.protocol ?? "TCP") === protocol);
}

function ruleAllows(rule: PolicyRule, direction: "Ingress" | "Egress", policyNamespace: string, connection: Connection): boolean {
    const peers = direction === "Ingress" ? rule.from : rule.to;
    const other = direction === "Ingress" ? connection.from : connection.to;
    const noPeers = peers === undefined || peers.length === 0;
    const peerOk = noPeers || peers.some((p) => peerMatches(p, policyNamespace, other));
    // Ingress: the destination is a pod the policy selects. Egress: a pod a peer selects (an ipBlock resolves no
    // named port), or with no peers a pod of the policy's own namespace.
    const namedPortPods =
        direction === "Ingress" ||
        (connection.to.kind === "pod" &&
            (noPeers
                ? connection.to.namespace === policyNamespace
                : peers.some((p) => p.ipBlock === undefined && peerMatches(p, policyNamespace, connection.to))));
    const portOk = rule.ports === undefined || rule.ports.length === 0 || rule.ports.some((p) => portMatches(p, connection, namedPortPods));
    return peerOk && portOk;
}

function policyTypes(policy: NetworkPolicy): ("Ingress" | "Egress")[] {
    if (policy.spec.policyTypes !== undefined && policy.spec.policyTypes.length > 0) {
        return policy.spec.policyTypes;
    }
    return policy.spec.egress !== undefined ? ["Ingress", "Egress"] : ["Ingress"];
}

/** Whether the pod's side of the connection lets it through in `direction`. */
function sideAllows(policies: NetworkPolicy[], pod: Pod, direction: "Ingress" | "Egress", connection: Connection): boolean {
    const selecting = policies.filter(
        (p) => p.metadata.namespace === pod.namespace && policyTypes(p).includes(direction) && selects(p.spec.podSelector, pod.labels),
    );
    if (selecting.length === 0) {
        return true;
    }
    return selecting.some((p) =>
        ((direction === "Ingress" ? p.spec.ingress : p.spec.egress) ?? []).some((rule) => ruleAllows(rule, direction, p.metadata.namespace, connection)),
    );
}

/** Whether the policies let the connection through: the source's egress and the destination's ingress. */
export function allowed(policies: NetworkPolicy[], connection: Connection): boolean {
    const egressOk = connection.from.kind !== "pod" || sideAllows(policies, connection.from, "Egress", connection);
    const ingressOk = connection.to.kind !== "pod" || sideAllows(policies, connection.to, "Ingress", connection);
    return egressOk && ingressOk;
}

/** Every port the pod listens on: its containers', its native sidecars' and the undeclared ones. */
export function listeningPorts(pod: Pod): ContainerPort[] {
    const sidecars = (pod.initContainers ?? []).filter((c) => c.restartPolicy === "Always");
    return [...pod.containers, ...sidecars].flatMap((c) => c.ports ?? []).concat(pod.undeclared ?? []);
}

/** The number of the port of that name any container of the pod declares, native sidecars included (a test names ports as the charts do). */
export function portNamed(pod: Pod, name: string): number {
    const port = [...pod.containers, ...(pod.initContainers ?? [])].flatMap((c) => c.ports ?? []).find((p) => p.name === name);
    if (port === undefined) {
        throw new Error(`${pod.namespace}/${pod.name} has no port named ${name}`);
    }
    return port.containerPort;
}
