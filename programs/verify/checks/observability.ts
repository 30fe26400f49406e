// Observability: every target up, no alert firing but the always-on ones, the SLO rules recording, the
// dashboards present, the webhook receiver delivering, and the UIs' health through the gateway.
import { DATA_DASHBOARDS } from "../../../components/data/facts";
import { ISTIO_DASHBOARDS } from "../../../components/mesh/facts";
import { GRAFANA, KIALI } from "../../../components/observability/facts";
import { SMOKE_PROMISES as P } from "../../../components/smoke/promises";
import { DATA_DASHBOARD_UID } from "../../../components/data/dashboard";
import { LOAD_DASHBOARD_PROVIDER } from "../../../components/load/part";
import { RECEIVERS } from "../../../components/observability/alertmanager";
import { errorRatioRecord, requestRateRecord, SLI_WINDOWS } from "../../../components/apps/slo";
import { fail, names, pass, skip, type Check, type VerifyContext } from "../check";

/** Alerts that fire by design: the dead man's switch and the inhibitor of info alerts (kube-prometheus-stack). */
export const ALWAYS_FIRING = ["Watchdog", "InfoInhibitor"];

/** Every recording rule the SLO alerts read. */
export const SLO_RECORDS = SLI_WINDOWS.flatMap((w) => [errorRatioRecord(w), requestRateRecord(w)]);

/** Dashboards that must be in Grafana: folders with at least n, and single dashboards by uid. */
export const EXPECTED_DASHBOARDS = {
    folders: {
        [GRAFANA.dashboardProvider.folder]: Object.keys(ISTIO_DASHBOARDS).length,
        [DATA_DASHBOARDS.provider.folder]: 1,
        [LOAD_DASHBOARD_PROVIDER.folder]: 1,
    },
    uids: [DATA_DASHBOARD_UID],
};

async function promQuery(ctx: VerifyContext, query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const res = await ctx.prometheus.json<{ status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } }>(
        `/api/v1/query?query=${encodeURIComponent(query)}`,
    );
    return res.data.result;
}

async function uiHealth(ctx: VerifyContext, url: string, ok: (status: number, body: string) => boolean, lookAt: string) {
    const res = await ctx.web(url);
    const evidence = `${url}: ${res.status}`;
    return ok(res.status, res.body) ? pass(evidence) : fail(evidence, "the UI does not answer healthy through the gateway", lookAt);
}

