// Issue 20: `npm ci` downloads nothing (no install script runs), and the pinned Pulumi CLI and the providers'
// plugins are fetched by one explicit step that says from where and how big, and explains a failure.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = path.join(__dirname, "..", "..");
const PULUMI_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "pulumi", "package.json"), "utf8")) as { version: string }).version;

let dir = "";
afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    dir = "";
});

describe("npm ci", () => {
    /** `npm rebuild` (npm's own install-script runner, as in `npm ci`) of @pulumi/command, a stand-in `pulumi` on PATH. */
    function rebuild(withProjectNpmrc: boolean): string[] {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-npm-"));
        const pkg = path.join(dir, "node_modules", "@pulumi", "command");
        fs.mkdirSync(pkg, { recursive: true });
        fs.mkdirSync(path.join(dir, "bin"));
        fs.cpSync(path.join(ROOT, "node_modules", "@pulumi", "command", "package.json"), path.join(pkg, "package.json"));
        fs.cpSync(path.join(ROOT, "node_modules", "@pulumi", "command", "scripts"), path.join(pkg, "scripts"), { recursive: true });
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "t", version: "1.0.0", dependencies: { "@pulumi/command": "1.2.1" } }));
        fs.writeFileSync(path.join(dir, "bin", "pulumi"), `#!/bin/sh\necho "$@" >> "${dir}/calls"\n`, { mode: 0o755 });
        if (withProjectNpmrc) {
            fs.copyFileSync(path.join(ROOT, ".npmrc"), path.join(dir, ".npmrc"));
        }
        execFileSync("npm", ["rebuild", "--offline", "--no-audit", "--no-fund"], {
            cwd: dir,
            env: { ...process.env, PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, npm_config_ignore_scripts: undefined },
            stdio: "pipe",
        });
        const calls = path.join(dir, "calls");
        return fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [];
    }

    it("runs no dependency's install script with the project's .npmrc (without it, @pulumi/command's would download)", () => {
        expect(rebuild(false)).toEqual(["plugin install resource command 1.2.1"]);
        fs.rmSync(dir, { recursive: true, force: true });
        expect(rebuild(true)).toEqual([]);
        expect(execFileSync("npm", ["config", "get", "ignore-scripts"], { cwd: ROOT, encoding: "utf8" }).trim()).toBe("true");
    });
});

describe("scripts/pulumi-cli.sh", () => {
    /** A stand-in curl (HEAD gives the size, a GET the tarball of a fake CLI that records plugin installs). */
    function fetchCli(
        env: Record<string, string> = {},
        command: string[] = ["bash", path.join(ROOT, "scripts", "pulumi-cli.sh")],
    ): { status: number | null; stdout: string; stderr: string; calls: string[]; home: string } {
        dir ||= fs.mkdtempSync(path.join(os.tmpdir(), "homelab-cli-"));
        const home = path.join(dir, "pulumi-home");
        const bin = path.join(dir, "bin");
        const tarball = path.join(dir, "pulumi.tar.gz");
        if (!fs.existsSync(tarball)) {
            fs.mkdirSync(path.join(dir, "src", "pulumi"), { recursive: true });
            fs.mkdirSync(bin);
            fs.writeFileSync(
                path.join(dir, "src", "pulumi", "pulumi"),
                `#!/bin/sh\nif [ "$1" = version ]; then echo v${PULUMI_VERSION}; exit 0; fi\necho "$@" >> "${dir}/calls"\nmkdir -p "$PULUMI_HOME/plugins/resource-$4-v$5"\n`,
                { mode: 0o755 },
            );
            execFileSync("tar", ["-czf", tarball, "-C", path.join(dir, "src"), "pulumi"]);
            fs.writeFileSync(
                path.join(bin, "curl"),
                [
                    "#!/usr/bin/env bash",
                    'echo "$*" >> "$STUB_DIR/curl"',
                    'if [[ -n "${CURL_FAILS:-}" ]]; then echo "curl: (6) Could not resolve host: get.pulumi.com" >&2; exit 6; fi',
                    'if [[ "$1" == -fsSIL ]]; then printf "HTTP/2 200\\r\\ncontent-length: 157286400\\r\\n\\r\\n"; exit 0; fi',
                    'while [[ $# -gt 0 ]]; do if [[ "$1" == -o ]]; then cp "$STUB_DIR/pulumi.tar.gz" "$2"; fi; shift; done',
                    "",
                ].join("\n"),
                { mode: 0o755 },
            );
        }
        const run = spawnSync(command[0], command.slice(1), {
            cwd: ROOT,
            encoding: "utf8",
            env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, PULUMI_HOME: home, STUB_DIR: dir, ...env },
        });
        const calls = path.join(dir, "calls");
        return {
            status: run.status,
            stdout: run.stdout,
            stderr: run.stderr,
            calls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [],
            home,
        };
    }

    it("fetches the pinned CLI from get.pulumi.com saying how big, then the four plugins at the SDKs' versions, once", () => {
        const first = fetchCli();
        expect(first.status).toBe(0);
        expect(first.stderr).toMatch(
            new RegExp(
                `Fetching the pinned Pulumi CLI v${PULUMI_VERSION.replace(/\./g, "\\.")} \\(150 MB\\) from https://get\\.pulumi\\.com/releases/sdk/pulumi-v${PULUMI_VERSION.replace(/\./g, "\\.")}-(linux|darwin)-(x64|arm64)\\.tar\\.gz into .*/versions/${PULUMI_VERSION.replace(/\./g, "\\.")}/bin \\(once\\)\\.\\.\\.`,
            ),
        );
        expect(fs.existsSync(path.join(first.home, "versions", PULUMI_VERSION, "bin", "pulumi"))).toBe(true);
        expect(first.calls).toEqual([
            "plugin install resource proxmoxve 8.6.0 --server github://api.github.com/muhlba91/pulumi-proxmoxve",
            "plugin install resource command 1.2.1",
            "plugin install resource kubernetes 4.34.2",
            "plugin install resource random 4.21.2",
        ]);
        const again = fetchCli();
        expect([again.status, again.stderr, again.calls.length]).toEqual([0, "", 4]);
    });

    it("is what `npm run pulumi --` runs first: the npm package's wrapper then finds the CLI where it was put", () => {
        const run = fetchCli({}, ["npm", "run", "--silent", "pulumi", "--", "version"]);
        expect(run.stderr).toContain(`Fetching the pinned Pulumi CLI v${PULUMI_VERSION}`);
        expect(run.stderr).not.toContain("Downloading pulumi");
        expect(run.stdout.trim()).toBe(`v${PULUMI_VERSION}`);
        expect(run.calls).toEqual([]);
        expect(run.status).toBe(0);
    });

    it("explains a failed download (offline? proxy?) and changes nothing", () => {
        const failed = fetchCli({ CURL_FAILS: "1" });
        expect(failed.status).toBe(1);
        expect(failed.stderr).toContain(`error: could not fetch the Pulumi CLI v${PULUMI_VERSION} from https://get.pulumi.com/releases/sdk/`);
        expect(failed.stderr).toContain("Offline? This machine must reach get.pulumi.com (https, port 443)");
        expect(failed.stderr).toContain("Behind a proxy? Set HTTPS_PROXY");
        expect(fs.existsSync(path.join(failed.home, "versions", PULUMI_VERSION, "bin", "pulumi"))).toBe(false);
    });
});
