// The NetworkPolicy evaluator on small hand cases, so a wrong rule in it fails here before it blesses a matrix.
import { describe, expect, it } from "vitest";
import { allowed, inCidr, listeningPorts, portNamed, selects, type Address, type ContainerPort, type NetworkPolicy, type Pod } from "./evaluator";

const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string, ports: ContainerPort[] = []): Pod => ({
    kind: "pod",
    name,
    namespace,
    labels,
    ip,
    containers: [{ name: "app", ports }],
});

const db = pod("data", "db", { app: "db", tier: "data" }, "10.42.1.10", [
    { name: "sql", containerPort: 5432 },
    { name: "metrics", containerPort: 9187 },
]);
const web = pod("web", "web", { app: "web" }, "10.42.2.11");
const other = pod("web", "other", { app: "other" }, "10.42.2.12");
const stranger = pod("default", "stranger", { app: "x" }, "10.42.0.13");
const lan: Address = { kind: "address", name: "lan", ip: "192.168.2.50" };

const denyAll = (namespace: string, types: ("Ingress" | "Egress")[] = ["Ingress"]): NetworkPolicy => ({
    metadata: { name: "deny", namespace },
    spec: { podSelector: {}, policyTypes: types },
});

describe("the NetworkPolicy evaluator", () => {
    it("leaves a pod no policy selects open, and closes it once any policy selects it", () => {
        expect(allowed([], { from: stranger, to: db, port: 5432 })).toBe(true);
        expect(allowed([denyAll("data")], { from: stranger, to: db, port: 5432 })).toBe(false);
        // A policy of another namespace, or one selecting other pods, does not close it.
        expect(allowed([denyAll("web")], { from: stranger, to: db, port: 5432 })).toBe(true);
        const onlyCache: NetworkPolicy = {
            metadata: { name: "c", namespace: "data" },
            spec: { podSelector: { matchLabels: { app: "cache" } }, policyTypes: ["Ingress"] },
        };
        expect(allowed([onlyCache], { from: stranger, to: db, port: 5432 })).toBe(true);
    });

    it("adds up allows: any selecting policy's rule lets a connection in", () => {
        const fromWeb: NetworkPolicy = {
            metadata: { name: "web", namespace: "data" },
            spec: {
                podSelector: { matchLabels: { app: "db" } },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "web" } }, podSelector: { matchLabels: { app: "web" } } }],
                        ports: [{ port: 5432 }],
                    },
                ],
            },
        };
        const policies = [denyAll("data"), fromWeb];
        expect(allowed(policies, { from: web, to: db, port: 5432 })).toBe(true);
        // namespaceSelector AND podSelector: another pod of that namespace is not let in, nor the right port from elsewhere.
        expect(allowed(policies, { from: other, to: db, port: 5432 })).toBe(false);
        expect(allowed(policies, { from: web, to: db, port: 9187 })).toBe(false);
        expect(allowed(policies, { from: stranger, to: db, port: 5432 })).toBe(false);
    });

    it("reads a podSelector alone as the policy's own namespace, a namespaceSelector alone as all its pods", () => {
        const sameNamespace: NetworkPolicy = {
            metadata: { name: "same", namespace: "web" },
            spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }] },
        };
        expect(allowed([sameNamespace], { from: web, to: other, port: 80 })).toBe(true);
        const copy = pod("default", "web-elsewhere", { app: "web" }, "10.42.0.20");
        expect(allowed([sameNamespace], { from: copy, to: other, port: 80 })).toBe(false);
        const wholeNamespace: NetworkPolicy = {
            metadata: { name: "ns", namespace: "data" },
            spec: {
                podSelector: {},
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "web" } } }] }],
            },
        };
        expect(allowed([wholeNamespace], { from: other, to: db, port: 1 })).toBe(true);
        expect(allowed([wholeNamespace], { from: stranger, to: db, port: 1 })).toBe(false);
    });

    it("resolves a named port against the destination pod's container ports, protocol included", () => {
        const metrics: NetworkPolicy = {
            metadata: { name: "m", namespace: "data" },
            spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: "metrics" }] }] },
        };
        expect(allowed([metrics], { from: stranger, to: db, port: 9187 })).toBe(true);
        expect(allowed([metrics], { from: stranger, to: db, port: 5432 })).toBe(false);
        expect(allowed([metrics], { from: stranger, to: db, port: 9187, protocol: "UDP" })).toBe(false);
        // A pod without a port of that name is not reached on any port through that rule.
        const noMetrics = pod("data", "plain", { app: "plain" }, "10.42.1.30", [{ name: "sql", containerPort: 9187 }]);
        expect(allowed([metrics], { from: stranger, to: noMetrics, port: 9187 })).toBe(false);
    });

    it("resolves a named port from spec.containers only, as kube-router does: a native sidecar's named port matches nothing", () => {
        const meshed: Pod = {
            ...pod("data", "meshed", { app: "meshed" }, "10.42.1.31", [{ name: "http", containerPort: 8080 }]),
            initContainers: [
                { name: "istio-validation" },
                { name: "istio-proxy", restartPolicy: "Always", ports: [{ name: "http-envoy-prom", containerPort: 15090, protocol: "TCP" }] },
            ],
        };
        const byName: NetworkPolicy = {
            metadata: { name: "n", namespace: "data" },
            spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: "http-envoy-prom", protocol: "TCP" }] }] },
        };
        const byNumber: NetworkPolicy = {
            metadata: { name: "n", namespace: "data" },
            spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 15090, protocol: "TCP" }] }] },
        };
        expect(portNamed(meshed, "http-envoy-prom")).toBe(15090);
        expect(listeningPorts(meshed).map((p) => p.containerPort)).toEqual([8080, 15090]);
        expect(allowed([byName], { from: stranger, to: meshed, port: 15090 })).toBe(false);
        expect(allowed([byNumber], { from: stranger, to: meshed, port: 15090 })).toBe(true);
        // The same port declared by a regular container resolves.
        const regular: Pod = {
            ...meshed,
            containers: [...meshed.containers, { name: "istio-proxy", ports: [{ name: "http-envoy-prom", containerPort: 15090 }] }],
            initContainers: [],
        };
        expect(allowed([byName], { from: stranger, to: regular, port: 15090 })).toBe(true);
    });

    it("resolves an egress rule's named port from its peers' pods, or with no peers from the policy's own namespace", () => {
        const noPeers: NetworkPolicy = {
            metadata: { name: "e", namespace: "web" },
            spec: { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ ports: [{ port: "sql" }] }] },
        };
        const webDb = pod("web", "web-db", { app: "db" }, "10.42.2.40", [{ name: "sql", containerPort: 5432 }]);
        expect(allowed([noPeers], { from: web, to: webDb, port: 5432 })).toBe(true);
        expect(allowed([noPeers], { from: web, to: db, port: 5432 })).toBe(false);
        const ipBlockPeer: NetworkPolicy = {
            metadata: { name: "e", namespace: "web" },
            spec: {
                podSelector: { matchLabels: { app: "web" } },
                policyTypes: ["Egress"],
                egress: [{ to: [{ ipBlock: { cidr: "10.42.0.0/16" } }], ports: [{ port: "sql" }] }],
            },
        };
        expect(allowed([ipBlockPeer], { from: web, to: db, port: 5432 })).toBe(false);
    });

    it("takes port ranges and protocols as written", () => {
        const range: NetworkPolicy = {
            metadata: { name: "r", namespace: "data" },
            spec: {
                podSelector: {},
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        ports: [
                            { port: 8000, endPort: 8010, protocol: "TCP" },
                            { port: 53, protocol: "UDP" },
                        ],
                    },
                ],
            },
        };
        expect(allowed([range], { from: stranger, to: db, port: 8008 })).toBe(true);
        expect(allowed([range], { from: stranger, to: db, port: 8011 })).toBe(false);
        expect(allowed([range], { from: stranger, to: db, port: 53, protocol: "UDP" })).toBe(true);
        expect(allowed([range], { from: stranger, to: db, port: 53 })).toBe(false);
    });

    it("matches ipBlock by address, with its excepts, for pods and addresses alike", () => {
        const lanOnly: NetworkPolicy = {
            metadata: { name: "lan", namespace: "data" },
            spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ ipBlock: { cidr: "192.168.2.0/24", except: ["192.168.2.128/25"] } }] }] },
        };
        expect(allowed([lanOnly], { from: lan, to: db, port: 5432 })).toBe(true);
        expect(allowed([lanOnly], { from: { kind: "address", name: "high", ip: "192.168.2.200" }, to: db, port: 5432 })).toBe(false);
        expect(allowed([lanOnly], { from: stranger, to: db, port: 5432 })).toBe(false);
        const podRange: NetworkPolicy = {
            metadata: { name: "pods", namespace: "data" },
            spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ ipBlock: { cidr: "10.42.0.0/16" } }] }] },
        };
        expect(allowed([podRange], { from: stranger, to: db, port: 5432 })).toBe(true);
    });

    it("checks egress at the source: a selected pod reaches only what its egress rules allow; addresses have no side", () => {
        const egress: NetworkPolicy = {
            metadata: { name: "e", namespace: "web" },
            spec: {
                podSelector: { matchLabels: { app: "web" } },
                policyTypes: ["Egress"],
                egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "data" } } }], ports: [{ port: "sql" }] }],
            },
        };
        expect(allowed([egress], { from: web, to: db, port: 5432 })).toBe(true);
        expect(allowed([egress], { from: web, to: db, port: 9187 })).toBe(false);
        expect(allowed([egress], { from: web, to: lan, port: 443 })).toBe(false);
        expect(allowed([egress], { from: other, to: lan, port: 443 })).toBe(true);
        // Both sides must agree: the source may send, the destination refuses.
        expect(allowed([egress, denyAll("data")], { from: web, to: db, port: 5432 })).toBe(false);
    });

    it("reads policyTypes, and without them Ingress plus Egress when egress rules exist", () => {
        const egressOnly: NetworkPolicy = { metadata: { name: "eo", namespace: "data" }, spec: { podSelector: {}, egress: [] } };
        expect(allowed([egressOnly], { from: stranger, to: db, port: 5432 })).toBe(false);
        expect(allowed([egressOnly], { from: db, to: lan, port: 443 })).toBe(false);
        const ingressImplied: NetworkPolicy = { metadata: { name: "ii", namespace: "data" }, spec: { podSelector: {} } };
        expect(allowed([ingressImplied], { from: db, to: lan, port: 443 })).toBe(true);
        expect(allowed([ingressImplied], { from: stranger, to: db, port: 5432 })).toBe(false);
    });

    it("evaluates matchExpressions: In, NotIn, Exists, DoesNotExist", () => {
        const labels = { app: "db", tier: "data" };
        expect(selects({ matchExpressions: [{ key: "app", operator: "In", values: ["db", "cache"] }] }, labels)).toBe(true);
        expect(selects({ matchExpressions: [{ key: "app", operator: "In", values: ["cache"] }] }, labels)).toBe(false);
        expect(selects({ matchExpressions: [{ key: "app", operator: "NotIn", values: ["cache"] }] }, labels)).toBe(true);
        expect(selects({ matchExpressions: [{ key: "app", operator: "NotIn", values: ["db"] }] }, labels)).toBe(false);
        expect(selects({ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, labels)).toBe(true);
        expect(selects({ matchExpressions: [{ key: "tier", operator: "Exists" }] }, labels)).toBe(true);
        expect(selects({ matchExpressions: [{ key: "zone", operator: "Exists" }] }, labels)).toBe(false);
        expect(selects({ matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, labels)).toBe(true);
        expect(selects({ matchLabels: { app: "db" }, matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, labels)).toBe(false);
        expect(selects({}, labels)).toBe(true);
    });

    it("does CIDR arithmetic right at the edges", () => {
        expect(inCidr("10.42.255.255", "10.42.0.0/16")).toBe(true);
        expect(inCidr("10.43.0.0", "10.42.0.0/16")).toBe(false);
        expect(inCidr("10.42.3.0", "10.42.3.0/32")).toBe(true);
        expect(inCidr("10.42.3.1", "10.42.3.0/32")).toBe(false);
        expect(inCidr("203.0.113.9", "0.0.0.0/0")).toBe(true);
    });
});
