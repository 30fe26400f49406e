// The load scenarios against Shlink's rate limits at the gateway: every shipped scenario fits the default limits
// (so `npm run load` and the drills run as shipped), and what a scenario needs is counted per bucket refill.
import { describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../../../components/config/defaults";
import { SHLINK_RATE_LIMIT } from "../../../components/mesh/facts";
import { DRILLS } from "../../../programs/shared/facts";
import { peakRate, rateLimitProblems, scenarioDemand } from "../../../programs/load/limits";
import { SCENARIOS, type ScenarioSpec } from "../../../components/load/scenarios/catalog";

const DEFAULT_LIMITS = {
    createPerMinute: CONFIG_DEFAULTS.shlinkCreateRatePerMinute,
    redirectPerSecond: CONFIG_DEFAULTS.shlinkRedirectRatePerSecond,
};

describe("the load scenarios and the gateway's rate limits", () => {
    it.each(Object.entries(SCENARIOS))("%s stays under the default limits of one gateway pod", (name, spec) => {
        expect(rateLimitProblems(name, spec, DEFAULT_LIMITS)).toEqual([]);
        const demand = scenarioDemand(spec);
        expect(demand.create).toBeLessThanOrEqual(DEFAULT_LIMITS.createPerMinute);
        expect(demand.redirect).toBeLessThanOrEqual(DEFAULT_LIMITS.redirectPerSecond);
    });

    it("keeps the drills' steady load within them too", () => {
        expect(rateLimitProblems(DRILLS.scenario, SCENARIOS[DRILLS.scenario], DEFAULT_LIMITS)).toEqual([]);
    });

    it("counts the seeding with a whole minute of peak creations, and a second of peak redirects", () => {
        expect(SHLINK_RATE_LIMIT.routes.create.fillIntervalSeconds).toBe(60);
        expect(SHLINK_RATE_LIMIT.routes.redirect.fillIntervalSeconds).toBe(1);
        expect(peakRate(SCENARIOS.viral.redirects)).toBe(250);
        expect(peakRate(SCENARIOS.viral.creations)).toBe(8);
        expect(peakRate(undefined)).toBe(0);
        expect(scenarioDemand(SCENARIOS.viral)).toEqual({ create: 200 + 8 * 60, redirect: 250 });
        // Read-only: only its seeding creates URLs.
        expect(scenarioDemand(SCENARIOS.cache)).toEqual({ create: 100, redirect: 100 });
    });

    it("keeps URL creation far tighter than redirects by default (a minute's creations below one second's redirects)", () => {
        expect(DEFAULT_LIMITS.createPerMinute / 60).toBeLessThan(DEFAULT_LIMITS.redirectPerSecond / 10);
    });

    it("names every limit a scenario exceeds, and only those", () => {
        const spec: ScenarioSpec = { ...SCENARIOS.peak, seedUrls: 10 };
        expect(rateLimitProblems("x", spec, { createPerMinute: 130, redirectPerSecond: 50 })).toEqual([]);
        const [create] = rateLimitProblems("x", spec, { createPerMinute: 129, redirectPerSecond: 50 });
        expect(create).toMatch(/sends up to 130 URL creations in a minute \(10 seeded \+ 2\/s at peak\), over homelab:shlinkCreateRatePerMinute 129/);
        const [redirect, ...rest] = rateLimitProblems("x", spec, { createPerMinute: 130, redirectPerSecond: 49 });
        expect(redirect).toMatch(/sends up to 50 redirects in a second at peak, over homelab:shlinkRedirectRatePerSecond 49/);
        expect(rest).toEqual([]);
    });
});
