// kube-prometheus-stack (Prometheus, Alertmanager, Grafana): its values, and the resources that install it.
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GENERATED_SECRET_LENGTH } from "../defaults";
import { ALERTING, GRAFANA, GRAFANA_ADMIN_SECRET, KUBE_PROMETHEUS_STACK, OBSERVABILITY_STORAGE } from "./facts";
import type { DashboardFolder, Dashboards, GrafanaComDashboard } from "../contracts/telemetry";
import { helmRelease } from "../kubernetes/helm";
import { childName } from "../kubernetes/names";
import { namespace } from "../kubernetes/namespace";
import { MONITORING_NAMESPACE } from "./namespaces";
import { serviceUrl } from "../kubernetes/serviceNames";
import { alertmanagerConfig, webhookSecret } from "./alertmanager";
import { grafanaServiceName, prometheusServiceName } from "./names";
import { externalSecret, vaultReader, reloadOnSecrets } from "../kubernetes/externalSecrets";
import type { VaultAccess } from "../contracts/vault";

export interface KubePrometheusStackInputs {
    /** Port of Grafana's in-cluster Service (the ingress gateway's door forwards to it). */
    grafanaPort: number;
    /** Grafana's public https URL (its root_url: redirects and links). */
    grafanaExternalUrl: string;
    prometheusRetentionDays: number;
    /** In-cluster URL of Jaeger's query HTTP API, provisioned as Grafana's Jaeger datasource. */
    jaegerQueryUrl: string;
    /** Port of Alertmanager's in-cluster Service, and its public https URL (links in notifications). */
    alertmanagerPort: number;
    alertmanagerExternalUrl: string;
    /** StorageClass of Prometheus', Alertmanager's and Grafana's volumes (homelab:storageClass); local-path when unset. */
    storageClass?: string;
    /** Every part's dashboards: the grafana.com ones are the chart's to download. */
    dashboards: readonly Dashboards[];
    /** Whether alerts go to the webhook Secret (`ALERTING.webhookSecret`) or only to the UI. */
    hasWebhook: boolean;
}

/** A volumeClaimTemplate as the Prometheus and Alertmanager CRs embed it. */
function volumeClaimTemplate(sizeGi: number, storageClass: string) {
    return {
        metadata: { annotations: { ...OBSERVABILITY_STORAGE.pvcAnnotations } },
        spec: {
            storageClassName: storageClass,
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: `${sizeGi}Gi` } },
        },
    };
}

/** A file provider for downloaded dashboards: `dashboards.<name>` land in its path, shown in `folder`. */
export function dashboardProvider({ name, folder }: DashboardFolder) {
    return {
        name,
        orgId: 1,
        folder,
        type: "file",
        disableDeletion: false,
        editable: true,
        options: { path: `/var/lib/grafana/dashboards/${name}` },
    };
}

/**
 * The parts' grafana.com dashboards as the chart's values: one file provider per folder, Grafana's first folder
 * (GRAFANA.dashboardProvider, where Istio's dashboards are) first, then the others in the order of the parts.
 */
export function downloadedDashboards(dashboards: readonly Dashboards[]) {
    const first = (folder: DashboardFolder) => (folder.name === GRAFANA.dashboardProvider.name ? 0 : 1);
    const downloads = dashboards.flatMap((d) => (d.kind === "grafana.com" ? [d] : [])).sort((a, b) => first(a.provider) - first(b.provider));
    const providers: DashboardFolder[] = [];
    const byProvider: Record<string, Record<string, GrafanaComDashboard>> = {};
    for (const { provider, dashboards: files } of downloads) {
        if (!(provider.name in byProvider)) providers.push(provider);
        byProvider[provider.name] = { ...byProvider[provider.name], ...files };
    }
    return { providers: providers.map(dashboardProvider), dashboards: byProvider };
}

/**
 * Values of kube-prometheus-stack 88.5.3: fixed object names, Prometheus selecting every monitor and rule
 * in the cluster, retention on a volume, Alertmanager with storage, Grafana behind the ingress gateway with the
 * Istio dashboards, and explicit requests for every container the chart runs.
 */
