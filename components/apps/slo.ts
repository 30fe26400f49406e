// Shlink's SLOs from Istio's metrics, with the multiwindow, multi-burn-rate alerts of Google's SRE workbook
// (chapter "Alerting on SLOs"), and the alert on Shlink getting no traffic at all.
import { SLO_DEFAULTS, SLO_MIN_REQUESTS_PER_MINUTE } from "./facts";
import type { AlertingRule, PrometheusRuleSpec, RecordingRule } from "../contracts/telemetry";

export interface SloTarget {
    namespace: string;
    service: string;
    /** The ingress gateway's workload (Deployment) name and namespace: the SLIs are what users get through it. */
    gateway: { workload: string; namespace: string };
}

export interface SloObjectives {
    /** Share of requests that must not fail with a 5xx, e.g. 0.995. */
    availability: number;
    /** Share of requests that must finish within `latencyThresholdMs`, e.g. 0.99. */
    latency: number;
    latencyThresholdMs: number;
}

/**
 * The SRE workbook's recommended pairs for a 30-day budget: page when 2% of it burns in an hour (14.4x) or
 * 5% in six hours (6x), open a ticket when 10% burns in three days (1x). The short window lets the alert
 * stop soon after the burning does.
 */
export const BURN_RATE_ALERTS = [
    { burnRate: 14.4, longWindow: "1h", shortWindow: "5m", severity: "critical" },
    { burnRate: 6, longWindow: "6h", shortWindow: "30m", severity: "critical" },
    { burnRate: 1, longWindow: "3d", shortWindow: "6h", severity: "warning" },
] as const;

/** SLO_MIN_REQUESTS_PER_MINUTE as the per-second rate PromQL compares with. */
const MIN_RATE = `(${SLO_MIN_REQUESTS_PER_MINUTE} / 60)`;

/** Every window an alert reads, each recorded once. */
export const SLI_WINDOWS: string[] = [...new Set(BURN_RATE_ALERTS.flatMap((a) => [a.shortWindow, a.longWindow]))].sort((a, b) => seconds(a) - seconds(b));

/** Envoy's default histogram buckets, which istio_request_duration_milliseconds uses. */
export const ISTIO_DURATION_BUCKETS_MS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

function seconds(window: string): number {
    const match = /^(\d+)([smhd])$/.exec(window);
    if (!match) {
        throw new Error(`not a PromQL duration: ${window}`);
    }
    return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as "s" | "m" | "h" | "d"];
}

/** Prometheus 3 stores `le` as a float (`le="500.0"`, docs/migration.md); a query for `le="500"` finds nothing. */
export function leLabelValue(bucketMs: number): string {
    return Number.isInteger(bucketMs) ? `${bucketMs}.0` : String(bucketMs);
}

/** The recorded series of one SLI over one window. */
export function errorRatioRecord(window: string): string {
    return `slo:sli_error:ratio_rate${window}`;
}

/** The recorded request rate (requests/s) of one SLI over one window: the pages' minimum-traffic guard reads it. */
export function requestRateRecord(window: string): string {
    return `slo:sli_requests:rate${window}`;
}

function pascal(name: string): string {
    return name
        .split(/[^a-zA-Z0-9]+/)
        .filter((part) => part !== "")
        .map((part) => part[0].toUpperCase() + part.slice(1))
        .join("");
}

/**
 * The target's traffic as the ingress gateway reports it (client side, after the VirtualService's retries):
 * what users get, including the gateway's own 503s when no pod of the target is up, which the target's
 * sidecars could never report.
 */
function selector(target: SloTarget, extra = ""): string {
    return (
        `reporter="source",source_workload="${target.gateway.workload}",` +
        `source_workload_namespace="${target.gateway.namespace}",` +
        `destination_service_namespace="${target.namespace}",destination_service_name="${target.service}"${extra}`
    );
}

interface Sli {
    kind: "availability" | "latency";
    objective: number;
    description: string;
    errorRatio(window: string): string;
    requests(window: string): string;
}

function slis(target: SloTarget, objectives: SloObjectives): Sli[] {
    const le = leLabelValue(objectives.latencyThresholdMs);
    return [
        {
            kind: "availability",
            objective: objectives.availability,
            description: "requests answered without a 5xx",
            errorRatio: (w) =>
                `sum(rate(istio_requests_total{${selector(target, ',response_code=~"5.."')}}[${w}]))\n/\n` +
                `sum(rate(istio_requests_total{${selector(target)}}[${w}]))`,
            requests: (w) => `sum(rate(istio_requests_total{${selector(target)}}[${w}]))`,
        },
        {
            kind: "latency",
            objective: objectives.latency,
            description: `requests answered within ${objectives.latencyThresholdMs} ms`,
            errorRatio: (w) => {
                const fast = selector(target, `,le="${le}"`);
                return (
                    `1 - (\n  sum(rate(istio_request_duration_milliseconds_bucket{${fast}}[${w}]))\n  /\n` +
                    `  sum(rate(istio_request_duration_milliseconds_count{${selector(target)}}[${w}]))\n)`
                );
            },
            requests: (w) => `sum(rate(istio_request_duration_milliseconds_count{${selector(target)}}[${w}]))`,
        },
    ];
}

