// Issue 20: `npm run configure`, the real program run by tsx, against a stand-in Pulumi CLI (tests/helpers/
// pulumiStub.cjs edits Pulumi.<stack>.yaml as the CLI's config set/rm do; secrets get the file's `secure:` shape,
// not Pulumi's encryption). A non-interactive run writes the stack file, which the check at its end then passes.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCheck } from "../../programs/check/check";
import { runPulumi } from "../../programs/check/pulumiCli";
import { CONFIGURE_FLAGS, parseNodes, runConfigure, subnetNear, subnetProposal } from "../../programs/configure/configure";
import { nativeTool } from "../helpers/tools";

const ROOT = path.join(__dirname, "..", "..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const STUB = path.join(ROOT, "tests", "helpers", "pulumiStub.cjs");
const NO_NETWORK = path.join(ROOT, "tests", "helpers", "noNetwork.cjs");
const TOKEN = "root@pam!homelab=0b7e4a4e-6a7d-4f3c-9a53-2f4c1f0e9d11";
const sshKeygen = nativeTool("ssh-keygen", "openssh-client", ["-?"]);

describe("npm run configure -- --help", () => {
    it("documents every flag it takes, each of the values a lab needs among them", async () => {
        const lines: string[] = [];
        const refuse = () => Promise.reject(new Error("--help does nothing else"));
        const status = await runConfigure(["--help"], {
            root: ROOT,
            env: {},
            home: "/nonexistent",
            out: (line) => lines.push(line),
            ask: refuse,
            askSecret: refuse,
            fetchCli: refuse,
            pulumi: refuse,
            proxmoxNodes: refuse,
            sshKeygen: refuse,
            check: refuse,
        });
        expect(status).toBe(0);
        for (const [flag, help] of CONFIGURE_FLAGS) {
            expect(lines.join("\n")).toContain(`  ${flag.padEnd(30)} ${help}`);
        }
        const flags = CONFIGURE_FLAGS.map(([flag]) => flag.split(" ")[0]);
        for (const needed of [
            "--stack",
            "--endpoint",
            "--api-token-file",
            "--proxmox-node",
            "--subnet",
            "--gateway",
            "--dns",
            "--nodes",
            "--ssh-key",
            "--create-ssh-key",
            "--non-interactive",
        ]) {
            expect(flags).toContain(needed);
        }
    });
});

sshKeygen.describe("npm run configure, non-interactive, on a fresh clone", () => {
    let dir = "";
    const calls = () =>
        fs
            .readFileSync(path.join(dir, "calls"), "utf8")
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line) as string[]);
    const configure = (extra: string[] = []) =>
        spawnSync(
            TSX,
            [
                "scripts/configure.ts",
                "--non-interactive",
                "--dir",
                dir,
                "--endpoint",
                "https://10.0.10.5:8006/",
                "--api-token-file",
                path.join(dir, "token"),
                "--proxmox-node",
                "pve",
                "--subnet",
                "10.0.10.0/24",
                "--nodes",
                "10.0.10.21,10.0.10.22,10.0.10.23",
                "--create-ssh-key",
                ...extra,
            ],
            {
                cwd: ROOT,
                encoding: "utf8",
                env: {
                    ...process.env,
                    HOME: path.join(dir, "home"),
                    PULUMI: STUB,
                    PULUMI_STACK: "",
                    PULUMI_CONFIG_PASSPHRASE: "test",
                    STUB_CALLS: path.join(dir, "calls"),
                    NODE_OPTIONS: `--require ${NO_NETWORK}`,
                },
                timeout: 60_000,
            },
        );
    let first: ReturnType<typeof configure>;

    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-configure-"));
        fs.mkdirSync(path.join(dir, "home", ".ssh"), { recursive: true });
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.copyFileSync(path.join(ROOT, "Pulumi.homelab.yaml"), path.join(dir, "Pulumi.homelab.yaml"));
        fs.writeFileSync(path.join(dir, "token"), `${TOKEN}\n`);
        first = configure();
    }, 60_000);
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    sshKeygen.it("writes a stack the check then passes: the new LAN's gateway and DNS, the key it made, the secrets encrypted", () => {
        expect(first.stderr).not.toContain("noNetwork");
        expect(first.stdout).toContain("✓ the config of stack 'homelab' is complete (3 K3s VMs on Proxmox).");
        expect(first.status).toBe(0);
        const config = (parse(fs.readFileSync(path.join(dir, "Pulumi.homelab.yaml"), "utf8")) as { config: Record<string, unknown> }).config;
        expect(config).toMatchObject({
            "proxmoxve:endpoint": "https://10.0.10.5:8006/",
            "proxmoxve:apiToken": { secure: expect.any(String) },
            "homelab:proxmoxNode": "pve",
            "homelab:subnet": "10.0.10.0/24",
            "homelab:gateway": "10.0.10.1",
            "homelab:dnsServers": ["10.0.10.1"],
            "homelab:nodes": [21, 22, 23].map((n, i) => ({ name: `k3s-node-0${i + 1}`, ip: `10.0.10.${n}` })),
            "homelab:sshPublicKey": fs.readFileSync(path.join(dir, "home", ".ssh", "homelab.pub"), "utf8").trim(),
            "homelab:sshPrivateKey": { secure: expect.any(String) },
        });
        expect(fs.readFileSync(path.join(dir, "home", ".ssh", "homelab"), "utf8")).toContain("BEGIN OPENSSH PRIVATE KEY");
    });

    sshKeygen.it("selects (or creates) the stack first, and never puts a secret on a command line", () => {
        const all = calls();
        expect(all[0]).toEqual(["stack", "select", "--create", "homelab"]);
        const text = JSON.stringify(all);
        expect(text).not.toContain(TOKEN);
        expect(text).not.toContain("PRIVATE KEY");
        expect(all).toContainEqual(["config", "set", "--secret", "proxmoxve:apiToken", "--stack", "homelab"]);
        expect(all).toContainEqual(["config", "set", "--secret", "homelab:sshPrivateKey", "--stack", "homelab"]);
    });

    /** runConfigure itself with the same flags (the child run above proved the entry), against the same stand-in. */
    async function configureInProcess(extra: string[]): Promise<{ status: number; out: string }> {
        const lines: string[] = [];
        const env = { PULUMI: STUB, PULUMI_CONFIG_PASSPHRASE: "test", STUB_CALLS: path.join(dir, "calls") };
        const status = await runConfigure(
            [
                "--non-interactive",
                "--dir",
                dir,
                "--endpoint",
                "https://10.0.10.5:8006/",
                "--proxmox-node",
                "pve",
                "--subnet",
                "10.0.10.0/24",
                "--nodes",
                "10.0.10.21,10.0.10.22,10.0.10.23",
                ...extra,
            ],
            {
                root: ROOT,
                env,
                home: path.join(dir, "home"),
                out: (line) => lines.push(line),
                ask: () => Promise.reject(new Error("asked while non-interactive")),
                askSecret: () => Promise.reject(new Error("asked while non-interactive")),
                fetchCli: () => Promise.reject(new Error("fetched while PULUMI names the CLI")),
                pulumi: (args, options) => runPulumi(args, { ...options, env: { ...process.env, ...options.env } as NodeJS.ProcessEnv }),
                proxmoxNodes: () => Promise.reject(new Error("no network")),
                sshKeygen: () => Promise.reject(new Error("the key exists")),
                check: (argv) =>
                    runCheck(argv, {
                        root: ROOT,
                        env: {},
                        out: (line) => lines.push(line),
                        fetchCli: () => Promise.reject(new Error("offline")),
                        decryptedConfig: () => Promise.reject(new Error("offline")),
                        proxmoxFacts: () => Promise.reject(new Error("offline")),
                    }),
            },
        );
        return { status, out: lines.join("\n") };
    }

    sshKeygen.it("run again with the same answers, changes nothing; with one changed, writes only that", async () => {
        fs.rmSync(path.join(dir, "calls"));
        // The token is stored (encrypted): a re-run without --api-token-file keeps it.
        const again = await configureInProcess([]);
        expect(again.out).toContain("Nothing to change.");
        expect(again.status).toBe(0);
        expect(calls()).toEqual([["stack", "select", "--create", "homelab"]]);
        fs.rmSync(path.join(dir, "calls"));
        expect((await configureInProcess(["--dns", "10.0.10.53"])).status).toBe(0);
        expect(calls().slice(1)).toEqual([
            ["config", "rm", "homelab:dnsServers", "--stack", "homelab"],
            ["config", "set", "--path", "homelab:dnsServers[0]", "10.0.10.53", "--stack", "homelab"],
        ]);
    });
});

