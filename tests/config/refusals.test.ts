// Issue 8: every config mistake is caught before anything is created, with one message naming the key
// and the fix, and no follow-on error from a value that is already refused.
import * as crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../components/config";
import { capacityPlan } from "../../stacks/capacity";
import { closestKey, editDistance } from "../../components/config/keys";
import { normaliseEndpoint } from "../../components/config/proxmox";
import { privateKeyFacts } from "../../components/config/sshKeys";
import { CONFIG_DEFAULTS } from "../../components/config/defaults";
import { node, nodes, problemsOf, raw } from "./raw";
import { ed25519Pair } from "../helpers/sshKeys";

const pair = ed25519Pair();
const withKeys = (keys: { publicKey: string; privateKey: string }, overrides: Record<string, string | undefined> = {}) =>
    problemsOf({ "homelab:sshPublicKey": keys.publicKey, "homelab:sshPrivateKey": keys.privateKey, ...overrides });

describe("unknown homelab keys", () => {
    it.each([
        ["vmMemoryMib", "vmMemoryMiB"],
        ["shlinkReplica", "shlinkReplicas"],
        ["k3sversion", "k3sVersion"],
        ["grafanaPrt", "grafanaPort"],
        ["node", "nodes"],
    ])("refuses homelab:%s with one message that suggests homelab:%s", (typo, known) => {
        expect(problemsOf({ [`homelab:${typo}`]: "1" })).toEqual([
            `homelab:${typo} is not a homelab setting: did you mean homelab:${known}? ` +
                `npm run pulumi -- config rm homelab:${typo} && npm run pulumi -- config set homelab:${known} <value>`,
        ]);
    });

    it("refuses a key far from every known one without a guess", () => {
        expect(problemsOf({ "homelab:colour": "blue" })).toEqual([
            "homelab:colour is not a homelab setting (Pulumi.yaml lists them all): npm run pulumi -- config rm homelab:colour",
        ]);
    });

    it("prefers a case-insensitive match over a nearer edit, and measures edits", () => {
        expect(closestKey("VMCORES")).toBe("vmCores");
        expect(editDistance("kitten", "sitting")).toBe(3);
        expect(closestKey("xyz")).toBeUndefined();
    });
});

describe("a non-number where a number belongs", () => {
    it.each([
        ["homelab:vmMemoryMiB", "10G"],
        ["homelab:vmCores", "four"],
        ["homelab:vmDiskGiB", "100GB"],
        ["homelab:hostMemoryGiB", "lots"],
        ["homelab:hostThreads", "16t"],
        ["homelab:postgresVolumeGiB", "20Gi"],
        ["homelab:redisVolumeGiB", "8Gi"],
        ["homelab:shlinkPort", "http"],
        ["homelab:sshConnectTimeoutSeconds", "10m"],
    ])("%s = %j gives exactly one problem, for that key", (key, value) => {
        expect(problemsOf({ [key]: value })).toEqual([`${key} must be a whole number (got ${JSON.stringify(value)}).`]);
    });

    it("a node's non-number size gives exactly one problem, for that node's key", () => {
        expect(problemsOf({ "homelab:nodes": nodes(node(1), node(2, { memoryMiB: "4G" }), node(3)) })).toEqual([
            'homelab:nodes[1].memoryMiB must be a whole number (got "4G").',
        ]);
    });

    it("a number out of range gives one problem, not the checks built on it", () => {
        expect(problemsOf({ "homelab:vmMemoryMiB": "100" })).toEqual(["homelab:vmMemoryMiB must be between 512 and 1048576 (got 100)."]);
    });
});

