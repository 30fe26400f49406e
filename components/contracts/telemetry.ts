// One quarter of a part's contract (components/contracts/part.ts): what Prometheus scrapes of a part, what it alerts
// on, what Grafana shows of it. The observability part creates the objects from every part's contribution, in the
// order of the parts (stacks/parts.ts). Also the monitoring vocabulary the parts share: the monitoring.coreos.com/v1
// specs (types cover the fields set) and the relabeling helpers. A shared contract: it imports no part.

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

export interface RelabelConfig {
    action: "keep" | "drop" | "replace";
    sourceLabels: string[];
    regex: string;
    separator?: string;
    targetLabel?: string;
    replacement?: string;
}

export interface ServiceMonitorSpec {
    jobLabel: string;
    targetLabels: string[];
    selector: LabelSelector;
    namespaceSelector: { matchNames: string[] };
    endpoints: { port: string; interval: string }[];
}

export interface PodMonitorSpec {
    selector: LabelSelector;
    namespaceSelector: { any: true } | { matchNames: string[] };
    podMetricsEndpoints: { port: string; path: string; interval: string; params?: Record<string, string[]>; relabelings?: RelabelConfig[] }[];
}

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

export interface RuleGroup {
    name: string;
    rules: (RecordingRule | AlertingRule)[];
}

export interface PrometheusRuleSpec {
    groups: RuleGroup[];
}

/** One ServiceMonitor or PodMonitor; `role` names its Pulumi child (`<component>-<role>`), `name` the object. */
export type Monitor = { role: string; name: string; afterWaitFor?: true } & (
    { kind: "ServiceMonitor"; spec: ServiceMonitorSpec } | { kind: "PodMonitor"; spec: PodMonitorSpec }
);

/**
 * Groups of one PrometheusRule. Parts naming the same `role` add to one object: its groups, and the rules of a
 * group named twice, come in the order of the parts (one object, `homelab-platform`, gathers several parts' alerts).
 */
export interface RuleSet {
    role: string;
    name: string;
    groups: RuleGroup[];
}

/** A grafana.com dashboard the chart downloads (`gnetId` at `revision`), its datasource bound by name or by input. */
export interface GrafanaComDashboard {
    gnetId: number;
    revision: number;
    datasource: string | { name: string; value: string }[];
}

/** A Grafana file provider: `dashboards.<name>` land in its path, shown in `folder`. */
export interface DashboardFolder {
    name: string;
    folder: string;
}

export type Dashboards =
    | { kind: "grafana.com"; provider: DashboardFolder; dashboards: Record<string, GrafanaComDashboard> }
    /** A dashboard built in code, in a ConfigMap Grafana's sidecar loads; `uid` names the ConfigMap and its file. */
    | { kind: "configMap"; role: string; uid: string; json: object };

/** One pgBackRest repository the backup alerts watch: pgMonitor's `repo` label (the repo's number) and its schedules. */
export interface BackupWatch {
    /** pgMonitor's `repo` label: pgBackRest's repo-key, "1" for repo1. */
    repo: string;
    /** What the alert calls it, e.g. "repo1 (local volume)". */
    name: string;
    /** Its cron schedules (UTC), every backup type: the newest backup of any type counts. */
    schedules: readonly string[];
}

/** What rules may depend on beyond the constants: facts the stack knows once the parts are built. */
export interface TelemetryInputs {
    /** The data layer's pgBackRest repositories; none, no backup rules. */
    backups: readonly BackupWatch[];
}

export interface PartTelemetry {
    /** What Prometheus scrapes of the part. */
    readonly monitors: readonly Monitor[];
    /** What it alerts on and records. */
    readonly rules: (inputs: TelemetryInputs) => readonly RuleSet[];
    /** What Grafana shows of it. */
    readonly dashboards: readonly Dashboards[];
}

/** The `severity` values Alertmanager's routes send on (observability/alertmanager.ts): every part's alert carries one. */
export const ROUTED_SEVERITIES: readonly string[] = ["critical", "warning"];

/** The node alert: it inhibits the alerts of everything on that node (observability/alertmanager.ts). */
export const NODE_NOT_READY_ALERT = "HomelabNodeNotReady";

/** Prometheus' meta label for a pod label: characters outside [a-zA-Z0-9_] become "_". */
export function podLabelMeta(label: string): string {
    return `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

export function escapeRegex(value: string): string {
    return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Platform alerts under our own names, next to the chart's defaults: one PrometheusRule, one group, several parts' alerts. */
export function platformRuleSet(rules: AlertingRule[]): RuleSet {
    return { role: "platform-rules", name: "homelab-platform", groups: [{ name: "homelab-platform", rules }] };
}

/** Scrape interval of the exporters (the data layer's, OpenBao's, cert-manager's): every part scrapes at this pace. */
export const DATA_SCRAPE_INTERVAL = "30s";

/** The Prometheus datasource kube-prometheus-stack provisions in Grafana: every part's dashboards and Kiali refer to it. */
export const PROMETHEUS_DATASOURCE = { name: "Prometheus", uid: "prometheus" } as const;

/** The folder of the mesh's dashboards: Grafana's first provider (an existing lab keeps its providers' order). */
export const ISTIO_DASHBOARD_FOLDER = { name: "istio", folder: "Istio" } as const;

/** Prometheus' port (kube-prometheus-stack): its API, and the remote-write receiver the load tests push to. */
export const PROMETHEUS_PORT = 9090;
