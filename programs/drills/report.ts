// A drill's report: the printed table, and the JSON and Markdown written under reports/.
import { percent, type DrillMeasurement, type Verdict } from "./measure";

export interface DrillReport {
    drill: string;
    /** ISO times of the injection and of the report. */
    startedAt: string;
    injectedAt: string;
    endedAt: string;
    /** What was taken away (pod or node name). */
    target: string;
    loadRun: string | undefined;
    measurement: DrillMeasurement | undefined;
    /** backup-restore: the live and restored short-URL counts, and how long backup and restore took. */
    backup?: { counts: { live: number; restored: number }; backupSeconds: number; restoreSeconds: number; restorePoint?: string; repoName?: string };
    /** The skew applied to this machine's times to put them on the cluster's clock (ms, ±). */
    clock?: { skewMs: number; uncertaintyMs: number };
    verdict: Verdict;
}

/** How one drill ended: its exit status, its report (none when it broke), what it left broken. */
export interface DrillOutcome {
    drill: string;
    code: number;
    report?: DrillReport;
    error?: string;
    /** What stays broken because a restore failed, each with the command that fixes it. */
    leftBroken: string[];
}

const secs = (s: number | undefined): string => (s === undefined ? "-" : `${s.toFixed(1)} s`);

/** Rows of the report: label, value. */
export function reportRows(r: DrillReport): [string, string][] {
    const rows: [string, string][] = [
        ["drill", r.drill],
        ["target", r.target],
        ["injected at", r.injectedAt],
    ];
    const m = r.measurement;
    if (m !== undefined) {
        rows.push(
            ["fault window", secs(m.windowSeconds)],
            ["requests in the window", String(m.requests)],
            ["failed requests", String(m.failed)],
            ["error rate", percent(m.errorRate)],
            ["longest run of failures", `${m.longestFailedRun.requests} requests over ${secs(m.longestFailedRun.seconds)}`],
            ["first failure after", secs(m.firstFailureAfter)],
            ["last failure after", secs(m.lastFailureAfter)],
            ["new primary/master after", secs(m.promotedAfter)],
            ["healthy again after", secs(m.healthyAfter)],
            ["month's error budget spent", `${percent(m.budgetShare)} (at ${m.requestsPerSecond.toFixed(1)} req/s)`],
            ["requests planned in the window", String(m.evidence.planned)],
            ["iterations dropped (failures)", String(m.evidence.dropped)],
            ["load generator silent at most", secs(m.evidence.longestSilenceSeconds)],
        );
    }
    if (r.clock !== undefined) {
        rows.push(["clock skew applied", `${(r.clock.skewMs / 1000).toFixed(2)} s (± ${(r.clock.uncertaintyMs / 1000).toFixed(2)} s)`]);
    }
    if (r.backup !== undefined) {
        rows.push(
            ...(r.backup.repoName === undefined ? [] : [["repository", r.backup.repoName] as [string, string]]),
            ["backup took", secs(r.backup.backupSeconds)],
            ["restore took", secs(r.backup.restoreSeconds)],
            ["short URLs (live, at the restore point)", String(r.backup.counts.live)],
            ["short URLs (restored)", String(r.backup.counts.restored)],
        );
    }
    rows.push(["verdict", r.verdict.reasons.length === 0 ? r.verdict.outcome : `${r.verdict.outcome}: ${r.verdict.reasons.join("; ")}`]);
    return rows;
}

export function reportTable(r: DrillReport): string[] {
    const rows = reportRows(r);
    const width = Math.max(...rows.map(([k]) => k.length));
    return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
}

export function reportMarkdown(r: DrillReport): string {
    const rows = reportRows(r).map(([k, v]) => `| ${k} | ${v.replace(/\|/g, "\\|")} |`);
    return [`# Drill ${r.drill}, ${r.injectedAt}`, "", "| | |", "|---|---|", ...rows, ""].join("\n");
}

/** `reports/drill-<name>-<UTC stamp>`, without extension. */
export function reportBase(dir: string, r: DrillReport): string {
    return `${dir}/drill-${r.drill}-${r.startedAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;
}
