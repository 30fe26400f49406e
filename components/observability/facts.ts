// The observability layer's pins and sizes: kube-prometheus-stack (Prometheus, Alertmanager, Grafana), Jaeger,
// Kiali, and how alerts are delivered.
import { ISTIO_DASHBOARD_FOLDER, PROMETHEUS_DATASOURCE, PROMETHEUS_PORT } from "../contracts/telemetry";
import { STORAGE_CLASS, resources, type ChartPin } from "../defaults";

/** Every volume of the observability layer: K3s's local-path provisioner. */
export const OBSERVABILITY_STORAGE = {
    className: STORAGE_CLASS,
    // `local` PVs (not the default hostPath) make the kubelet report kubelet_volume_stats_* (local-path-provisioner#44).
    pvcAnnotations: { volumeType: "local" },
} as const;

export const KUBE_PROMETHEUS_STACK = {
    chart: "kube-prometheus-stack",
    // renovate: datasource=helm depName=kube-prometheus-stack registryUrl=https://prometheus-community.github.io/helm-charts
    version: "88.5.3",
    repo: "https://prometheus-community.github.io/helm-charts",
    release: "kube-prometheus-stack",
    namespace: "monitoring",
    /** Prefix of every object the chart names (the chart cuts it to 26 characters). */
    fullnameOverride: "kps",
    prometheusPort: PROMETHEUS_PORT,
    prometheusStorageGi: 20,
    /** Size cap below the volume, so a longer retention never fills the disk. */
    prometheusRetentionSize: "18GiB",
    alertmanagerStorageGi: 2,
    alertmanagerRetention: "120h",
    resources: {
        prometheus: resources("250m", "1Gi", "3Gi"),
        alertmanager: resources("20m", "64Mi", "256Mi"),
        configReloader: resources("10m", "32Mi", "64Mi"),
        operator: resources("50m", "128Mi", "512Mi"),
        admissionPatchJob: resources("10m", "32Mi", "128Mi"),
        kubeStateMetrics: resources("20m", "96Mi", "256Mi"),
        nodeExporter: resources("20m", "32Mi", "128Mi"),
    },
} as const satisfies ChartPin & Record<string, unknown>;

export const GRAFANA = {
    adminUser: "admin",
    /** The Prometheus datasource kube-prometheus-stack provisions; dashboards and Kiali refer to it. */
    datasource: PROMETHEUS_DATASOURCE,
    jaegerDatasource: { name: "Jaeger", uid: "jaeger" },
    storageGi: 5,
    dashboardProvider: ISTIO_DASHBOARD_FOLDER,
    /** Label the Grafana sidecar loads dashboard ConfigMaps by (kube-prometheus-stack 88.5.3 `grafana.sidecar.dashboards`). */
    sidecarLabel: { grafana_dashboard: "1" },
    resources: {
        grafana: resources("100m", "256Mi", "512Mi"),
        sidecar: resources("20m", "96Mi", "192Mi"),
        initChownData: resources("10m", "16Mi", "64Mi"),
        downloadDashboards: resources("10m", "32Mi", "64Mi"),
    },
} as const;

export const JAEGER = {
    chart: "jaeger",
    // renovate: datasource=helm depName=jaeger registryUrl=https://jaegertracing.github.io/helm-charts
    version: "4.11.1",
    repo: "https://jaegertracing.github.io/helm-charts",
    release: "jaeger",
    namespace: "observability",
    /** nameOverride and fullnameOverride: the Service and the pods' name label. */
    name: "jaeger",
    /** The chart's appVersion, pinned so a chart default never moves the image. */
    // renovate: datasource=docker depName=jaegertracing/jaeger
    imageTag: "2.19.0",
    storageGi: 10,
    dataMountPath: "/badger",
    spanTtl: "168h",
    ports: { otlpGrpc: 4317, otlpHttp: 4318, queryHttp: 16686, queryGrpc: 16685, health: 13133, metrics: 8888 },
    resources: resources("100m", "256Mi", "1Gi"),
} as const satisfies ChartPin & Record<string, unknown>;

export const KIALI = {
    chart: "kiali-operator",
    // renovate: datasource=helm depName=kiali-operator registryUrl=https://kiali.org/helm-charts
    version: "2.29.0",
    repo: "https://kiali.org/helm-charts",
    release: "kiali-operator",
    namespace: "kiali-operator",
    crName: "kiali",
    /** Kiali's default context root on Kubernetes (CRD `server.web_root`), set explicitly. */
    webRoot: "/kiali",
    /** The port Kiali's Service and its non-root server share (the operator uses one number): in-cluster only. */
    serverPort: 20001,
    /** The Service the operator names after `deployment.instance_name` (default "kiali"), in the CR's namespace. */
    serviceName: "kiali",
    grafanaCredentialsSecret: "kiali-grafana",
    grafanaPasswordKey: "password",
    resources: {
        operator: resources("20m", "128Mi", "512Mi"),
        server: resources("20m", "96Mi", "1Gi"),
    },
} as const satisfies ChartPin & Record<string, unknown>;

/** Alert delivery: the Secret holding the webhook URL (mounted, never in the config) and the routing pace. */
export const ALERTING = {
    webhookSecret: { name: "alertmanager-webhook", key: "url" },
    /** The operator mounts `alertmanagerSpec.secrets` here (CRD alertmanagers `spec.secrets`). */
    secretsMountPath: "/etc/alertmanager/secrets",
    /** Critical alerts page at once and again every hour; warnings are batched and repeat twice a day. */
    critical: { groupWait: "10s", groupInterval: "5m", repeatInterval: "1h" },
    warning: { groupWait: "5m", groupInterval: "30m", repeatInterval: "12h" },
} as const;

/** Grafana's admin login as External Secrets writes it in `monitoring` (the chart's `admin.existingSecret` keys). */
export const GRAFANA_ADMIN_SECRET = { name: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" } as const;

/** Ports of the observability layer's pods the NetworkPolicies name: container ports, whatever their Services publish. */
export const POD_PORTS = {
    /** Grafana's container (chart default), Alertmanager's web port. */
    grafana: 3000,
    alertmanager: 9093,
    /** prometheus-operator's admission webhook. */
    webhooks: 10250,
} as const;