export function kubePrometheusStackValues(inputs: KubePrometheusStackInputs) {
    const storageClass = inputs.storageClass ?? OBSERVABILITY_STORAGE.className;
    const kps = KUBE_PROMETHEUS_STACK;
    const r = kps.resources;
    const g = GRAFANA.resources;
    const downloads = downloadedDashboards(inputs.dashboards);
    return {
        fullnameOverride: kps.fullnameOverride,
        // K3s runs these inside the k3s process, bound to loopback: their default scrape targets are
        // unreachable, and the chart would install alerts (KubeSchedulerDown...) that fire forever.
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeProxy: { enabled: false },
        // K3s's embedded etcd only serves metrics with `etcd-expose-metrics`, which the cluster layer leaves off.
        kubeEtcd: { enabled: false },
        prometheusOperator: {
            resources: r.operator,
            // The operator adds these reloaders to the Prometheus and Alertmanager pods.
            prometheusConfigReloader: { resources: r.configReloader },
            admissionWebhooks: { patch: { resources: r.admissionPatchJob } },
        },
        prometheus: {
            service: { port: kps.prometheusPort },
            prometheusSpec: {
                replicas: 1,
                // false: select every ServiceMonitor, PodMonitor, PrometheusRule, Probe and ScrapeConfig, not
                // only those labelled with this release.
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                ruleSelectorNilUsesHelmValues: false,
                probeSelectorNilUsesHelmValues: false,
                scrapeConfigSelectorNilUsesHelmValues: false,
                retention: `${inputs.prometheusRetentionDays}d`,
                retentionSize: kps.prometheusRetentionSize,
                storageSpec: { volumeClaimTemplate: volumeClaimTemplate(kps.prometheusStorageGi, storageClass) },
                resources: r.prometheus,
                // k6 pushes its results here (/api/v1/write).
                enableRemoteWriteReceiver: true,
            },
        },
        alertmanager: {
            enabled: true,
            config: alertmanagerConfig(inputs.hasWebhook),
            // In-cluster only: the ingress gateway serves it over HTTPS.
            service: { type: "ClusterIP", port: inputs.alertmanagerPort },
            alertmanagerSpec: {
                replicas: 1,
                retention: kps.alertmanagerRetention,
                storage: { volumeClaimTemplate: volumeClaimTemplate(kps.alertmanagerStorageGi, storageClass) },
                resources: r.alertmanager,
                externalUrl: inputs.alertmanagerExternalUrl,
                // Mounted at ALERTING.secretsMountPath/<name>/, where the receiver's url_file points.
                secrets: inputs.hasWebhook ? [ALERTING.webhookSecret.name] : [],
            },
        },
        "kube-state-metrics": { replicas: 1, resources: r.kubeStateMetrics },
        "prometheus-node-exporter": { resources: r.nodeExporter },
        grafana: {
            fullnameOverride: grafanaServiceName(kps.fullnameOverride),
            replicas: 1,
            // The login External Secrets writes from Vault (user and password); the chart then makes no Secret of its own
            // and ignores adminUser/adminPassword, so neither is set here.
            admin: { existingSecret: GRAFANA_ADMIN_SECRET.name, userKey: GRAFANA_ADMIN_SECRET.userKey, passwordKey: GRAFANA_ADMIN_SECRET.passwordKey },
            // On the Deployment: Reloader restarts Grafana when its login changes in Vault.
            annotations: reloadOnSecrets(GRAFANA_ADMIN_SECRET.name),
            service: { type: "ClusterIP", port: inputs.grafanaPort },
            // Grafana builds its redirects and links on the URL users reach it at, through the gateway.
            "grafana.ini": { server: { root_url: inputs.grafanaExternalUrl } },
            persistence: {
                enabled: true,
                type: "pvc",
                storageClassName: storageClass,
                accessModes: ["ReadWriteOnce"],
                size: `${GRAFANA.storageGi}Gi`,
                annotations: { ...OBSERVABILITY_STORAGE.pvcAnnotations },
            },
            // A ReadWriteOnce volume: the old pod must let go before the new one starts.
            deploymentStrategy: { type: "Recreate" },
            resources: g.grafana,
            sidecar: {
                resources: g.sidecar,
                datasources: { name: GRAFANA.datasource.name, uid: GRAFANA.datasource.uid },
            },
            initChownData: { resources: g.initChownData },
            downloadDashboards: { resources: g.downloadDashboards },
            additionalDataSources: [
                {
                    name: GRAFANA.jaegerDatasource.name,
                    uid: GRAFANA.jaegerDatasource.uid,
                    type: "jaeger",
                    access: "proxy",
                    url: inputs.jaegerQueryUrl,
                },
            ],
            dashboardProviders: { "dashboardproviders.yaml": { apiVersion: 1, providers: downloads.providers } },
            dashboards: downloads.dashboards,
        },
    };
}

