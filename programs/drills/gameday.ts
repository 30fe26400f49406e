// `npm run drill -- --all`, the game day: every drill in a safe order, the whole lab healthy between them, one
// scorecard (reports/gameday-<stamp>.md and .json). It stops at the first drill that leaves the lab broken or
// unhealthy: the drills after it would measure that drill's damage, not their own part.
import { ISTIO } from "../../components/mesh/facts";
import { DRILLS } from "../shared/facts";
import { EXIT } from "../shared/exit";
import type { DrillName } from "./catalog";
import type { ClusterClock } from "./clock";
import type { DrillDeps, DrillLab } from "./cluster";
import { Interrupted, type DrillContext } from "./drills";
import { percent } from "./measure";
import { drillLease } from "../shared/lease";
import type { DrillOutcome } from "./report";

/** Where the game day looks for "the whole lab healthy": the drills' namespaces, the mesh, its gateway, Vault. */
export const GAME_DAY_NAMESPACES: readonly string[] = [...DRILLS.healthNamespaces, ISTIO.namespace, ISTIO.gatewayNamespace, DRILLS.vaultActive.namespace];

/** What the game day uses of the runner (handed in: the runner imports this module, not the other way). */
export interface GameDayParts {
    runOne(drill: DrillName, node: string | undefined): Promise<DrillOutcome>;
    labProblems(lab: DrillLab, namespaces: readonly string[]): Promise<string[]>;
    context(): DrillContext;
}

/** One line of the scorecard. */
export interface ScorecardRow {
    drill: string;
    verdict: "PASS" | "FAIL" | "INCONCLUSIVE" | "ERROR";
    reasons: string[];
    /** Share of the month's error budget the drill spent (undefined: no load, or it broke before measuring). */
    budgetShare: number | undefined;
    /** The longest run of failed requests, in seconds. */
    longestOutageSeconds: number | undefined;
    /** From the injection to the part healthy again. */
    recoverySeconds: number | undefined;
    /** Its own report, under reports/. */
    report: string | undefined;
}

export interface Scorecard {
    startedAt: string;
    endedAt: string;
    drills: ScorecardRow[];
    /** The month's error budget the whole day spent: the sum of the drills' shares. */
    budgetSpent: number;
    /** Why the day ended early (undefined: every drill ran). */
    stopped: string | undefined;
}

export function scorecardRow(o: DrillOutcome, reportPath: string | undefined): ScorecardRow {
    const m = o.report?.measurement;
    return {
        drill: o.drill,
        verdict: o.report?.verdict.outcome ?? "ERROR",
        reasons: o.report?.verdict.reasons ?? [o.error ?? "no report"],
        budgetShare: m?.budgetShare,
        longestOutageSeconds: m?.longestFailedRun.seconds,
        recoverySeconds: m?.healthyAfter ?? o.report?.backup?.restoreSeconds,
        report: reportPath,
    };
}

export function scorecard(rows: ScorecardRow[], startedAt: number, endedAt: number, stopped: string | undefined): Scorecard {
    return {
        startedAt: new Date(startedAt).toISOString(),
        endedAt: new Date(endedAt).toISOString(),
        drills: rows,
        budgetSpent: rows.reduce((sum, r) => sum + (r.budgetShare ?? 0), 0),
        stopped,
    };
}

const secs = (s: number | undefined): string => (s === undefined ? "-" : `${s.toFixed(1)} s`);

export function scorecardMarkdown(card: Scorecard): string {
    const cell = (s: string) => s.replace(/\|/g, "\\|");
    return [
        `# Game day, ${card.startedAt}`,
        "",
        "| drill | verdict | error budget spent | longest outage | recovery | why |",
        "|---|---|---|---|---|---|",
        ...card.drills.map(
            (r) =>
                `| ${r.drill} | ${r.verdict} | ${r.budgetShare === undefined ? "-" : percent(r.budgetShare)} | ${secs(r.longestOutageSeconds)} | ` +
                `${secs(r.recoverySeconds)} | ${cell(r.reasons.join("; "))} |`,
        ),
        "",
        `The day spent ${percent(card.budgetSpent)} of the month's error budget (99.5 % over ${DRILLS.sloWindowDays} days).`,
        ...(card.stopped === undefined ? [] : ["", `Stopped early: ${cell(card.stopped)}.`]),
        "",
    ].join("\n");
}

