// `npm run drill -- --all` against the fake lab: every drill in the safe order, the whole lab healthy between them,
// one scorecard (Markdown and JSON under reports/) and a Grafana annotation per drill; it stops at the first drill
// that leaves the lab unhealthy or broken.
import { describe, expect, it } from "vitest";
import { DRILLS } from "../../../programs/shared/facts";
import { DRILL_CATALOG } from "../../../programs/drills/catalog";
import { gameDayExit, scorecard, scorecardMarkdown, type Scorecard } from "../../../programs/drills/gameday";
import { percent } from "../../../programs/drills/measure";
import { runDrill } from "../../../programs/drills/runner";
import { EXIT } from "../../../programs/shared/exit";
import { fakeLab, type Script } from "./fakeLab";

/** A fault every drill of the day survives: brief failures, a quick promotion, healthy within a minute. */
const DAY: Script = { failures: { from: 1, to: 3 }, promoteAfter: 5, healAfter: 30, db: { rows: 500, writesPerSecond: 1 } };

const cardOf = (files: Map<string, string>): { path: string; card: Scorecard; md: string } => {
    const json = [...files.entries()].find(([path]) => path.startsWith("reports/gameday-") && path.endsWith(".json"));
    expect(json).toBeDefined();
    return { path: json![0], card: JSON.parse(json![1]) as Scorecard, md: files.get(json![0].replace(/\.json$/, ".md"))! };
};