describe("the SSH key pair", () => {
    it("accepts a real unencrypted OpenSSH pair", () => {
        expect(withKeys(pair)).toEqual([]);
        expect(privateKeyFacts(pair.privateKey)).toEqual({
            encrypted: false,
            publicKeyBlob: Buffer.from(pair.publicKey.split(" ")[1], "base64"),
        });
    });

    it("refuses a passphrase-protected OpenSSH key (aes256-ctr, bcrypt) with the deploy-key recipe, never the key", () => {
        const locked = ed25519Pair("homelab@test", true);
        const problems = withKeys(locked);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^homelab:sshPrivateKey is protected by a passphrase/);
        expect(problems[0]).toContain('ssh-keygen -t ed25519 -N "" -f ~/.ssh/homelab');
        const body = locked.privateKey.split("\n")[1];
        expect(problems[0]).not.toContain(body.slice(0, 20));
    });

    it.each([
        ["a legacy PEM key", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n"],
        [
            "an encrypted PKCS#8 key",
            crypto.generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8", cipher: "aes-256-cbc", passphrase: "pw" }) as string,
        ],
    ])("refuses %s protected by a passphrase", (_label, privateKey) => {
        const problems = withKeys({ publicKey: pair.publicKey, privateKey });
        expect(problems).toEqual([expect.stringMatching(/^homelab:sshPrivateKey is protected by a passphrase.*ssh-keygen -t ed25519 -N ""/)]);
    });

    it("refuses a private key whose public half is not homelab:sshPublicKey, showing fingerprints only", () => {
        const other = ed25519Pair("other@test");
        const problems = withKeys({ publicKey: other.publicKey, privateKey: pair.privateKey });
        expect(problems).toEqual([
            expect.stringMatching(
                /^homelab:sshPrivateKey does not belong to homelab:sshPublicKey \(the private key's public half is SHA256:\S+, homelab:sshPublicKey is SHA256:\S+\)/,
            ),
        ]);
        expect(problems[0]).not.toContain(other.publicKey.split(" ")[1]);
    });

    it("refuses a key file cut short (a bad paste) without printing it", () => {
        const truncated = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
        expect(withKeys({ publicKey: pair.publicKey, privateKey: truncated })).toEqual([
            expect.stringMatching(/^homelab:sshPrivateKey cannot be read as an OpenSSH or PEM private key \(value not shown\)/),
        ]);
    });
});

describe("proxmoxve:endpoint", () => {
    it.each([
        ["https://pve.lan:8006/", "https://pve.lan:8006/"],
        ["https://pve.lan:8006", "https://pve.lan:8006"],
        ["https://10.0.10.5:443/", "https://10.0.10.5:443/"],
    ])("keeps %s exactly as written", (text, endpoint) => {
        expect(normaliseEndpoint(text)).toEqual({ endpoint });
    });

    it.each([
        ["https://pve.lan", "https://pve.lan:8006/"],
        ["https://pve.lan/", "https://pve.lan:8006/"],
        ["https://pve.lan:8006/api2/json", "https://pve.lan:8006/"],
        ["https://pve.lan:8006/api2/json/", "https://pve.lan:8006/"],
        ["https://pve.lan/api2/json", "https://pve.lan:8006/"],
        ["https://pve.lan:443/api2/json", "https://pve.lan:443/"],
    ])("takes %s as %s, with a note", (text, endpoint) => {
        expect(normaliseEndpoint(text)).toEqual({ endpoint, note: `proxmoxve:endpoint "${text}" is taken as ${endpoint}: set it so to silence this note.` });
        const result = validateConfig(raw({ "proxmoxve:endpoint": text }), capacityPlan);
        expect(result.problems).toEqual([]);
        expect(result.config!.proxmox.endpoint).toBe(endpoint);
        expect(result.notes).toHaveLength(1);
    });

    it.each([
        ["http://pve.lan:8006/", /must be an https:\/\/ URL: Proxmox serves its API over https only/],
        ["pve.lan:8006", /must be an https:\/\/ URL/],
        ["https://pve.lan:8006/?x=1", /without credentials, query or fragment/],
        ["https://root:pw@pve.lan:8006/", /without credentials, query or fragment/],
        ["https://pve.lan:8006/pve/", /without a path other than \/api2\/json/],
        ["https://pve.lan:8006/api2/extjs", /without a path other than \/api2\/json/],
    ])("refuses %s with one message", (text, message) => {
        const problems = problemsOf({ "proxmoxve:endpoint": text });
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^proxmoxve:endpoint /);
        expect(problems[0]).toMatch(message);
    });
});

