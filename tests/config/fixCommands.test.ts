// Issue 20: every fix command in a message runs as written (the pinned CLI through npm, the README's key file),
// and a gateway or DNS server the VMs cannot reach from their subnet is refused or noted, with the fix.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { validateNetwork } from "../../components/config/network";
import { validateConfig } from "../../components/config";
import { capacityPlan } from "../../stacks/capacity";
import { raw } from "./raw";

const COMPONENTS = path.join(__dirname, "..", "..", "components");

/** Every .ts file under components/, its code lines only (comments name commands in prose). */
function codeLines(): { file: string; line: string }[] {
    const out: { file: string; line: string }[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                walk(full);
            } else if (entry.name.endsWith(".ts")) {
                for (const line of fs.readFileSync(full, "utf8").split("\n")) {
                    if (!/^\s*(\/\/|\/\*\*|\*)/.test(line)) {
                        out.push({ file: path.relative(COMPONENTS, full), line });
                    }
                }
            }
        }
    };
    walk(COMPONENTS);
    return out;
}

describe("fix commands", () => {
    it("never tell the user to run a bare `pulumi config` (maybe absent or another version) or `npx pulumi` (fetches the latest)", () => {
        const offending = codeLines().filter(({ line }) => /(?<!npm run )\bpulumi config (set|rm|get)\b|npx pulumi/.test(line));
        expect(offending).toEqual([]);
    });

    it("in the stack files' and Pulumi.yaml's comments too", () => {
        const root = path.join(COMPONENTS, "..");
        for (const file of fs.readdirSync(root).filter((f) => /^Pulumi(\..+)?\.yaml$/.test(f))) {
            const text = fs.readFileSync(path.join(root, file), "utf8");
            expect(
                text.split("\n").filter((line) => /(?<!npm run )\bpulumi (config|stack) |npx pulumi|id_ed25519/.test(line)),
                file,
            ).toEqual([]);
        }
    });

    it("name the key file the README has the user make (~/.ssh/homelab), not ~/.ssh/id_ed25519", () => {
        expect(codeLines().filter(({ line }) => line.includes("id_ed25519"))).toEqual([]);
        const problems = validateConfig(raw({ "homelab:sshPublicKey": undefined, "homelab:sshPrivateKey": undefined }), capacityPlan).problems;
        expect(problems).toEqual([
            'homelab:sshPublicKey is not set: npm run pulumi -- config set homelab:sshPublicKey "$(cat ~/.ssh/homelab.pub)"',
            "homelab:sshPrivateKey is not set: npm run pulumi -- config set --secret homelab:sshPrivateKey < ~/.ssh/homelab",
        ]);
    });
});

describe("the VMs' gateway and DNS servers", () => {
    /** The README's other LAN, with the seed lab's gateway and DNS server left behind. */
    const otherLan = (overrides: Record<string, string | undefined>) =>
        validateNetwork(raw({ "homelab:subnet": "10.0.10.0/24", "homelab:gateway": undefined, "homelab:dnsServers": undefined, ...overrides }).homelab);

    it("refuses a gateway outside the subnet, with the command to set it and the one to take the default", () => {
        expect(otherLan({ "homelab:gateway": "192.168.2.1" }).problems).toEqual([
            "homelab:gateway 192.168.2.1 is not a host address of homelab:subnet 10.0.10.0/24, so the VMs cannot reach it: set your router's " +
                "address in 10.0.10.0/24 (npm run pulumi -- config set homelab:gateway <router address>), or npm run pulumi -- config rm homelab:gateway " +
                "for 10.0.10.1.",
        ]);
    });

    it("notes a private DNS server outside the subnet (a value left from another LAN), with the command that sets the gateway's", () => {
        const result = otherLan({ "homelab:dnsServers": JSON.stringify(["192.168.2.1"]) });
        expect(result.problems).toEqual([]);
        expect(result.notes).toEqual([
            "homelab:dnsServers entry 192.168.2.1 is a private address outside homelab:subnet 10.0.10.0/24: the VMs reach it only if the " +
                "gateway routes there (else apt and the K3s download fail inside the VMs). If it is left from another LAN: " +
                'npm run pulumi -- config set --path "homelab:dnsServers[0]" 10.0.10.1',
        ]);
    });

    it("refuses DNS servers no VM can query (loopback, link-local, multicast, the subnet's network and broadcast)", () => {
        for (const server of ["127.0.0.53", "169.254.1.1", "224.0.0.251", "0.0.0.0", "255.255.255.255"]) {
            expect(otherLan({ "homelab:dnsServers": JSON.stringify([server]) }).problems, server).toEqual([
                `homelab:dnsServers entry ${server} is not an address a VM can send queries to: npm run pulumi -- config set --path "homelab:dnsServers[0]" 10.0.10.1`,
            ]);
        }
        for (const server of ["10.0.10.0", "10.0.10.255"]) {
            expect(otherLan({ "homelab:dnsServers": JSON.stringify([server]) }).problems, server).toEqual([
                `homelab:dnsServers entry ${server} is the network or broadcast address of homelab:subnet: npm run pulumi -- config set --path "homelab:dnsServers[0]" 10.0.10.1`,
            ]);
        }
    });

    it("takes a DNS server inside the subnet, a public one, and the default (the gateway) without a word", () => {
        for (const servers of [["10.0.10.53"], ["1.1.1.1", "9.9.9.9"], undefined]) {
            const result = otherLan({ "homelab:dnsServers": servers && JSON.stringify(servers) });
            expect([result.problems, result.notes], String(servers)).toEqual([[], []]);
        }
    });
});