export const OBSERVABILITY_CHECKS: Check[] = [
    {
        id: "observability.targets-up",
        group: "observability",
        proves: "Prometheus scrapes every target it is given (all up: no scrape blocked by a policy or a wrong port)",
        timeoutSeconds: 20,
        async run(ctx) {
            const res = await ctx.prometheus.json<{
                data: { activeTargets: { labels: Record<string, string>; scrapePool: string; health: string; lastError?: string; scrapeUrl?: string }[] };
            }>("/api/v1/targets?state=active");
            const targets = res.data.activeTargets;
            const down = targets.filter((t) => t.health !== "up");
            const evidence = `${targets.length - down.length}/${targets.length} targets up`;
            return down.length > 0 || targets.length === 0
                ? fail(
                      evidence,
                      targets.length === 0
                          ? "Prometheus has no target"
                          : `down: ${names(
                                down.map((t) => `${t.scrapePool} ${t.scrapeUrl ?? ""} (${(t.lastError ?? t.health).slice(0, 80)})`),
                                4,
                            )}`,
                      "Prometheus' Targets page (Grafana → Explore → up == 0); a refusal is a NetworkPolicy (kube-router rejects with icmp-port-unreachable: the flow table's scrape rows) or a wrong port, a timeout a dead pod or node",
                  )
                : pass(evidence);
        },
    },
    {
        id: "observability.no-alerts-firing",
        group: "observability",
        proves: `no alert is firing except ${ALWAYS_FIRING.join(" and ")}`,
        timeoutSeconds: 15,
        async run(ctx) {
            const alerts = await ctx.alertmanager.json<{ labels: { alertname: string; severity?: string; namespace?: string } }[]>(
                "/api/v2/alerts?active=true&silenced=false&inhibited=false",
            );
            const firing = alerts.filter((a) => !ALWAYS_FIRING.includes(a.labels.alertname));
            const watchdog = alerts.some((a) => a.labels.alertname === "Watchdog");
            const evidence = `${firing.length} firing besides ${ALWAYS_FIRING.join("/")}${watchdog ? " (Watchdog present: the pipeline works)" : ""}`;
            if (firing.length > 0) {
                return fail(
                    evidence,
                    names(
                        firing.map(
                            (a) =>
                                `${a.labels.alertname}${a.labels.namespace ? ` in ${a.labels.namespace}` : ""}${a.labels.severity ? ` (${a.labels.severity})` : ""}`,
                        ),
                        6,
                    ),
                    `Alertmanager's UI (${ctx.lab.urls.alertmanager}); each alert's runbook annotation`,
                );
            }
            if (!watchdog) {
                return fail(
                    evidence,
                    "Watchdog is not firing: Prometheus does not reach Alertmanager, or its rules are not loaded",
                    "kubectl -n monitoring get prometheusrule; Prometheus' status page (alertmanagers)",
                );
            }
            return pass(evidence);
        },
    },
    {
        id: "observability.slo-rules",
        group: "observability",
        proves: `the SLO recording rules return data (${SLO_RECORDS.length} series names, every window)`,
        timeoutSeconds: 20,
        async run(ctx) {
            const empty: string[] = [];
            for (const record of SLO_RECORDS) {
                if ((await promQuery(ctx, record)).length === 0) empty.push(record);
            }
            const evidence = `${SLO_RECORDS.length - empty.length}/${SLO_RECORDS.length} records return series`;
            return empty.length > 0
                ? fail(
                      evidence,
                      `no data: ${names(empty, 4)} (Istio's request metrics missing, or the rules not loaded)`,
                      "kubectl -n monitoring get prometheusrule; Prometheus: istio_requests_total",
                  )
                : pass(evidence);
        },
    },
    {
        id: "observability.dashboards",
        group: "observability",
        proves: "every dashboard the stack provides is in Grafana (Istio's, the data layer's, k6's)",
        timeoutSeconds: 15,
        async run(ctx) {
            const found = await ctx.grafana.json<{ uid: string; title: string; folderTitle?: string }[]>("/api/search?type=dash-db&limit=5000");
            const missing: string[] = [];
            for (const [folder, want] of Object.entries(EXPECTED_DASHBOARDS.folders)) {
                const have = found.filter((d) => d.folderTitle === folder).length;
                if (have < want) missing.push(`${folder}: ${have}/${want}`);
            }
            for (const uid of EXPECTED_DASHBOARDS.uids) {
                if (!found.some((d) => d.uid === uid)) missing.push(`uid ${uid}`);
            }
            const evidence = `${found.length} dashboards; ${Object.keys(EXPECTED_DASHBOARDS.folders)
                .map((f) => `${f} ${found.filter((d) => d.folderTitle === f).length}`)
                .join(", ")}`;
            return missing.length > 0
                ? fail(
                      evidence,
                      `missing: ${names(missing)}`,
                      "kubectl -n monitoring logs deploy/kps-grafana -c download-dashboards (grafana.com downloads); the grafana-sc-dashboard sidecar's log",
                  )
                : pass(evidence);
        },
    },
    {
        id: "observability.alert-webhook",
        group: "observability",
        proves: "Alertmanager's webhook receiver, when configured, delivers (no failed notification in the last hour)",
        timeoutSeconds: 15,
        async run(ctx) {
            const status = await ctx.alertmanager.json<{ config?: { original?: string } }>("/api/v2/status");
            const original = status.config?.original ?? "";
            if (!new RegExp(`name: ${RECEIVERS.webhook}\\b[\\s\\S]*webhook_configs`).test(original)) {
                return skip("no webhook receiver configured (homelab:alertWebhookUrl unset): alerts stay in the UI");
            }
            const [failed] = await promQuery(ctx, 'sum(increase(alertmanager_notifications_failed_total{integration="webhook"}[1h]))');
            const [sent] = await promQuery(ctx, 'sum(increase(alertmanager_notifications_total{integration="webhook"}[1h]))');
            const f = Number(failed?.value[1] ?? 0);
            const s = Number(sent?.value[1] ?? 0);
            const evidence = `last hour: ${Math.round(s)} notifications, ${Math.round(f)} failed`;
            if (f > 0) {
                return fail(
                    evidence,
                    "the webhook does not accept Alertmanager's calls (URL, DNS, or the receiver down)",
                    "kubectl -n monitoring logs alertmanager-kps-alertmanager-0 -c alertmanager | grep webhook",
                );
            }
            // Nothing sent proves nothing either way: said as a skip, never as a pass.
            return s === 0 ? skip(`${evidence}: unproven until Alertmanager sends one (the next alert, or a test alert with amtool)`) : pass(evidence);
        },
    },
    {
        ...P.grafana,
        group: "observability",
        timeoutSeconds: 15,
        fast: true,
        run: (ctx) =>
            uiHealth(
                ctx,
                `${ctx.lab.urls.grafana}/api/health`,
                (s, b) => s === 200 && /"database":\s*"ok"/.test(b),
                "kubectl -n monitoring logs deploy/kps-grafana -c grafana",
            ),
    },
    {
        ...P.kiali,
        group: "observability",
        timeoutSeconds: 15,
        fast: true,
        run: (ctx) =>
            uiHealth(
                ctx,
                `${ctx.lab.urls.kiali.replace(/\/+$/, "").replace(new RegExp(`${KIALI.webRoot}$`), "")}${KIALI.webRoot}/healthz`,
                (s) => s === 200,
                "kubectl -n istio-system logs deploy/kiali",
            ),
    },
    {
        ...P.jaeger,
        group: "observability",
        timeoutSeconds: 15,
        fast: true,
        run: (ctx) => uiHealth(ctx, `${ctx.lab.urls.jaeger}/`, (s) => s === 200, "kubectl -n observability logs deploy/jaeger"),
    },
];
