// `npm run up` on a stack built before issue 9: the Secrets ESO now writes are forgotten in state (never deleted in
// the cluster) before `pulumi up`, run for real against a stub `pulumi` in a copy of the scripts.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RETIRED_RESOURCES, retireResources, type ExportedState } from "../../scripts/migrateState";
import { INTENDED_DELETIONS } from "../helpers/aliases";

const REPO = path.join(__dirname, "..", "..");
/** `stack export`, `up`: what each pulumi call does. */
const verb = (call: string[]) => (call[0] === "stack" ? call.slice(0, 2).join(" ") : call[0]);
const urn = (type: string, name: string, stack = "homelab") => `urn:pulumi:${stack}::homelab::${type}::${name}`;
const RETIRED_URNS = RETIRED_RESOURCES.map((r) => urn(r.type, r.name));
const [CREDENTIALS, PGUSER] = RETIRED_URNS;
const DEPLOYMENT = urn("homelab:apps:Shlink$kubernetes:apps/v1:Deployment", "shlink");
const CLUSTER = urn("homelab:data:Postgres$kubernetes:postgres-operator.crunchydata.com/v1beta1:PostgresCluster", "shlink-db");

/** An old stack's state: the four Secrets, and resources that read them. */
function oldState(): ExportedState {
    return {
        version: 3,
        deployment: {
            manifest: { time: "t" },
            secrets_providers: { type: "passphrase" },
            resources: [
                { urn: "urn:pulumi:homelab::homelab::pulumi:pulumi:Stack::homelab-homelab", type: "pulumi:pulumi:Stack" },
                ...RETIRED_URNS.map((u) => ({ urn: u, outputs: { data: { ciphertext: "v1:abc" } } })),
                {
                    urn: DEPLOYMENT,
                    dependencies: [CREDENTIALS, "urn:other"],
                    propertyDependencies: { spec: [CREDENTIALS], metadata: ["urn:other"] },
                },
                { urn: CLUSTER, dependencies: [PGUSER], deletedWith: PGUSER },
            ],
        },
    };
}

describe("retireResources", () => {
    it("names only resources the URN test expects the program to drop (INTENDED_DELETIONS)", () => {
        expect(RETIRED_URNS.length).toBe(4);
        for (const u of RETIRED_URNS) {
            expect(Object.keys(INTENDED_DELETIONS)).toContain(u);
        }
    });

    it("removes the retired Secrets and every reference to them, and keeps everything else as it was", () => {
        const { state, removed } = retireResources(oldState(), RETIRED_RESOURCES);
        expect(removed).toEqual(RETIRED_URNS);
        const resources = state.deployment?.resources ?? [];
        expect(resources.map((r) => r.urn)).toEqual(["urn:pulumi:homelab::homelab::pulumi:pulumi:Stack::homelab-homelab", DEPLOYMENT, CLUSTER]);
        const deployment = resources.find((r) => r.urn === DEPLOYMENT);
        expect(deployment?.dependencies).toEqual(["urn:other"]);
        expect(deployment?.propertyDependencies).toEqual({ spec: [], metadata: ["urn:other"] });
        const cluster = resources.find((r) => r.urn === CLUSTER);
        expect(cluster?.dependencies).toEqual([]);
        expect(cluster).not.toHaveProperty("deletedWith");
        expect(state.deployment?.secrets_providers).toEqual({ type: "passphrase" });
    });

    it("matches whatever the stack is called, and leaves a state without them untouched", () => {
        const renamed: ExportedState = { deployment: { resources: [{ urn: urn(RETIRED_RESOURCES[2].type, RETIRED_RESOURCES[2].name, "lab") }] } };
        expect(retireResources(renamed, RETIRED_RESOURCES).removed).toHaveLength(1);
        const fresh: ExportedState = { deployment: { resources: [{ urn: DEPLOYMENT }] } };
        expect(retireResources(fresh, RETIRED_RESOURCES)).toEqual({ state: fresh, removed: [] });
        expect(retireResources({ deployment: {} }, RETIRED_RESOURCES).removed).toEqual([]);
    });
});