export type KubePrometheusStackValues = ReturnType<typeof kubePrometheusStackValues>;

/**
 * Grafana's admin password, kept in state so Grafana's stored password and the output never drift apart.
 * Returned as a secret.
 */
export function grafanaAdminPassword(component: string, parent: pulumi.Resource): pulumi.Output<string> {
    const password = new random.RandomPassword(
        childName(component, "grafana-admin-password"),
        { length: GENERATED_SECRET_LENGTH, special: false },
        // Grafana keeps the first password in its database: a stack made at length 32 must not get a new one.
        { parent, ignoreChanges: ["length"] },
    );
    return pulumi.secret(password.result);
}

/** Grafana's login in `monitoring`, written by External Secrets from Vault's `monitoring/grafana-admin`. */
function grafanaAdminSecret(component: string, namespace: pulumi.Output<string>, vault: VaultAccess, parent: pulumi.Resource) {
    const reader = vaultReader(component, namespace, vault, parent);
    const reads = [
        { secretKey: GRAFANA_ADMIN_SECRET.userKey, entry: "grafanaAdmin", property: "user" },
        { secretKey: GRAFANA_ADMIN_SECRET.passwordKey, entry: "grafanaAdmin", property: "password" },
    ] as const;
    return externalSecret(childName(component, "grafana-admin"), reader, GRAFANA_ADMIN_SECRET.name, reads, { parent });
}

/** What the rest of the layer needs from kube-prometheus-stack. */
export interface PrometheusStack {
    /** Installs the monitoring.coreos.com CRDs. */
    release: k8s.helm.v3.Release;
    /** The namespace our monitors and rules go into. */
    namespace: pulumi.Output<string>;
    prometheusUrl: string;
    grafana: { internalUrl: string; username: string };
}

/**
 * kube-prometheus-stack in its own namespace. The in-cluster addresses of Prometheus and Grafana follow from
 * the chart's fullnameOverride.
 */
export function prometheusStack(
    component: string,
    inputs: Omit<KubePrometheusStackInputs, "hasWebhook"> & { alertWebhookUrl?: pulumi.Input<string>; vault: VaultAccess },
    parent: pulumi.Resource,
): PrometheusStack {
    const kps = KUBE_PROMETHEUS_STACK;
    const ns = namespace(childName(component, "monitoring-namespace"), MONITORING_NAMESPACE, undefined, { parent });
    const { alertWebhookUrl, vault, ...rest } = inputs;
    const values = kubePrometheusStackValues({ ...rest, hasWebhook: alertWebhookUrl !== undefined });
    const secret = alertWebhookUrl === undefined ? [] : [webhookSecret(component, ns.metadata.name, alertWebhookUrl, parent)];
    const admin = grafanaAdminSecret(component, ns.metadata.name, vault, parent);
    // Alertmanager's pod mounts the webhook Secret, Grafana's reads its login: both must exist first.
    const release = helmRelease(childName(component, "kube-prometheus-stack"), kps, ns.metadata.name, values, { parent, dependsOn: [...secret, admin] });
    const prometheusService = prometheusServiceName(values.fullnameOverride);
    return {
        release,
        namespace: ns.metadata.name,
        prometheusUrl: serviceUrl(prometheusService, kps.namespace, values.prometheus.service.port),
        grafana: {
            internalUrl: serviceUrl(values.grafana.fullnameOverride, kps.namespace, values.grafana.service.port),
            username: GRAFANA.adminUser,
        },
    };
}
