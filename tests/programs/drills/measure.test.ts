// The numbers and the verdict from hand-made timelines, the report's table and Markdown, and the k6 side of
// the timeline: what the scenario logs when a drill asks, and that the drill reads it back from a k6 log line.
import { afterEach, describe, expect, it, vi } from "vitest";
import { DRILLS } from "../../../programs/shared/facts";
import { longestSilence, measure, monthlyBudget, verdict, type RequestEvent } from "../../../programs/drills/measure";
import { reportMarkdown, reportTable, type DrillReport } from "../../../programs/drills/report";
import { heartbeatLine, parseLoadLog, parseTimeline, TIMELINE, timelineLine, type LoadLog } from "../../../components/load/scenarios/catalog";

vi.mock("k6", async () => (await import("../../load/k6shim")).k6Module);
vi.mock("k6/http", async () => (await import("../../load/k6shim")).httpModule);
vi.mock("k6/metrics", async () => (await import("../../load/k6shim")).metricsModule);
vi.mock("k6/execution", async () => (await import("../../load/k6shim")).executionModule);

const I = 1_000_000;
/** ok/failed requests at the given ms offsets from the injection. */
const events = (spec: [number, boolean][]): RequestEvent[] => spec.map(([dt, ok]) => ({ t: I + dt, ok }));
/** A load log of `requests`, a heartbeat every second from 5 s before the injection to 20 s after, nothing dropped. */
const log = (requests: RequestEvent[], dropped: LoadLog["dropped"] = []): LoadLog => ({
    events: requests,
    dropped,
    heartbeats: Array.from({ length: 26 }, (_, i) => I + (i - 5) * 1000),
});

describe("measure", () => {
    // Before the fault: ok. Then 3 failures, a success, 2 failures, and ok again; healthy at 5 s.
    const timeline = events([
        [-2000, true],
        [-1000, true],
        [100, true],
        [500, false],
        [700, false],
        [900, false],
        [1100, true],
        [1300, false],
        [1500, false],
        [2000, true],
        [4000, true],
        [6000, true],
        [8000, true],
    ]);
    const m = measure(log(timeline), { injectedAt: I, promotedAt: I + 1200, healthyAt: I + 5000, endedAt: I + 8000 }, 1.8);

    it("counts the requests and failures inside the window (injection to healthy), and the error rate", () => {
        expect(m.windowSeconds).toBe(5);
        expect(m.requests).toBe(9);
        expect(m.failed).toBe(5);
        expect(m.errorRate).toBeCloseTo(5 / 9, 10);
    });

    it("finds the longest run of consecutive failures and its length in time", () => {
        expect(m.longestFailedRun).toEqual({ requests: 3, seconds: 0.4 });
    });

    it("times the first and last failure, the promotion and the return to health from the injection", () => {
        expect([m.firstFailureAfter, m.lastFailureAfter, m.promotedAfter, m.healthyAfter]).toEqual([0.5, 1.5, 1.2, 5]);
    });

    it("prices the failures against a 30-day 99.5 % budget at the run's request rate", () => {
        // 13 requests over 10 s.
        expect(m.requestsPerSecond).toBeCloseTo(1.3, 10);
        expect(monthlyBudget(1.3)).toBeCloseTo(0.005 * 1.3 * 30 * 86_400, 6);
        expect(m.budgetShare).toBeCloseTo(5 / (0.005 * 1.3 * 30 * 86_400), 12);
    });

    it("stretches the window to a failure later than the return to health; no failure gives no failure times", () => {
        const late = measure(
            log(
                events([
                    [0, true],
                    [9000, false],
                    [9500, true],
                ]),
            ),
            { injectedAt: I, healthyAt: I + 2000, endedAt: I + 9500 },
            0.2,
        );
        expect(late.windowSeconds).toBe(9);
        expect(late.lastFailureAfter).toBe(9);
        const clean = measure(
            log(
                events([
                    [0, true],
                    [1000, true],
                ]),
            ),
            { injectedAt: I, healthyAt: I + 500, endedAt: I + 1000 },
            2,
        );
        expect([clean.failed, clean.firstFailureAfter, clean.lastFailureAfter, clean.longestFailedRun.requests]).toEqual([0, undefined, undefined, 0]);
    });
});

