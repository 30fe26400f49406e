// Shlink's rate limits at the ingress gateway and its HTTPS port in the config: defaults, overrides, and each bad
// value refused with one message naming the key (as a RunError before any resource: tests/config/load.test.ts).
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../components/config";
import { capacityPlan } from "../../stacks/capacity";
import { KNOWN_KEYS } from "../../components/config/keys";
import { CONFIG_DEFAULTS, SHLINK_RATE_LIMIT_MAX } from "../../components/config/defaults";
import { problemsOf, raw } from "./raw";

describe("homelab:shlinkCreateRatePerMinute, homelab:shlinkRedirectRatePerSecond and homelab:shlinkHttpsPort", () => {
    it("are known keys with defaults, creation far tighter than redirects", () => {
        for (const key of ["shlinkCreateRatePerMinute", "shlinkRedirectRatePerSecond", "shlinkHttpsPort"]) {
            expect(KNOWN_KEYS).toContain(key);
        }
        const mesh = validateConfig(raw(), capacityPlan).config!.mesh;
        expect(mesh.rateLimits).toEqual({
            createPerMinute: CONFIG_DEFAULTS.shlinkCreateRatePerMinute,
            redirectPerSecond: CONFIG_DEFAULTS.shlinkRedirectRatePerSecond,
        });
        expect(mesh.ports.shlinkHttps).toBe(443);
    });

    it("take overrides, the HTTPS port within the port plan", () => {
        const mesh = validateConfig(
            raw({ "homelab:shlinkCreateRatePerMinute": "60", "homelab:shlinkRedirectRatePerSecond": "1000", "homelab:shlinkHttpsPort": "8443" }),
            capacityPlan,
        ).config?.mesh;
        // 8443 is Argo CD's second port by default: move it too.
        expect(mesh).toBeUndefined();
        const moved = validateConfig(
            raw({
                "homelab:shlinkCreateRatePerMinute": "60",
                "homelab:shlinkRedirectRatePerSecond": "1000",
                "homelab:shlinkHttpsPort": "8443",
                "homelab:argocdHttpsPort": "9443",
            }),
            capacityPlan,
        ).config!.mesh;
        expect(moved.rateLimits).toEqual({ createPerMinute: 60, redirectPerSecond: 1000 });
        expect(moved.ports.shlinkHttps).toBe(8443);
    });

    it.each([
        ["homelab:shlinkCreateRatePerMinute", "0", `homelab:shlinkCreateRatePerMinute must be between 1 and ${SHLINK_RATE_LIMIT_MAX.createPerMinute} (got 0).`],
        ["homelab:shlinkCreateRatePerMinute", "10/s", 'homelab:shlinkCreateRatePerMinute must be a whole number (got "10/s").'],
        ["homelab:shlinkCreateRatePerMinute", "2.5", 'homelab:shlinkCreateRatePerMinute must be a whole number (got "2.5").'],
        [
            "homelab:shlinkRedirectRatePerSecond",
            String(SHLINK_RATE_LIMIT_MAX.redirectPerSecond + 1),
            `homelab:shlinkRedirectRatePerSecond must be between 1 and ${SHLINK_RATE_LIMIT_MAX.redirectPerSecond} (got ${SHLINK_RATE_LIMIT_MAX.redirectPerSecond + 1}).`,
        ],
        ["homelab:shlinkRedirectRatePerSecond", "-5", "homelab:shlinkRedirectRatePerSecond must be between 1 and 100000 (got -5)."],
        ["homelab:shlinkHttpsPort", "https", 'homelab:shlinkHttpsPort must be a whole number (got "https").'],
        ["homelab:shlinkHttpsPort", "3000", "homelab:shlinkHttpsPort 3000 is already homelab:grafanaPort: each URL needs a port of its own."],
    ])("%s = %j gives exactly one problem: %s", (key, value, message) => {
        const problems = problemsOf({ [key]: value });
        // The port plan names the two keys in the order it meets them; either way one problem.
        expect(problems).toHaveLength(1);
        expect(problems[0] === message || problems[0] === reversedPortClash(message)).toBe(true);
    });
});

/** "homelab:a N is already homelab:b…" as the port plan would word it seen from the other key. */
function reversedPortClash(message: string): string {
    const m = /^homelab:(\w+)Port (\d+) is already homelab:(\w+)Port: (.*)$/.exec(message);
    return m ? `homelab:${m[3]}Port ${m[2]} is already homelab:${m[1]}Port: ${m[4]}` : message;
}
