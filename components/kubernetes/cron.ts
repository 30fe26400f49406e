// Five-field cron schedules as a Kubernetes CronJob reads them (PGO turns each pgBackRest schedule into one):
// checked before they reach the cluster, and the longest wait between runs, for the backup-age alert.

/** Each field's range: minute, hour, day of month, month, day of week (0 and 7 are Sunday). */
const FIELDS = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day of month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12 },
    { name: "day of week", min: 0, max: 7 },
] as const;

/** A parsed schedule: the allowed values of each field, and whether the day fields were restricted (cron's OR rule). */
interface Cron {
    sets: Set<number>[];
    domStar: boolean;
    dowStar: boolean;
}

/** Parses `expr`, or returns why it is not a five-field schedule of numbers, `*`, ranges, lists and steps. */
function parse(expr: string): Cron | string {
    const parts = expr.trim().split(/\s+/);
    if (parts.length !== FIELDS.length) {
        return `a cron schedule has five fields (minute hour day-of-month month day-of-week), got ${parts.length}`;
    }
    const sets: Set<number>[] = [];
    for (const [i, part] of parts.entries()) {
        const { name, min, max } = FIELDS[i];
        const set = new Set<number>();
        for (const item of part.split(",")) {
            const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
            if (!m) {
                return `the ${name} field "${part}" is not numbers, *, ranges (a-b), lists (a,b) or steps (/n)`;
            }
            const from = m[1] === "*" ? min : Number(m[2]);
            const to = m[1] === "*" ? max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? max : from;
            const step = m[4] !== undefined ? Number(m[4]) : 1;
            if (from < min || to > max || from > to || step < 1) {
                return `the ${name} field "${part}" leaves ${min}-${max}`;
            }
            for (let v = from; v <= to; v += step) {
                set.add(i === 4 && v === 7 ? 0 : v);
            }
        }
        sets.push(set);
    }
    return { sets, domStar: parts[2].startsWith("*"), dowStar: parts[4].startsWith("*") };
}

/** Why `expr` is no valid schedule, or undefined when it is. */
export function cronProblem(expr: string): string | undefined {
    const parsed = parse(expr);
    return typeof parsed === "string" ? parsed : undefined;
}

/** Whether the schedule runs on this day (UTC), with cron's rule: both day fields restricted means either matches. */
function runsOn(cron: Cron, day: Date): boolean {
    const [, , dom, month, dow] = cron.sets;
    const domMatch = dom.has(day.getUTCDate());
    const dowMatch = dow.has(day.getUTCDay());
    const dayMatch = cron.domStar || cron.dowStar ? domMatch && dowMatch : domMatch || dowMatch;
    return month.has(day.getUTCMonth() + 1) && dayMatch;
}

/**
 * The longest time, in seconds, between two runs of any of `schedules` (UTC, as K3s' controller runs them), over
 * four years from a fixed leap-year start, so monthly and yearly schedules are seen with their longest gaps. Throws on an invalid
 * schedule (the config loader refuses those first).
 */
export function longestGapSeconds(schedules: readonly string[]): number {
    const crons = schedules.map((s) => {
        const parsed = parse(s);
        if (typeof parsed === "string") {
            throw new Error(`not a cron schedule: ${s} (${parsed})`);
        }
        return parsed;
    });
    const days = 4 * 365 + 1;
    const runs = new Set<number>();
    for (let d = 0; d < days; d++) {
        const day = new Date(Date.UTC(2024, 0, 1 + d));
        for (const cron of crons.filter((c) => runsOn(c, day))) {
            for (const hour of cron.sets[1]) {
                for (const minute of cron.sets[0]) {
                    runs.add((d * 24 + hour) * 60 + minute);
                }
            }
        }
    }
    const sorted = [...runs].sort((a, b) => a - b);
    if (sorted.length === 0) {
        throw new Error(`schedules ${schedules.join(", ")} never run`);
    }
    // A schedule that runs once in four years (29 February) has no gap inside the span: count the span.
    let longest = sorted.length === 1 ? days * 24 * 60 : 0;
    for (let i = 1; i < sorted.length; i++) {
        longest = Math.max(longest, sorted[i] - sorted[i - 1]);
    }
    return longest * 60;
}
