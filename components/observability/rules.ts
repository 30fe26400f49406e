// PrometheusRule specs (monitoring.coreos.com/v1): SLOs of one meshed service from Istio's metrics, with
// the multiwindow, multi-burn-rate alerts of Google's SRE workbook (chapter "Alerting on SLOs"), platform
// alerts (crash loops, volumes, nodes, certificates, Vault) and data-layer alerts (PostgreSQL, Redis).

import { ALERTING, POSTGRES, REDIS, SLO_DEFAULTS, SLO_MIN_REQUESTS_PER_MINUTE } from "../defaults";
import { longestGapSeconds } from "../kubernetes/cron";
import { PG_CLUSTER_LABEL, pgClusterName } from "./monitors";

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
    /** `runbook`: what to look at first, in one line. */
    annotations: { summary: string; description: string; runbook: string };
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

/** SLO_MIN_REQUESTS_PER_MINUTE as the per-second rate PromQL compares with. */
const MIN_RATE = `(${SLO_MIN_REQUESTS_PER_MINUTE} / 60)`;

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
                a.severity === "critical"
                    ? `\nand\n${requestRateRecord(a.longWindow)}{slo="${slo}"} >= ${MIN_RATE}`
                    : "";
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
                        summary:
                            `${target.namespace}/${target.service} burns its ${sli.kind} error budget ` +
                            `${a.burnRate}x too fast.`,
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
    crashLoop: "kubectl -n {{ $labels.namespace }} logs {{ $labels.pod }} -c {{ $labels.container }} --previous; kubectl describe pod.",
    volume: "kubectl -n {{ $labels.namespace }} get pvc {{ $labels.persistentvolumeclaim }}; grow the volume or delete data (Prometheus: lower retention).",
    node: "ssh to {{ $labels.node }}; systemctl status k3s; journalctl -u k3s --since -30m; Proxmox: is the VM running?",
    certificate: "kubectl -n {{ $labels.namespace }} describe certificate {{ $labels.name }}; kubectl -n cert-manager logs deploy/cert-manager.",
    vault: "kubectl -n vault get pods; a sealed pod means its static seal key file is missing or wrong (Secret openbao-seal-keys, VAULT.sealKeyIds): never unseal by hand; pod logs.",
    postgres: `kubectl -n ${POSTGRES.namespace} get pods -L postgres-operator.crunchydata.com/role; patronictl list in a database pod.`,
    replication: `kubectl -n ${POSTGRES.namespace} exec <primary> -- psql -c 'select * from pg_stat_replication'; replica pod logs.`,
    redis: `kubectl -n ${REDIS.namespace} get pods -L redisfailovers-role; redis-cli -p 26379 sentinel masters in a sentinel pod.`,
    backup:
        `kubectl -n ${POSTGRES.namespace} get cronjobs,jobs -l postgres-operator.crunchydata.com/pgbackrest-cronjob; logs of the last backup Job; ` +
        "pgbackrest info in a database pod (docs/disaster-recovery.md).",
} as const;

/** Our node alert: it inhibits the alerts of everything on that node (alertmanager.ts). */
export const NODE_NOT_READY_ALERT = "HomelabNodeNotReady";

