// validateConfig as a whole: the lab's config, overrides, and every refusal with its message.
import { describe, expect, it } from "vitest";
import { capacityProblems, validateConfig, volumeProblems } from "../../components/config";
import { HA_MIN_NODES } from "../../components/config/defaults";
import { SHLINK } from "../../components/apps/facts";
import { capacityPlan } from "../../stacks/capacity";
import { node, nodes, problemsOf, raw } from "./raw";

describe("validateConfig", () => {
    it("accepts the lab's Pulumi.homelab.yaml and applies defaults", () => {
        const { config, problems } = validateConfig(raw(), capacityPlan);
        expect(problems).toEqual([]);
        expect(config!.nodes.map((n) => [n.name, n.ip, n.cores, n.memoryMiB, n.diskGiB, n.proxmoxNode])).toEqual([
            ["k3s-node-01", "192.168.2.242", 4, 10240, 100, "um790"],
            ["k3s-node-02", "192.168.2.243", 4, 10240, 100, "um790"],
            ["k3s-node-03", "192.168.2.244", 4, 10240, 100, "um790"],
        ]);
        expect(config!.network).toEqual({
            subnet: "192.168.2.0/24",
            prefixLength: 24,
            gateway: "192.168.2.1",
            dnsServers: ["192.168.2.1"],
            bridge: "vmbr0",
        });
        expect(config!.k3s.version).toBe("v1.34.9+k3s1");
        expect(config!.proxmox).toEqual({ endpoint: "https://192.168.2.10:8006/", insecure: true });
    });

    it("lets a node override its size and Proxmox host", () => {
        const { config } = validateConfig(
            raw({ "homelab:nodes": nodes(node(1), node(2, { cores: 2, memoryMiB: 4096, proxmoxNode: "pve2", vmId: 9002 }), node(3)) }),
            capacityPlan,
        );
        expect(config!.nodes[1]).toEqual({
            name: "k3s-node-02",
            ip: "192.168.2.243",
            cores: 2,
            memoryMiB: 4096,
            diskGiB: 100,
            proxmoxNode: "pve2",
            vmId: 9002,
        });
    });

    it.each([
        ["an even number of servers", { "homelab:nodes": nodes(node(1), node(2)) }, /odd number \(1, 3 or 5\)/],
        [
            "duplicate names",
            { "homelab:nodes": nodes(node(1), node(2), { ...node(3), name: "k3s-node-01" }) },
            /nodes\[2\]\.name "k3s-node-01" is already used by homelab:nodes\[0\]/,
        ],
        [
            "duplicate addresses",
            { "homelab:nodes": nodes(node(1), node(2), { ...node(3), ip: "192.168.2.242" }) },
            /nodes\[2\]\.ip 192\.168\.2\.242 is already used/,
        ],
        [
            "an address outside the subnet",
            { "homelab:nodes": nodes(node(1), node(2), { ...node(3), ip: "10.0.0.5" }) },
            /nodes\[2\]\.ip 10\.0\.0\.5 is not a host address inside homelab:subnet/,
        ],
        [
            "the gateway's address",
            { "homelab:nodes": nodes(node(1), node(2), { ...node(3), ip: "192.168.2.1" }) },
            /nodes\[2\]\.ip 192\.168\.2\.1 is the gateway's address/,
        ],
        ["the broadcast address", { "homelab:nodes": nodes(node(1), node(2), { ...node(3), ip: "192.168.2.255" }) }, /not a host address/],
        ["a malformed address", { "homelab:nodes": nodes(node(1), node(2), { ...node(3), ip: "192.168.2.300" }) }, /nodes\[2\]\.ip must be an IPv4 address/],
        ["an address with a prefix", { "homelab:nodes": nodes(node(1), node(2), { ...node(3), ip: "192.168.2.244/24" }) }, /without prefix/],
        ["a name that is no DNS label", { "homelab:nodes": nodes(node(1), node(2), { ...node(3), name: "K3s_Node" }) }, /lowercase DNS label/],
        ["an unknown node setting", { "homelab:nodes": nodes(node(1), node(2), { ...node(3), memory: 4096 }) }, /nodes\[2\]\.memory is not a node setting/],
        ["too few vCPUs", { "homelab:vmCores": "1" }, /1 vCPU is below the K3s server minimum of 2 \(set vmCores/],
        [
            "too little memory",
            { "homelab:nodes": nodes(node(1), node(2), node(3, { memoryMiB: 1024 })) },
            /nodes\[2\]: 1024 MiB is below the K3s server minimum of 2048 MiB/,
        ],
        ["a tiny disk", { "homelab:vmDiskGiB": "8" }, /8 GiB disk is below the minimum of 20 GiB/],
        ["a non-numeric size", { "homelab:vmMemoryMiB": "10G" }, /homelab:vmMemoryMiB must be a whole number/],
        ["a K3s version without the k3s suffix", { "homelab:k3sVersion": "v1.34.9" }, /homelab:k3sVersion must be a K3s release tag such as v1\.34\.9\+k3s1/],
        ["a K3s channel name", { "homelab:k3sVersion": "stable" }, /K3s release tag/],
        ["an http endpoint", { "proxmoxve:endpoint": "http://192.168.2.10:8006/" }, /proxmoxve:endpoint must be an https:\/\/ URL/],
        [
            "a missing endpoint",
            { "proxmoxve:endpoint": undefined },
            /proxmoxve:endpoint is not set: npm run pulumi -- config set proxmoxve:endpoint https:\/\//,
        ],
        [
            "a missing API token",
            { "proxmoxve:apiToken": undefined },
            /^proxmoxve:apiToken is not set: paste USER@REALM!TOKENID=UUID \(e\.g\. root@pam!homelab=<token-uuid>\) when Pulumi asks: npm run pulumi -- config set --secret proxmoxve:apiToken$/,
        ],
        ["a malformed API token", { "proxmoxve:apiToken": "hunter2" }, /USER@REALM!TOKENID=UUID \(value not shown\)/],
        [
            "a missing private key",
            { "homelab:sshPrivateKey": undefined },
            /homelab:sshPrivateKey is not set: npm run pulumi -- config set --secret homelab:sshPrivateKey < ~\/\.ssh\/homelab$/,
        ],
        ["a public key given as private key", { "homelab:sshPrivateKey": "ssh-ed25519 AAAA" }, /must be a PEM\/OpenSSH private key \(value not shown\)/],
        [
            "a missing public key",
            { "homelab:sshPublicKey": undefined },
            /^homelab:sshPublicKey is not set: npm run pulumi -- config set homelab:sshPublicKey "\$\(cat ~\/\.ssh\/homelab\.pub\)"$/,
        ],
        ["missing nodes", { "homelab:nodes": undefined }, /homelab:nodes is not set/],
        ["a gateway outside the subnet", { "homelab:gateway": "10.0.0.1" }, /homelab:gateway 10\.0\.0\.1 is not a host address of homelab:subnet/],
        ["a subnet with host bits", { "homelab:subnet": "192.168.2.7/24" }, /homelab:subnet must be an IPv4 network in CIDR form/],
        ["an image name Proxmox cannot import", { "homelab:imageFileName": "noble.img" }, /must end in \.qcow2, \.raw or \.vmdk/],
        ["a malformed checksum", { "homelab:imageSha256": "abc" }, /homelab:imageSha256 must be the image's SHA-256/],
        ["overcommitted memory", { "homelab:vmMemoryMiB": "24576" }, /the VMs need 73728 MiB of memory but the host has 61440 MiB for guests/],
        ["overcommitted vCPUs", { "homelab:vmCores": "8" }, /the VMs need 24 vCPUs but the host has 16 threads/],
        [
            "two URLs on one port",
            { "homelab:grafanaPort": "16686" },
            /homelab:grafanaPort 16686 is already homelab:jaegerPort|homelab:jaegerPort 16686 is already homelab:grafanaPort/,
        ],
        ["a URL on the K3s API port", { "homelab:kialiPort": "6443" }, /homelab:kialiPort 6443 is taken on every node by the K3s API server/],
        [
            "a URL on the gateway's status port",
            { "homelab:shlinkPort": "15021" },
            /homelab:shlinkPort 15021 is taken on every node by the ingress gateway's status port/,
        ],
        [
            "a UI on Shlink's HTTPS port",
            { "homelab:kialiPort": "443" },
            /homelab:kialiPort 443 is already homelab:shlinkHttpsPort|homelab:shlinkHttpsPort 443 is already homelab:kialiPort/,
        ],
        ["Shlink's HTTPS door on SSH", { "homelab:shlinkHttpsPort": "22" }, /homelab:shlinkHttpsPort 22 is taken on every node by SSH/],
        ["a host name with a scheme", { "homelab:domain": "https://lab.example.org" }, /homelab:domain must be a DNS name/],
        ["a port out of range", { "homelab:jaegerPort": "70000" }, /homelab:jaegerPort must be between 1 and 65535/],
        ["an unknown Kiali login", { "homelab:kialiAuth": "openid" }, /homelab:kialiAuth must be "anonymous" \(view-only\) or "token"/],
        ["a sampling rate above 100%", { "homelab:tracingSamplingPercent": "150" }, /homelab:tracingSamplingPercent must be between 0 and 100/],
        ["fewer Shlink pods than the disruption budget needs", { "homelab:shlinkReplicas": "2" }, /homelab:shlinkReplicas must be between 3 and 12 \(got 2\)/],
        ["a non-numeric volume size", { "homelab:postgresVolumeGiB": "20Gi" }, /homelab:postgresVolumeGiB must be a whole number \(got "20Gi"\)/],
        ["no full backup kept", { "homelab:postgresBackupRetentionFull": "0" }, /homelab:postgresBackupRetentionFull must be between 1 and 30/],
        ["a Redis volume of zero", { "homelab:redisVolumeGiB": "0" }, /homelab:redisVolumeGiB must be between 1 and 1024/],
        [
            "volumes larger than a node's disk",
            { "homelab:postgresVolumeGiB": "70" },
            /Node k3s-node-01: its 100 GiB disk cannot hold homelab:postgresVolumeGiB \(70\)/,
        ],
    ])("rejects %s, naming the key and what to set", (_label, overrides, message) => {
        const problems = problemsOf(overrides);
        expect(problems.join("\n")).toMatch(message);
    });

    it("asks for one Shlink pod more than its disruption budget keeps up (the loader's floor, the app's budget, agreed)", () => {
        expect(HA_MIN_NODES).toBe(SHLINK.minAvailable + 1);
        expect(problemsOf({ "homelab:shlinkReplicas": String(SHLINK.minAvailable) }).join("\n")).toMatch(/homelab:shlinkReplicas must be between/);
        expect(problemsOf({ "homelab:shlinkReplicas": String(SHLINK.minAvailable + 1) }).join("\n")).not.toMatch(/homelab:shlinkReplicas/);
    });

    it("never puts a secret's value in a message", () => {
        const token = "root@pam!homelab=not-a-uuid-but-secret";
        const problems = problemsOf({ "proxmoxve:apiToken": token, "homelab:sshPrivateKey": "hunter2-private" });
        expect(problems).toHaveLength(2);
        expect(problems.join("\n")).not.toContain("not-a-uuid-but-secret");
        expect(problems.join("\n")).not.toContain("hunter2-private");
    });

    it("applies the platform defaults and takes overrides", () => {
        expect(validateConfig(raw(), capacityPlan).config!.platform).toEqual({
            shlinkReplicas: 3,
            postgresVolumeGiB: 20,
            postgresBackupVolumeGiB: 20,
            postgresBackupRetentionFull: 2,
            redisVolumeGiB: 8,
            redisPasswordGeneration: 0,
        });
        const { config } = validateConfig(
            raw({ "homelab:shlinkReplicas": "5", "homelab:postgresBackupVolumeGiB": "40", "homelab:postgresBackupRetentionFull": "4" }),
            capacityPlan,
        );
        expect(config!.platform).toMatchObject({ shlinkReplicas: 5, postgresBackupVolumeGiB: 40, postgresBackupRetentionFull: 4 });
    });

    it("checks that a node's disk holds every volume local-path may put on it", () => {
        const vm = { ip: "", cores: 4, memoryMiB: 10240, proxmoxNode: "pve" };
        const platform = {
            shlinkReplicas: 3,
            postgresVolumeGiB: 20,
            postgresBackupVolumeGiB: 20,
            postgresBackupRetentionFull: 2,
            redisVolumeGiB: 8,
            redisPasswordGeneration: 0,
        };
        expect(volumeProblems([{ ...vm, name: "fits", diskGiB: 68 }], platform)).toEqual([]);
        expect(volumeProblems([{ ...vm, name: "small", diskGiB: 67 }], platform)).toEqual([
            expect.stringMatching(/^Node small: its 67 GiB disk .* \(68 GiB\)\. Raise vmDiskGiB or lower the volumes\.$/),
        ]);
    });

    it("applies the port plan and mesh defaults", () => {
        const { config } = validateConfig(raw(), capacityPlan);
        expect(config!.mesh).toEqual({
            ports: {
                shlink: 80,
                shlinkHttps: 443,
                grafana: 3000,
                jaeger: 16686,
                kiali: 20001,
                alertmanager: 9093,
                argocd: 8080,
                argocdHttps: 8443,
                vault: 8200,
            },
            tracingSamplingPercent: 100,
            kialiAuth: "anonymous",
            prometheusRetentionDays: 10,
            smokeCheckTimeoutSeconds: 900,
            rateLimits: { createPerMinute: 900, redirectPerSecond: 500 },
        });
        expect(validateConfig(raw({ "homelab:kialiAuth": "token" }), capacityPlan).config!.mesh.kialiAuth).toBe("token");
        // Behind the gateway a UI may take a port below 1024: the gateway binds it, Kiali keeps its own.
        expect(validateConfig(raw({ "homelab:kialiPort": "444" }), capacityPlan).problems).toEqual([]);
        expect(validateConfig(raw({ "homelab:domain": "lab.example.org" }), capacityPlan).config!.mesh.domain).toBe("lab.example.org");
        expect(config!.gitops).toEqual({ argocd: true });
    });

    it("puts Alertmanager's port in the port plan, and refuses a webhook that is not a URL without printing it", () => {
        expect(validateConfig(raw({ "homelab:alertmanagerPort": "3000" }), capacityPlan).problems).toEqual([
            "homelab:alertmanagerPort 3000 is already homelab:grafanaPort: each URL needs a port of its own.",
        ]);
        const problems = validateConfig(raw({ "homelab:alertWebhookUrl": "ntfy.sh/secret-topic" }), capacityPlan).problems;
        expect(problems).toEqual([
            "homelab:alertWebhookUrl must be an http(s) URL (value not shown): paste it (e.g. https://ntfy.sh/<topic>) when Pulumi asks: npm run pulumi -- config set --secret homelab:alertWebhookUrl",
        ]);
        expect(validateConfig(raw({ "homelab:alertWebhookUrl": "https://ntfy.sh/secret-topic" }), capacityPlan).problems).toEqual([]);
    });

    it("checks the host capacity per Proxmox node", () => {
        const vm = { ip: "", diskGiB: 100, cores: 6, memoryMiB: 30 * 1024 };
        const host = { memoryGiB: 64, threads: 16, reservedMemoryGiB: 4 };
        const spread = [
            { ...vm, name: "a", proxmoxNode: "pve1" },
            { ...vm, name: "b", proxmoxNode: "pve2" },
            { ...vm, name: "c", proxmoxNode: "pve3" },
        ];
        expect(capacityProblems(spread, host)).toEqual([]);
        const packed = spread.map((n) => ({ ...n, proxmoxNode: "pve1" }));
        expect(capacityProblems(packed, host)).toHaveLength(2);
    });
});
