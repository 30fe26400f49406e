// The VMs on two Proxmox hosts: one image per host, a host's VMs created one after another, hosts in parallel.
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../components/config";
import { capacityPlan } from "../../stacks/capacity";
import { ServerVms } from "../../components/proxmox/ServerVms";
import { fullConfig, runUnderMocks, type Ledger } from "../helpers/pulumi";
import { GOOD_HOST, proxmoxInvokes } from "../helpers/proxmoxHost";

const VM = "proxmoxve:index/vmLegacy:VmLegacy";
const IMAGE = "proxmoxve:download/file:File";
const PLACEMENT = { a: "pve1", b: "pve2", c: "pve1", d: "pve2", e: "pve1" };

describe("ServerVms on two Proxmox hosts", () => {
    let ledger: Ledger;

    beforeAll(async () => {
        const nodes = Object.entries(PLACEMENT).map(([n, proxmoxNode], i) => ({
            name: `k3s-${n}`,
            ip: `192.168.2.${242 + i}`,
            cores: 2,
            memoryMiB: 5120,
            proxmoxNode,
        }));
        const hosts = { ...GOOD_HOST, nodes: ["pve1", "pve2"].map((name) => ({ ...GOOD_HOST.nodes[0], name })) };
        ({ ledger } = await runUnderMocks(
            // Five 5 GiB VMs hold the platform (Argo CD off) with one drained.
            fullConfig({ "homelab:nodes": JSON.stringify(nodes), "homelab:shlinkReplicas": "3", "homelab:argocd": "false" }),
            () => {
                const config = loadConfig(capacityPlan);
                if (config.mode !== "proxmox") {
                    throw new Error("a stack with homelab:nodes is in Proxmox mode");
                }
                const provider = new proxmoxve.Provider("proxmox", { endpoint: config.proxmox.endpoint });
                return new ServerVms("vms", { ...config, reservedMemoryGiB: config.host.reservedMemoryGiB, provider });
            },
            { invokes: proxmoxInvokes(hosts) },
        ));
    });

    it("downloads the image once onto each host, the download's node name coming through the preflight", () => {
        const images = ledger.ofType(IMAGE);
        expect(images.map((i) => [i.name, i.inputs.nodeName])).toEqual([
            ["vms-image-pve1", "pve1"],
            ["vms-image-pve2", "pve2"],
        ]);
    });

    it("creates each host's VMs one after another and never waits on a VM of another host", () => {
        const dependsOn = Object.fromEntries(ledger.ofType(VM).map((vm) => [vm.name, vm.dependsOn]));
        expect(dependsOn).toEqual({
            "vms-k3s-a": [],
            "vms-k3s-b": [],
            "vms-k3s-c": ["vms-k3s-a"],
            "vms-k3s-d": ["vms-k3s-b"],
            "vms-k3s-e": ["vms-k3s-c"],
        });
        for (const vm of ledger.ofType(VM)) {
            const host = vm.inputs.nodeName as string;
            expect(host).toBe(PLACEMENT[vm.name.replace("vms-k3s-", "") as keyof typeof PLACEMENT]);
            expect(vm.inputs.disks[0].importFrom).toBe(`vms-image-${host}-id`);
            for (const other of ledger.waitsFor(vm.name)) {
                if (ledger.resources.some((r) => r.name === other && r.type === VM)) {
                    expect(ledger.byName(other).inputs.nodeName, `${vm.name} waits for ${other}`).toBe(host);
                }
            }
        }
    });

    it("keeps the image downloaded by the deprecated FileLegacy: an alias from its type, and a new URL alone changes nothing", () => {
        for (const image of ledger.ofType(IMAGE)) {
            const registration = ledger.registrations.find((r) => r.name === image.name);
            expect(registration?.aliases).toEqual([expect.objectContaining({ type: "proxmoxve:download/fileLegacy:FileLegacy" })]);
            expect(image.ignoreChanges).toEqual(["url"]);
            expect(image.inputs).toMatchObject({ contentType: "import", checksumAlgorithm: "sha256", datastoreId: "local" });
        }
    });
});
