// Load: a short smoke scenario through the gateway passing its thresholds, run by `npm run load`'s own code
// (a TestRun in the load namespace, tagged with its name, deleted on every path).
import { fail, pass, type Check } from "../check";

/** The scenario and length of the load check: the baseline mix, long enough for p95/p99 to mean something. */
export const LOAD_SMOKE = { scenario: "baseline", seconds: 30 } as const;

export const LOAD_CHECKS: Check[] = [
    {
        id: "load.smoke-scenario",
        group: "load",
        proves: `a ${LOAD_SMOKE.seconds} s ${LOAD_SMOKE.scenario} run through the gateway passes its thresholds (p95, p99, errors)`,
        timeoutSeconds: 180,
        async run(ctx) {
            const { code, lines } = await ctx.loadSmoke(LOAD_SMOKE.scenario, LOAD_SMOKE.seconds, ctx.signal);
            const verdicts = lines.filter((l) => /PASS|FAIL|NO DATA/.test(l)).map((l) => l.replace(/\s+/g, " ").trim());
            if (code === 0) {
                return pass(verdicts.join("; ") || "thresholds held");
            }
            if (code === 1) {
                return fail(
                    verdicts.join("; "),
                    "a threshold was breached under light load",
                    "the k6 dashboard in Grafana (Load tests), filtered on the run's testid; npm run load -- baseline",
                );
            }
            throw new Error(`the load run could not be judged: ${lines.slice(-2).join(" ")}`);
        },
    },
];
