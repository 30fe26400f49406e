// index.ts as Pulumi runs it: the language host registers its own ts-node (vendored 7.0.1) with the
// project's TypeScript and tsconfig, type-checks on load, and runs the program. This runs that path under
// mocks in a child process, so a program that compiles for tsc but not for Pulumi fails here.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, it } from "vitest";
import { FAKE_K3S_KUBECONFIG, fullConfig, TEST_SECRETS } from "./helpers/pulumi";
import { GOOD_HOST, invokeTable } from "./helpers/proxmoxHost";

it("loads index.ts through Pulumi's own TypeScript registration and exports every output", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "entrypoint-"));
    const write = (name: string, data: string) => {
        fs.writeFileSync(path.join(dir, name), data);
        return path.join(dir, name);
    };
    const run = spawnSync(
        process.execPath,
        [
            path.join(__dirname, "helpers", "entrypoint.cjs"),
            write("config.json", JSON.stringify(fullConfig())),
            write("secrets.json", JSON.stringify(Object.keys(TEST_SECRETS))),
            write("kubeconfig.yaml", FAKE_K3S_KUBECONFIG),
            write("invokes.json", JSON.stringify(invokeTable(GOOD_HOST))),
        ],
        { encoding: "utf8", timeout: 60_000 },
    );
    fs.rmSync(dir, { recursive: true, force: true });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}");
    expect(result.exports).toEqual([
        "alertmanagerUrl",
        "apiServerUrl",
        "argocdAdminPassword",
        "argocdUrl",
        "grafanaAdminPassword",
        "grafanaUrl",
        "jaegerUrl",
        "k3sVersion",
        "kialiUrl",
        "kubeconfig",
        "labCaCertificate",
        "loadTesting",
        "nodeAddresses",
        "offsiteBackupCipherKey",
        "shlinkApiKey",
        "shlinkServiceAddress",
        "shlinkUrl",
        "smokeCheck",
        "vaultAdminPassword",
        "vaultUrl",
    ]);
    expect(result.shlinkUrl).toBe("https://192.168.2.242");
}, 60_000);