describe("scripts/up.sh with a stub pulumi", () => {
    let dir = "";
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /**
     * A copy of up.sh and the migration, deps.sh and the CLI fetch no-ops, a check that exits CHECK_EXIT, and a
     * `pulumi` that logs each call and serves `state` (or fails `stack export` with EXPORT_FAILS).
     */
    function run(
        args: string[],
        state: ExportedState,
        env: Record<string, string> = {},
    ): { calls: string[][]; imported?: ExportedState; stderr: string; status: number | null } {
        dir = mkdtempSync(path.join(tmpdir(), "homelab-up-"));
        mkdirSync(path.join(dir, "scripts"));
        mkdirSync(path.join(dir, "node_modules", ".bin"), { recursive: true });
        copyFileSync(path.join(REPO, "scripts", "up.sh"), path.join(dir, "scripts", "up.sh"));
        copyFileSync(path.join(REPO, "scripts", "migrateState.ts"), path.join(dir, "scripts", "migrateState.ts"));
        writeFileSync(path.join(dir, "scripts", "deps.sh"), "#!/usr/bin/env bash\n");
        writeFileSync(path.join(dir, "scripts", "pulumi-cli.sh"), "#!/usr/bin/env bash\n");
        writeFileSync(
            path.join(dir, "scripts", "check.ts"),
            'require("node:fs").appendFileSync(process.env.STUB_DIR + "/calls", ["check", ...process.argv.slice(2), ""].join("\\x1f") + "\\n");\n' +
                "process.exit(Number(process.env.CHECK_EXIT ?? 0));\n",
        );
        symlinkSync(path.join(REPO, "node_modules", ".bin", "tsx"), path.join(dir, "node_modules", ".bin", "tsx"));
        writeFileSync(path.join(dir, "state.json"), JSON.stringify(state));
        const stub = path.join(dir, "node_modules", ".bin", "pulumi");
        writeFileSync(
            stub,
            [
                "#!/usr/bin/env bash",
                'printf "%s\\x1f" "$@" >>"$STUB_DIR/calls"; echo >>"$STUB_DIR/calls"',
                'if [[ "$1 $2" == "stack export" && -n "${EXPORT_FAILS:-}" ]]; then echo "error: $EXPORT_FAILS" >&2; exit 255; fi',
                'if [[ "$1 $2" == "stack export" ]]; then cat "$STUB_DIR/state.json"; fi',
                'if [[ "$1 $2" == "stack import" ]]; then cp "$6" "$STUB_DIR/imported.json"; fi',
                "",
            ].join("\n"),
        );
        chmodSync(stub, 0o755);
        const up = spawnSync("bash", [path.join(dir, "scripts", "up.sh"), ...args], {
            env: { ...process.env, STUB_DIR: dir, PULUMI_STACK: "homelab", PULUMI_CONFIG_PASSPHRASE: "x", ...env },
            encoding: "utf8",
        });
        const calls = readFileSync(path.join(dir, "calls"), "utf8")
            .split("\n")
            .filter(Boolean)
            .map((line) => line.split("\x1f").slice(0, -1))
            // The config check (before anything else) is asserted on its own below.
            .filter((call) => call[0] !== "check");
        const importedFile = path.join(dir, "imported.json");
        return {
            calls,
            imported: existsSync(importedFile) ? (JSON.parse(readFileSync(importedFile, "utf8")) as ExportedState) : undefined,
            stderr: up.stderr,
            status: up.status,
        };
    }

    it("on an old stack, imports the state without the four Secrets (one import), then runs up", () => {
        const { calls, imported } = run([], oldState());
        expect(calls.map(verb)).toEqual(["stack select", "stack export", "stack import", "up"]);
        expect(calls[2]).toEqual(["stack", "import", "--stack", "homelab", "--file", expect.stringMatching(/state\.json$/)]);
        expect(calls[3]).toEqual(["up", "--stack", "homelab", "--diff"]);
        expect(imported).toEqual(retireResources(oldState(), RETIRED_RESOURCES).state);
    });

    it("on a stack without them (fresh or already migrated), imports nothing", () => {
        const { calls, imported } = run([], { deployment: { resources: [{ urn: DEPLOYMENT }] } });
        expect(calls.map(verb)).toEqual(["stack select", "stack export", "up"]);
        expect(imported).toBeUndefined();
    });

    it("passes every further flag to Pulumi as given (npm run up -- --yes --skip-preview --target <urn>)", () => {
        const target = "urn:pulumi:homelab::homelab::homelab:apps:Shlink::shlink";
        const { calls } = run(["--yes", "--skip-preview", "--target", target], { deployment: { resources: [] } });
        expect(calls.at(-1)).toEqual(["up", "--stack", "homelab", "--diff", "--yes", "--skip-preview", "--target", target]);
    });

    it("checks the config first and stops before any Pulumi call when it is incomplete (not for destroy)", () => {
        const failed = run([], oldState(), { CHECK_EXIT: "1" });
        expect(failed.status).toBe(1);
        expect(failed.calls).toEqual([]);
        expect(failed.stderr).toContain("Nothing was changed: fix the config above (or run `npm run configure`), then `npm run up` again.");
        const checks = readFileSync(path.join(dir, "calls"), "utf8")
            .split("\n")
            .filter((l) => l.startsWith("check"));
        expect(checks).toEqual(["check\x1f--stack\x1fhomelab\x1f"]);
        rmSync(dir, { recursive: true, force: true });
        expect(run(["--destroy"], oldState(), { CHECK_EXIT: "1" }).calls.map(verb)).toEqual(["stack select", "destroy"]);
    });

    it("a failing stack export stops up with what to do next, not a stack trace", () => {
        const { status, stderr, calls } = run([], oldState(), { EXPORT_FAILS: "incorrect passphrase" });
        expect(status).toBe(1);
        expect(calls.map(verb)).toEqual(["stack select", "stack export"]);
        expect(stderr).toContain("error: incorrect passphrase");
        expect(stderr).toContain(
            "up: could not read the state of stack 'homelab' before the update (pulumi stack export exited with status 255; its message is above). " +
                "Nothing was changed. A wrong passphrase? Set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE. Then run `npm run up` again.",
        );
        expect(stderr).not.toMatch(/\n\s+at /);
    });

    it("preview and destroy touch no state and pass their mode and flags through", () => {
        expect(run(["--preview", "--refresh"], oldState()).calls).toEqual([
            ["stack", "select", "--create", "homelab"],
            ["preview", "--stack", "homelab", "--diff", "--refresh"],
        ]);
        rmSync(dir, { recursive: true, force: true });
        expect(run(["--destroy", "--yes"], oldState()).calls).toEqual([
            ["stack", "select", "--create", "homelab"],
            ["destroy", "--stack", "homelab", "--yes"],
        ]);
    });
});