sshKeygen.describe("npm run configure, interactive, taking every proposal with Enter", () => {
    let dir = "";
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    sshKeygen.it("proposes the endpoint's /24, the API's online node, the subnet's first host as gateway and DNS, and makes the key when asked", async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-configure-ask-"));
        fs.mkdirSync(path.join(dir, "home", ".ssh"), { recursive: true });
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.copyFileSync(path.join(ROOT, "Pulumi.homelab.yaml"), path.join(dir, "Pulumi.homelab.yaml"));
        const questions: string[] = [];
        const answers: Record<string, string> = {
            "Proxmox API endpoint": "https://10.0.10.5:8006/",
            "The K3s VMs": "10.0.10.21,10.0.10.22,10.0.10.23",
        };
        const lines: string[] = [];
        const status = await runConfigure(["--dir", dir], {
            root: ROOT,
            env: { PULUMI: STUB, STUB_CALLS: path.join(dir, "calls") },
            home: path.join(dir, "home"),
            out: (line) => lines.push(line),
            ask: (question, proposal) => {
                questions.push(`${question} [${proposal ?? ""}]`);
                return Promise.resolve(Object.entries(answers).find(([start]) => question.startsWith(start))?.[1] ?? "");
            },
            askSecret: (question) => Promise.resolve(question.startsWith("Passphrase") ? "pass" : TOKEN),
            fetchCli: () => Promise.reject(new Error("fetched while PULUMI names the CLI")),
            pulumi: (args, options) => runPulumi(args, { ...options, env: { ...process.env, ...options.env } as NodeJS.ProcessEnv }),
            proxmoxNodes: (api) => {
                expect(api).toEqual({ endpoint: "https://10.0.10.5:8006/", token: TOKEN, insecure: true, timeoutMs: 15_000 });
                return Promise.resolve([
                    { name: "pve-old", online: false },
                    { name: "pve", online: true },
                ]);
            },
            sshKeygen: (file) => Promise.resolve(void spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file])),
            check: (argv) =>
                runCheck(argv, {
                    root: ROOT,
                    env: {},
                    out: (line) => lines.push(line),
                    fetchCli: () => Promise.reject(new Error("offline")),
                    decryptedConfig: () => Promise.reject(new Error("offline")),
                    proxmoxFacts: () => Promise.reject(new Error("offline")),
                }),
        });
        expect(questions).toEqual([
            "Proxmox API endpoint (https://<host>:8006/)? []",
            "Accept the host's self-signed certificate (true/false)? [true]",
            "Proxmox node of the VMs? [pve]",
            "The VMs' LAN (CIDR)? [10.0.10.0/24]",
            "The VMs' gateway? [10.0.10.1]",
            "The VMs' DNS servers (comma-separated)? [10.0.10.1]",
            "The K3s VMs (name=ip, comma-separated; free addresses outside DHCP)? []",
            `No ${path.join(dir, "home", ".ssh", "homelab")}: create it with ssh-keygen, without passphrase (Y/n)? [y]`,
        ]);
        expect(lines).toContain("The Proxmox API lists: pve-old (offline), pve");
        expect(lines.at(-1)).toBe("✓ the config of stack 'homelab' is complete (3 K3s VMs on Proxmox).");
        expect(status).toBe(0);
    });
});

