// PrometheusRule specs (monitoring.coreos.com/v1): SLOs of one meshed service from Istio's metrics, with
// the multiwindow, multi-burn-rate alerts of Google's SRE workbook (chapter "Alerting on SLOs"), and
// platform alerts for crash-looping pods and filling volumes.

import { SLO_DEFAULTS } from "../defaults";

export interface RecordingRule {
    record: string;
    expr: string;
    labels: Record<string, string>;
}

export interface AlertingRule {
    alert: string;
    expr: string;
    for?: string;
    labels: Record<string, string>;
    annotations: { summary: string; description: string };
}

export interface PrometheusRuleSpec {
    groups: { name: string; rules: (RecordingRule | AlertingRule)[] }[];
}

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

/** Every window an alert reads, each recorded once. */
export const SLI_WINDOWS: string[] = [
    ...new Set(BURN_RATE_ALERTS.flatMap((a) => [a.shortWindow, a.longWindow])),
].sort((a, b) => seconds(a) - seconds(b));

/** Envoy's default histogram buckets, which istio_request_duration_milliseconds uses. */
export const ISTIO_DURATION_BUCKETS_MS = [
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
];

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
            const recordings: RecordingRule[] = SLI_WINDOWS.map((window) => ({
                record: errorRatioRecord(window),
                expr: sli.errorRatio(window),
                labels,
            }));
            const alerts: AlertingRule[] = BURN_RATE_ALERTS.map((a) => {
                const threshold = `(${a.burnRate} * (1 - ${sli.objective}))`;
                return {
                    alert: `${pascal(target.service)}${pascal(sli.kind)}ErrorBudgetBurn`,
                    expr: `${recorded(a.longWindow)} > ${threshold}\nand\n${recorded(a.shortWindow)} > ${threshold}`,
                    labels: {
                        ...labels,
                        severity: a.severity,
                        long_window: a.longWindow,
                        short_window: a.shortWindow,
                    },
                    annotations: {
                        summary:
                            `${target.namespace}/${target.service} burns its ${sli.kind} error budget ` +
                            `${a.burnRate}x too fast.`,
                        // $value is the left operand: the long window's error ratio.
                        description:
                            `${sli.kind} errors are {{ $value | humanizePercentage }} of requests over the last ` +
                            `${a.longWindow} (and above the threshold over ${a.shortWindow}): the budget of the ` +
                            `${percent} SLO (${sli.description}) burns at ${a.burnRate}x the sustainable rate.`,
                    },
                };
            });
            return { name: `${slo}-slo`, rules: [...recordings, ...alerts] };
        }),
    };
}

/** Platform alerts under our own names, next to the chart's defaults. */
export function platformRules(): PrometheusRuleSpec {
    const ratio = "kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes";
    const pod = "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }})";
    const claim = "{{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }}";
    return {
        groups: [
            {
                name: "homelab-platform",
                rules: [
                    {
                        alert: "HomelabPodCrashLooping",
                        expr: 'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1',
                        for: "15m",
                        labels: { severity: "warning" },
                        annotations: {
                            summary: "A container keeps crashing.",
                            description: `${pod} has been in CrashLoopBackOff for 15 minutes.`,
                        },
                    },
                    {
                        alert: "HomelabVolumeAlmostFull",
                        expr: `${ratio} < 0.1`,
                        for: "5m",
                        labels: { severity: "critical" },
                        annotations: {
                            summary: "A persistent volume has less than 10% free.",
                            description: `${claim} has {{ $value | humanizePercentage }} free.`,
                        },
                    },
                    {
                        alert: "HomelabVolumeFillingUp",
                        expr: `(${ratio}) < 0.4\nand\npredict_linear(kubelet_volume_stats_available_bytes[6h], 24 * 3600) < 0`,
                        for: "1h",
                        labels: { severity: "warning" },
                        annotations: {
                            summary: "A persistent volume will be full within 24 hours.",
                            description: `At the rate of the last 6 hours, ${claim} runs out of space within a day.`,
                        },
                    },
                ],
            },
        ],
    };
}