/** Scrape jobs of a Vault or OpenBao (the job label follows the Service name). */
export const VAULT_JOB_REGEX = ".*(openbao|vault).*";

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
                        // The pod's node joined in, so a node that is down inhibits its pods' alerts (alertmanager.ts).
                        expr:
                            '(max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1)\n' +
                            "* on (namespace, pod) group_left (node) max by (namespace, pod, node) (kube_pod_info)",
                        for: "15m",
                        labels: { severity: "warning" },
                        annotations: {
                            summary: "A container keeps crashing.",
                            description: `${pod} on {{ $labels.node }} has been in CrashLoopBackOff for 15 minutes.`,
                            runbook: RUNBOOK.crashLoop,
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
                            runbook: RUNBOOK.volume,
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
                            runbook: RUNBOOK.volume,
                        },
                    },
                    {
                        alert: NODE_NOT_READY_ALERT,
                        expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
                        for: "5m",
                        labels: { severity: "critical" },
                        annotations: {
                            summary: "A node is not Ready.",
                            description: "{{ $labels.node }} has not been Ready for 5 minutes; its pods' own alerts are held back.",
                            runbook: RUNBOOK.node,
                        },
                    },
                    {
                        alert: "HomelabCertificateExpiring",
                        // Scraped from cert-manager's pod, the certificate's namespace is exported_namespace (`namespace` is
                        // cert-manager's): the alert names the certificate's, which Alertmanager groups and inhibits by.
                        expr:
                            `label_replace(certmanager_certificate_expiration_timestamp_seconds, "namespace", "$1", "exported_namespace", "(.+)")` +
                            ` - time() < ${ALERTING.certificateExpiryDays} * 86400`,
                        for: "1h",
                        labels: { severity: "warning" },
                        annotations: {
                            summary: `A certificate expires within ${ALERTING.certificateExpiryDays} days.`,
                            description:
                                "{{ $labels.namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }}: cert-manager did not renew it.",
                            runbook: RUNBOOK.certificate,
                        },
                    },
                    // Vault/OpenBao: silent while no such target exists (no series, no absent()).
                    {
                        alert: "HomelabVaultSealed",
                        expr: "vault_core_unsealed == 0",
                        for: "5m",
                        labels: { severity: "critical" },
                        annotations: {
                            summary: "Vault is sealed.",
                            description: "{{ $labels.pod }} has been sealed for 5 minutes: secrets cannot be read.",
                            runbook: RUNBOOK.vault,
                        },
                    },
                    {
                        alert: "HomelabVaultDown",
                        expr: `up{job=~"${VAULT_JOB_REGEX}"} == 0`,
                        for: "5m",
                        labels: { severity: "critical" },
                        annotations: {
                            summary: "A Vault target is down.",
                            description: "Prometheus has not scraped {{ $labels.instance }} ({{ $labels.job }}) for 5 minutes.",
                            runbook: RUNBOOK.vault,
                        },
                    },
                ],
            },
        ],
    };
}

/**
 * PostgreSQL (pgMonitor's `ccp_*` series from PGO's exporter: `ccp_is_in_recovery_status` 1 replica / 2 primary,
 * `ccp_replication_lag_size_bytes` per replica on the primary) and Redis (redis_exporter's `redis_instance_info`).
 */
export function dataRules(): PrometheusRuleSpec {
    const pg = `${PG_CLUSTER_LABEL}="${pgClusterName(POSTGRES.namespace, POSTGRES.clusterName)}"`;
    const redis = `namespace="${REDIS.namespace}",container="redis-exporter"`;
    return {
        groups: [
            {
                name: "homelab-data",
                rules: [
                    {
                        alert: "HomelabPostgresNoPrimary",
                        // No exporter answering at all counts too: the cluster always exists in this stack.
                        expr:
                            `sum(ccp_is_in_recovery_status{${pg}} == bool 2) < 1\n` +
                            `or\nabsent(ccp_is_in_recovery_status{${pg}})`,
                        for: "2m",
                        labels: { severity: "critical" },
                        annotations: {
                            summary: "PostgreSQL has no primary.",
                            description: `${POSTGRES.namespace}/${POSTGRES.clusterName} has had no primary for 2 minutes: Shlink cannot write.`,
                            runbook: RUNBOOK.postgres,
                        },
                    },
                    {
                        alert: "HomelabPostgresReplicationLag",
                        expr: `max by (${PG_CLUSTER_LABEL}, replica) (ccp_replication_lag_size_bytes{${pg}}) > ${ALERTING.replicationLagBytes}`,
                        for: "10m",
                        labels: { severity: "warning" },
                        annotations: {
                            summary: "A PostgreSQL replica lags behind.",
                            description: "Replica {{ $labels.replica }} is {{ $value | humanize1024 }}B behind the primary.",
                            runbook: RUNBOOK.replication,
                        },
                    },
                    {
                        alert: "HomelabRedisNoMaster",
                        expr: `(count(redis_instance_info{${redis},role="master"}) or on() vector(0)) < 1`,
                        for: "2m",
                        labels: { severity: "critical" },
                        annotations: {
                            summary: "Redis has no master.",
                            description: `No pod of ${REDIS.namespace}/${REDIS.name} has been master for 2 minutes: Shlink's cache and locks fail.`,
                            runbook: RUNBOOK.redis,
                        },
                    },
                ],
            },
        ],
    };
}

