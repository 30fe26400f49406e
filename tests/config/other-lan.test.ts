// Issue 8: a stack for another LAN and another Proxmox node builds with no trace of the seed lab's values.
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../components/config";
import { capacityPlan } from "../../stacks/capacity";
import { homelab, type HomelabOutputs } from "../../stacks/homelab";
import { GOOD_HOST, proxmoxInvokes } from "../helpers/proxmoxHost";
import { runUnderMocks, TEST_SECRETS, valueOf, type Ledger } from "../helpers/pulumi";
import { ed25519Pair } from "../helpers/sshKeys";

const keys = ed25519Pair("someone@elsewhere");
/** A user on 10.0.10.0/24 with one 32 GiB Proxmox host named pve, set up only with the README's commands. */
const OTHER_LAN: Record<string, string> = {
    "proxmoxve:endpoint": "https://10.0.10.5:8006/",
    "proxmoxve:insecure": "true",
    "proxmoxve:apiToken": TEST_SECRETS["proxmoxve:apiToken"],
    "homelab:proxmoxNode": "pve",
    "homelab:subnet": "10.0.10.0/24",
    "homelab:nodes": JSON.stringify([21, 22, 23].map((n, i) => ({ name: `k3s-node-0${i + 1}`, ip: `10.0.10.${n}` }))),
    "homelab:hostMemoryGiB": "32",
    "homelab:vmMemoryMiB": "8192",
    "homelab:sshPublicKey": keys.publicKey,
    "homelab:sshPrivateKey": keys.privateKey,
};

describe("a stack for another LAN", () => {
    let ledger: Ledger;
    let outputs: HomelabOutputs;

    beforeAll(async () => {
        // Their Proxmox: a 32 GiB host named pve with 12 threads (3 VMs × 4 vCPUs).
        const pve = { ...GOOD_HOST.nodes[0], name: "pve", memoryGiB: 32, threads: 12 };
        ({ ledger, result: outputs } = await runUnderMocks(OTHER_LAN, () => homelab(loadConfig(capacityPlan)), {
            invokes: proxmoxInvokes({ ...GOOD_HOST, nodes: [pve] }),
        }));
    });

    it("builds the whole stack on that LAN and that Proxmox node", () => {
        const servers = ledger.ofType("proxmoxve:index/vmLegacy:VmLegacy");
        expect(servers.map((r) => r.inputs.nodeName)).toEqual(["pve", "pve", "pve"]);
        expect(servers.map((r) => r.inputs.initialization.ipConfigs[0].ipv4)).toEqual(
            [21, 22, 23].map((n) => ({ address: `10.0.10.${n}/24`, gateway: "10.0.10.1" })),
        );
        expect(servers.map((r) => r.inputs.initialization.dns.servers)).toEqual([["10.0.10.1"], ["10.0.10.1"], ["10.0.10.1"]]);
        expect(ledger.resources.length).toBeGreaterThan(80);
    });

    it("leaves no trace of the seed lab (192.168.2., um790) in any resource's inputs", () => {
        for (const r of ledger.resources) {
            const text = JSON.stringify(r.inputs);
            expect(text, r.name).not.toContain("192.168.2.");
            expect(text, r.name).not.toContain("um790");
        }
    });

    it("serves its URLs on the new LAN", async () => {
        expect(await valueOf(outputs.shlinkUrl)).toBe("https://10.0.10.21");
    });
});