describe("a config for any LAN", () => {
    it("requires homelab:subnet and homelab:proxmoxNode, saying what to set", () => {
        expect(problemsOf({ "homelab:subnet": undefined, "homelab:gateway": undefined, "homelab:dnsServers": undefined })).toEqual([
            "homelab:subnet is not set: npm run pulumi -- config set homelab:subnet <the VMs' LAN in CIDR form, e.g. 10.0.10.0/24>",
        ]);
        expect(problemsOf({ "homelab:proxmoxNode": undefined })).toEqual([
            "homelab:proxmoxNode is not set: npm run pulumi -- config set homelab:proxmoxNode <node name shown in the Proxmox UI>",
        ]);
    });

    it("still requires homelab:proxmoxNode when every node names its own (Pulumi.yaml declares it without default)", () => {
        const own = nodes(node(1, { proxmoxNode: "pve1" }), node(2, { proxmoxNode: "pve2" }), node(3, { proxmoxNode: "pve3" }));
        expect(problemsOf({ "homelab:proxmoxNode": undefined, "homelab:nodes": own })).toEqual([
            "homelab:proxmoxNode is not set: npm run pulumi -- config set homelab:proxmoxNode <node name shown in the Proxmox UI>",
        ]);
    });

    it("defaults the gateway to the subnet's first host and the DNS servers to the gateway", () => {
        const { config, problems } = validateConfig(
            raw({
                "homelab:subnet": "10.0.10.0/24",
                "homelab:gateway": undefined,
                "homelab:dnsServers": undefined,
                "homelab:nodes": nodes(...[21, 22, 23].map((n) => ({ name: `k3s-${n}`, ip: `10.0.10.${n}` }))),
            }),
            capacityPlan,
        );
        expect(problems).toEqual([]);
        expect(config!.network).toMatchObject({ subnet: "10.0.10.0/24", gateway: "10.0.10.1", dnsServers: ["10.0.10.1"] });
    });
});

describe("new keys", () => {
    it("defaults: SSH connect timeout 600 s, Docker Hub through mirror.gcr.io, no Docker Hub account", () => {
        const { config } = validateConfig(raw(), capacityPlan);
        expect(config!.ssh.connectTimeoutSeconds).toBe(CONFIG_DEFAULTS.sshConnectTimeoutSeconds);
        expect(CONFIG_DEFAULTS.sshConnectTimeoutSeconds).toBe(600);
        expect(config!.k3s.dockerHubMirror).toBe("https://mirror.gcr.io");
        expect(config!.k3s).not.toHaveProperty("dockerHubUsername");
    });

    it("takes overrides: a timeout, no mirror, a Docker Hub account", () => {
        const { config, problems } = validateConfig(
            raw({
                "homelab:sshConnectTimeoutSeconds": "1200",
                "homelab:registryMirror": "none",
                "homelab:dockerHubUsername": "homelabber",
                "homelab:dockerHubToken": "dckr_pat_secret",
            }),
            capacityPlan,
        );
        expect(problems).toEqual([]);
        expect(config!.ssh.connectTimeoutSeconds).toBe(1200);
        expect(config!.k3s.dockerHubMirror).toBeUndefined();
        expect(config!.k3s.dockerHubUsername).toBe("homelabber");
        expect(JSON.stringify(config)).not.toContain("dckr_pat_secret");
    });

    it.each([
        ["a timeout under a minute", { "homelab:sshConnectTimeoutSeconds": "30" }, "homelab:sshConnectTimeoutSeconds must be between 60 and 3600 (got 30)."],
        [
            "an http mirror",
            { "homelab:registryMirror": "http://mirror.lan" },
            'homelab:registryMirror must be an https:// registry URL such as https://mirror.gcr.io, or "none" to pull from Docker Hub directly (got "http://mirror.lan").',
        ],
        [
            "a Docker Hub user without a token",
            { "homelab:dockerHubUsername": "homelabber" },
            "homelab:dockerHubUsername and homelab:dockerHubToken go together, set both or neither: npm run pulumi -- config set homelab:dockerHubUsername <user> && npm run pulumi -- config set --secret homelab:dockerHubToken (paste the access token when Pulumi asks)",
        ],
        [
            "a Docker Hub token without a user",
            { "homelab:dockerHubToken": "dckr_pat_secret" },
            "homelab:dockerHubUsername and homelab:dockerHubToken go together, set both or neither: npm run pulumi -- config set homelab:dockerHubUsername <user> && npm run pulumi -- config set --secret homelab:dockerHubToken (paste the access token when Pulumi asks)",
        ],
    ])("refuses %s with one message", (_label, overrides, message) => {
        expect(problemsOf(overrides)).toEqual([message]);
    });
});
