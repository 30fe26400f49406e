// The Proxmox preflight: the pure checks against each kind of bad host, then the whole stack under mocks with
// the invokes answering for a good host and for each bad one.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../components/config";
import { capacityPlan } from "../../stacks/capacity";
import { preflightProblems, type PreflightPlan, type ProxmoxFacts } from "../../components/proxmox/preflight";
import { homelab } from "../../stacks/homelab";
import { fullConfig, runUnderMocks, type Ledger } from "../helpers/pulumi";
import { GOOD_HOST, proxmoxInvokes, type FakeProxmox } from "../helpers/proxmoxHost";

const VM = "proxmoxve:index/vmLegacy:VmLegacy";
const IMAGE = "proxmoxve:download/file:File";
const GIB = 1024 ** 3;

/** The lab's plan: three 4 vCPU / 10 GiB servers on um790, image on `local`, disks on `local-lvm`. */
const PLAN: PreflightPlan = {
    vms: [1, 2, 3].map((i) => ({ name: `k3s-node-0${i}`, proxmoxNode: "um790", cores: 4, memoryMiB: 10240 })),
    imageDatastore: "local",
    vmDatastore: "local-lvm",
    reservedMemoryGiB: 4,
};

/** The facts the invokes report for a fake host (what proxmoxFacts assembles from them). */
function factsOf(host: FakeProxmox): ProxmoxFacts {
    return {
        version: host.version,
        nodes: host.nodes.map((n) => ({ name: n.name, online: n.online })),
        hosts: Object.fromEntries(
            host.nodes.filter((n) => n.online).map((n) => [n.name, { memoryTotalBytes: n.memoryGiB * GIB, cpuCount: n.threads, datastores: n.datastores }]),
        ),
    };
}

const um790 = GOOD_HOST.nodes[0];
const withNode = (changes: Partial<typeof um790>): FakeProxmox => ({ ...GOOD_HOST, nodes: [{ ...um790, ...changes }] });

/** Each bad host, and what the one error must say about it. */
const BAD_HOSTS: Record<string, { host: FakeProxmox; message: RegExp }> = {
    "the configured node does not exist": {
        host: { ...GOOD_HOST, nodes: [{ ...um790, name: "pve" }] },
        message: /Proxmox node "um790" does not exist \(the cluster has: pve\)\. Set homelab:proxmoxNode/,
    },
    "the configured node is offline": {
        host: withNode({ online: false }),
        message: /Proxmox node "um790" is offline/,
    },
    "Proxmox VE is older than 8.4": {
        host: { ...GOOD_HOST, version: "8.3.5" },
        message: /Proxmox VE 8\.3\.5 is older than 8\.4: .*"import" content type.*Upgrade Proxmox VE/,
    },
    "the image datastore lacks the import content type": {
        host: withNode({
            datastores: [
                { id: "local", contentTypes: ["iso", "vztmpl", "backup"] },
                { id: "local-lvm", contentTypes: ["images", "rootdir"] },
            ],
        }),
        message: /Datastore "local" on Proxmox node "um790" does not allow the "import" content type \(it allows: iso, vztmpl, backup\)/,
    },
    "the VM datastore does not exist on the node": {
        host: withNode({ datastores: [{ id: "local", contentTypes: ["iso", "import", "images"] }] }),
        message: /Datastore "local-lvm" does not exist on Proxmox node "um790" \(it has: local\)\. Set homelab:vmDatastore/,
    },
    "the host's real memory cannot hold its VMs": {
        host: withNode({ memoryGiB: 32 }),
        message: /Proxmox node "um790" reports 32768 MiB of memory, 28672 MiB for guests .* need 30720 MiB/,
    },
    "the host's real threads cannot run its VMs": {
        host: withNode({ threads: 8 }),
        message: /Proxmox node "um790" reports 8 threads but its VMs \(k3s-node-01, k3s-node-02, k3s-node-03\) need 12 vCPUs/,
    },
};

describe("preflightProblems", () => {
    it("finds nothing wrong with the lab's host", () => {
        expect(preflightProblems(factsOf(GOOD_HOST), PLAN)).toEqual([]);
    });

    it("accepts later Proxmox VE releases (8.10, 9.0)", () => {
        for (const version of ["8.4.0", "8.10.1", "9.0.3"]) {
            expect(preflightProblems({ ...factsOf(GOOD_HOST), version }, PLAN), version).toEqual([]);
        }
    });

    for (const [what, { host, message }] of Object.entries(BAD_HOSTS)) {
        it(`reports exactly one problem when ${what}`, () => {
            const problems = preflightProblems(factsOf(host), PLAN);
            expect(problems).toHaveLength(1);
            expect(problems[0]).toMatch(message);
        });
    }

    it("checks every Proxmox node that hosts a VM, each against its own totals and datastores", () => {
        const pve2 = { ...um790, name: "pve2", memoryGiB: 8, datastores: [{ id: "local", contentTypes: ["iso"] }] };
        const plan = { ...PLAN, vms: [PLAN.vms[0], PLAN.vms[1], { ...PLAN.vms[2], proxmoxNode: "pve2" }] };
        const problems = preflightProblems(factsOf({ ...GOOD_HOST, nodes: [um790, pve2] }), plan);
        expect(problems).toHaveLength(3);
        expect(problems[0]).toMatch(/"local" on Proxmox node "pve2" does not allow the "import"/);
        expect(problems[1]).toMatch(/"local-lvm" does not exist on Proxmox node "pve2"/);
        expect(problems[2]).toMatch(/"pve2" reports 8192 MiB .*\(k3s-node-03\) need 10240 MiB/);
    });
});

describe("the stack under mocks, asking a good Proxmox host", () => {
    let ledger: Ledger;

    beforeAll(async () => {
        ({ ledger } = await runUnderMocks(fullConfig(), () => homelab(loadConfig(capacityPlan)), {
            invokes: proxmoxInvokes(GOOD_HOST),
        }));
    });

    it("creates the image and every VM, each VM's node name coming through the preflight", () => {
        expect(ledger.ofType(IMAGE)).toHaveLength(1);
        expect(ledger.ofType(VM).map((vm) => vm.inputs.nodeName)).toEqual(["um790", "um790", "um790"]);
    });
});

describe("the stack under mocks, asking a bad Proxmox host", () => {
    const runs: Record<string, { ledger: Ledger; failure?: Error }> = {};

    beforeAll(async () => {
        for (const [what, { host }] of Object.entries(BAD_HOSTS)) {
            runs[what] = await runUnderMocks(fullConfig(), () => homelab(loadConfig(capacityPlan)), {
                invokes: proxmoxInvokes(host),
                expectFailure: true,
            });
        }
    }, 60_000);

    for (const [what, { message }] of Object.entries(BAD_HOSTS)) {
        it(`stops with one RunError and registers no VM and no image when ${what}`, () => {
            const { ledger, failure } = runs[what];
            expect(pulumi.RunError.isInstance(failure)).toBe(true);
            // Pulumi prefixes the property through which the error reached a resource; a RunError has no stack trace.
            expect(failure!.message).toMatch(
                /^error serializing property "nodeName": The Proxmox preflight found 1 problem\(s\); no VM was created:\n {2}- [^\n]+$/,
            );
            expect(failure!.message).toMatch(message);
            expect(ledger.ofType(VM)).toEqual([]);
            expect(ledger.ofType(IMAGE)).toEqual([]);
            // The provider is what the invokes ran through.
            expect(ledger.ofType("pulumi:providers:proxmoxve")).toHaveLength(1);
        });
    }
});
