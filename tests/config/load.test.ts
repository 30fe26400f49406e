// loadConfig under Pulumi mocks: it reads the stack's keys, refuses a bad config before any resource, and
// hands secrets over as secret Outputs.
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, type CapacityPlan } from "../../components/config";
import { SHLINK_RATE_LIMIT_MAX } from "../../components/config/defaults";
import { capacityPlan } from "../../stacks/capacity";
import { fullConfig, runUnderMocks } from "../helpers/pulumi";
import { runRefused } from "../helpers/platform";
import { node, nodes } from "./raw";

/** loadConfig of a Proxmox-mode stack (the lab's), typed as such. */
function loadProxmox() {
    const config = loadConfig(capacityPlan);
    if (config.mode !== "proxmox") {
        throw new Error(`expected a Proxmox-mode config, got ${config.mode}`);
    }
    return config;
}

describe("loadConfig", () => {
    it("throws one error listing every problem before any resource is registered", async () => {
        const bad = fullConfig({
            "homelab:nodes": nodes(node(1), node(2)),
            "homelab:k3sVersion": "latest",
            "proxmoxve:apiToken": undefined,
            "homelab:sshPrivateKey": undefined,
        });
        const { thrown, ledger } = await runRefused(bad);
        expect(thrown).toBeInstanceOf(ConfigError);
        const error = thrown as ConfigError;
        expect(error.problems).toHaveLength(4);
        expect(error.message).toMatch(/4 problem\(s\); nothing was created/);
        expect(error.message).toContain("npm run pulumi -- config set --secret proxmoxve:apiToken");
        expect(error.message).toContain("npm run pulumi -- config set --secret homelab:sshPrivateKey");
        expect(ledger.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    });

    it("refuses VMs too small for the platform with one drained, through the capacity plan it is handed, before any resource", async () => {
        const { thrown, ledger } = await runRefused(fullConfig({ "homelab:vmMemoryMiB": "5632" }));
        expect(pulumi.RunError.isInstance(thrown)).toBe(true);
        expect((thrown as ConfigError).problems).toEqual([
            expect.stringMatching(/^With k3s-node-01 drained, the other 2 node\(s\) leave 7168 MiB of memory for pods/),
        ]);
        expect(ledger.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
        // What the loader refuses is what the plan says: the loader plans nothing itself.
        const fits: CapacityPlan = { drainedProblems: () => [], drainedNote: () => "" };
        const { result } = await runUnderMocks(fullConfig({ "homelab:vmMemoryMiB": "5632" }), () => loadConfig(fits));
        expect(result.mode).toBe("proxmox");
    });

    it("refuses a bad rate limit with a RunError before any resource is registered", async () => {
        const { thrown, ledger } = await runRefused(fullConfig({ "homelab:shlinkCreateRatePerMinute": "0" }));
        expect(thrown).toBeInstanceOf(ConfigError);
        expect(pulumi.RunError.isInstance(thrown)).toBe(true);
        expect((thrown as ConfigError).problems).toEqual([
            `homelab:shlinkCreateRatePerMinute must be between 1 and ${SHLINK_RATE_LIMIT_MAX.createPerMinute} (got 0).`,
        ]);
        expect(ledger.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    });

    it("returns the secrets as secret Outputs", async () => {
        const { result } = await runUnderMocks(fullConfig(), () => loadProxmox());
        const { isSecret } = await import("@pulumi/pulumi");
        expect(await isSecret(result.secrets.proxmoxApiToken)).toBe(true);
        expect(await isSecret(result.secrets.sshPrivateKey)).toBe(true);
    });

    it("throws a pulumi.RunError, so Pulumi prints the message alone, without a stack trace", async () => {
        const { result } = await runUnderMocks(fullConfig({ "proxmoxve:apiToken": undefined }), () => {
            try {
                return loadConfig(capacityPlan);
            } catch (e) {
                return e;
            }
        });
        expect(result).toBeInstanceOf(ConfigError);
        expect(pulumi.RunError.isInstance(result)).toBe(true);
    });

    it("sees every homelab key the stack sets, a typo included", async () => {
        const { result } = await runUnderMocks(fullConfig({ "homelab:vmMemoryMib": "8192" }), () => {
            try {
                return loadConfig(capacityPlan);
            } catch (e) {
                return e;
            }
        });
        expect((result as ConfigError).problems).toEqual([
            "homelab:vmMemoryMib is not a homelab setting: did you mean homelab:vmMemoryMiB? " +
                "npm run pulumi -- config rm homelab:vmMemoryMib && npm run pulumi -- config set homelab:vmMemoryMiB <value>",
        ]);
    });

    it("reads the Docker Hub token as a secret Output only when it is set", async () => {
        const without = await runUnderMocks(fullConfig(), () => loadProxmox());
        expect(without.result.secrets.dockerHubToken).toBeUndefined();
        expect(without.result.k3s.dockerHubUsername).toBeUndefined();
        const withToken = await runUnderMocks(fullConfig({ "homelab:dockerHubUsername": "homelabber", "homelab:dockerHubToken": "dckr_pat_secret" }), () =>
            loadProxmox(),
        );
        expect(withToken.result.k3s.dockerHubUsername).toBe("homelabber");
        expect(await pulumi.isSecret(withToken.result.secrets.dockerHubToken!)).toBe(true);
    });
});
