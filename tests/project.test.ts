// The project files themselves: what a fresh clone installs and how Pulumi will read it.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_DEFAULTS } from "../components/config/defaults";

const ROOT = path.resolve(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

describe("package.json", () => {
    const pkg = JSON.parse(read("package.json"));

    it("uses the real 1.x line of @pulumi/command (npm's 4.5.0 is a mistaken release)", () => {
        expect(pkg.dependencies["@pulumi/command"]).toMatch(/^1\.\d+\.\d+$/);
        const installed = JSON.parse(read("node_modules/@pulumi/command/package.json"));
        expect(installed.version).toMatch(/^1\./);
    });

    it("pins every dependency exactly, the Pulumi CLI included", () => {
        for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
            expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
        }
        expect(pkg.devDependencies.pulumi).toBeDefined();
    });

    it("lints the import rules (no cycle, type-only imports included; shared rooms and the loader import no part) with the repo's one config", async () => {
        expect(pkg.scripts.lint).toContain("npm run --silent lint:imports");
        expect(pkg.scripts["lint:imports"]).toMatch(/^depcruise --config \.dependency-cruiser\.cjs index\.ts stacks components programs scripts tests$/);
        const rules = (await import(path.join(ROOT, ".dependency-cruiser.cjs"))).default;
        expect(rules.options.tsPreCompilationDeps).toBe(true);
        expect(rules.forbidden.map((r: { name: string; severity: string }) => `${r.name}:${r.severity}`)).toEqual(
            expect.arrayContaining([
                "no-circular:error",
                "shared-rooms-import-no-part:error",
                "config-imports-no-part:error",
                "contracts-import-only-defaults:error",
                "no-sibling-part:error",
            ]),
        );
    });

    it("refuses a part folder importing a sibling part folder, not of one using a shared room, config/ or itself", async () => {
        const rules = (await import(path.join(ROOT, ".dependency-cruiser.cjs"))).default;
        const rule = rules.forbidden.find((r: { name: string }) => r.name === "no-sibling-part");
        // dependency-cruiser's reading of the rule: from.path's groups ($1, the importer's folder) fill the to patterns.
        const flags = (from: string, to: string) => {
            const match = new RegExp(rule.from.path).exec(from);
            const fill = (pattern: string) => new RegExp(pattern.replace(/\$(\d)/g, (_, n: string) => match?.[Number(n)] ?? ""));
            return match !== null && fill(rule.to.path).test(to) && !fill(rule.to.pathNot).test(to);
        };
        expect(flags("components/apps/Shlink.ts", "components/data/Redis.ts")).toBe(true);
        expect(flags("components/load/testRun.ts", "components/mesh/facts.ts")).toBe(true);
        for (const allowed of [
            "components/contracts/connections.ts",
            "components/defaults.ts",
            "components/kubernetes/namespace.ts",
            "components/shell/quote.ts",
            "components/config/types.ts",
            "components/apps/shlinkEnv.ts",
        ]) {
            expect(flags("components/apps/Shlink.ts", allowed), allowed).toBe(false);
        }
        expect(flags("stacks/homelab.ts", "components/data/Redis.ts")).toBe(false);
    });

    it("has an inner loop, test:fast, of the files that run no stack, no process and no server, through their helpers too", async () => {
        expect(pkg.scripts["test:fast"]).toBe("vitest run --config vitest.fast.config.ts");
        const { FAST_TEST_FILES } = await import("../vitest.fast.config");
        expect(FAST_TEST_FILES).toEqual(
            expect.arrayContaining(["tests/config/validate.test.ts", "tests/config/sections.test.ts", "tests/observability/builders.test.ts"]),
        );
        for (const slow of [
            "tests/stack.test.ts", // the stack under mocks
            "tests/config/load.test.ts", // the loader under mocks
            "tests/k3s/scripts.test.ts", // bash and shellcheck
            "tests/programs/load/kube.test.ts", // a local server
            "tests/security/podSecurity.test.ts", // the stack, through tests/security/labStack.ts
        ]) {
            expect(FAST_TEST_FILES, slow).not.toContain(slow);
        }
    });

    it("checks the code's formatting in lint with the repo's one formatter config, the reformatting commits kept out of blame", () => {
        expect(pkg.scripts.lint).toContain("npm run --silent lint:format");
        expect(pkg.scripts["lint:format"]).toBe('prettier --check "**/*.{ts,cjs,mjs}"');
        expect(pkg.scripts.format).toBe(pkg.scripts["lint:format"].replace("--check", "--write"));
        expect(JSON.parse(read(".prettierrc.json"))).toEqual({ printWidth: 160, tabWidth: 4, trailingComma: "all" });
        // The k6 scenarios are the load-scenarios ConfigMap's text: reformatting them would change a live lab.
        expect(read(".prettierignore")).toContain("components/load/scenarios/");
        const revs = read(".git-blame-ignore-revs")
            .split("\n")
            .filter((line) => line.trim() !== "" && !line.startsWith("#"));
        expect(revs.length).toBeGreaterThan(0);
        for (const rev of revs) {
            expect(rev).toMatch(/^[0-9a-f]{40}$/);
        }
    });

    it("has the README's two commands", () => {
        expect(pkg.scripts.up).toBe("bash scripts/up.sh");
        expect(pkg.scripts.test).toContain("vitest run");
        expect(read("README.md")).toContain("npm run up");
        expect(read("README.md")).toContain("npm test");
        expect(read(".ci/run")).toContain("npm test");
    });
});

describe("Pulumi.homelab.yaml", () => {
    const stack = parse(read("Pulumi.homelab.yaml")) as { config: Record<string, unknown> };

    it("disables default providers, so nothing can fall back to an ambient kubeconfig", () => {
        expect(stack.config["pulumi:disable-default-providers"]).toEqual(expect.arrayContaining(["kubernetes", "proxmoxve"]));
    });

    it("carries only this lab's own values, never a copy of a default", () => {
        expect(Object.keys(stack.config).sort()).toEqual([
            "homelab:dnsServers",
            "homelab:gateway",
            "homelab:nodes",
            "homelab:proxmoxNode",
            "homelab:subnet",
            "proxmoxve:insecure",
            "pulumi:disable-default-providers",
        ]);
        for (const key of ["vmCores", "vmMemoryMiB", "vmDiskGiB", "k3sVersion", "shlinkReplicas"] as const) {
            expect(stack.config[`homelab:${key}`], key).toBeUndefined();
            expect(CONFIG_DEFAULTS[key], key).toBeDefined();
        }
        for (const key of Object.keys(CONFIG_DEFAULTS)) {
            expect(stack.config, key).not.toHaveProperty(`homelab:${key}`);
        }
    });

    it("holds no secret in plain text", () => {
        expect(read("Pulumi.homelab.yaml")).not.toMatch(/PRIVATE KEY|![\w-]+=[0-9a-f-]{36}/);
        for (const [key, value] of Object.entries(stack.config)) {
            const secret = /apiToken|PrivateKey|password|Password/.test(key);
            if (secret) {
                expect(value, key).toHaveProperty("secure");
            }
        }
    });
});

describe("pinned versions", () => {
    it("never uses a floating tag in the program's sources", () => {
        const files = ["components", "stacks"].flatMap((dir) =>
            fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" }).map((f) => path.join(dir, f)),
        );
        for (const file of files.filter((f) => f.endsWith(".ts"))) {
            const text = read(file);
            expect(text, file).not.toMatch(/:latest\b|:stable\b|tag: "latest"|version: "latest"/);
        }
    });
});
