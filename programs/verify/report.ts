// The suite's report: one printed line per check, and the JSON and Markdown written under reports/.
import { GROUPS, type Group } from "./check";

/** A check's result as reported: its outcome, or `error` when it could not run (deadline, lab unreachable). */
export interface CheckResult {
    id: string;
    group: Group;
    proves: string;
    status: "pass" | "fail" | "skip" | "error";
    evidence: string;
    cause?: string;
    lookAt?: string;
    seconds: number;
}

export interface VerifyReport {
    startedAt: string;
    endedAt: string;
    mode: "proxmox" | "cluster";
    /** Whole suite or the fast subset. */
    suite: "full" | "fast" | "selected";
    counts: Record<CheckResult["status"], number>;
    exitCode: number;
    results: CheckResult[];
}

const MARK: Record<CheckResult["status"], string> = { pass: "PASS", fail: "FAIL", skip: "SKIP", error: "ERROR" };

/** One line (two more on failure: the likely cause, where to look). */
export function resultLines(r: CheckResult): string[] {
    const head = `${MARK[r.status].padEnd(5)} ${r.id}: ${r.proves} — ${r.status === "error" ? `could not run: ${r.evidence}` : r.evidence} (${r.seconds.toFixed(1)} s)`;
    if (r.status !== "fail") {
        return [head];
    }
    return [head, `        likely cause: ${r.cause ?? "?"}`, `        look at: ${r.lookAt ?? "?"}`];
}

export function summaryLine(counts: VerifyReport["counts"], seconds: number): string {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const verdict = counts.fail > 0 ? "PROMISES BROKEN" : counts.error > 0 ? "COULD NOT CHECK EVERYTHING" : "ALL PROMISES HOLD";
    return `${verdict}: ${counts.pass} passed, ${counts.fail} failed, ${counts.error} could not run, ${counts.skip} skipped of ${total} checks in ${seconds.toFixed(0)} s`;
}

const cell = (s: string | undefined) => (s ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");

export function reportMarkdown(r: VerifyReport): string {
    const out = [
        `# npm run verify, ${r.startedAt} (${r.mode} mode, ${r.suite} suite)`,
        "",
        summaryLine(r.counts, (Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000),
        "",
    ];
    for (const [group, title] of Object.entries(GROUPS)) {
        const rows = r.results.filter((x) => x.group === group);
        if (rows.length === 0) continue;
        out.push(`## ${title}`, "", "| check | proves | result | evidence | likely cause | look at |", "|---|---|---|---|---|---|");
        rows.forEach((x) => out.push(`| ${x.id} | ${cell(x.proves)} | ${MARK[x.status]} | ${cell(x.evidence)} | ${cell(x.cause)} | ${cell(x.lookAt)} |`));
        out.push("");
    }
    return out.join("\n");
}

/** `reports/verify-<UTC stamp>`, without extension. */
export function reportBase(dir: string, startedAt: string): string {
    return `${dir}/verify-${startedAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;
}
