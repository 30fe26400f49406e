// A second app beside Shlink is one folder and one line in PARTS: given its Part, every cross-cutting layer takes it
// in (Pod Security, NetworkPolicies with the flows derived from its stance, the gateway's doors, the budget, its
// alerts), and a forgotten contribution is refused. "umami" here stands in for any web app behind the gateway.
import { describe, expect, it } from "vitest";
import { drillClaimErrors } from "../../components/contracts/checks";
import { pods, tcp } from "../../components/contracts/flows";
import type { Part } from "../../components/contracts/part";
import { ALWAYS, type PlacementConfig } from "../../components/contracts/placement";
import { checkedRuleSets } from "../../components/observability/monitoring";
import { networkPolicies } from "../../components/security/flows";
import { DRILL_CATALOG } from "../../programs/drills/catalog";
import { platformBudget } from "../../stacks/budget";
import { PARTS } from "../../stacks/parts";
import { createdNamespaces, labDoors, labFlows, placementProblems, podSecurityLevels, type FlowInputs } from "../../stacks/placement";
import { DOOR_PORTS as PORTS } from "../helpers/doorPorts";

const CONFIG: PlacementConfig = { mode: "proxmox", gitops: { argocd: true }, mesh: { ports: PORTS } };
const INPUTS: FlowInputs = { gatewayPorts: [80, 443, 3100], apiServer: { cidr: "192.168.2.0/24", ports: [6443] }, webhookCallers: ["10.42.0.0/32"] };
const UMAMI_PODS = pods("umami", { "app.kubernetes.io/name": "umami" });

/** What components/umami/part.ts would export. */
const umamiPart: Part = {
    name: "umami",
    namespaces: [{ kind: "own", name: "umami", podSecurity: "restricted", egress: "restricted", mesh: "envoy", ingress: "flows", createdWhen: ALWAYS }],
    flows: ({ peers }) => [{ name: "gateway-to-umami", from: peers.gateway, to: UMAMI_PODS, ports: tcp(3000), why: "Umami behind the gateway" }],
    doors: () => [{ door: { name: "umami", httpsPort: 3100, destination: { host: "umami.umami.svc.cluster.local", port: 3000 } }, routing: "edge", order: 10 }],
    vaultEntries: {},
    vaultReads: [],
    budget: () => [{ what: "umami/umami", cpu: 50, memory: 256, count: 2 }],
    monitors: [],
    rules: () => [
        {
            role: "umami-rules",
            name: "umami",
            groups: [
                {
                    name: "umami",
                    rules: [
                        {
                            alert: "UmamiDown",
                            expr: 'up{namespace="umami"} == 0',
                            for: "5m",
                            labels: { severity: "warning" },
                            annotations: { summary: "Umami is down", description: "No Umami pod answers Prometheus.", runbook: "docs/operating.md" },
                        },
                    ],
                },
            ],
        },
    ],
    dashboards: [],
    probes: () => [],
    drills: [],
};
const parts = [...PARTS, umamiPart];

describe("a second app, added as one Part", () => {
    it("holds together with the lab's parts", () => {
        expect(placementProblems(parts, CONFIG, INPUTS)).toEqual([]);
        expect(drillClaimErrors(parts, Object.keys(DRILL_CATALOG))).toEqual([]);
    });

    it("gets its namespace created at its Pod Security level, fenced, and the flows its stance implies", () => {
        expect(createdNamespaces(CONFIG, parts).map((ns) => ns.name)).toContain("umami");
        expect(podSecurityLevels(parts).umami).toBe("restricted");
        const policies = networkPolicies(labFlows(INPUTS, parts), createdNamespaces(CONFIG, parts)).filter((p) => p.metadata.namespace === "umami");
        expect(policies.map((p) => p.metadata.name).sort()).toEqual(
            // default-deny both ways (egress restricted); the gateway in; DNS, istiod and Jaeger out (egress restricted,
            // meshed); Prometheus scraping its Envoy.
            [
                "allow-gateway-to-umami",
                "allow-scrape-envoy-umami",
                "default-deny-egress",
                "default-deny-ingress",
                "egress-umami-dns",
                "egress-umami-to-istiod",
                "egress-umami-to-jaeger",
            ],
        );
    });

    it("gets its door at the gateway, its pods in the budget and its alert in Prometheus", () => {
        expect(labDoors(CONFIG, parts).edge.map((d) => d.name)).toContain("umami");
        expect(platformBudget({ shlinkReplicas: 3, nodeCount: 3, argocd: true }, parts)).toContainEqual({
            what: "umami/umami",
            cpu: 50,
            memory: 256,
            count: 2,
        });
        expect(checkedRuleSets(parts, { backups: [] }).find((set) => set.role === "umami-rules")?.groups[0].rules).toHaveLength(1);
    });

    it("is refused when it forgets what lets anything reach it, or leaves a contribution out", () => {
        const deaf: Part = { ...umamiPart, flows: () => [] };
        expect(placementProblems([...PARTS, deaf], CONFIG, INPUTS)).toEqual([
            "umami: namespace umami takes flows, but none of the part's flows reaches it",
            "door umami: no flow lets the gateway reach umami",
        ]);
        const withoutBudget: Omit<Part, "budget"> = umamiPart;
        // @ts-expect-error a part without its budget does not compile
        const forgot: Part = withoutBudget;
        expect(forgot.name).toBe("umami");
    });
});