/** The game day's exit status: 2 when a drill broke or the day stopped, else the worst verdict (FAIL, INCONCLUSIVE). */
export function gameDayExit(card: Scorecard): number {
    const verdicts = card.drills.map((r) => r.verdict);
    if (card.stopped !== undefined || verdicts.includes("ERROR")) {
        return EXIT.error;
    }
    return verdicts.includes("FAIL") ? EXIT.breach : verdicts.includes("INCONCLUSIVE") ? EXIT.inconclusive : EXIT.ok;
}

/** Runs the day in a locked lab (renewing the lock before each drill); writes and prints the scorecard. */
export async function gameDay(lab: DrillLab, deps: DrillDeps, clock: ClusterClock, parts: GameDayParts): Promise<number> {
    const startedAt = clock.now();
    const rows: ScorecardRow[] = [];
    let stopped: string | undefined;
    let interrupted: Interrupted | undefined;
    const order = DRILLS.gameDayOrder as readonly DrillName[];
    for (const [i, drill] of order.entries()) {
        const held = await lab.cluster.lock(drillLease(deps.holder, clock.now()), clock.now());
        if (held !== undefined) {
            stopped = `the drill lock is held by ${held.spec.holderIdentity}`;
            break;
        }
        deps.out(`=== game day ${i + 1}/${order.length}: ${drill}`);
        let outcome: DrillOutcome;
        try {
            outcome = await parts.runOne(drill, undefined);
        } catch (e) {
            if (!(e instanceof Interrupted)) {
                throw e;
            }
            rows.push(scorecardRow({ drill, code: EXIT.error, error: `interrupted: ${e.message}`, leftBroken: [] }, undefined));
            stopped = "interrupted (Ctrl-C)";
            interrupted = e;
            break;
        }
        const written = outcome.report === undefined ? undefined : reportPathOf(outcome);
        rows.push(scorecardRow(outcome, written));
        if (outcome.leftBroken.length > 0) {
            stopped = `${drill} left the lab broken: ${outcome.leftBroken.join("; ")}`;
            break;
        }
        if (i === order.length - 1) {
            break;
        }
        let problems: string[] = [];
        const healthy = await parts
            .context()
            .poll(
                async () => (problems = await parts.labProblems(lab, GAME_DAY_NAMESPACES)).length === 0,
                DRILLS.recoverySeconds,
                "the whole lab to be healthy before the next drill",
            )
            .catch((e: unknown) => {
                if (e instanceof Interrupted) {
                    interrupted = e;
                    return false;
                }
                problems = [e instanceof Error ? e.message : String(e)];
                return false;
            });
        if (interrupted !== undefined) {
            stopped = "interrupted (Ctrl-C)";
            break;
        }
        if (!healthy) {
            stopped = `${drill} left the lab unhealthy: ${problems.join("; ")}`;
            break;
        }
    }
    const card = scorecard(rows, startedAt, clock.now(), stopped);
    const base = `${DRILLS.reportsDir}/gameday-${card.startedAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;
    deps.write(`${base}.json`, `${JSON.stringify(card, null, 2)}\n`);
    deps.write(`${base}.md`, scorecardMarkdown(card));
    scorecardMarkdown(card)
        .split("\n")
        .filter((line) => line !== "")
        .forEach((line) => deps.out(line));
    deps.out(`wrote ${base}.json and ${base}.md`);
    if (interrupted !== undefined) {
        throw interrupted;
    }
    return gameDayExit(card);
}

/** The report file a drill wrote (publish's path, in JSON). */
function reportPathOf(o: DrillOutcome): string {
    const stamp = o.report!.startedAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
    return `${DRILLS.reportsDir}/drill-${o.drill}-${stamp}.json`;
}
