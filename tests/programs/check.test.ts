// Issue 20: `npm run check` runs the loader on a stack file, offline (no Pulumi CLI, no host, no network), and
// says exactly what is missing with commands that work as written. The real program, run by tsx as a child.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { UNREAD_SECRET } from "../../components/config";
import { offlineConfig, runCheck } from "../../programs/check/check";
import { projectDefaults, readStackConfig } from "../../programs/shared/stackFile";
import { fullConfig, TEST_SECRETS } from "../helpers/pulumi";
import { ed25519Pair } from "../helpers/sshKeys";

const ROOT = path.join(__dirname, "..", "..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const NO_NETWORK = path.join(ROOT, "tests", "helpers", "noNetwork.cjs");

let dir = "";
afterEach(() => {
    if (dir) {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

/** A folder with the clone's Pulumi.yaml and the given stack file text. */
function project(stackFile: string, stack = "homelab"): string {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-check-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stackFile);
    return dir;
}

/** `tsx scripts/check.ts <args>` with every TCP connection and DNS lookup refused. */
function check(args: string[]): { status: number | null; stdout: string; stderr: string; seconds: number } {
    const started = Date.now();
    const run = spawnSync(TSX, ["scripts/check.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: `--require ${NO_NETWORK}`, PULUMI: "/nonexistent/pulumi", PULUMI_STACK: "" },
        timeout: 60_000,
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr, seconds: (Date.now() - started) / 1000 };
}

/** runCheck itself, for the cases the two child runs above do not need to repeat. */
async function checkInProcess(args: string[]): Promise<{ status: number; stdout: string }> {
    const lines: string[] = [];
    const status = await runCheck(args, {
        root: ROOT,
        env: {},
        out: (line) => lines.push(line),
        fetchCli: () => Promise.reject(new Error("offline")),
        decryptedConfig: () => Promise.reject(new Error("offline")),
        proxmoxFacts: () => Promise.reject(new Error("offline")),
    });
    return { status, stdout: lines.join("\n") + "\n" };
}

/** The problem lines of check's output. */
const problemLines = (stdout: string) =>
    stdout
        .split("\n")
        .filter((l) => l.startsWith("  - "))
        .map((l) => l.slice(4));

/** The seed stack file with the user's keys set the way `pulumi config set [--secret]` stores them. */
function completeStackFile(): string {
    const seed = fs.readFileSync(path.join(ROOT, "Pulumi.homelab.yaml"), "utf8");
    const doc = parse(seed) as { config: Record<string, unknown> };
    const full = fullConfig();
    doc.config["proxmoxve:endpoint"] = full["proxmoxve:endpoint"];
    doc.config["homelab:sshPublicKey"] = full["homelab:sshPublicKey"];
    for (const key of Object.keys(TEST_SECRETS)) {
        doc.config[key] = { secure: "v1:bm90LWRlY3J5cHRlZA==" };
    }
    return `encryptionsalt: v1:c2FsdA==:v1:c2FsdA==\n${stringify(doc)}`;
}

describe("npm run check on a fresh clone's seed stack file, offline", () => {
    let seedDir = "";
    let run: ReturnType<typeof check>;
    beforeAll(() => {
        seedDir = project(fs.readFileSync(path.join(ROOT, "Pulumi.homelab.yaml"), "utf8"));
        dir = "";
        run = check(["--dir", seedDir]);
    });
    afterAll(() => fs.rmSync(seedDir, { recursive: true, force: true }));

    it("lists exactly the four keys a user sets by hand, with their commands, and exits 1 within 30 s, with no network", () => {
        expect(run.stderr).not.toContain("noNetwork");
        expect(run.status).toBe(1);
        expect(problemLines(run.stdout)).toEqual([
            "proxmoxve:endpoint is not set: npm run pulumi -- config set proxmoxve:endpoint https://<proxmox-host>:8006/",
            "proxmoxve:apiToken is not set: paste USER@REALM!TOKENID=UUID (e.g. root@pam!homelab=<token-uuid>) when Pulumi asks: npm run pulumi -- config set --secret proxmoxve:apiToken",
            'homelab:sshPublicKey is not set: npm run pulumi -- config set homelab:sshPublicKey "$(cat ~/.ssh/homelab.pub)"',
            "homelab:sshPrivateKey is not set: npm run pulumi -- config set --secret homelab:sshPrivateKey < ~/.ssh/homelab",
        ]);
        expect(run.seconds).toBeLessThan(30);
        // On a fresh clone no stack exists yet: the commands need it created (and selected) first.
        expect(run.stdout).toContain("create or select this one first (npm run pulumi -- stack select --create homelab)");
    });

    it("whose commands, pasted into bash (placeholders filled), set each key through the pinned CLI with the README's key file", () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-paste-"));
        const home = path.join(dir, "home");
        const bin = path.join(dir, "bin");
        fs.mkdirSync(path.join(home, ".ssh"), { recursive: true });
        fs.mkdirSync(bin);
        const keys = ed25519Pair("me@laptop");
        fs.writeFileSync(path.join(home, ".ssh", "homelab"), keys.privateKey);
        fs.writeFileSync(path.join(home, ".ssh", "homelab.pub"), keys.publicKey + "\n");
        // A stand-in `npm` that records its arguments and its stdin (what Pulumi would read at the prompt).
        fs.writeFileSync(
            path.join(bin, "npm"),
            '#!/usr/bin/env bash\nprintf "%s\\x1f" "$@" >>"$CALLS"; printf "\\x1e" >>"$CALLS"; cat >>"$CALLS"; printf "\\x1d" >>"$CALLS"\n',
            { mode: 0o755 },
        );
        const calls = path.join(dir, "calls");
        const token = "root@pam!homelab=0b7e4a4e-6a7d-4f3c-9a53-2f4c1f0e9d11";
        for (const line of problemLines(run.stdout)) {
            const command = line.slice(line.indexOf("npm run pulumi")).replace("<proxmox-host>", "pve.lan");
            execFileSync("bash", ["-c", command], {
                env: { PATH: `${bin}:/usr/bin:/bin`, HOME: home, CALLS: calls },
                input: command.includes("apiToken") ? token : "",
            });
        }
        const recorded = fs
            .readFileSync(calls, "utf8")
            .split("\x1d")
            .filter(Boolean)
            .map((call) => {
                const [args, stdin] = call.split("\x1e");
                return { args: args.split("\x1f").slice(0, -1), stdin };
            });
        expect(recorded).toEqual([
            { args: ["run", "pulumi", "--", "config", "set", "proxmoxve:endpoint", "https://pve.lan:8006/"], stdin: "" },
            { args: ["run", "pulumi", "--", "config", "set", "--secret", "proxmoxve:apiToken"], stdin: token },
            { args: ["run", "pulumi", "--", "config", "set", "homelab:sshPublicKey", keys.publicKey], stdin: "" },
            { args: ["run", "pulumi", "--", "config", "set", "--secret", "homelab:sshPrivateKey"], stdin: keys.privateKey },
        ]);
    });
});

describe("npm run check", () => {
    it("on a complete stack file (secrets stored encrypted, never decrypted) exits 0, with no network", () => {
        const run = check(["--dir", project(completeStackFile())]);
        expect(run.stderr).not.toContain("noNetwork");
        expect(run.stdout).toContain("✓ the config of stack 'homelab' is complete (3 K3s VMs on Proxmox).");
        expect(run.status).toBe(0);
    });

    it("gives the loader's own refusals, and checks another stack with --stack", async () => {
        const file = completeStackFile().replace("homelab:subnet: 192.168.2.0/24", "homelab:subnet: 10.0.10.0/24");
        const run = await checkInProcess(["--dir", project(file, "lab2"), "--stack", "lab2"]);
        expect(run.status).toBe(1);
        expect(problemLines(run.stdout)).toEqual([
            "homelab:gateway 192.168.2.1 is not a host address of homelab:subnet 10.0.10.0/24, so the VMs cannot reach it: set your router's " +
                "address in 10.0.10.0/24 (npm run pulumi -- config set homelab:gateway <router address>), or npm run pulumi -- config rm homelab:gateway for 10.0.10.1.",
            "homelab:nodes[0].ip 192.168.2.242 is not a host address inside homelab:subnet.",
            "homelab:nodes[1].ip 192.168.2.243 is not a host address inside homelab:subnet.",
            "homelab:nodes[2].ip 192.168.2.244 is not a host address inside homelab:subnet.",
        ]);
    });

    it("on another stack, says to select it before running the commands; on a stack on an existing cluster, offers no configure", async () => {
        const cluster = fs.readFileSync(path.join(ROOT, "Pulumi.cluster.yaml"), "utf8");
        const run = await checkInProcess(["--dir", project(cluster, "cluster"), "--stack", "cluster"]);
        expect(run.status).toBe(1);
        expect(run.stdout.trim().split("\n").slice(-2)).toEqual([
            "The commands act on the selected stack: create or select this one first (npm run pulumi -- stack select --create cluster).",
            "Run the commands above, then `npm run check -- --stack cluster` again.",
        ]);
    });

    it("says what is wrong with its arguments, and where the stack file is missing", async () => {
        const bad = await checkInProcess(["--stak", "x"]);
        expect(bad.status).toBe(2);
        expect(bad.stdout).toMatch(/^check: Unknown option '--stak'/);
        expect(bad.stdout).toContain("usage: npm run check");
        const missing = await checkInProcess(["--dir", project("config: {}\n"), "--stack", "nope"]);
        expect(missing.stdout).toContain("check: there is no Pulumi.nope.yaml here: run `npm run configure` to create the stack 'nope'");
        expect(missing.status).toBe(1);
    });
});

describe("the stack file as the engine reads it", () => {
    it("takes Pulumi.yaml's defaults under the stack's values, lists and objects as JSON, encrypted keys apart", () => {
        const defaults = projectDefaults(path.join(ROOT, "Pulumi.yaml"));
        expect(defaults["homelab:vmCores"]).toBe("4");
        expect(defaults["homelab:argocd"]).toBe("true");
        const { config, encrypted } = readStackConfig(project(completeStackFile()), "homelab");
        expect(config["homelab:vmCores"]).toBe("4");
        expect(config["proxmoxve:insecure"]).toBe("true");
        expect(JSON.parse(config["homelab:nodes"])).toHaveLength(3);
        expect(encrypted.sort()).toEqual(["homelab:sshPrivateKey", "proxmoxve:apiToken"]);
        expect(config).not.toHaveProperty("proxmoxve:apiToken");
    });

    it("counts an encrypted secret as set, refuses an encrypted key that is no secret, and notes a secret in plain text", () => {
        const result = offlineConfig({ "homelab:sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----" }, ["proxmoxve:apiToken", "homelab:subnet"]);
        expect(result.config["proxmoxve:apiToken"]).toBe(UNREAD_SECRET);
        expect(result.problems).toEqual([
            "homelab:subnet is stored encrypted, which it need not be: the offline check cannot read it (npm run check -- --live can); " +
                "store it in plain: npm run pulumi -- config set homelab:subnet <value>",
        ]);
        expect(result.notes).toEqual([
            "homelab:sshPrivateKey is stored in plain text in the stack file: npm run pulumi -- config set --secret homelab:sshPrivateKey stores it encrypted (paste the value when Pulumi asks).",
        ]);
    });
});
