// homelab:vip and homelab:servicesVip: the whole stack under mocks with and without them. With them every URL
// and the exported kubeconfig name the VIPs; turning them on for an existing lab keeps every URN (the fixture of
// tests/urns.test.ts), replaces nothing, and changes only the inputs listed here.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as YAML from "yaml";
import { kubeVipManifest } from "../../components/k3s/kubeVip";
import { INTENDED_DELETIONS, matchState } from "../helpers/aliases";
import { runHomelab } from "../helpers/platform";
import { valueOf, type Ledger } from "../helpers/pulumi";
import type { HomelabOutputs } from "../../stacks/homelab";

const VIP = "192.168.2.240";
const SERVICES_VIP = "192.168.2.241";
const NODES = ["k3s-node-01", "k3s-node-02", "k3s-node-03"];
const NODE_IPS = ["192.168.2.242", "192.168.2.243", "192.168.2.244"];
const OLD_URNS: string[] = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "urns-09f9fe5.json"), "utf8"));

/** The K3s config.yaml an install step writes (the quoted heredoc's content). */
function k3sConfigIn(stdin: string): any {
    const lines = stdin.split("\n");
    const open = lines.findIndex((l) => l.endsWith("<<'K3S_CONFIG_EOF'"));
    return YAML.parse(lines.slice(open + 1, lines.indexOf("K3S_CONFIG_EOF")).join("\n"));
}

function kubeVipIn(stdin: string): string | undefined {
    const lines = stdin.split("\n");
    const open = lines.findIndex((l) => l.endsWith("<<'KUBE_VIP_EOF'"));
    return open < 0 ? undefined : `${lines.slice(open + 1, lines.indexOf("KUBE_VIP_EOF")).join("\n")}\n`;
}

const serverOf = (kubeconfig: string) => YAML.parse(kubeconfig).clusters.map((c: any) => c.cluster.server);

