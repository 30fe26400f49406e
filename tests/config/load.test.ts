// loadConfig under Pulumi mocks: it reads the stack's keys, refuses a bad config before any resource, and
// hands secrets over as secret Outputs.
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../components/config";
import { homelab } from "../../stacks/homelab";
import { fullConfig, runUnderMocks } from "../helpers/pulumi";
import { node, nodes } from "./raw";

describe("loadConfig", () => {
    it("throws one error listing every problem before any resource is registered", async () => {
        const bad = fullConfig({
            "homelab:nodes": nodes(node(1), node(2)),
            "homelab:k3sVersion": "latest",
            "proxmoxve:apiToken": undefined,
            "homelab:sshPrivateKey": undefined,
        });
        let thrown: unknown;
        const { ledger } = await runUnderMocks(bad, () => {
            try {
                return homelab(loadConfig());
            } catch (e) {
                thrown = e;
                return undefined;
            }
        });
        expect(thrown).toBeInstanceOf(ConfigError);
        const error = thrown as ConfigError;
        expect(error.problems).toHaveLength(4);
        expect(error.message).toMatch(/4 problem\(s\); nothing was created/);
        expect(error.message).toContain("pulumi config set --secret proxmoxve:apiToken");
        expect(error.message).toContain("pulumi config set --secret homelab:sshPrivateKey");
        expect(ledger.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    });

    it("returns the secrets as secret Outputs", async () => {
        const { result } = await runUnderMocks(fullConfig(), () => loadConfig());
        const { isSecret } = await import("@pulumi/pulumi");
        expect(await isSecret(result.secrets.proxmoxApiToken)).toBe(true);
        expect(await isSecret(result.secrets.sshPrivateKey)).toBe(true);
    });
});

