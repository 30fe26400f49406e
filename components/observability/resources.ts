import { jaegerValues, type JaegerValues } from "./jaeger";
import { kialiOperatorValues, kialiSpec } from "./kiali";
import type { KialiOperatorValues } from "./kiali";
import type { KialiSpec } from "./kialiCrd";
import { kubePrometheusStackValues, type KubePrometheusStackValues } from "./kubePrometheusStack";
import { cpuMillicores, memoryMiB } from "../kubernetes/resources";

export interface ResourceRequest {
    /** `<namespace>/<workload>/<container>` (the Kiali server: `kiali/server/kiali`, its namespace is the caller's). */
    name: string;
    cpuMillicores: number;
    memoryMiB: number;
    replicas: number;
}

/** Everything this layer hands to Helm and to the Kiali operator. */
export interface ObservabilityWorkloads {
    kubePrometheusStack: KubePrometheusStackValues;
    jaeger: JaegerValues;
    kialiOperator: KialiOperatorValues;
    kiali: KialiSpec;
}

type Requests = { requests: { cpu: string; memory: string } };

/**
 * One entry per container the charts and the Kiali operator run with these values, read from the values
 * themselves. Init containers and the chart's one-off webhook Job are listed too, so the sum is an upper
 * bound of what the scheduler reserves (an init container's request overlaps its pod's).
 */
export function requestsFromValues(values: ObservabilityWorkloads, nodeCount: number): ResourceRequest[] {
    const entry = (name: string, resources: Requests, replicas: number): ResourceRequest => ({
        name,
        cpuMillicores: cpuMillicores(resources.requests.cpu),
        memoryMiB: memoryMiB(resources.requests.memory),
        replicas,
    });
    const kps = values.kubePrometheusStack;
    const prometheus = kps.prometheus.prometheusSpec;
    const alertmanager = kps.alertmanager.alertmanagerSpec;
    const reloader = kps.prometheusOperator.prometheusConfigReloader.resources;
    const grafana = kps.grafana;
    const kubeStateMetrics = kps["kube-state-metrics"];
    return [
        entry("monitoring/prometheus/prometheus", prometheus.resources, prometheus.replicas),
        entry("monitoring/prometheus/config-reloader", reloader, prometheus.replicas),
        entry("monitoring/prometheus/init-config-reloader", reloader, prometheus.replicas),
        entry("monitoring/alertmanager/alertmanager", alertmanager.resources, alertmanager.replicas),
        entry("monitoring/alertmanager/config-reloader", reloader, alertmanager.replicas),
        entry("monitoring/alertmanager/init-config-reloader", reloader, alertmanager.replicas),
        entry("monitoring/prometheus-operator/operator", kps.prometheusOperator.resources, 1),
        entry("monitoring/prometheus-operator/admission-patch-job", kps.prometheusOperator.admissionWebhooks.patch.resources, 1),
        entry("monitoring/kube-state-metrics/kube-state-metrics", kubeStateMetrics.resources, kubeStateMetrics.replicas),
        entry("monitoring/node-exporter/node-exporter", kps["prometheus-node-exporter"].resources, nodeCount),
        entry("monitoring/grafana/grafana", grafana.resources, grafana.replicas),
        entry("monitoring/grafana/sidecar-dashboards", grafana.sidecar.resources, grafana.replicas),
        entry("monitoring/grafana/sidecar-datasources", grafana.sidecar.resources, grafana.replicas),
        entry("monitoring/grafana/init-chown-data", grafana.initChownData.resources, grafana.replicas),
        entry("monitoring/grafana/download-dashboards", grafana.downloadDashboards.resources, grafana.replicas),
        entry("observability/jaeger/jaeger", values.jaeger.jaeger.resources, values.jaeger.jaeger.replicas),
        entry("kiali-operator/kiali-operator/operator", values.kialiOperator.resources, values.kialiOperator.replicaCount),
        entry("kiali/server/kiali", values.kiali.deployment.resources, values.kiali.deployment.replicas),
    ];
}

/**
 * The values the layer builds, with placeholder addresses: only their workload sizes are read (the platform
 * budget, components/budget.ts, sums them; the component test checks they equal what it hands to Helm and Kiali).
 */
export function referenceWorkloads(): ObservabilityWorkloads {
    const url = "http://placeholder:1";
    return {
        kubePrometheusStack: kubePrometheusStackValues({
            grafanaPort: 1,
            grafanaExternalUrl: url,
            prometheusRetentionDays: 1,
            jaegerQueryUrl: url,
            alertmanagerPort: 1,
            alertmanagerExternalUrl: url,
            hasWebhook: false,
        }),
        jaeger: jaegerValues("placeholder"),
        kialiOperator: kialiOperatorValues(),
        kiali: kialiSpec({
            auth: "anonymous",
            prometheusUrl: url,
            grafana: { internalUrl: url, externalUrl: url, username: "", passwordSecret: "placeholder" },
            tracing: { internalUrl: url, externalUrl: url },
        }),
    };
}

/** Every request the layer sets, computed from the reference values. */
export function resourceRequests(nodeCount: number): ResourceRequest[] {
    return requestsFromValues(referenceWorkloads(), nodeCount);
}
