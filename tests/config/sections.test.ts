// Each section's validator alone: its typed slice from the lab's config, and a refusal it owns.
import { describe, expect, it } from "vitest";
import { validateHost } from "../../components/config/host";
import { validateImage } from "../../components/config/image";
import { validateK3s } from "../../components/config/k3s";
import { validateMesh } from "../../components/config/mesh";
import { validateNetwork } from "../../components/config/network";
import { validateNodes } from "../../components/config/nodes";
import { validatePlatform } from "../../components/config/platform";
import { validateProxmox } from "../../components/config/proxmox";
import { validateSsh } from "../../components/config/ssh";
import { CONFIG_DEFAULTS, UBUNTU_IMAGE } from "../../components/config/defaults";
import { TEST_USER_CONFIG } from "../helpers/pulumi";
import { node, nodes, raw } from "./raw";

const lab = raw();
const h = (overrides: Record<string, string | undefined>) => raw(overrides).homelab;

describe("validateProxmox", () => {
    it("returns the endpoint and the insecure flag", () => {
        expect(validateProxmox(lab.proxmoxve)).toEqual({
            problems: [],
            notes: [],
            value: { endpoint: "https://192.168.2.10:8006/", insecure: true },
        });
    });

    it("refuses a bad insecure flag, and nothing else", () => {
        expect(validateProxmox({ ...lab.proxmoxve, insecure: "yes" })).toEqual({
            problems: ['proxmoxve:insecure must be true or false (got "yes").'],
            notes: [],
        });
    });
});

describe("validateNetwork", () => {
    it("returns the LAN and what the node checks need", () => {
        const { value, problems, lan } = validateNetwork(lab.homelab);
        expect(problems).toEqual([]);
        expect(value).toEqual({ subnet: "192.168.2.0/24", prefixLength: 24, gateway: "192.168.2.1", dnsServers: ["192.168.2.1"], bridge: "vmbr0" });
        expect(lan.subnet?.prefixLength).toBe(24);
        expect(lan.gatewayIp).toBe(((192 << 24) >>> 0) + (168 << 16) + (2 << 8) + 1);
    });

    it("refuses a DNS server that is no address", () => {
        expect(validateNetwork(h({ "homelab:dnsServers": JSON.stringify(["dns.lan"]) })).problems).toEqual([
            'homelab:dnsServers entry "dns.lan" is not an IPv4 address: npm run pulumi -- config set --path "homelab:dnsServers[0]" 192.168.2.1',
        ]);
    });
});

describe("validateNodes", () => {
    const { lan } = validateNetwork(lab.homelab);

    it("applies the VM defaults to every node", () => {
        const { value, problems } = validateNodes(lab.homelab, lan);
        expect(problems).toEqual([]);
        expect(value).toHaveLength(3);
        for (const n of value!) {
            expect(n).toMatchObject({ cores: CONFIG_DEFAULTS.vmCores, memoryMiB: CONFIG_DEFAULTS.vmMemoryMiB, diskGiB: CONFIG_DEFAULTS.vmDiskGiB });
        }
    });

    it("checks addresses against the LAN it is given", () => {
        const { problems } = validateNodes(h({ "homelab:nodes": nodes(node(1), node(2), { ...node(3), ip: "10.0.0.5" }) }), lan);
        expect(problems).toEqual(["homelab:nodes[2].ip 10.0.0.5 is not a host address inside homelab:subnet."]);
        expect(validateNodes(h({ "homelab:nodes": nodes(node(1), node(2), { ...node(3), ip: "10.0.0.5" }) }), {}).problems).toEqual([]);
    });
});

describe("validateK3s", () => {
    it("returns the release and the Ready timeout", () => {
        expect(validateK3s(lab.homelab).value).toMatchObject({ version: CONFIG_DEFAULTS.k3sVersion, readyTimeoutSeconds: 600 });
    });

    it("accepts a pre-release tag such as v1.35.0-rc1+k3s1", () => {
        expect(validateK3s(h({ "homelab:k3sVersion": "v1.35.0-rc1+k3s1" }))).toMatchObject({
            problems: [],
            value: { version: "v1.35.0-rc1+k3s1" },
        });
    });

    it("refuses a tag without the +k3s suffix", () => {
        expect(validateK3s(h({ "homelab:k3sVersion": "v1.35.0-rc1" })).problems).toEqual([
            'homelab:k3sVersion must be a K3s release tag such as v1.34.9+k3s1 (got "v1.35.0-rc1").',
        ]);
    });
});

describe("validateSsh", () => {
    it("returns the user and the trimmed public key", () => {
        expect(validateSsh(lab.homelab).value).toMatchObject({
            user: "ubuntu",
            publicKey: TEST_USER_CONFIG["homelab:sshPublicKey"],
        });
    });

    it("refuses a user name Linux does not take", () => {
        expect(validateSsh(h({ "homelab:sshUser": "Root User" })).problems).toEqual(['homelab:sshUser must be a Linux user name (got "Root User").']);
    });
});

describe("validateImage", () => {
    it("returns the pinned image and the datastores", () => {
        expect(validateImage(lab.homelab)).toEqual({
            problems: [],
            value: { image: { ...UBUNTU_IMAGE, datastore: "local" }, vmDatastore: "local-lvm" },
        });
    });

    it("refuses an image URL that is no URL", () => {
        expect(validateImage(h({ "homelab:imageUrl": "noble.img" })).problems).toEqual(['homelab:imageUrl must be an http(s) URL (got "noble.img").']);
    });
});

describe("validateHost", () => {
    it("returns the host size", () => {
        expect(validateHost(lab.homelab)).toEqual({ problems: [], value: { memoryGiB: 64, threads: 16, reservedMemoryGiB: 4 } });
    });

    it("refuses a host with no threads and returns no value", () => {
        expect(validateHost(h({ "homelab:hostThreads": "0" }))).toEqual({
            problems: ["homelab:hostThreads must be between 1 and 1024 (got 0)."],
        });
    });
});

describe("validatePlatform", () => {
    it("returns the platform sizes", () => {
        expect(validatePlatform(lab.homelab).value).toEqual({
            shlinkReplicas: 3,
            postgresVolumeGiB: 20,
            postgresBackupVolumeGiB: 20,
            postgresBackupRetentionFull: 2,
            redisVolumeGiB: 8,
            redisPasswordGeneration: 0,
        });
    });

    it("refuses a retention of more than 30 full backups", () => {
        expect(validatePlatform(h({ "homelab:postgresBackupRetentionFull": "31" })).problems).toEqual([
            "homelab:postgresBackupRetentionFull must be between 1 and 30 (got 31).",
        ]);
    });
});

describe("validateMesh", () => {
    it("returns the ports and the mesh settings", () => {
        expect(validateMesh(lab.homelab).value).toMatchObject({ ports: { shlink: 80, grafana: 3000, jaeger: 16686, kiali: 20001 } });
    });

    it("refuses a Prometheus retention of zero days", () => {
        expect(validateMesh(h({ "homelab:prometheusRetentionDays": "0" })).problems).toEqual([
            "homelab:prometheusRetentionDays must be between 1 and 365 (got 0).",
        ]);
    });
});