describe("the game day", () => {
    it("runs every drill in the safe order, backups first and node loss last, each under the one lock", async () => {
        expect(DRILLS.gameDayOrder[0]).toBe("backup-restore");
        expect(DRILLS.gameDayOrder.at(-1)).toBe("node-loss");
        // Every drill of the catalog, once: a drill missing here would be skipped by --all without a word.
        expect([...DRILLS.gameDayOrder].sort()).toEqual(Object.keys(DRILL_CATALOG).sort());
        const lab = fakeLab(DAY);
        expect(await runDrill(["--all"], lab.deps)).toBe(EXIT.ok);
        const { card } = cardOf(lab.files);
        expect(card.drills.map((r) => r.drill)).toEqual([...DRILLS.gameDayOrder]);
        expect(card.drills.every((r) => r.verdict === "PASS")).toBe(true);
        expect(card.stopped).toBeUndefined();
        // The lock is taken once, renewed before each drill, released once at the end.
        expect(lab.calls.filter((c) => c.startsWith("lock"))).toHaveLength(1 + DRILLS.gameDayOrder.length);
        expect(lab.calls.filter((c) => c.startsWith("unlock"))).toEqual(["unlock tester@workstation"]);
        expect(lab.calls.at(-1)).toBe("unlock tester@workstation");
        // Each drill's own action, in order.
        const marks = [
            "patch postgres/shlink-db",
            "delete shlink/shlink-1",
            "delete istio-ingress/",
            "delete istio-system/istiod-1",
            "delete vault/",
            "delete redis/",
            "delete postgres/",
            "stopService k3s-",
            "stop k3s-",
        ];
        const at = marks.map((m) => lab.calls.findIndex((c) => c.startsWith(m)));
        expect(at.every((i) => i >= 0)).toBe(true);
        expect([...at].sort((a, b) => a - b)).toEqual(at);
    });

    it("waits for the whole lab to be healthy between drills, saying so", async () => {
        const lab = fakeLab(DAY);
        await runDrill(["--all"], lab.deps);
        const waits = lab.lines.filter((l) => l.startsWith("=== game day"));
        expect(waits).toHaveLength(DRILLS.gameDayOrder.length);
        // After a drill the shlink pods it killed take 10 s to come back: the day waits, it does not start the next one.
        const killed = lab.lines.findIndex((l) => l.startsWith("killed shlink/shlink-3"));
        const next = lab.lines.findIndex((l, i) => i > killed && l.startsWith("=== game day 3/"));
        expect(next).toBeGreaterThan(killed);
    });

    it("writes one scorecard: per drill the budget spent, longest outage, recovery and verdict; overall the month's budget the day spent", async () => {
        const lab = fakeLab(DAY);
        await runDrill(["--all"], lab.deps);
        const { path, card, md } = cardOf(lab.files);
        expect(path).toMatch(/^reports\/gameday-\d{8}T\d{6}Z\.json$/);
        const fault = card.drills.filter((r) => r.drill !== "backup-restore");
        for (const row of fault) {
            expect(row.budgetShare).toBeGreaterThan(0);
            expect(row.longestOutageSeconds).toBeGreaterThan(0);
            expect(row.recoverySeconds).toBeGreaterThan(0);
            expect(row.report).toMatch(new RegExp(`^reports/drill-${row.drill}-\\d{8}T\\d{6}Z\\.json$`));
            expect(lab.files.has(row.report!)).toBe(true);
        }
        expect(card.budgetSpent).toBeCloseTo(
            fault.reduce((sum, r) => sum + r.budgetShare!, 0),
            12,
        );
        expect(md).toContain("| drill | verdict | error budget spent | longest outage | recovery | why |");
        expect(md).toMatch(/\| postgres-primary \| PASS \| 0\.0\d\d % \| 2\.0 s \| 30\.0 s \|  \|/);
        expect(md).toContain(`The day spent ${percent(card.budgetSpent)} of the month's error budget`);
        // One Grafana annotation per drill.
        expect(lab.annotations.map((a) => a.tags[1])).toEqual([...DRILLS.gameDayOrder]);
    });

    it("stops at the first drill that leaves the lab unhealthy: the later drills do not run, the scorecard says why (exit 2)", async () => {
        const lab = fakeLab({ ...DAY, breaksLabAt: "redis-master" });
        expect(await runDrill(["--all"], lab.deps)).toBe(EXIT.error);
        const { card, md } = cardOf(lab.files);
        const ran = DRILLS.gameDayOrder.slice(0, DRILLS.gameDayOrder.indexOf("redis-master") + 1);
        expect(card.drills.map((r) => r.drill)).toEqual(ran);
        expect(card.drills.at(-1)!.verdict).toBe("FAIL");
        expect(card.stopped).toMatch(/^redis-master left the lab unhealthy: Deployment shlink\/shlink 1\/3 \(scripted: broken for good\)/);
        expect(md).toContain("Stopped early: redis-master left the lab unhealthy");
        expect(lab.calls.some((c) => c.startsWith("delete postgres/") || c.startsWith("stop"))).toBe(false);
        expect(lab.calls.at(-1)).toBe("unlock tester@workstation");
    });

    it("stops when a drill leaves something broken it could not restore, naming it", async () => {
        const lab = fakeLab({ ...DAY, fail: [{ call: "start", sync: false }] });
        expect(await runDrill(["--all"], lab.deps)).toBe(EXIT.error);
        const { card } = cardOf(lab.files);
        expect(card.drills.at(-1)).toMatchObject({ drill: "etcd-member", verdict: "ERROR" });
        // After postgres-primary's failover the primary runs on k3s-3: etcd-member takes the other server.
        expect(card.stopped).toMatch(/^etcd-member left the lab broken: k3s is stopped on k3s-\d: start it with `ssh ubuntu@k3s-\d sudo systemctl start k3s`/);
        expect(lab.calls.filter((c) => c.startsWith("stop "))).toEqual([]);
    });

    it("refuses to start on an unhealthy lab, touching nothing", async () => {
        const lab = fakeLab({ ...DAY, unhealthy: ["Deployment istio-system/istiod 1/2"] });
        expect(await runDrill(["--all"], lab.deps)).toBe(EXIT.error);
        expect(lab.lines.join("\n")).toContain("the lab is not healthy, no game day now: Deployment istio-system/istiod 1/2");
        expect(lab.calls).toEqual([]);
    });

    it("exits with the worst verdict: 2 when stopped or broken, else 1 for a FAIL, else 3 for an INCONCLUSIVE", () => {
        const row = (verdict: "PASS" | "FAIL" | "INCONCLUSIVE" | "ERROR") => ({
            drill: "x",
            verdict,
            reasons: [],
            budgetShare: 0,
            longestOutageSeconds: 0,
            recoverySeconds: 0,
            report: undefined,
        });
        expect(gameDayExit(scorecard([row("PASS"), row("INCONCLUSIVE")], 0, 1, undefined))).toBe(EXIT.inconclusive);
        expect(gameDayExit(scorecard([row("INCONCLUSIVE"), row("FAIL")], 0, 1, undefined))).toBe(EXIT.breach);
        expect(gameDayExit(scorecard([row("PASS")], 0, 1, "x left the lab unhealthy"))).toBe(EXIT.error);
        expect(gameDayExit(scorecard([row("PASS"), row("ERROR")], 0, 1, undefined))).toBe(EXIT.error);
        expect(scorecardMarkdown(scorecard([row("PASS")], 0, 1, undefined))).not.toContain("Stopped");
    });
});
