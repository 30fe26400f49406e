// Cron schedules as PGO's CronJobs read them: refused when malformed, and the longest wait between runs.
import { describe, expect, it } from "vitest";
import { cronProblem, longestGapSeconds } from "../../components/kubernetes/cron";
import { POSTGRES } from "../../components/data/facts";

const HOUR = 3600;

describe("cron schedules", () => {
    it("accepts numbers, *, ranges, lists and steps, with Sunday as 0 or 7", () => {
        for (const ok of ["0 1 * * 0", "0 1 * * 1-6", "*/15 * * * *", "30 2 1,15 * *", "0 3 * * 7", "0 0 1 1 *"]) {
            expect(cronProblem(ok), ok).toBeUndefined();
        }
    });

    it("refuses what a CronJob would not run, saying which field", () => {
        expect(cronProblem("0 1 * *")).toMatch(/five fields/);
        expect(cronProblem("60 1 * * *")).toMatch(/minute field "60"/);
        expect(cronProblem("0 24 * * *")).toMatch(/hour field/);
        expect(cronProblem("0 1 0 * *")).toMatch(/day of month/);
        expect(cronProblem("0 1 * 13 *")).toMatch(/month/);
        expect(cronProblem("@daily")).toMatch(/five fields/);
        expect(cronProblem("0 1 * * mon")).toMatch(/day of week/);
    });

    it("measures the longest gap between runs of all of a repository's schedules", () => {
        // repo1: a full backup on Sundays and a differential one the other nights: one a day.
        expect(longestGapSeconds(Object.values(POSTGRES.backupSchedules))).toBe(24 * HOUR);
        expect(longestGapSeconds(["0 3 * * 0"])).toBe(168 * HOUR);
        expect(longestGapSeconds(["0 3 * * 1-5"])).toBe(72 * HOUR);
        expect(longestGapSeconds(["*/15 * * * *"])).toBe(900);
        // Monthly on the 31st: 31 May to 31 July is the longest wait (June has 30 days).
        expect(longestGapSeconds(["0 0 31 * *"])).toBe(61 * 24 * HOUR);
        // Both day fields restricted: either matches (the 1st or any Monday).
        expect(longestGapSeconds(["0 0 1 * 1"])).toBeLessThanOrEqual(7 * 24 * HOUR);
    });
});
