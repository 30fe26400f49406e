// Pulumi.yaml declares every homelab key the loader knows, with the loader's defaults.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { KEYS_WITHOUT_DEFAULT, KNOWN_KEYS } from "../../components/config/keys";
import { CONFIG_DEFAULTS } from "../../components/config/defaults";

describe("Pulumi.yaml", () => {
    const project = parse(fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.yaml"), "utf8"));
    const declared = project.config as Record<string, { type: string; default?: unknown; secret?: boolean; description?: string }>;

    it("declares every homelab scalar with a type, a description and the default the code uses", () => {
        for (const [key, value] of Object.entries(CONFIG_DEFAULTS)) {
            expect(declared[key], key).toBeDefined();
            expect(declared[key].type, key).toBe(typeof value === "number" ? "integer" : typeof value === "boolean" ? "boolean" : "string");
            expect(declared[key].default, key).toEqual(value);
            expect(declared[key].description, key).toBeTruthy();
        }
    });

    it("declares no key without a default, so Pulumi requires none of either mode's stacks: the loader requires each mode's keys", () => {
        // Pulumi refuses a stack that leaves a declared key without default unset: a cluster stack has no subnet.
        for (const [key, value] of Object.entries(declared)) {
            expect(value.default, key).toBeDefined();
        }
        for (const key of ["proxmoxNode", "subnet", "sshPublicKey", "sshPrivateKey"]) {
            expect(KEYS_WITHOUT_DEFAULT.required, key).toContain(key);
        }
        for (const key of [
            ...KEYS_WITHOUT_DEFAULT.required,
            ...KEYS_WITHOUT_DEFAULT.derived,
            ...KEYS_WITHOUT_DEFAULT.optional,
            ...KEYS_WITHOUT_DEFAULT.cluster,
        ]) {
            expect(declared[key], key).toBeUndefined();
        }
    });

    it("declares no key the loader does not know", () => {
        for (const key of Object.keys(declared)) {
            expect(KNOWN_KEYS, key).toContain(key);
        }
    });

    it("leaves the secret keys undeclared, so no value for them ever sits in Pulumi.yaml", () => {
        for (const key of [
            "sshPrivateKey",
            "kubeconfig",
            "dockerHubToken",
            "alertWebhookUrl",
            "offsiteBackupAccessKey",
            "offsiteBackupSecretKey",
            "offsiteBackupCipherKey",
            "shlinkApiKey",
        ]) {
            expect(declared[key], key).toBeUndefined();
        }
    });

    it("follows Pulumi's project schema: typed keys are project keys, arrays name their items", () => {
        for (const [key, value] of Object.entries(declared)) {
            expect(key.includes(":") && !key.startsWith("homelab:"), `${key} is another namespace`).toBe(false);
            expect(["string", "integer", "boolean", "array"]).toContain(value.type);
            if (value.type === "array") {
                expect((value as { items?: unknown }).items, key).toBeDefined();
            }
        }
    });

    it("uses a local file state backend by default", () => {
        expect(project.backend.url).toBe("file://~");
    });
});