/** One pgBackRest repository the backup alerts watch: pgMonitor's `repo` label (the repo's number) and its schedules. */
export interface BackupWatch {
    /** pgMonitor's `repo` label: pgBackRest's repo-key, "1" for repo1. */
    repo: string;
    /** What the alert calls it, e.g. "repo1 (local volume)". */
    name: string;
    /** Its cron schedules (UTC), every backup type: the newest backup of any type counts. */
    schedules: readonly string[];
}

/** Beyond the longest gap between scheduled runs: the backup's own runtime, and pgMonitor reading `pgbackrest info` every 10 min. */
export const BACKUP_GRACE_SECONDS = 3 * 3600;

/** The newest backup a repository may have, in seconds: its longest gap between runs, plus the grace. */
export function backupMaxAgeSeconds(watch: BackupWatch): number {
    return longestGapSeconds(watch.schedules) + BACKUP_GRACE_SECONDS;
}

/**
 * A repository whose newest successful backup (full, differential or incremental: pgMonitor's
 * `ccp_backrest_last_incr_backup_time_since_completion_seconds`, which counts all three) is older than its schedule
 * allows, or that has none at all for that long. The series come from pgMonitor's queries in PGO's exporter, which
 * PGO 6.0.3 generates only for PostgreSQL 17 and older (internal/pgmonitor/exporter.go:68-72): with a newer
 * postgresVersion, the Missing alert is what would say so.
 */
export function backupRules(watches: readonly BackupWatch[]): PrometheusRuleSpec {
    const pg = `${PG_CLUSTER_LABEL}="${pgClusterName(POSTGRES.namespace, POSTGRES.clusterName)}"`;
    const age = (repo: string) => `ccp_backrest_last_incr_backup_time_since_completion_seconds{${pg},repo="${repo}"}`;
    return {
        groups: [
            {
                name: "homelab-backups",
                rules: watches.flatMap((watch): AlertingRule[] => {
                    const maxAge = backupMaxAgeSeconds(watch);
                    const labels = { severity: "critical", repo: watch.repo };
                    return [
                        {
                            alert: "HomelabBackupTooOld",
                            // Every instance's exporter reads the same repositories: the freshest view counts.
                            expr: `min by (repo) (${age(watch.repo)}) > ${maxAge}`,
                            for: "15m",
                            labels,
                            annotations: {
                                summary: `The newest backup in ${watch.name} is older than its schedule allows.`,
                                description:
                                    `The newest successful backup in ${watch.name} finished {{ $value | humanizeDuration }} ago; ` +
                                    `its schedules (${watch.schedules.join(", ")}) allow ${maxAge / 3600} h.`,
                                runbook: RUNBOOK.backup,
                            },
                        },
                        {
                            alert: "HomelabBackupMissing",
                            expr: `absent(${age(watch.repo)})`,
                            for: `${maxAge / 60}m`,
                            labels,
                            annotations: {
                                summary: `No backup in ${watch.name}.`,
                                description: `pgMonitor has reported no successful backup in ${watch.name} for ${maxAge / 3600} h (or the exporter is gone).`,
                                runbook: RUNBOOK.backup,
                            },
                        },
                    ];
                }),
            },
        ],
    };
}
