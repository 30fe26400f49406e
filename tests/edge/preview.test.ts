// The first `pulumi preview` of a new stack, under mocks that answer as the engine does then: every new resource's id
// and computed outputs unknown. A read (`<Resource>.get`) whose id is known in that preview would read an object
// that does not exist yet, and the preview stops ("resource '…' does not exist"): no read may have one.
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../components/config";
import { capacityPlan } from "../../stacks/capacity";
import { homelab } from "../../stacks/homelab";
import { clusterStackConfig } from "../helpers/clusterStack";
import { fullConfig, runUnderMocks, UNKNOWN_ID } from "../helpers/pulumi";

describe.each([
    ["Proxmox mode", () => fullConfig()],
    ["cluster mode", () => clusterStackConfig()],
])("the first preview of a new stack (%s)", (_mode, config) => {
    it("makes no read with an id known before the object it reads exists", async () => {
        const { ledger, result } = await runUnderMocks(config(), () => homelab(loadConfig(capacityPlan)), { preview: true });
        // A preview indeed: what only the cluster knows (the CA's certificate, read back) is unknown.
        expect(pulumi.runtime.isDryRun()).toBe(true);
        expect(await (result.labCaCertificate as unknown as { isKnown: Promise<boolean> }).isKnown).toBe(false);
        const reads = ledger.resources.filter((r) => r.read);
        // The stack reads cert-manager's CA Secret back: the read is there, its id not known yet.
        expect(reads.map((r) => r.name)).toContain("edge-tls-ca-secret");
        expect(reads.filter((r) => r.readId !== UNKNOWN_ID).map((r) => `${r.name} (id ${r.readId})`)).toEqual([]);
    });
});
