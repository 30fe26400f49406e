// Every rule and dashboard query the layer sends, through the real Prometheus tools: `promtool check rules`
// parses each PrometheusRule (PromQL and annotation templates) and the dashboard's queries (as recording rules,
// since promtool cannot check a lone expression); `promtool test rules` replays series for every alert.
// promtool here is Debian bookworm's 2.42 while the cluster runs Prometheus 3.14: the rules use nothing 2.42
// lacks, so nothing is skipped.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Observability } from "../../components/observability/Observability";
import { LAB_OBSERVABILITY_ARGS } from "../helpers/observability";
import { standInVault } from "../helpers/vault";
import { nativeTool } from "../helpers/tools";
import { runUnderMocks, type Ledger } from "../helpers/pulumi";

const promtool = nativeTool("promtool", "prometheus");

type Rule = { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: object };
type Spec = { groups: { name: string; rules: Rule[] }[] };

/** The SLO selector's labels: the gateway's client-side report of requests to shlink. */
const SHLINK =
    'reporter="source",source_workload="istio-ingressgateway",source_workload_namespace="istio-ingress",destination_service_namespace="shlink",destination_service_name="shlink"';
const SLO = { slo_namespace: "shlink", slo_service: "shlink" };
const PG = 'pg_cluster="postgres:shlink-db"';
const REDIS = 'namespace="redis",container="redis-exporter"';

/** A counter growing by `perMinute` each minute for `minutes` minutes (promtool's expanding notation). */
const counter = (perMinute: number, minutes: number, start = 0) => `${start}+${perMinute}x${minutes}`;

/** Series of `metric` with the SLO selector's labels plus `extra`. */
const shlink = (metric: string, extra: string, values: string) => ({ series: `${metric}{${SHLINK}${extra}}`, values });

/** Requests through the gateway: `ok` and `errors` per minute; latency: `fast` of every request under 500 ms. */
function traffic(ok: string, errors: string, latency?: { fast: string; all: string }) {
    return [
        shlink("istio_requests_total", ',response_code="200"', ok),
        shlink("istio_requests_total", ',response_code="503"', errors),
        ...(latency
            ? [
                  shlink("istio_request_duration_milliseconds_bucket", ',le="500.0"', latency.fast),
                  shlink("istio_request_duration_milliseconds_count", "", latency.all),
              ]
            : []),
    ];
}

const burn = (kind: "Availability" | "Latency", pairs: [string, string, string][]) => ({
    alertname: `Shlink${kind}ErrorBudgetBurn`,
    exp_alerts: pairs.map(([severity, long_window, short_window]) => ({
        exp_labels: { slo: `shlink-${kind.toLowerCase()}`, ...SLO, severity, long_window, short_window },
    })),
});
const ALL_BURNS: [string, string, string][] = [
    ["critical", "1h", "5m"],
    ["critical", "6h", "30m"],
    ["warning", "3d", "6h"],
];
const silent = (alertname: string) => ({ alertname, exp_alerts: [] });

/**
 * A series as Prometheus stores it from a scrape: the sample's own labels plus the target's; on a conflict the
 * target's label wins and the sample's is kept as `exported_<name>`, unless the monitor sets honorLabels (then the
 * sample's wins). Prometheus' scrape_config `honor_labels`.
 */
function storedSeries(metric: string, exposed: Record<string, string>, target: Record<string, string>, honorLabels = false): string {
    const labels: Record<string, string> = { ...target };
    for (const [name, value] of Object.entries(exposed)) {
        if (!(name in target) || honorLabels) {
            labels[name] = value;
        } else {
            labels[`exported_${name}`] = value;
        }
    }
    return `${metric}{${Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(",")}}`;
}

