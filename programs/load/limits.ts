// Whether a load scenario fits Shlink's rate limits at the ingress gateway (components/mesh/rateLimit.ts): a run
// over them would measure the gateway's 429s, not Shlink, so `npm run load` refuses it before starting anything.
import type { ShlinkRateLimits } from "../../components/contracts/rateLimits";
import { configSet } from "../../components/config/fix";
import { SHLINK_RATE_LIMIT } from "../../components/mesh/facts";
import type { RateProfile, ScenarioSpec } from "../../components/load/scenarios/catalog";

/** The highest rate a profile reaches, per second. */
export function peakRate(profile: RateProfile | undefined): number {
    return profile === undefined ? 0 : Math.max(profile.start, ...profile.stages.map((s) => s.target));
}

/**
 * The most requests of each route a scenario sends within one refill of the gateway's buckets (a minute for
 * creations, a second for the rest), at k6's paced arrival rate. Seeding creates every seed URL back to back
 * before the load starts: it is counted in the same window as a full window at the peak creation rate.
 */
export function scenarioDemand(spec: ScenarioSpec): { create: number; redirect: number } {
    const { create, redirect } = SHLINK_RATE_LIMIT.routes;
    return {
        create: spec.seedUrls + Math.ceil(peakRate(spec.creations) * create.fillIntervalSeconds),
        redirect: Math.ceil(peakRate(spec.redirects) * redirect.fillIntervalSeconds),
    };
}

/**
 * Why `scenario` would be rate limited, one line per limit it exceeds (none: it fits). Compared with one pod's
 * limit: each gateway pod keeps its own buckets, and a run's few keep-alive connections may all land on one pod.
 */
export function rateLimitProblems(scenario: string, spec: ScenarioSpec, limits: ShlinkRateLimits): string[] {
    const demand = scenarioDemand(spec);
    const checks = [
        {
            need: demand.create,
            have: limits.createPerMinute,
            key: "shlinkCreateRatePerMinute",
            what: `URL creations in a minute (${spec.seedUrls} seeded + ${peakRate(spec.creations)}/s at peak)`,
        },
        { need: demand.redirect, have: limits.redirectPerSecond, key: "shlinkRedirectRatePerSecond", what: "redirects in a second at peak" },
    ];
    return checks
        .filter((c) => c.need > c.have)
        .map(
            (c) =>
                `scenario ${scenario} sends up to ${c.need} ${c.what}, over homelab:${c.key} ${c.have} per gateway pod. ` +
                `Raise it for the run (${configSet(`homelab:${c.key}`, String(c.need))} && npm run up; set it back afterwards), ` +
                "or run a lighter scenario.",
        );
}
