// Issue 20: the two "make it yours" recipes of docs/configure.md (a stack file by hand, or commands on the seed
// stack file) give the same stack, with the new LAN's gateway and DNS server; and the page's lists hold (every
// host the workstation reaches, every configure flag). The commands run for real in bash, `npm run pulumi --` going
// to the stand-in CLI (tests/helpers/pulumiStub.cjs).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loaderVerdict } from "../../programs/check/check";
import { readStackConfig } from "../../programs/shared/stackFile";
import { CONFIGURE_FLAGS } from "../../programs/configure/configure";
import { TEST_SECRETS, TEST_USER_CONFIG } from "../helpers/pulumi";
import { FACT_MODULES } from "../facts";

const ROOT = path.join(__dirname, "..", "..");
const PAGE = fs.readFileSync(path.join(ROOT, "docs", "configure.md"), "utf8");
const STUB = path.join(ROOT, "tests", "helpers", "pulumiStub.cjs");

/** The fenced blocks of one section of the page. */
function blocks(heading: string, language: string): string[] {
    const section = PAGE.slice(PAGE.indexOf(`## ${heading}`)).split(/\n## /)[0];
    return [...section.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
}

describe("Make it yours, by hand: the two recipes", () => {
    let dir = "";
    let byFile: Record<string, string>;
    let byCommands: Record<string, string>;

    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-recipes-"));
        for (const recipe of ["file", "commands", "bin"]) {
            fs.mkdirSync(path.join(dir, recipe));
        }
        const [yaml] = blocks("Make it yours, by hand", "yaml");
        const [commands] = blocks("Make it yours, by hand", "bash");
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "file", "Pulumi.yaml"));
        fs.writeFileSync(path.join(dir, "file", "Pulumi.homelab.yaml"), yaml);
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "commands", "Pulumi.yaml"));
        fs.copyFileSync(path.join(ROOT, "Pulumi.homelab.yaml"), path.join(dir, "commands", "Pulumi.homelab.yaml"));
        // `npm run pulumi -- <args>` → the stand-in CLI in the stack's folder; anything else npm is refused.
        fs.writeFileSync(
            path.join(dir, "bin", "npm"),
            `#!/usr/bin/env bash\n[[ "$1 $2 $3" == "run pulumi --" ]] || { echo "unexpected npm $*" >&2; exit 1; }\nshift 3\nexec node ${JSON.stringify(STUB)} "$@"\n`,
            { mode: 0o755 },
        );
        execFileSync("bash", ["-euo", "pipefail", "-c", commands], {
            cwd: path.join(dir, "commands"),
            env: { ...process.env, PATH: `${path.join(dir, "bin")}:${process.env.PATH}` },
            stdio: "pipe",
        });
        byFile = readStackConfig(path.join(dir, "file"), "homelab").config;
        byCommands = readStackConfig(path.join(dir, "commands"), "homelab").config;
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("give the same stack, key for key, as the engine hands it to the program", () => {
        expect(byCommands).toEqual(byFile);
    });

    it("which the loader takes, with the new LAN's gateway and DNS server and nothing of the seed lab's", () => {
        const verdict = loaderVerdict({ ...byCommands, ...TEST_USER_CONFIG, ...TEST_SECRETS });
        expect(verdict.problems).toEqual([]);
        expect(verdict.result.notes).toEqual([]);
        const config = verdict.result.config;
        expect(config?.mode === "proxmox" && config.network).toMatchObject({ subnet: "10.0.10.0/24", gateway: "10.0.10.1", dnsServers: ["10.0.10.1"] });
        expect(JSON.stringify(byCommands)).not.toContain("192.168.2.");
    });
});

describe("docs/configure.md", () => {
    it("names every host whose Helm charts the workstation fetches (every facts module)", () => {
        const facts = Object.keys(FACT_MODULES)
            .map((file) => fs.readFileSync(path.join(ROOT, file), "utf8"))
            .join("\n");
        const hosts = new Set([...facts.matchAll(/(?:repo: "https:\/\/|chart: "oci:\/\/)([^/"]+)/g)].map((m) => m[1]));
        expect(hosts.size).toBeGreaterThan(10);
        for (const host of hosts) {
            expect(PAGE, host).toContain(`\`${host}\``);
        }
    });

    it("names every provider plugin at the version the SDK packages pin, and its source", () => {
        const plugins = execFileSync("node", [path.join(ROOT, "scripts", "plugins.cjs")], { encoding: "utf8" })
            .trim()
            .split("\n");
        expect(plugins.length).toBe(4);
        for (const line of plugins) {
            const [name, version, server] = line.split("\t");
            expect(PAGE).toContain(`${name} ${version}`);
            if (server) {
                expect(PAGE).toContain(server);
            }
        }
    });

    it("documents every flag of npm run configure", () => {
        for (const [flag] of CONFIGURE_FLAGS.filter(([f]) => f !== "--help")) {
            expect(PAGE).toContain(`| \`${flag.replace(/\|/g, "\\|")}\` |`);
        }
    });
});
