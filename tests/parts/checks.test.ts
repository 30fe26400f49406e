// The checks quarter of the parts' contract: every smoke check and every drill is exactly one part's, the smoke check's
// inputs come from the parts' probes, and a part that forgets a contribution does not compile or is refused.
import { describe, expect, it } from "vitest";
import { drillClaimErrors, type PartChecks } from "../../components/contracts/checks";
import { DRILL_CATALOG } from "../../programs/drills/catalog";
import { smokeTargets } from "../../components/smoke/probes";
import { SMOKE_CHECK_NAMES } from "../../components/smoke/script";
import { ESO_API } from "../../components/kubernetes/externalSecrets";
import { readerNamespaces } from "../../components/secrets/catalog";
import { KIALI } from "../../components/observability/facts";
import { PARTS } from "../../stacks/parts";
import { LAB_VAULT_ENTRIES } from "../../stacks/vault";
import { DOOR_PORTS as PORTS } from "../helpers/doorPorts";

/** A door's URL as the stack writes it, on a made-up address. */
const url = (door: Parameters<Parameters<typeof smokeTargets>[2]>[0]) =>
    `${door.scheme}://lab:${door.port}${"path" in door && door.path !== undefined ? door.path : ""}`;
const DRILL_IDS = Object.keys(DRILL_CATALOG);
/** The namespaces reading from Vault, as the stack hands them to the smoke check. */
const READERS = readerNamespaces(LAB_VAULT_ENTRIES);

describe("the parts' smoke probes", () => {
    it("give the smoke check every URL it calls and the ExternalSecrets it reads, each from the part it proves", () => {
        expect(smokeTargets(PARTS, PORTS, url, READERS)).toEqual({
            shlinkUrl: "https://lab:443",
            shlinkHttpUrl: "http://lab:80",
            grafanaUrl: "https://lab:3000",
            kialiHealthUrl: `https://lab:20001${KIALI.webRoot}/healthz`,
            jaegerUrl: "https://lab:16686",
            vaultUrl: "https://lab:8200",
            externalSecretsApiVersion: ESO_API.externalSecret.apiVersion,
            externalSecretNamespaces: READERS,
        });
        const owner = (check: string) => PARTS.filter((p) => p.probes(PORTS).some((probe) => probe.check === check)).map((p) => p.name);
        expect(Object.fromEntries(SMOKE_CHECK_NAMES.map((check) => [check, owner(check)]))).toEqual({
            nodes_ready: ["k3s"],
            shlink_health: ["apps"],
            http_redirects: ["edge"],
            api_needs_key: ["mesh"],
            short_url_redirects: ["apps"],
            grafana: ["observability"],
            kiali: ["observability"],
            jaeger: ["observability"],
            vault: ["secrets"],
            external_secrets: ["secrets"],
        });
    });

    it("refuses parts that leave a check unclaimed, or claim one twice", () => {
        const withoutEdge = PARTS.filter((p) => p.name !== "edge");
        expect(() => smokeTargets(withoutEdge, PORTS, url, READERS)).toThrow("every smoke check must be exactly one part's probe: http_redirects (0)");
        const twice: Pick<PartChecks, "probes"> = { probes: () => [{ check: "nodes_ready" }] };
        expect(() => smokeTargets([...PARTS, twice], PORTS, url, READERS)).toThrow("every smoke check must be exactly one part's probe: nodes_ready (2)");
    });
});

describe("the parts' drills", () => {
    it("claim every drill of the catalog exactly once, and no drill outside it", () => {
        expect(DRILL_IDS.length).toBeGreaterThan(0);
        expect(drillClaimErrors(PARTS, DRILL_IDS)).toEqual([]);
    });

    it("are refused when a drill is no part's, two parts claim one, or a part claims one the catalog lacks", () => {
        const parts = PARTS.map((p) =>
            p.name === "mesh" ? { ...p, drills: ["istiod", "mesh-split"] } : p.name === "data" ? { ...p, drills: ["postgres-primary", "redis-master"] } : p,
        );
        const edgeToo = parts.map((p) => (p.name === "edge" ? { ...p, drills: [...p.drills, "istiod"] } : p));
        expect(drillClaimErrors(edgeToo, DRILL_IDS)).toEqual([
            "drill backup-restore is no part's",
            "drill istiod is claimed by mesh and edge",
            "mesh claims mesh-split, which is no drill",
        ]);
    });

    it("and a part that forgets its probes or its drills does not compile", () => {
        // @ts-expect-error -- probes is required: a part with nothing to prove gives () => []
        const noProbes: PartChecks = { drills: [] };
        // @ts-expect-error -- drills is required: a part no drill takes away gives []
        const noDrills: PartChecks = { probes: () => [] };
        // @ts-expect-error -- a probe names one of the smoke check's checks, with what that check needs (a door)
        const unknownCheck: PartChecks = { probes: () => [{ check: "grafana" }], drills: [] };
        expect([noProbes, noDrills, unknownCheck]).toHaveLength(3);
    });
});
