// Everything Prometheus and Grafana pick up from this layer: the Istio, data-layer and cert-manager monitors,
// the SLO, traffic, platform and data rules (monitoring.coreos.com objects), and the data-layer dashboard.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { DATA_DASHBOARDS, ISTIO_SCRAPE_INTERVAL } from "../defaults";
import { childName } from "../kubernetes/names";
import { DATA_DASHBOARD_UID, dataLayerDashboard } from "./dashboards";
import { dataMonitors, monitors } from "./monitors";
import { backupRules, dataRules, noTrafficRules, platformRules, sloRules, type BackupWatch } from "./rules";

export interface MonitoringInputs {
    /** kube-prometheus-stack: its release installs the CRDs, its namespace holds the objects. */
    stack: { release: pulumi.Resource; namespace: pulumi.Input<string> };
    istioNamespace: string;
    ingressGateway: { namespace: string; labels: Record<string, string>; workload: string };
    sloTarget: { namespace: string; service: string };
    /** What the istiod monitor waits for (the mesh's namespace and istiod). */
    waitFor: pulumi.Input<pulumi.Resource>[];
    /** The pgBackRest repositories whose backup age is alerted on; none, no backup rules. */
    backups?: readonly BackupWatch[];
}

/** Monitors for Istio, the data layer and cert-manager; SLO, traffic, platform and data alerts; the data dashboard. */
export function monitoringObjects(component: string, inputs: MonitoringInputs, parent: pulumi.Resource): void {
    type Deps = pulumi.Input<pulumi.Resource>[];
    const object = (role: string, kind: string, name: string, spec: object, extraDeps: Deps = []) =>
        new k8s.apiextensions.CustomResource(
            childName(component, role),
            { apiVersion: "monitoring.coreos.com/v1", kind, metadata: { name, namespace: inputs.stack.namespace }, spec },
            // The monitoring.coreos.com CRDs come with the kube-prometheus-stack release.
            { parent, dependsOn: [inputs.stack.release, ...extraDeps] },
        );
    const gateway = inputs.ingressGateway;
    const scrape = monitors({
        istioNamespace: inputs.istioNamespace,
        ingressGateway: gateway,
        interval: ISTIO_SCRAPE_INTERVAL,
    });
    object("istiod-monitor", "ServiceMonitor", scrape.istiod.name, scrape.istiod.spec, inputs.waitFor);
    object("envoy-monitor", "PodMonitor", scrape.envoySidecars.name, scrape.envoySidecars.spec);
    object("gateway-monitor", "PodMonitor", scrape.ingressGateway.name, scrape.ingressGateway.spec);
    const data = dataMonitors();
    object("postgres-monitor", "PodMonitor", data.postgres.name, data.postgres.spec);
    object("redis-monitor", "PodMonitor", data.redis.name, data.redis.spec);
    object("cert-manager-monitor", "PodMonitor", data.certManager.name, data.certManager.spec);
    object("vault-monitor", "PodMonitor", data.vault.name, data.vault.spec);
    const target = { ...inputs.sloTarget, gateway: { workload: gateway.workload, namespace: gateway.namespace } };
    object("slo-rules", "PrometheusRule", `${inputs.sloTarget.service}-slo`, sloRules(target));
    object("traffic-rules", "PrometheusRule", `${inputs.sloTarget.service}-traffic`, noTrafficRules(target));
    object("platform-rules", "PrometheusRule", "homelab-platform", platformRules());
    object("data-rules", "PrometheusRule", "homelab-data", dataRules());
    if (inputs.backups && inputs.backups.length > 0) {
        object("backup-rules", "PrometheusRule", "homelab-backups", backupRules(inputs.backups));
    }
    new k8s.core.v1.ConfigMap(
        childName(component, "data-dashboard"),
        {
            // Grafana's sidecar loads every ConfigMap with this label (searchNamespace ALL in the chart's values).
            metadata: { name: DATA_DASHBOARD_UID, namespace: inputs.stack.namespace, labels: { ...DATA_DASHBOARDS.sidecarLabel } },
            data: { [`${DATA_DASHBOARD_UID}.json`]: JSON.stringify(dataLayerDashboard()) },
        },
        { parent },
    );
}
