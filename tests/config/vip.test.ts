// homelab:vip and homelab:servicesVip: both or neither, free host addresses of the subnet, distinct.
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../components/config";
import { capacityPlan } from "../../stacks/capacity";
import { node, nodes, problemsOf, raw } from "./raw";

const VIPS = { "homelab:vip": "192.168.2.240", "homelab:servicesVip": "192.168.2.241" };

describe("homelab:vip", () => {
    it("is optional: unset, the network has no VIP", () => {
        const { config, problems } = validateConfig(raw(), capacityPlan);
        expect(problems).toEqual([]);
        expect(config!.network).not.toHaveProperty("vip");
        expect(config!.network).not.toHaveProperty("servicesVip");
    });

    it("accepts two free host addresses of the subnet", () => {
        const { config, problems } = validateConfig(raw(VIPS), capacityPlan);
        expect(problems).toEqual([]);
        expect(config!.network.vip).toBe("192.168.2.240");
        expect(config!.network.servicesVip).toBe("192.168.2.241");
    });

    it("needs homelab:servicesVip with it, since kube-vip cannot share one address (kube-vip#464)", () => {
        expect(problemsOf({ "homelab:vip": "192.168.2.240" })).toEqual([
            expect.stringMatching(
                /^homelab:vip is set without homelab:servicesVip: .*kube-vip\/kube-vip#464.*npm run pulumi -- config set homelab:servicesVip/,
            ),
        ]);
        expect(problemsOf({ "homelab:servicesVip": "192.168.2.241" })).toEqual([expect.stringMatching(/^homelab:servicesVip is set without homelab:vip/)]);
    });

    it("refuses the same address for both", () => {
        expect(problemsOf({ ...VIPS, "homelab:servicesVip": "192.168.2.240" })).toEqual([
            "homelab:servicesVip 192.168.2.240 is already homelab:vip: the two addresses must differ (kube-vip/kube-vip#464).",
        ]);
    });

    it("refuses an address outside the subnet, the network and broadcast addresses, the gateway and a non-address", () => {
        for (const [key, value, message] of [
            ["homelab:vip", "192.168.3.240", "homelab:vip 192.168.3.240 is not a host address inside homelab:subnet"],
            ["homelab:vip", "192.168.2.0", "homelab:vip 192.168.2.0 is not a host address inside homelab:subnet"],
            ["homelab:servicesVip", "192.168.2.255", "homelab:servicesVip 192.168.2.255 is not a host address inside homelab:subnet"],
            ["homelab:vip", "192.168.2.1", "homelab:vip 192.168.2.1 is the gateway's address"],
            ["homelab:servicesVip", "192.168.2.1", "homelab:servicesVip 192.168.2.1 is the gateway's address"],
            ["homelab:vip", "192.168.2.240/24", 'homelab:vip must be an IPv4 address without prefix, such as 10.0.10.20 (got "192.168.2.240/24")'],
        ]) {
            const problems = problemsOf({ ...VIPS, [key]: value });
            expect(problems, `${key}=${value}`).toHaveLength(1);
            expect(problems[0], `${key}=${value}`).toContain(message);
        }
    });

    it("refuses a node that owns either address", () => {
        for (const [key, ip] of [
            ["homelab:vip", "192.168.2.243"],
            ["homelab:servicesVip", "192.168.2.244"],
        ]) {
            const problems = problemsOf({ ...VIPS, [key]: ip });
            expect(problems, key).toEqual([
                `homelab:nodes[${ip === "192.168.2.243" ? 1 : 2}].ip ${ip} is ${key}: kube-vip moves that address between the nodes, so no node may own it.`,
            ]);
        }
        expect(problemsOf({ ...VIPS, "homelab:nodes": nodes(node(1), node(2), { name: "k3s-node-03", ip: "192.168.2.240" }) })).toEqual([
            "homelab:nodes[2].ip 192.168.2.240 is homelab:vip: kube-vip moves that address between the nodes, so no node may own it.",
        ]);
    });

    it("is a known key, with a hint for a near miss", () => {
        expect(problemsOf({ ...VIPS, "homelab:servicesVIP": "192.168.2.241" })[0]).toContain("did you mean homelab:servicesVip?");
    });
});