/**
 * Availability and latency SLOs of `target` from Istio's standard metrics: error ratios recorded for every
 * window the alerts read, and one alert rule per burn-rate pair.
 */
export function sloRules(target: SloTarget, objectives: SloObjectives = SLO_DEFAULTS): PrometheusRuleSpec {
    if (!ISTIO_DURATION_BUCKETS_MS.includes(objectives.latencyThresholdMs)) {
        throw new Error(
            `The latency threshold ${objectives.latencyThresholdMs} ms is not one of Istio's histogram buckets ` +
                `(${ISTIO_DURATION_BUCKETS_MS.join(", ")}): no series would match it.`,
        );
    }
    for (const objective of [objectives.availability, objectives.latency]) {
        if (!(objective > 0 && objective < 1)) {
            throw new Error(`An SLO objective must lie strictly between 0 and 1 (got ${objective}).`);
        }
    }
    return {
        groups: slis(target, objectives).map((sli) => {
            const slo = `${target.service}-${sli.kind}`;
            const labels = { slo, slo_namespace: target.namespace, slo_service: target.service };
            const recorded = (window: string) => `${errorRatioRecord(window)}{slo="${slo}"}`;
            const percent = `${+(sli.objective * 100).toFixed(3)}%`;
            const recordings: RecordingRule[] = [
                ...SLI_WINDOWS.map((window) => ({ record: errorRatioRecord(window), expr: sli.errorRatio(window), labels })),
                ...SLI_WINDOWS.map((window) => ({ record: requestRateRecord(window), expr: sli.requests(window), labels })),
            ];
            // A page needs enough traffic that one failed request is not a burn (and none when there is none).
            const guard = (a: (typeof BURN_RATE_ALERTS)[number]) =>
                a.severity === "critical" ? `\nand\n${requestRateRecord(a.longWindow)}{slo="${slo}"} >= ${MIN_RATE}` : "";
            const alerts: AlertingRule[] = BURN_RATE_ALERTS.map((a) => {
                const threshold = `(${a.burnRate} * (1 - ${sli.objective}))`;
                return {
                    alert: `${pascal(target.service)}${pascal(sli.kind)}ErrorBudgetBurn`,
                    expr: `${recorded(a.longWindow)} > ${threshold}\nand\n${recorded(a.shortWindow)} > ${threshold}${guard(a)}`,
                    labels: {
                        ...labels,
                        severity: a.severity,
                        long_window: a.longWindow,
                        short_window: a.shortWindow,
                    },
                    annotations: {
                        summary: `${target.namespace}/${target.service} burns its ${sli.kind} error budget ` + `${a.burnRate}x too fast.`,
                        // $value is the left operand: the long window's error ratio.
                        description:
                            `${sli.kind} errors are {{ $value | humanizePercentage }} of requests over the last ` +
                            `${a.longWindow} (and above the threshold over ${a.shortWindow}): the budget of the ` +
                            `${percent} SLO (${sli.description}) burns at ${a.burnRate}x the sustainable rate.`,
                        runbook: RUNBOOK.sloBurn(target),
                    },
                };
            });
            return { name: `${slo}-slo`, rules: [...recordings, ...alerts] };
        }),
    };
}

/**
 * The target gets no request through the gateway for an hour although it averaged the pages' minimum rate
 * over the day before: users cannot reach it (the SLO rules see no errors at zero traffic).
 */
export function noTrafficRules(target: SloTarget): PrometheusRuleSpec {
    const requests = (range: string, offset = "") => `sum(rate(istio_requests_total{${selector(target)}}[${range}]${offset}))`;
    return {
        groups: [
            {
                name: `${target.service}-traffic`,
                rules: [
                    {
                        alert: `${pascal(target.service)}NoTraffic`,
                        expr: `(${requests("1h")} or on() vector(0)) == 0\nand on()\n${requests("1d", " offset 1h")} >= ${MIN_RATE}`,
                        for: "10m",
                        labels: { severity: "warning", slo_namespace: target.namespace, slo_service: target.service },
                        annotations: {
                            summary: `${target.namespace}/${target.service} gets no traffic through the ingress gateway.`,
                            description:
                                `No request reached ${target.service} through the gateway for an hour, after a day with ` +
                                `traffic: its burn-rate alerts cannot fire without requests.`,
                            runbook: RUNBOOK.noTraffic(target),
                        },
                    },
                ],
            },
        ],
    };
}

/** First steps, one line each, named after what the alert watches. */
const RUNBOOK = {
    sloBurn: (t: SloTarget) =>
        `Grafana "Istio Service Dashboard" for ${t.service}.${t.namespace}; kubectl -n ${t.namespace} get pods; ` +
        `kubectl -n ${t.namespace} logs deploy/${t.service}; then the data layer (PostgreSQL, Redis) alerts.`,
    noTraffic: (t: SloTarget) =>
        `curl the public URL; kubectl -n ${t.gateway.namespace} get pods,svc (ServiceLB address, gateway pods); ` +
        `kubectl -n ${t.namespace} get virtualservice,gateway.`,
} as const;
