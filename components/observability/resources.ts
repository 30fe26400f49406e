import { jaegerValues, type JaegerValues } from "./jaeger";
import { kialiOperatorValues, kialiSpec } from "./kiali";
import type { KialiOperatorValues } from "./kiali";
import type { KialiSpec } from "./kialiCrd";
import { kubePrometheusStackValues, type KubePrometheusStackValues } from "./kubePrometheusStack";
import { cpuMillicores, memoryMiB, podRequests, type Requests } from "../kubernetes/resources";

export interface ResourceRequest {
    /** `<namespace>/<pod kind>` (the Kiali server: `kiali/server`, its namespace is the caller's). */
    name: string;
    /** What the scheduler reserves for one pod (components/kubernetes/resources.ts podRequests). */
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

type Resources = { requests: { cpu: string; memory: string } };

/**
 * One entry per pod kind the charts and the Kiali operator run with these values, read from the values themselves:
 * what the scheduler reserves for each, init containers and the chart's hook Jobs included (kube-prometheus-stack
 * 88.5.3 rendered with these values: Grafana's init-chown-data and download-dashboards, the operator-made
 * init-config-reloader, the admission-create pre-install and admission-patch post-install Jobs).
 */
export function requestsFromValues(values: ObservabilityWorkloads, nodeCount: number): ResourceRequest[] {
    const requests = (r: Resources): Requests => ({ cpu: cpuMillicores(r.requests.cpu), memory: memoryMiB(r.requests.memory) });
    const entry = (name: string, pod: { containers: Resources[]; initContainers?: Resources[] }, replicas: number): ResourceRequest => {
        const reserved = podRequests({ containers: pod.containers.map(requests), initContainers: (pod.initContainers ?? []).map(requests) });
        return { name, cpuMillicores: reserved.cpu, memoryMiB: reserved.memory, replicas };
    };
    const kps = values.kubePrometheusStack;
    const prometheus = kps.prometheus.prometheusSpec;
    const alertmanager = kps.alertmanager.alertmanagerSpec;
    const reloader = kps.prometheusOperator.prometheusConfigReloader.resources;
    const grafana = kps.grafana;
    const kubeStateMetrics = kps["kube-state-metrics"];
    const admissionJob = kps.prometheusOperator.admissionWebhooks.patch.resources;
    return [
        // The operator adds config-reloader and its init-config-reloader, both sized by prometheusConfigReloader.
        entry("monitoring/prometheus", { containers: [prometheus.resources, reloader], initContainers: [reloader] }, prometheus.replicas),
        entry("monitoring/alertmanager", { containers: [alertmanager.resources, reloader], initContainers: [reloader] }, alertmanager.replicas),
        entry("monitoring/prometheus-operator", { containers: [kps.prometheusOperator.resources] }, 1),
        // Both hook Jobs take admissionWebhooks.patch.resources (job-createSecret.yaml, job-patchWebhook.yaml).
        entry("monitoring/admission-create-job", { containers: [admissionJob] }, 1),
        entry("monitoring/admission-patch-job", { containers: [admissionJob] }, 1),
        entry("monitoring/kube-state-metrics", { containers: [kubeStateMetrics.resources] }, kubeStateMetrics.replicas),
        entry("monitoring/node-exporter", { containers: [kps["prometheus-node-exporter"].resources] }, nodeCount),
        entry(
            "monitoring/grafana",
            {
                containers: [grafana.resources, grafana.sidecar.resources, grafana.sidecar.resources],
                initContainers: [grafana.initChownData.resources, grafana.downloadDashboards.resources],
            },
            grafana.replicas,
        ),
        entry("observability/jaeger", { containers: [values.jaeger.jaeger.resources] }, values.jaeger.jaeger.replicas),
        entry("kiali-operator/kiali-operator", { containers: [values.kialiOperator.resources] }, values.kialiOperator.replicaCount),
        entry("kiali/server", { containers: [values.kiali.deployment.resources] }, values.kiali.deployment.replicas),
    ];
}

/**
 * The values the layer builds, with placeholder addresses: only their workload sizes are read (the platform
 * budget (part.ts, summed by stacks/budget.ts) counts them; the component test checks they equal what it hands to Helm and Kiali).
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
            // Downloaded dashboards change no workload size.
            dashboards: [],
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