describe("one address that survives any node", () => {
    let before: { ledger: Ledger; result: HomelabOutputs };
    let after: { ledger: Ledger; result: HomelabOutputs };

    beforeAll(async () => {
        before = await runHomelab();
        after = await runHomelab({ "homelab:vip": VIP, "homelab:servicesVip": SERVICES_VIP });
    });

    it("names the services VIP in every URL output and Shlink's domain, and the API VIP in the kubeconfig and apiServerUrl", async () => {
        const out = after.result;
        expect(await valueOf(out.shlinkUrl)).toBe(`https://${SERVICES_VIP}`);
        expect(await valueOf(out.grafanaUrl)).toBe(`https://${SERVICES_VIP}:3000`);
        expect(await valueOf(out.kialiUrl)).toBe(`https://${SERVICES_VIP}:20001/kiali`);
        expect(await valueOf(out.jaegerUrl)).toBe(`https://${SERVICES_VIP}:16686`);
        expect(await valueOf(out.alertmanagerUrl)).toBe(`https://${SERVICES_VIP}:9093`);
        // Only kube-vip answers for the gateway: the certificate names the VIP and no node.
        expect(after.ledger.byName("edge-tls-serving-certificate").inputs.spec.ipAddresses).toEqual([SERVICES_VIP]);
        expect(await valueOf(out.apiServerUrl)).toBe(`https://${VIP}:6443`);
        expect(serverOf(await valueOf(out.kubeconfig))).toEqual([`https://${VIP}:6443`]);
        const env = after.ledger.byName("shlink-deployment").inputs.spec.template.spec.containers[0].env;
        expect(env).toEqual(expect.arrayContaining([{ name: "DEFAULT_DOMAIN", value: SERVICES_VIP }]));
        for (const ip of NODE_IPS) {
            for (const url of [out.shlinkUrl, out.grafanaUrl, out.kialiUrl, out.jaegerUrl, out.alertmanagerUrl, out.apiServerUrl]) {
                expect(await valueOf(url)).not.toContain(ip);
            }
        }
    });

    it("puts the VIP in every server's tls-san, turns ServiceLB off, joins through the VIP and ships kube-vip on every server", () => {
        const manifest = kubeVipManifest({ apiServer: VIP, services: SERVICES_VIP });
        NODES.forEach((node, i) => {
            const stdin = after.ledger.byName(`${node}-install`).inputs.stdin;
            const config = k3sConfigIn(stdin);
            expect(config["tls-san"], node).toEqual([...NODE_IPS, VIP]);
            expect(config.disable, node).toEqual(["traefik", "servicelb"]);
            expect(config.server, node).toBe(i === 0 ? undefined : `https://${VIP}:6443`);
            expect(kubeVipIn(stdin), node).toBe(manifest);
        });
        // The first server installs with the manifest in place; the joins wait for the VIP, i.e. for kube-vip.
        for (const node of NODES.slice(1)) {
            expect(after.ledger.byName(`${node}-wait-api`).inputs.stdin).toContain(`PING_URL='https://${VIP}:6443/ping'`);
            expect(after.ledger.waitsFor(`${node}-wait-api`)).toContain("k3s-node-01-install");
        }
    });

    it("keeps Pulumi's provider on the first server, so its kubeconfig (and every Kubernetes resource) is unchanged", () => {
        const provider = (run: typeof before) => run.ledger.byName("k3s-k8s").inputs.kubeconfig;
        expect(serverOf(provider(after))).toEqual([`https://${NODE_IPS[0]}:6443`]);
        expect(provider(after)).toBe(provider(before));
    });

    it("without them, the lab is as before: node addresses, ServiceLB on, no kube-vip", async () => {
        const stdin = before.ledger.byName("k3s-node-02-install").inputs.stdin;
        expect(k3sConfigIn(stdin)["tls-san"]).toEqual(NODE_IPS);
        expect(k3sConfigIn(stdin).disable).toEqual(["traefik"]);
        expect(k3sConfigIn(stdin).server).toBe(`https://${NODE_IPS[0]}:6443`);
        expect(kubeVipIn(stdin)).toBeUndefined();
        expect(await valueOf(before.result.grafanaUrl)).toBe(`https://${NODE_IPS[0]}:3000`);
        expect(serverOf(await valueOf(before.result.kubeconfig))).toEqual([`https://${NODE_IPS[0]}:6443`]);
    });

    it("turning them on for an existing lab keeps every URN of the recorded stack and registers nothing new", () => {
        const match = matchState(OLD_URNS, after.ledger.registrations);
        // Only what the program removes on purpose (tests/urns.test.ts), as without the VIPs.
        expect([...match.deleted].sort()).toEqual(Object.keys(INTENDED_DELETIONS).sort());
        expect(match.claimedTwice).toEqual([]);
        expect(after.ledger.registrations.map((r) => r.urn).sort()).toEqual(before.ledger.registrations.map((r) => r.urn).sort());
    });

    it("changes only the install steps (tls-san, ServiceLB, kube-vip, join address), the joins' API wait, and what names the URLs", () => {
        const changed = after.ledger.resources
            .filter((r) => JSON.stringify(r.inputs) !== JSON.stringify(before.ledger.byName(r.name).inputs))
            .map((r) => ({
                name: r.name,
                keys: Object.keys(r.inputs).filter((k) => JSON.stringify(r.inputs[k]) !== JSON.stringify(before.ledger.byName(r.name).inputs[k])),
            }));
        const byName = Object.fromEntries(changed.map((c) => [c.name, c.keys]));
        for (const node of NODES) {
            // stdin: the install step updates in place (no triggers, so no replacement; its delete never runs).
            expect(byName[`${node}-install`], node).toEqual(["stdin"]);
        }
        for (const node of NODES.slice(1)) {
            expect(byName[`${node}-wait-api`], node).toEqual(["stdin"]);
        }
        for (const name of ["k3s-kubeconfig", "k3s-k8s", ...NODES.map((n) => `${n}-boot`), ...NODES.map((n) => `vms-${n}`)]) {
            expect(byName[name], name).toBeUndefined();
        }
        const steps = new Set(NODES.flatMap((n) => [`${n}-install`, `${n}-wait-api`]));
        // Everything else that changes carries the public address (URLs, Shlink's domain, the smoke check's URLs).
        for (const c of changed.filter((c) => !steps.has(c.name))) {
            const inputs = JSON.stringify(c.keys.map((k) => after.ledger.byName(c.name).inputs[k]));
            expect(inputs, c.name).toContain(SERVICES_VIP);
            expect(c.name, "no command other than the smoke check").not.toMatch(/-(boot|guest-agent|kubeconfig)$/);
        }
    });

    it("gives the one LoadBalancer Service, the ingress gateway's, the services VIP through kube-vip's annotation, and none without a VIP", () => {
        const annotation = { "kube-vip.io/loadbalancerIPs": SERVICES_VIP };
        const gateway = (run: typeof before) => run.ledger.byName("istio-gateway").inputs.values.service;
        expect(gateway(after)).toMatchObject({ type: "LoadBalancer", annotations: annotation });
        expect(gateway(before).type).toBe("LoadBalancer");
        expect(gateway(before).annotations).toBeUndefined();
        // The UIs sit behind the gateway: no other LoadBalancer to announce, and none carries the annotation.
        for (const r of after.ledger.resources.filter((x) => x.name !== "istio-gateway")) {
            expect(JSON.stringify(r.inputs), r.name).not.toContain('"LoadBalancer"');
            expect(JSON.stringify(r.inputs), r.name).not.toContain("kube-vip.io/loadbalancerIPs");
        }
    });
});
