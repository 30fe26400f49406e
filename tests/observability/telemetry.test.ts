// The telemetry quarter of the parts' contract (components/contracts/telemetry.ts): a part must say what it
// contributes, the observability layer assembles the parts' rules in their order, and it refuses an alert
// Alertmanager would route nowhere.
import { describe, expect, it } from "vitest";
import type { AlertingRule, PartTelemetry } from "../../components/contracts/telemetry";
import { downloadedDashboards } from "../../components/observability/kubePrometheusStack";
import { checkRuleSets, ruleSets } from "../../components/observability/monitoring";
import { Observability } from "../../components/observability/Observability";
import type { VaultAccess } from "../../components/contracts/vault";
import { PARTS } from "../../stacks/parts";
import { LAB_OBSERVABILITY_ARGS } from "../helpers/observability";
import { fullConfig, runUnderMocks } from "../helpers/pulumi";

const alert = (name: string, severity: string): AlertingRule => ({
    alert: name,
    expr: "vector(1)",
    labels: { severity },
    annotations: { summary: "s", description: "d", runbook: "r" },
});

/** A part whose only alert pages nobody: its severity is none of Alertmanager's routes. */
const unroutedPart: PartTelemetry = {
    monitors: [],
    rules: () => [{ role: "bad-rules", name: "bad", groups: [{ name: "bad", rules: [alert("BadAlert", "page")] }] }],
    dashboards: [],
};

describe("a part's telemetry", () => {
    it("must name its rules, monitors and dashboards, even when it has none", () => {
        // @ts-expect-error -- a part that forgot `rules` does not compile
        const noRules: PartTelemetry = { monitors: [], dashboards: [] };
        // @ts-expect-error -- nor one that forgot `monitors`
        const noMonitors: PartTelemetry = { rules: () => [], dashboards: [] };
        expect([noRules, noMonitors]).toHaveLength(2);
    });

    it("gathers several parts' alerts into one PrometheusRule in the order of the parts (k3s, operators, secrets)", () => {
        const platform = ruleSets(PARTS, { backups: [] }).filter((set) => set.name === "homelab-platform");
        expect(platform).toHaveLength(1);
        expect(platform[0].groups.map((g) => g.name)).toEqual(["homelab-platform"]);
        expect(platform[0].groups[0].rules.map((r) => ("alert" in r ? r.alert : r.record))).toEqual([
            "HomelabPodCrashLooping",
            "HomelabVolumeAlmostFull",
            "HomelabVolumeFillingUp",
            "HomelabNodeNotReady",
            "HomelabCertificateExpiring",
            "HomelabVaultSealed",
            "HomelabVaultDown",
        ]);
    });

    it("writes the backup rules only when the data layer has repositories to watch", () => {
        const names = (backups: { repo: string; name: string; schedules: string[] }[]) => ruleSets(PARTS, { backups }).map((s) => s.name);
        expect(names([])).not.toContain("homelab-backups");
        expect(names([{ repo: "1", name: "repo1", schedules: ["0 1 * * *"] }])).toContain("homelab-backups");
    });

    it("refuses two parts naming one PrometheusRule differently", () => {
        const a: PartTelemetry = { monitors: [], rules: () => [{ role: "x", name: "one", groups: [] }], dashboards: [] };
        const b: PartTelemetry = { monitors: [], rules: () => [{ role: "x", name: "two", groups: [] }], dashboards: [] };
        expect(() => ruleSets([a, b], { backups: [] })).toThrow(/named both one and two/);
    });

    it("lists Grafana's folders with Istio's first, then the parts' in their order", () => {
        const { providers, dashboards } = downloadedDashboards(PARTS.flatMap((p) => p.dashboards));
        expect(providers.map((p) => p.name)).toEqual(["istio", "data", "load"]);
        expect(Object.keys(dashboards.data)).toEqual(["redis"]);
        expect(Object.keys(dashboards.istio)).toHaveLength(5);
    });
});

describe("the routing check", () => {
    it("accepts every part's alerts: each carries a severity Alertmanager routes", () => {
        expect(() => checkRuleSets(ruleSets(PARTS, { backups: [{ repo: "1", name: "repo1", schedules: ["0 1 * * *"] }] }))).not.toThrow();
    });

    it("refuses a part whose alert has no routed severity, or none at all", () => {
        expect(() => checkRuleSets(ruleSets([...PARTS, unroutedPart], { backups: [] }))).toThrow(/BadAlert \(PrometheusRule bad\) has severity "page"/);
        const unlabelled = { ...alert("Unlabelled", "x"), labels: {} };
        expect(() => checkRuleSets([{ role: "r", name: "n", groups: [{ name: "g", rules: [unlabelled] }] }])).toThrow(/Unlabelled/);
    });

    it("runs when the layer is built: the layer with such a part is refused before it creates anything", async () => {
        // Refused before anything is created, so the Vault access is never looked at.
        const vault = {} as VaultAccess;
        let thrown: unknown;
        // Under its own mocks: a component registered outside a run would land in another test's (frozen) ledger.
        const { ledger } = await runUnderMocks(fullConfig(), () => {
            try {
                new Observability("obs", { ...LAB_OBSERVABILITY_ARGS, telemetry: [...PARTS, unroutedPart], vault });
            } catch (e) {
                thrown = e;
            }
        });
        expect(String(thrown)).toMatch(/BadAlert/);
        expect(ledger.registrations.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
    });
});