describe("verdict", () => {
    // 10 requests a second for 20 s, the injection 5 s in, healthy 10 s after it.
    const steady = Array.from({ length: 200 }, (_, i): RequestEvent => ({ t: I - 5000 + i * 100, ok: true }));
    const times = { injectedAt: I, healthyAt: I + 10_000, endedAt: I + 15_000 };
    const base = measure(log(steady), times, 10);

    it("passes a healthy part with traffic, a small spend, and a load that vouches for the window", () => {
        expect(base.evidence).toEqual({ planned: 100, dropped: 0, longestSilenceSeconds: 1 });
        expect(verdict(base)).toEqual({ outcome: "PASS", pass: true, reasons: [] });
    });

    it("fails each broken promise with its reason: not healthy again, too much budget", () => {
        expect(verdict({ ...base, healthyAfter: undefined })).toEqual({
            outcome: "FAIL",
            pass: false,
            reasons: [`the failed part was not healthy again within ${DRILLS.recoverySeconds} s`],
        });
        expect(verdict({ ...base, budgetShare: 0.02 }).reasons).toEqual(["spent 2.00 % of the month's error budget (limit 1.00 % per event)"]);
    });

    it("is INCONCLUSIVE when the load generator did not run through the window (its heartbeat stopped), naming why", () => {
        const lost = measure({ ...log(steady), heartbeats: log([]).heartbeats.filter((t) => t <= I + 3000) }, times, 10);
        expect(lost.evidence.longestSilenceSeconds).toBe(7);
        const v = verdict(lost);
        expect(v.outcome).toBe("INCONCLUSIVE");
        expect(v.reasons).toEqual([
            "the load generator was silent for 7.0 s inside the fault window (its heartbeat stopped): it did not run for the whole window " +
                "(a k6 runner is never restarted: was its pod or node lost?)",
        ]);
        expect(longestSilence([I + 1000, I + 2000], I, I + 2500)).toBe(1);
    });

    it("is INCONCLUSIVE when requests sent + dropped fall short of the plan beyond the tolerance; none sent at all, too", () => {
        const half = measure(log(steady.filter((_, i) => i % 2 === 0)), times, 10);
        expect(verdict(half)).toMatchObject({
            outcome: "INCONCLUSIVE",
            reasons: [expect.stringContaining("the window holds 51 requests sent + 0 dropped = 51, the schedule planned 100")],
        });
        // Within the tolerance (5 %): still PASS.
        expect(verdict(measure(log(steady.filter((_, i) => i % 25 !== 0)), times, 10)).outcome).toBe("PASS");
        expect(verdict({ ...base, requests: 0 }).reasons[0]).toBe("the load sent no request during the fault window: nothing was measured");
    });

    it("counts dropped iterations, from k6's counter, as failures: they complete the plan and spend the budget", () => {
        const sent = steady.filter((e) => e.t < I + 2000 || e.t >= I + 6000);
        const counter = [
            { scenario: "redirects", t: I - 100, count: 3 },
            { scenario: "redirects", t: I + 6000, count: 43 },
            { scenario: "redirects", t: I + 12_000, count: 43 },
        ];
        const m = measure(log(sent, counter), times, 10);
        expect(m.evidence.dropped).toBe(40);
        // The window's both ends count: 101 requests' worth in 10 s at 10/s.
        expect(m.requests + m.evidence.dropped).toBe(m.evidence.planned + 1);
        expect(m.errorRate).toBeCloseTo(40 / 101, 10);
        expect(m.budgetShare).toBeCloseTo(40 / monthlyBudget(m.requestsPerSecond), 12);
        expect(verdict(m).outcome).toBe("PASS");
    });

    it("a FAIL stands on partial evidence (the failures measured are a lower bound)", () => {
        const lost = measure({ ...log(steady), heartbeats: [] }, times, 10);
        expect(verdict({ ...lost, healthyAfter: undefined }).outcome).toBe("FAIL");
    });
});