describe("configure's proposals", () => {
    it("names bare addresses k3s-node-01..., and proposes the endpoint's /24 as the subnet unless the stack's holds the host", () => {
        expect(parseNodes("10.0.10.21, 10.0.10.22")).toEqual([
            { name: "k3s-node-01", ip: "10.0.10.21" },
            { name: "k3s-node-02", ip: "10.0.10.22" },
        ]);
        expect(parseNodes("a=10.0.0.2,b=10.0.0.3")).toEqual([
            { name: "a", ip: "10.0.0.2" },
            { name: "b", ip: "10.0.0.3" },
        ]);
        expect(subnetNear("https://10.0.10.5:8006/")).toBe("10.0.10.0/24");
        expect(subnetNear("https://pve.lan:8006/")).toBeUndefined();
        expect(subnetProposal("192.168.2.0/24", "https://192.168.2.10:8006/")).toBe("192.168.2.0/24");
        expect(subnetProposal("192.168.2.0/24", "https://10.0.10.5:8006/")).toBe("10.0.10.0/24");
        expect(subnetProposal("192.168.2.0/24", "https://pve.lan:8006/")).toBe("192.168.2.0/24");
        expect(subnetProposal(undefined, "https://10.0.10.5:8006/")).toBe("10.0.10.0/24");
    });
});

describe("configure's arguments", () => {
    it("say what was wrong, then the usage, exit 2", async () => {
        const lines: string[] = [];
        const refuse = () => Promise.reject(new Error("nothing runs on bad arguments"));
        const deps = {
            root: ROOT,
            env: {},
            home: "/nonexistent",
            out: (line: string) => lines.push(line),
            ask: refuse,
            askSecret: refuse,
            fetchCli: refuse,
            pulumi: refuse,
            proxmoxNodes: refuse,
            sshKeygen: refuse,
            check: refuse,
        };
        expect(await runConfigure(["--subnett", "10.0.0.0/24"], deps)).toBe(2);
        expect(lines[0]).toMatch(/^configure: Unknown option '--subnett'/);
        expect(lines[0]).toContain("usage: npm run configure -- [flags]");
        lines.length = 0;
        expect(await runConfigure(["--timeout", "soon"], deps)).toBe(2);
        expect(lines[0]).toMatch(/^configure: --timeout must be a whole number of seconds from 1 to 600 \(got "soon"\)/);
    });
});
