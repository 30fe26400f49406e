// The observability layer's pure builders, without Pulumi: PromQL of the SLO and platform rules, the
// Kiali spec per auth mode, the Jaeger config, the monitors and resource requests (the arguments' checks are
// the config loader's, in tests/config.test.ts).
import { describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../../components/config/defaults";
import { jaegerConfig, jaegerValues } from "../../components/observability/jaeger";
import { kialiSpec, type KialiSpecInputs } from "../../components/observability/kiali";
import { kubePrometheusStackValues } from "../../components/observability/kubePrometheusStack";
import { podLabelMeta, type PodMonitorSpec, type ServiceMonitorSpec } from "../../components/contracts/telemetry";
import { dropGatewayRelabeling, monitors } from "../../components/mesh/part";
import { ruleSets } from "../../components/observability/monitoring";
import { VAULT_JOB_REGEX } from "../../components/secrets/part";
import { PARTS } from "../../stacks/parts";
import { jaegerOtlpGrpc, kubePrometheusStackFullname, prometheusServiceName } from "../../components/observability/names";
import { cpuMillicores, memoryMiB } from "../../components/kubernetes/resources";
import { BURN_RATE_ALERTS, errorRatioRecord, leLabelValue, requestRateRecord, SLI_WINDOWS, sloRules } from "../../components/apps/slo";
import type { AlertingRule, RecordingRule } from "../../components/contracts/telemetry";
import { SLO_DEFAULTS, SLO_MIN_REQUESTS_PER_MINUTE } from "../../components/apps/facts";
import { resourceRequests } from "../../components/observability/resources";

const TARGET = { namespace: "shlink", service: "shlink", gateway: { workload: "istio-ingressgateway", namespace: "istio-ingress" } };

const isRecording = (r: RecordingRule | AlertingRule): r is RecordingRule => "record" in r;
const isAlert = (r: RecordingRule | AlertingRule): r is AlertingRule => "alert" in r;

describe("SLO rules", () => {
    const spec = sloRules(TARGET);
    const group = (kind: string) => spec.groups.find((g) => g.name === `shlink-${kind}-slo`)!;

    it("records each SLI's error ratio over 5m, 30m, 1h, 6h and 3d", () => {
        expect(SLI_WINDOWS).toEqual(["5m", "30m", "1h", "6h", "3d"]);
        for (const kind of ["availability", "latency"]) {
            const records = group(kind)
                .rules.filter(isRecording)
                .filter((r) => r.record.startsWith("slo:sli_error:"));
            expect(records.map((r) => r.record)).toEqual(SLI_WINDOWS.map(errorRatioRecord));
            for (const [i, r] of records.entries()) {
                expect(r.labels).toEqual({ slo: `shlink-${kind}`, slo_namespace: "shlink", slo_service: "shlink" });
                expect(r.expr.match(new RegExp(`\\[${SLI_WINDOWS[i]}\\]`, "g"))).toHaveLength(2);
            }
        }
    });

    it("records each SLI's request rate over the same windows, from the same series as its error ratio's denominator", () => {
        for (const kind of ["availability", "latency"]) {
            const records = group(kind).rules.filter(isRecording);
            expect(records.map((r) => r.record)).toEqual([...SLI_WINDOWS.map(errorRatioRecord), ...SLI_WINDOWS.map(requestRateRecord)]);
            const series = kind === "availability" ? "istio_requests_total" : "istio_request_duration_milliseconds_count";
            for (const [i, r] of records.slice(SLI_WINDOWS.length).entries()) {
                expect(r.labels).toEqual({ slo: `shlink-${kind}`, slo_namespace: "shlink", slo_service: "shlink" });
                const denominator = `sum(rate(${series}{reporter="source",source_workload="istio-ingressgateway",source_workload_namespace="istio-ingress",destination_service_namespace="shlink",destination_service_name="shlink"}[${SLI_WINDOWS[i]}]))`;
                expect(r.expr).toBe(denominator);
                expect(records[i].expr).toContain(denominator);
            }
        }
    });

    it("counts 5xx answers the ingress gateway reports for the target as availability errors", () => {
        const expr = group("availability").rules.filter(isRecording)[0].expr;
        const target =
            'reporter="source",source_workload="istio-ingressgateway",source_workload_namespace="istio-ingress",' +
            'destination_service_namespace="shlink",destination_service_name="shlink"';
        expect(expr).toBe(`sum(rate(istio_requests_total{${target},response_code=~"5.."}[5m]))\n/\n` + `sum(rate(istio_requests_total{${target}}[5m]))`);
    });

    it("counts requests slower than 500 ms as latency errors, with Prometheus 3's float `le`", () => {
        const expr = group("latency").rules.filter(isRecording)[0].expr;
        expect(expr).toMatch(/^1 - \(/);
        expect(expr).toContain('istio_request_duration_milliseconds_bucket{reporter="source",source_workload="istio-ingressgateway",');
        expect(expr).toContain(',le="500.0"}[5m]');
        expect(expr).toContain("istio_request_duration_milliseconds_count{");
        expect(leLabelValue(500)).toBe("500.0");
        expect(leLabelValue(0.5)).toBe("0.5");
    });

    it("pages at 14.4x over 1h and 5m and at 6x over 6h and 30m, and opens a ticket at 1x over 3d and 6h", () => {
        expect(BURN_RATE_ALERTS.map((a) => [a.burnRate, a.longWindow, a.shortWindow, a.severity])).toEqual([
            [14.4, "1h", "5m", "critical"],
            [6, "6h", "30m", "critical"],
            [1, "3d", "6h", "warning"],
        ]);
        const objectives = { availability: "0.995", latency: "0.99" };
        for (const [kind, objective] of Object.entries(objectives)) {
            const alerts = group(kind).rules.filter(isAlert);
            expect(alerts).toHaveLength(3);
            for (const [i, a] of BURN_RATE_ALERTS.entries()) {
                const alert = alerts[i];
                const threshold = `(${a.burnRate} * (1 - ${objective}))`;
                const name = kind === "availability" ? "ShlinkAvailabilityErrorBudgetBurn" : "ShlinkLatencyErrorBudgetBurn";
                expect(alert.alert).toBe(name);
                // Pages only with at least one request a minute over the long window; the ticket without a guard.
                const guard = a.severity === "critical" ? `\nand\nslo:sli_requests:rate${a.longWindow}{slo="shlink-${kind}"} >= (1 / 60)` : "";
                expect(alert.expr).toBe(
                    `slo:sli_error:ratio_rate${a.longWindow}{slo="shlink-${kind}"} > ${threshold}\nand\n` +
                        `slo:sli_error:ratio_rate${a.shortWindow}{slo="shlink-${kind}"} > ${threshold}${guard}`,
                );
                expect(alert.labels).toMatchObject({
                    severity: a.severity,
                    long_window: a.longWindow,
                    short_window: a.shortWindow,
                });
                expect(alert.for).toBeUndefined();
            }
        }
        expect(SLO_DEFAULTS).toEqual({ availability: 0.995, latency: 0.99, latencyThresholdMs: 500 });
        expect(SLO_MIN_REQUESTS_PER_MINUTE).toBe(1);
    });

    it("refuses a latency threshold that is not one of Istio's buckets, and objectives outside (0, 1)", () => {
        expect(() => sloRules(TARGET, { ...SLO_DEFAULTS, latencyThresholdMs: 300 })).toThrow(/not one of Istio's histogram buckets/);
        expect(() => sloRules(TARGET, { ...SLO_DEFAULTS, availability: 99.5 })).toThrow(/between 0 and 1/);
        expect(sloRules(TARGET, { ...SLO_DEFAULTS, latencyThresholdMs: 250 }).groups[1].rules[0].expr).toContain('le="250.0"');
    });
});

/** Every part's monitors by name: a PodMonitor's or a ServiceMonitor's spec. */
const MONITORS = PARTS.flatMap((p) => p.monitors);
function podMonitor(name: string): { name: string; spec: PodMonitorSpec } {
    const m = MONITORS.find((x) => x.name === name);
    if (m?.kind !== "PodMonitor") throw new Error(`no PodMonitor ${name}`);
    return m;
}
function serviceMonitor(name: string): { name: string; spec: ServiceMonitorSpec } {
    const m = MONITORS.find((x) => x.name === name);
    if (m?.kind !== "ServiceMonitor") throw new Error(`no ServiceMonitor ${name}`);
    return m;
}

describe("data-layer, cert-manager and Vault monitors", () => {
    const data = {
        postgres: podMonitor("postgres-exporter"),
        redis: podMonitor("redis-exporter"),
        certManager: podMonitor("cert-manager"),
        vault: podMonitor("openbao"),
    };

    it("scrapes PGO's exporter on its port in namespace postgres, with pgMonitor's pg_cluster and role labels", () => {
        expect(data.postgres.spec.selector).toEqual({ matchLabels: { "postgres-operator.crunchydata.com/crunchy-postgres-exporter": "true" } });
        expect(data.postgres.spec.namespaceSelector).toEqual({ matchNames: ["postgres"] });
        const [endpoint] = data.postgres.spec.podMetricsEndpoints;
        expect(endpoint).toMatchObject({ port: "exporter", path: "/metrics", interval: "30s" });
        expect(endpoint.relabelings).toEqual([
            {
                action: "replace",
                sourceLabels: ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_label_postgres_operator_crunchydata_com_cluster"],
                separator: ":",
                regex: "(.+)",
                targetLabel: "pg_cluster",
                replacement: "$1",
            },
            {
                action: "replace",
                sourceLabels: ["__meta_kubernetes_pod_label_postgres_operator_crunchydata_com_role"],
                regex: "(.*)",
                targetLabel: "role",
                replacement: "$1",
            },
        ]);
    });

    it("scrapes every OpenBao pod's /v1/sys/metrics in Prometheus' format on the chart's API port, which the Vault alerts' job regex matches", () => {
        expect(data.vault.spec).toEqual({
            // openbao chart 0.29.2 server-statefulset.yaml: the API port is named after openbao.scheme (`http` with tlsDisable).
            selector: { matchLabels: { "app.kubernetes.io/name": "openbao" } },
            namespaceSelector: { matchNames: ["vault"] },
            podMetricsEndpoints: [{ port: "http", path: "/v1/sys/metrics", params: { format: ["prometheus"] }, interval: "30s" }],
        });
        // A PodMonitor's job label is <namespace>/<name>: HomelabVaultDown and HomelabVaultSealed select it.
        expect(new RegExp(`^${VAULT_JOB_REGEX}$`).test(`monitoring/${data.vault.name}`)).toBe(true);
    });

    it("scrapes both redis_exporters (redis and sentinel pods) and cert-manager's controller by their port names", () => {
        expect(data.redis.spec).toEqual({
            selector: { matchLabels: { "app.kubernetes.io/part-of": "redis-failover" } },
            namespaceSelector: { matchNames: ["redis"] },
            podMetricsEndpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }],
        });
        expect(data.certManager.spec).toEqual({
            selector: { matchLabels: { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" } },
            namespaceSelector: { matchNames: ["cert-manager"] },
            podMetricsEndpoints: [{ port: "http-metrics", path: "/metrics", interval: "30s" }],
        });
    });
});

describe("every alert the layer defines", () => {
    const alerts = ruleSets(PARTS, { backups: [] })
        .flatMap((set) => set.groups)
        .flatMap((g) => g.rules.filter(isAlert));

    it("has a severity, a summary and a one-line runbook; every alert but the burn-rate pairs waits with a `for`", () => {
        expect(alerts.length).toBe(6 + 1 + 7 + 3);
        for (const a of alerts) {
            expect(a.labels.severity, a.alert).toMatch(/^(warning|critical)$/);
            expect(a.annotations.summary, a.alert).not.toBe("");
            expect(a.annotations.runbook, a.alert).toMatch(/\S/);
            expect(a.annotations.runbook, a.alert).not.toContain("\n");
            if (!a.alert.endsWith("ErrorBudgetBurn")) {
                expect(a.for, a.alert).toMatch(/^\d+[mh]$/);
            }
        }
    });

    it("keeps the Vault rules harmless before Vault exists: no absent(), only series a Vault target would send", () => {
        const vault = alerts.filter((a) => a.alert.startsWith("HomelabVault"));
        expect(vault.map((a) => [a.alert, a.expr])).toEqual([
            ["HomelabVaultSealed", "vault_core_unsealed == 0"],
            ["HomelabVaultDown", 'up{job=~".*(openbao|vault).*"} == 0'],
        ]);
    });
});

describe("platform rules", () => {
    const rules = ruleSets(PARTS, { backups: [] })
        .find((set) => set.name === "homelab-platform")!
        .groups[0].rules.filter(isAlert);
    const rule = (name: string) => rules.find((r) => r.alert === name)!;

    it("alerts on crash-looping containers under our own name", () => {
        const crash = rule("HomelabPodCrashLooping");
        expect(crash.expr).toBe(
            '(max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1)\n' +
                "* on (namespace, pod) group_left (node) max by (namespace, pod, node) (kube_pod_info)",
        );
        expect(crash.for).toBe("15m");
    });

    it("alerts on volumes under 10% free and on volumes that fill within 24 hours", () => {
        expect(rule("HomelabVolumeAlmostFull").expr).toBe("kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.1");
        const trend = rule("HomelabVolumeFillingUp").expr;
        expect(trend).toContain("predict_linear(kubelet_volume_stats_available_bytes[6h], 24 * 3600) < 0");
        expect(trend).toContain("kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes) < 0.4");
        for (const r of rules) {
            expect(r.labels.severity).toMatch(/^(warning|critical)$/);
            expect(r.annotations.summary).not.toBe("");
        }
    });
});

describe("Kiali spec", () => {
    const inputs: KialiSpecInputs = {
        auth: "anonymous",
        prometheusUrl: "http://p:9090",
        grafana: { internalUrl: "http://g:3000", externalUrl: "http://lan:3000", username: "admin", passwordSecret: "s" },
        tracing: { internalUrl: "http://j:16685", externalUrl: "http://lan:16686" },
    };

    it("is view-only when anonymous, and leaves permissions to RBAC with tokens", () => {
        expect(kialiSpec(inputs)).toMatchObject({ auth: { strategy: "anonymous" }, deployment: { view_only_mode: true } });
        expect(kialiSpec({ ...inputs, auth: "token" })).toMatchObject({
            auth: { strategy: "token" },
            deployment: { view_only_mode: false },
        });
    });

    it("uses the addresses it is given and none of the deprecated settings", () => {
        const spec = kialiSpec(inputs);
        expect(spec.external_services.prometheus.url).toBe(inputs.prometheusUrl);
        expect(spec.external_services.grafana).toMatchObject({ internal_url: "http://g:3000", external_url: "http://lan:3000" });
        expect(spec.external_services.grafana.auth.password).toBe("secret:s:password");
        expect(spec.external_services.tracing).toMatchObject({
            internal_url: "http://j:16685",
            external_url: "http://lan:16686",
        });
        const text = JSON.stringify(spec);
        for (const deprecated of ["accessible_namespaces", "istio_namespace", "in_cluster_url", '"url":"http://g']) {
            expect(text).not.toContain(deprecated);
        }
    });
});

describe("Jaeger config", () => {
    const config = jaegerConfig();

    it("listens on the image's JAEGER_LISTEN_HOST for OTLP, the query UI and API, health and metrics", () => {
        const endpoints = [
            config.receivers.otlp.protocols.grpc.endpoint,
            config.receivers.otlp.protocols.http.endpoint,
            config.extensions.jaeger_query.http.endpoint,
            config.extensions.jaeger_query.grpc.endpoint,
            config.extensions.healthcheckv2.http.endpoint,
        ];
        expect(endpoints).toEqual([4317, 4318, 16686, 16685, 13133].map((p) => `\${env:JAEGER_LISTEN_HOST}:${p}`));
        expect(config.service.telemetry.metrics.readers[0].pull.exporter.prometheus.host).toBe("${env:JAEGER_LISTEN_HOST}");
        expect(JSON.stringify(config)).not.toMatch(/localhost|127\.0\.0\.1/);
    });

    it("wires the OTLP pipeline into the badger store the query extension reads", () => {
        expect(config.service.pipelines.traces).toEqual({
            receivers: ["otlp"],
            processors: ["batch"],
            exporters: ["jaeger_storage_exporter"],
        });
        expect(config.service.extensions).toEqual(["jaeger_storage", "jaeger_query", "healthcheckv2"]);
        const store = config.exporters.jaeger_storage_exporter.trace_storage;
        expect(Object.keys(config.extensions.jaeger_storage.backends)).toEqual([store]);
        expect(config.extensions.jaeger_query.storage.traces).toBe(store);
    });
});

describe("monitors", () => {
    it("drops the gateway's pods from the sidecar monitor only when the namespace and every label match", () => {
        const relabel = dropGatewayRelabeling({
            namespace: "istio-ingress",
            labels: { "app.kubernetes.io/name": "gw.x", istio: "ingressgateway" },
        });
        expect(relabel).toEqual({
            action: "drop",
            sourceLabels: ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_label_app_kubernetes_io_name", "__meta_kubernetes_pod_label_istio"],
            regex: "istio-ingress;gw\\.x;ingressgateway",
        });
        expect(podLabelMeta("a-b/c.d")).toBe("__meta_kubernetes_pod_label_a_b_c_d");
    });

    it("follows Istio's prometheus-operator example for istiod and the proxies", () => {
        const m = monitors({
            istioNamespace: "istio-system",
            ingressGateway: { namespace: "istio-ingress", labels: { istio: "ingressgateway" } },
            interval: "15s",
        });
        expect(m.map((x) => [x.role, x.kind, x.name])).toEqual([
            ["istiod-monitor", "ServiceMonitor", "istiod"],
            ["envoy-monitor", "PodMonitor", "envoy-sidecars"],
            ["gateway-monitor", "PodMonitor", "ingress-gateway"],
        ]);
        expect(serviceMonitor("istiod").spec).toMatchObject({
            jobLabel: "istio",
            targetLabels: ["app"],
            selector: { matchLabels: { istio: "pilot" } },
            endpoints: [{ port: "http-monitoring", interval: "15s" }],
        });
        expect(podMonitor("envoy-sidecars").spec.selector).toEqual({
            matchExpressions: [{ key: "istio-prometheus-ignore", operator: "DoesNotExist" }],
        });
        expect(podMonitor("ingress-gateway").spec.podMetricsEndpoints).toEqual([{ port: "http-envoy-prom", path: "/stats/prometheus", interval: "15s" }]);
    });
});

describe("service names", () => {
    it("follows the chart's fullname rule: the override cut to 26 characters, a trailing dash removed", () => {
        expect(prometheusServiceName("kps")).toBe("kps-prometheus");
        expect(kubePrometheusStackFullname("a".repeat(25) + "-b")).toBe("a".repeat(25));
        expect(kubePrometheusStackFullname("a".repeat(30))).toBe("a".repeat(26));
    });

    it("gives the mesh Jaeger's OTLP gRPC endpoint: the Service the chart values name, on the port Jaeger listens on", () => {
        const values = jaegerValues("claim");
        expect(jaegerOtlpGrpc()).toEqual({ service: `${values.fullnameOverride}.observability.svc.cluster.local`, port: 4317 });
        expect(values.userconfig.receivers.otlp.protocols.grpc.endpoint.endsWith(":4317")).toBe(true);
    });
});

describe("resource requests", () => {
    const requests = resourceRequests(3);

    it("parses the quantities the values use", () => {
        expect([cpuMillicores("250m"), cpuMillicores("1"), cpuMillicores("0.5")]).toEqual([250, 1000, 500]);
        expect([memoryMiB("96Mi"), memoryMiB("1Gi")]).toEqual([96, 1024]);
        expect(() => memoryMiB("1G")).toThrow();
    });

    it("gives every pod kind the charts run an explicit request", () => {
        // Prometheus, Alertmanager, the operator and its two admission Jobs, kube-state-metrics, node exporter,
        // Grafana, Jaeger, the Kiali operator and server.
        expect(requests.length).toBe(11);
        for (const r of requests) {
            expect(r.cpuMillicores, r.name).toBeGreaterThan(0);
            expect(r.memoryMiB, r.name).toBeGreaterThan(0);
            expect(Number.isInteger(r.replicas) && r.replicas >= 1, r.name).toBe(true);
        }
        expect(new Set(requests.map((r) => r.name)).size).toBe(requests.length);
        expect(requests.find((r) => r.name.includes("node-exporter"))!.replicas).toBe(3);
        expect(resourceRequests(5).find((r) => r.name.includes("node-exporter"))!.replicas).toBe(5);
    });

    it("sets a memory ceiling above each request in the values", () => {
        const values = kubePrometheusStackValues({
            grafanaPort: 1,
            grafanaExternalUrl: "https://lan:3000",
            prometheusRetentionDays: 1,
            jaegerQueryUrl: "",
            alertmanagerPort: 1,
            alertmanagerExternalUrl: "",
            hasWebhook: false,
            dashboards: [],
        });
        const all = [
            values.prometheus.prometheusSpec.resources,
            values.alertmanager.alertmanagerSpec.resources,
            values.grafana.resources,
            values.grafana.sidecar.resources,
            values["kube-state-metrics"].resources,
        ];
        for (const r of all) {
            expect(memoryMiB(r.limits.memory)).toBeGreaterThanOrEqual(memoryMiB(r.requests.memory));
        }
    });

    it("keeps this layer within a quarter of the three default VMs", () => {
        const nodes = 3;
        const sum = (pick: (r: (typeof requests)[number]) => number) => requests.reduce((s, r) => s + pick(r) * r.replicas, 0);
        expect(sum((r) => r.cpuMillicores)).toBeLessThanOrEqual((nodes * CONFIG_DEFAULTS.vmCores * 1000) / 4);
        expect(sum((r) => r.memoryMiB)).toBeLessThanOrEqual((nodes * CONFIG_DEFAULTS.vmMemoryMiB) / 4);
    });
});