describe("the report", () => {
    const m = measure(
        log(
            events([
                [0, true],
                [500, false],
                [1000, true],
            ]),
        ),
        { injectedAt: I, promotedAt: I + 700, healthyAt: I + 1000, endedAt: I + 1000 },
        3,
    );
    const report: DrillReport = {
        drill: "redis-master",
        startedAt: "2026-11-22T03:00:00.000Z",
        injectedAt: "2026-11-22T03:01:00.000Z",
        endedAt: "2026-11-22T03:02:00.000Z",
        target: "pod redis/rfr-shlink-redis-0 on k3s-2",
        loadRun: "drill-redis-master-20261122-030000",
        measurement: m,
        verdict: verdict(m),
    };

    it("has one row per number the issue asks for, in the table and the Markdown", () => {
        const table = reportTable(report).join("\n");
        const md = reportMarkdown(report);
        for (const label of [
            "requests in the window",
            "requests planned in the window",
            "iterations dropped (failures)",
            "load generator silent at most",
            "error rate",
            "longest run of failures",
            "first failure after",
            "last failure after",
            "new primary/master after",
            "healthy again after",
            "month's error budget spent",
            "verdict",
        ]) {
            expect(table).toContain(label);
            expect(md).toContain(`| ${label} |`);
        }
        expect(md.startsWith("# Drill redis-master, 2026-11-22T03:01:00.000Z")).toBe(true);
    });
});

describe("the k6 timeline", () => {
    afterEach(() => {
        vi.restoreAllMocks();
    });

    it('parses the lines k6\'s logger writes (console.log inside msg="...") back into sorted requests', () => {
        const log = [
            `time="2026-11-22T03:00:01Z" level=info msg="${timelineLine([
                [2000, true],
                [2100, false],
            ])}" source=console`,
            `time="2026-11-22T03:00:00Z" level=info msg="${timelineLine([[1000, true]])}" source=console`,
            `time="2026-11-22T03:00:00Z" level=info msg="something else 12:1" source=console`,
        ].join("\n");
        expect(parseTimeline(log)).toEqual([
            { t: 1000, ok: true },
            { t: 2000, ok: true },
            { t: 2100, ok: false },
        ]);
    });

    it("parses k6's dropped-iteration counter at its line's last request, and the heartbeats", () => {
        const log = [
            `msg="${timelineLine(
                [
                    [2000, true],
                    [2100, false],
                ],
                { scenario: "redirects", count: 7 },
            )}"`,
            `msg="${timelineLine([[1000, true]], { scenario: "creations", count: 0 })}"`,
            `msg="${heartbeatLine(1500)}"`,
            `msg="${heartbeatLine(500)}"`,
        ].join("\n");
        expect(parseLoadLog(log)).toEqual({
            events: [
                { t: 1000, ok: true },
                { t: 2000, ok: true },
                { t: 2100, ok: false },
            ],
            dropped: [
                { scenario: "creations", t: 1000, count: 0 },
                { scenario: "redirects", t: 2100, count: 7 },
            ],
            heartbeats: [500, 1500],
        });
    });

    it("the scenario logs each request's start and outcome about once a second (a failure at once), only when the drill sets the switch", async () => {
        const logged: string[] = [];
        vi.spyOn(console, "log").mockImplementation((line: string) => logged.push(line));
        let clock = 5000;
        vi.spyOn(Date, "now").mockImplementation(() => clock);
        // A computed path: the root tsconfig does not compile the k6 files.
        const shlink = "../../../components/load/scenarios/shlink.ts";
        // A fresh copy: k6 keeps module state per VU, and another file of this worker may have run the scenario.
        vi.resetModules();
        const { record } = (await import(shlink)) as { record(startedMs: number, ok: boolean): void };
        (globalThis as Record<string, unknown>).__ENV = {};
        record(5000, true);
        clock = 7000;
        record(6000, false);
        expect(logged).toEqual([]);
        (globalThis as Record<string, unknown>).__ENV = { [TIMELINE.env]: "1" };
        clock = 7100;
        record(7100, true);
        record(7200, true);
        expect(logged).toEqual([]);
        // A failure goes out at once, with what waited before it: its VU may stay idle after the fault.
        record(7500, false);
        expect(logged).toEqual([`${TIMELINE.marker} 7100:1 7200:1 7500:0`]);
        clock = 8200;
        record(8150, true);
        expect(logged).toHaveLength(1);
        clock = 9200;
        record(9190, true);
        expect(logged).toEqual([`${TIMELINE.marker} 7100:1 7200:1 7500:0`, `${TIMELINE.marker} 8150:1 9190:1`]);
        expect(parseTimeline(logged.join("\n"))).toEqual([
            { t: 7100, ok: true },
            { t: 7200, ok: true },
            { t: 7500, ok: false },
            { t: 8150, ok: true },
            { t: 9190, ok: true },
        ]);
    });
});