/** The labels of a series written as `metric{a="x",b="y"}`. */
const seriesLabels = (series: string) => Object.fromEntries([...series.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
const at = (eval_time: string, ...tests: object[]) => tests.map((t) => ({ eval_time, ...t }));

promtool.describe("rules and queries, by promtool", () => {
    let ledger: Ledger;
    let dir: string;
    let specs: Record<string, Spec>;
    const write = (name: string, content: unknown) => {
        fs.writeFileSync(path.join(dir, name), JSON.stringify(content, null, 2)); // JSON is YAML
        return name;
    };
    /** A rule file for unit tests: annotations left out (promtool would compare their rendered text), the rest as sent. */
    const testable = (spec: Spec) => ({
        groups: spec.groups.map((g) => ({ ...g, rules: g.rules.map((rule) => ({ ...rule, annotations: undefined })) })),
    });
    const unitTest = (name: string, ruleFiles: string[], tests: object[], evaluationInterval = "1m") => {
        const file = write(`${name}.test.yml`, { rule_files: ruleFiles, evaluation_interval: evaluationInterval, tests });
        return promtool.run(["test", "rules", file], dir);
    };

    beforeAll(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "promtool-"));
        ({ ledger } = await runUnderMocks({}, () => {
            const provider = new k8s.Provider("k8s", { kubeconfig: "unused" });
            new Observability("obs", { ...LAB_OBSERVABILITY_ARGS, vault: standInVault() }, { providers: [provider] });
        }));
        specs = Object.fromEntries(
            ledger.resources.filter((r) => r.inputs.kind === "PrometheusRule").map((r) => [r.inputs.metadata.name, r.inputs.spec as Spec]),
        );
        for (const [name, spec] of Object.entries(specs)) {
            write(`${name}.rules.yml`, spec);
            write(`${name}.testable.yml`, testable(spec));
        }
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("accepts every PrometheusRule the layer sends, templates included", () => {
        const names = Object.keys(specs).sort();
        expect(names).toEqual(["homelab-backups", "homelab-data", "homelab-platform", "shlink-slo", "shlink-traffic"]);
        const out = promtool.run(["check", "rules", ...names.map((name) => `${name}.rules.yml`)], dir);
        for (const name of names) {
            const count = specs[name].groups.reduce((n, g) => n + g.rules.length, 0);
            expect(out).toContain(`Checking ${name}.rules.yml\n  SUCCESS: ${count} rules found`);
        }
    });

    it("rejects broken PromQL, so the check above can fail", () => {
        write("broken.rules.yml", { groups: [{ name: "b", rules: [{ alert: "B", expr: "sum(rate(x[5m])" }] }] });
        expect(() => promtool.run(["check", "rules", "broken.rules.yml"], dir)).toThrow(/unclosed left parenthesis|parse error/);
    });

    it("parses every query of the data-layer dashboard (as recording rules)", () => {
        const configMap = ledger.resources.find((r) => r.name === "obs-data-dashboard")!;
        const dashboard = JSON.parse(Object.values(configMap.inputs.data as Record<string, string>)[0]);
        const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
        expect(exprs.length).toBeGreaterThanOrEqual(9);
        write("dashboard.rules.yml", { groups: [{ name: "dashboard", rules: exprs.map((expr, i) => ({ record: `dashboard:query${i}`, expr })) }] });
        expect(promtool.run(["check", "rules", "dashboard.rules.yml"], dir)).toContain(`SUCCESS: ${exprs.length} rules found`);
        expect(exprs.some((e) => e.includes("redis_keyspace_hits_total") && e.includes("redis_keyspace_misses_total"))).toBe(true);
    });

    it("SLO burn: pages and tickets on a real burn of both SLIs, silent when healthy", () => {
        const slo = ["shlink-slo.testable.yml"];
        const out = unitTest("slo", slo, [
            {
                // Half the requests fail and are slow, at 10 requests/s.
                interval: "1m",
                input_series: traffic(counter(300, 80), counter(300, 80), { fast: counter(300, 80), all: counter(600, 80) }),
                alert_rule_test: at("70m", burn("Availability", ALL_BURNS), burn("Latency", ALL_BURNS)),
            },
            {
                // 0.1% errors and every request fast: within both objectives.
                interval: "1m",
                input_series: traffic(counter(599, 80), counter(1, 80), { fast: counter(600, 80), all: counter(600, 80) }),
                alert_rule_test: at("70m", silent("ShlinkAvailabilityErrorBudgetBurn"), silent("ShlinkLatencyErrorBudgetBurn")),
            },
        ]);
        expect(out).toContain("SUCCESS");
    });

    it("a single 503 at 0.1 requests/min: no page (minimum-traffic guard), a ticket; without the guard it would page", () => {
        const minutes = Array.from({ length: 71 }, (_, t) => t);
        const sparse = traffic(minutes.map((t) => Math.floor(t / 10)).join(" "), minutes.map((t) => (t >= 60 ? 1 : 0)).join(" "));
        const guarded = unitTest(
            "sparse",
            ["shlink-slo.testable.yml"],
            [{ interval: "1m", input_series: sparse, alert_rule_test: at("62m", burn("Availability", [["warning", "3d", "6h"]])) }],
        );
        expect(guarded).toContain("SUCCESS");
        // The same rules with the guard cut out: the 503 pages, as it did before the guard (measured in the lab).
        const spec = testable(specs["shlink-slo"]);
        let cut = 0;
        for (const rule of spec.groups.flatMap((g) => g.rules)) {
            const unguarded = rule.expr.replace(/\nand\nslo:sli_requests:rate\w+\{[^}]*\} >= \(1 \/ 60\)$/, "");
            cut += unguarded === rule.expr ? 0 : 1;
            rule.expr = unguarded;
        }
        expect(cut).toBe(4);
        write("unguarded.yml", spec);
        const unguarded = unitTest(
            "unguarded",
            ["unguarded.yml"],
            [{ interval: "1m", input_series: sparse, alert_rule_test: at("62m", burn("Availability", ALL_BURNS)) }],
        );
        expect(unguarded).toContain("SUCCESS");
    });

    it("zero traffic: burn alerts silent; the no-traffic alert fires after a day with traffic, not without one", () => {
        // Samples and evaluations every 10 minutes: a day and two hours of them stay quick.
        const day = 144;
        const afterADay = (perStep: number) => `${counter(perStep, day)} ${perStep * day}+0x12`;
        const noTraffic = { alertname: "ShlinkNoTraffic", exp_alerts: [{ exp_labels: { severity: "warning", ...SLO } }] };
        const out = unitTest(
            "traffic",
            ["shlink-slo.testable.yml", "shlink-traffic.testable.yml"],
            [
                {
                    // A day at 1 request/s, then nothing for two hours (from minute 1440).
                    interval: "10m",
                    input_series: traffic(afterADay(600), afterADay(0), { fast: afterADay(600), all: afterADay(600) }),
                    alert_rule_test: [
                        ...at("1400m", silent("ShlinkNoTraffic")),
                        // Quiet for 50 minutes: not an hour yet.
                        ...at("1490m", silent("ShlinkNoTraffic")),
                        // Quiet for an hour at 1500m, pending, then firing 10 minutes later.
                        ...at("1500m", silent("ShlinkNoTraffic")),
                        ...at("1510m", noTraffic, silent("ShlinkAvailabilityErrorBudgetBurn"), silent("ShlinkLatencyErrorBudgetBurn")),
                    ],
                },
                {
                    // Never any traffic: nothing to miss.
                    interval: "10m",
                    input_series: traffic(counter(0, 18), counter(0, 18), { fast: counter(0, 18), all: counter(0, 18) }),
                    alert_rule_test: at("150m", silent("ShlinkNoTraffic"), silent("ShlinkAvailabilityErrorBudgetBurn"), silent("ShlinkLatencyErrorBudgetBurn")),
                },
            ],
            "10m",
        );
        expect(out).toContain("SUCCESS");
    });

    it("PostgreSQL and Redis: no primary, replication lag, no master fire; silent when healthy", () => {
        const recovery = (pod: string, status: number) => ({ series: `ccp_is_in_recovery_status{${PG},pod="${pod}"}`, values: `${status}x20` });
        const redis = (pod: string, role: string) => ({ series: `redis_instance_info{${REDIS},pod="${pod}",role="${role}"}`, values: "1x20" });
        const lag = (bytes: number) => ({
            series: `ccp_replication_lag_size_bytes{${PG},replica="10.42.1.7",pod="shlink-db-pgha1-a-0"}`,
            values: `${bytes}x20`,
        });
        const unrelated = { series: 'up{job="other"}', values: "1x20" };
        const fires = (alertname: string, labels: Record<string, string>) => ({ alertname, exp_alerts: [{ exp_labels: labels }] });
        const out = unitTest(
            "data",
            ["homelab-data.testable.yml"],
            [
                {
                    interval: "1m",
                    input_series: [recovery("a", 2), recovery("b", 1), recovery("c", 1), lag(1024 * 1024), redis("rfr-0", "master"), redis("rfr-1", "slave")],
                    alert_rule_test: at("15m", silent("HomelabPostgresNoPrimary"), silent("HomelabPostgresReplicationLag"), silent("HomelabRedisNoMaster")),
                },
                {
                    interval: "1m",
                    input_series: [recovery("a", 1), recovery("b", 1), lag(100 * 1024 * 1024), redis("rfr-0", "slave"), redis("rfr-1", "slave")],
                    alert_rule_test: at(
                        "15m",
                        fires("HomelabPostgresNoPrimary", { severity: "critical" }),
                        fires("HomelabPostgresReplicationLag", { severity: "warning", pg_cluster: "postgres:shlink-db", replica: "10.42.1.7" }),
                        fires("HomelabRedisNoMaster", { severity: "critical" }),
                    ),
                },
                {
                    // No exporter answers at all: still no primary, no master.
                    interval: "1m",
                    input_series: [unrelated],
                    alert_rule_test: at(
                        "15m",
                        fires("HomelabPostgresNoPrimary", { severity: "critical", pg_cluster: "postgres:shlink-db" }),
                        fires("HomelabRedisNoMaster", { severity: "critical" }),
                    ),
                },
            ],
        );
        expect(out).toContain("SUCCESS");
    });

    /**
     * The gateway's certificate `istio-ingress/gw` as cert-manager's collector exposes it (labels name, namespace and
     * the issuer's: v1.19.6 internal/collectors/certificate_collector.go), scraped through the layer's cert-manager
     * PodMonitor from a pod in cert-manager's namespace.
     */
    const certificateSeries = () => {
        const monitor = ledger.resources.find((r) => r.inputs.kind === "PodMonitor" && r.inputs.metadata.name === "cert-manager")!;
        const { namespaceSelector, podMetricsEndpoints } = monitor.inputs.spec;
        const namespace: string = namespaceSelector.matchNames[0];
        const exposed = { name: "gw", namespace: "istio-ingress", issuer_name: "homelab-ca", issuer_kind: "ClusterIssuer", issuer_group: "cert-manager.io" };
        const target = {
            namespace,
            pod: "cert-manager-5d4f8b7c9-x2x7q",
            container: "cert-manager-controller",
            job: `${namespace}/cert-manager`,
            instance: "10.42.0.12:9402",
        };
        return storedSeries("certmanager_certificate_expiration_timestamp_seconds", exposed, target, podMetricsEndpoints[0].honorLabels);
    };

    it("the expiring certificate's runbook describes that certificate, in its namespace, as its series is stored", () => {
        const rule = specs["homelab-platform"].groups.flatMap((g) => g.rules).find((r) => r.alert === "HomelabCertificateExpiring")!;
        const { runbook } = rule.annotations as { runbook: string };
        // Only the runbook kept: promtool renders it against the alert's labels and compares the text.
        const file = write("certificate.rules.yml", { groups: [{ name: "certificate", rules: [{ ...rule, annotations: { runbook } }] }] });
        const out = unitTest(
            "certificate",
            [file],
            [
                {
                    interval: "1m",
                    input_series: [{ series: certificateSeries(), values: `${10 * 86400}x90` }],
                    alert_rule_test: at("80m", {
                        alertname: "HomelabCertificateExpiring",
                        exp_alerts: [
                            {
                                exp_labels: {
                                    ...seriesLabels(certificateSeries()),
                                    severity: "warning",
                                    namespace: "istio-ingress",
                                },
                                exp_annotations: {
                                    runbook: "kubectl -n istio-ingress describe certificate gw; kubectl -n cert-manager logs deploy/cert-manager.",
                                },
                            },
                        ],
                    }),
                },
            ],
        );
        expect(out).toContain("SUCCESS");
    });

    it("platform: node not Ready, expiring certificate, crash loop with its node; Vault harmless until it exists", () => {
        const node = (ready: number) => ({ series: `kube_node_status_condition{condition="Ready",status="true",node="k3s-2"}`, values: `${ready}x90` });
        const cert = (days: number) => ({ series: certificateSeries(), values: `${days * 86400}x90` });
        const crash = [
            {
                series: 'kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff",namespace="shlink",pod="shlink-0",container="shlink"}',
                values: "1x90",
            },
            { series: 'kube_pod_info{namespace="shlink",pod="shlink-0",node="k3s-2"}', values: "1x90" },
        ];
        const fires = (alertname: string, labels: Record<string, string>) => ({ alertname, exp_alerts: [{ exp_labels: labels }] });
        const vault = ["HomelabVaultSealed", "HomelabVaultDown"];
        const out = unitTest(
            "platform",
            ["homelab-platform.testable.yml"],
            [
                {
                    // Healthy, and no Vault anywhere: a down target of another job does not count.
                    interval: "1m",
                    input_series: [node(1), cert(60), { series: 'up{job="shlink",instance="a"}', values: "0x90" }],
                    alert_rule_test: at("80m", ...["HomelabNodeNotReady", "HomelabCertificateExpiring", "HomelabPodCrashLooping", ...vault].map(silent)),
                },
                {
                    interval: "1m",
                    input_series: [
                        node(0),
                        cert(10),
                        ...crash,
                        { series: 'vault_core_unsealed{pod="openbao-0"}', values: "0x90" },
                        { series: 'up{job="openbao",instance="openbao-0"}', values: "0x90" },
                    ],
                    alert_rule_test: at(
                        "80m",
                        fires("HomelabNodeNotReady", { severity: "critical", condition: "Ready", status: "true", node: "k3s-2" }),
                        fires("HomelabCertificateExpiring", {
                            ...seriesLabels(certificateSeries()),
                            severity: "warning",
                            namespace: "istio-ingress",
                        }),
                        fires("HomelabPodCrashLooping", {
                            severity: "warning",
                            reason: "CrashLoopBackOff",
                            namespace: "shlink",
                            pod: "shlink-0",
                            container: "shlink",
                            node: "k3s-2",
                        }),
                        fires("HomelabVaultSealed", { severity: "critical", pod: "openbao-0" }),
                        fires("HomelabVaultDown", { severity: "critical", job: "openbao", instance: "openbao-0" }),
                    ),
                },
            ],
        );
        expect(out).toContain("SUCCESS");
    });

    it("backups: a repository whose newest backup is older than its schedule allows, or that has none, fires; fresh ones are silent", () => {
        // repo1 runs daily (27 h allowed with the grace), repo2 weekly (171 h): tests/helpers/observability.ts.
        const age = (repo: string, pod: string, values: string) => ({
            series: `ccp_backrest_last_incr_backup_time_since_completion_seconds{${PG},repo="${repo}",pod="${pod}",stanza="db",config_file="/etc/pgbackrest/pgbackrest.conf"}`,
            values,
        });
        const fires = (alertname: string, labels: Record<string, string>) => ({ alertname, exp_alerts: [{ exp_labels: labels }] });
        const out = unitTest(
            "backups",
            ["homelab-backups.testable.yml"],
            [
                {
                    // Both fresh, seen by two instances' exporters: nothing for a week.
                    interval: "1h",
                    input_series: [age("1", "a", "3600x200"), age("1", "b", "3600x200"), age("2", "a", "259200x200")],
                    alert_rule_test: at("180h", silent("HomelabBackupTooOld"), silent("HomelabBackupMissing")),
                },
                {
                    // repo1's backups stop at 20 h old: past 27 h at 8 h in, firing the hour after; repo2 never had one.
                    interval: "1h",
                    input_series: [age("1", "a", "72000+3600x200"), { series: 'up{job="other"}', values: "1x200" }],
                    alert_rule_test: [
                        ...at("6h", silent("HomelabBackupTooOld")),
                        ...at("10h", fires("HomelabBackupTooOld", { severity: "critical", repo: "1" })),
                        ...at("165h", silent("HomelabBackupMissing")),
                        ...at("175h", fires("HomelabBackupMissing", { severity: "critical", repo: "2", pg_cluster: "postgres:shlink-db" })),
                    ],
                },
            ],
            "1h",
        );
        expect(out).toContain("SUCCESS");
    });
});
