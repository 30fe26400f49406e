// Every part's placement holds together: each namespace it owns is reached by its own flows or says nothing
// reaches it, no namespace or flow is declared twice, every door lands in a part's namespace the gateway may reach;
// and the stack's derived lists (managed, created, Pod Security levels) come from the parts alone.
import { describe, expect, it } from "vitest";
import type { PartPlacement, PlacementConfig } from "../../components/contracts/placement";
import { ALWAYS } from "../../components/contracts/placement";
import { tcp } from "../../components/contracts/flows";
import { PARTS } from "../../stacks/parts";
import { createdNamespaces, labFlows, managedNamespaces, placementProblems, podSecurityLevels, type FlowInputs } from "../../stacks/placement";
import { DOOR_PORTS as PORTS } from "../helpers/doorPorts";

const config = (mode: "proxmox" | "cluster", argocd: boolean): PlacementConfig => ({ mode, gitops: { argocd }, mesh: { ports: PORTS } });
const CONFIGS = [config("proxmox", true), config("proxmox", false), config("cluster", true)];
const INPUTS: FlowInputs = {
    gatewayPorts: [80, 443],
    apiServer: { cidr: "192.168.2.0/24", ports: [6443] },
    webhookCallers: ["10.42.0.0/32"],
    offsiteBackupPort: 443,
};

/** A part with one namespace of its own, reached by `flows`. */
function part(name: string, flows: PartPlacement["flows"], doors: PartPlacement["doors"] = () => []) {
    return {
        name,
        namespaces: [
            {
                kind: "own" as const,
                name,
                podSecurity: "restricted" as const,
                egress: "open" as const,
                mesh: "none" as const,
                ingress: "flows" as const,
                createdWhen: ALWAYS,
            },
        ],
        flows,
        doors,
    };
}

describe("the parts' placements", () => {
    it.each(CONFIGS.map((c) => [`${c.mode}, argocd ${c.gitops.argocd}`, c] as const))("hold together (%s)", (_, c) => {
        expect(placementProblems(PARTS, c, INPUTS)).toEqual([]);
    });

    it("refuse a namespace that takes flows when none of its part's flows reaches it", () => {
        const lonely = part("lonely", () => []);
        expect(placementProblems([...PARTS, lonely], config("proxmox", true), INPUTS)).toEqual([
            "lonely: namespace lonely takes flows, but none of the part's flows reaches it",
        ]);
        const reached = part("lonely", () => [
            { name: "lonely-peers", from: { namespace: "lonely" }, to: { namespace: "lonely" }, ports: tcp(1), why: "peers" },
        ]);
        expect(placementProblems([...PARTS, reached], config("proxmox", true), INPUTS)).toEqual([]);
    });

    it("refuse a namespace said to take no flow that a flow reaches, a name declared twice, a door no flow opens", () => {
        const deaf = { ...part("deaf", () => [{ name: "k6-internal", from: { namespace: "deaf" }, to: { namespace: "deaf" }, ports: [], why: "x" }]) };
        const deafNone = { ...deaf, namespaces: [{ ...deaf.namespaces[0], ingress: "none" as const }] };
        expect(placementProblems([...PARTS, deafNone], config("proxmox", true), INPUTS)).toEqual([
            "deaf: namespace deaf takes no flow, but a flow reaches it",
            "flow k6-internal declared twice",
        ]);
        const door = () => [
            { door: { name: "shut", httpsPort: 9999, destination: { host: "shut.shut.svc.cluster.local", port: 80 } }, routing: "edge" as const, order: 9 },
        ];
        const shut = part("shut", () => [{ name: "shut-peers", from: { namespace: "shut" }, to: { namespace: "shut" }, ports: [], why: "x" }], door);
        expect(placementProblems([...PARTS, shut], config("proxmox", true), INPUTS)).toEqual(["door shut: no flow lets the gateway reach shut"]);
        const stray = part(
            "stray",
            () => [{ name: "stray-peers", from: { namespace: "stray" }, to: { namespace: "stray" }, ports: [], why: "x" }],
            () => [{ ...door()[0], door: { ...door()[0].door, name: "stray" } }],
        );
        expect(placementProblems([...PARTS, stray], config("proxmox", true), INPUTS)).toEqual(["door stray: its namespace shut is no part's"]);
        // Shlink's door is order 0: a second door there would reorder the gateway Service's ports.
        const open = part("shut", shut.flows, () => [{ ...door()[0], order: 0 }]);
        const gateway = (c: Parameters<typeof shut.flows>[0]) => [
            { name: "gateway-to-shut", from: c.peers.gateway, to: { namespace: "shut" }, ports: [], why: "x" },
        ];
        expect(placementProblems([...PARTS, { ...open, flows: gateway }], config("proxmox", true), INPUTS)).toEqual(["door order 0 given twice"]);
    });

    it("will not compile without flows, doors or a namespace's Pod Security level", () => {
        // @ts-expect-error -- a placement without flows
        const noFlows: PartPlacement = { namespaces: [], doors: () => [] };
        // @ts-expect-error -- a placement without doors
        const noDoors: PartPlacement = { namespaces: [], flows: () => [] };
        const noLevel: PartPlacement = {
            // @ts-expect-error -- a namespace of ours without its Pod Security level
            namespaces: [{ kind: "own", name: "x", egress: "open", mesh: "none", ingress: "none", createdWhen: ALWAYS }],
            flows: () => [],
            doors: () => [],
        };
        expect([noFlows, noDoors, noLevel]).toHaveLength(3);
    });
});

describe("what the stack derives from them", () => {
    it("manages every part's namespace, K3s' system ones too, and creates the smoke Job's only in cluster mode, Argo CD's only when on", () => {
        expect(managedNamespaces()).toEqual(expect.arrayContaining(["kube-system", "kube-public", "kube-node-lease", "argocd", "smoke-check", "shlink"]));
        const created = (c: PlacementConfig) => createdNamespaces(c).map((ns) => ns.name);
        expect(created(config("proxmox", true))).not.toContain("smoke-check");
        expect(created(config("cluster", true))).toContain("smoke-check");
        expect(created(config("proxmox", false))).not.toContain("argocd");
        expect(created(config("proxmox", true))).not.toContain("kube-system");
        expect(created(config("cluster", true)).sort()).toEqual(Object.keys(podSecurityLevels()).sort());
    });

    it("restricts egress in the data stores and the app, and gives their pods DNS; meshes Shlink and the gateway", () => {
        const names = labFlows(INPUTS).map((f) => f.name);
        expect(names.filter((n) => n.endsWith("-dns"))).toEqual(["postgres-dns", "redis-dns", "shlink-dns"]);
        expect(names.filter((n) => n.endsWith("-to-istiod") && n !== "kiali-to-istiod")).toEqual(["shlink-to-istiod", "istio-ingress-to-istiod"]);
        expect(names.filter((n) => n.startsWith("scrape-envoy-"))).toEqual(["scrape-envoy-shlink", "scrape-envoy-istio-ingress"]);
    });
});
