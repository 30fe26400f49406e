import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { jaegerPodLabels, jaegerValues } from "./jaeger";
import { kialiOperatorValues, kialiSpec } from "./kiali";
import { KIALI_API_VERSION, KIALI_KIND, type KialiAuthStrategy } from "./kialiCrd";
import { kubePrometheusStackValues } from "./kubePrometheusStack";
import { monitors } from "./monitors";
import { serviceFqdn, serviceUrl } from "../kubernetes/serviceNames";
import { prometheusServiceName } from "./names";
import { platformRules, sloRules } from "./rules";
import {
    GRAFANA,
    HELM_TIMEOUT_SECONDS,
    ISTIO_SCRAPE_INTERVAL,
    JAEGER,
    KIALI,
    KUBE_PROMETHEUS_STACK,
    OBSERVABILITY_STORAGE,
} from "../defaults";

export interface ObservabilityArgs {
    /** LoadBalancer ports (validated elsewhere for collisions). */
    ports: { grafana: number; jaeger: number; kiali: number };
    /** Address users reach LoadBalancer services on (K3s ServiceLB answers on every node; we use the first node's IP). */
    publicAddress: string;
    /** Namespace istiod runs in ("istio-system") — Kiali and the istiod ServiceMonitor need it. */
    istioNamespace: string;
    /** The ingress gateway: its namespace, its pods' labels (e.g. { istio: "ingressgateway" }) and its Deployment's name. */
    ingressGateway: { namespace: string; labels: Record<string, string>; workload: string };
    /** Namespace and Service name of the app whose SLOs the rules watch (Shlink: "shlink"/"shlink"). */
    sloTarget: { namespace: string; service: string };
    kialiAuth: KialiAuthStrategy;
    /** Days Prometheus keeps samples (10 in the lab). */
    prometheusRetentionDays: number;
    /**
     * Resources that must exist before what this layer puts in the Istio namespace and before the istiod
     * monitor (the namespace itself, the istiod release) — optional.
     */
    waitFor?: pulumi.Input<pulumi.Resource>[];
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Every problem with the arguments, each saying what to pass instead; empty when they are usable. */
export function observabilityArgsProblems(args: ObservabilityArgs): string[] {
    const problems: string[] = [];
    const ports = Object.entries(args.ports);
    for (const [service, port] of ports) {
        if (!Number.isInteger(port) || port < 1 || port > 65535) {
            problems.push(`ports.${service} must be a TCP port between 1 and 65535 (got ${port}).`);
        }
    }
    if (args.ports.kiali < 1024) {
        // The Kiali operator uses one number for the Service port and the port the non-root server binds.
        problems.push(`ports.kiali must be 1024 or above: Kiali's server listens on it itself (got ${args.ports.kiali}).`);
    }
    const used = new Map<number, string>();
    for (const [service, port] of ports) {
        const other = used.get(port);
        if (other !== undefined) {
            problems.push(`ports.${service} and ports.${other} are both ${port}: each LoadBalancer needs its own port.`);
        }
        used.set(port, service);
    }
    if (args.publicAddress.trim() === "") {
        problems.push("publicAddress must be the address users reach the LoadBalancer services on (a node's IP).");
    }
    const names: [string, string][] = [
        ["istioNamespace", args.istioNamespace],
        ["ingressGateway.namespace", args.ingressGateway.namespace],
        ["sloTarget.namespace", args.sloTarget.namespace],
        ["sloTarget.service", args.sloTarget.service],
    ];
    for (const [key, value] of names) {
        if (!DNS_LABEL.test(value)) {
            problems.push(`${key} must be a Kubernetes name (DNS label) such as istio-system (got "${value}").`);
        }
    }
    const labels = Object.entries(args.ingressGateway.labels);
    if (labels.length === 0) {
        problems.push('ingressGateway.labels must select the gateway pods, e.g. { istio: "ingressgateway" }.');
    }
    for (const [key, value] of labels) {
        if (!LABEL_KEY.test(key) || !LABEL_VALUE.test(value)) {
            problems.push(`ingressGateway.labels has an invalid label ${key}=${value}.`);
        }
    }
    if (args.kialiAuth !== "anonymous" && args.kialiAuth !== "token") {
        problems.push(`kialiAuth must be "anonymous" or "token" (got "${String(args.kialiAuth)}").`);
    }
    const days = args.prometheusRetentionDays;
    if (!Number.isInteger(days) || days < 1 || days > 365) {
        problems.push(`prometheusRetentionDays must be a whole number of days from 1 to 365 (got ${days}).`);
    }
    return problems;
}

/**
 * Metrics, dashboards, traces and the mesh console: kube-prometheus-stack (Prometheus, Alertmanager,
 * Grafana with Istio's dashboards), monitors for istiod, the ingress gateway and every sidecar, SLO and
 * platform alerts, Jaeger v2 on badger storage, and Kiali. Every in-cluster address one part gives another
 * is derived from the names this component sets.
 */
export class Observability extends pulumi.ComponentResource {
    public readonly grafanaUrl: pulumi.Output<string>;
    public readonly jaegerUrl: pulumi.Output<string>;
    public readonly kialiUrl: pulumi.Output<string>;
    public readonly grafanaAdminUser: string;
    /** Secret. */
    public readonly grafanaAdminPassword: pulumi.Output<string>;
    /** In-cluster OTLP gRPC endpoint of the Jaeger collector, for istiod's extensionProviders. */
    public readonly otlpGrpc: { service: string; port: number };
    /** In-cluster URL of Prometheus, derived from fullnameOverride. */
    public readonly prometheusUrl: string;
    /** Every Helm release, so others can dependsOn them (kube-prometheus-stack installs the monitoring CRDs). */
    public readonly releases: {
        kubePrometheusStack: k8s.helm.v3.Release;
        jaeger: k8s.helm.v3.Release;
        kialiOperator: k8s.helm.v3.Release;
    };

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = observabilityArgsProblems(args);
        if (problems.length > 0) {
            throw new Error(`homelab:observability:Observability "${name}" cannot be built:\n  - ${problems.join("\n  - ")}`);
        }
        super("homelab:observability:Observability", name, {}, opts);

        const kps = KUBE_PROMETHEUS_STACK;
        const waitFor = args.waitFor ?? [];
        const publicUrl = (port: number, path = "") => `http://${args.publicAddress}:${port}${path}`;

        const namespace = (role: string, namespaceName: string) =>
            new k8s.core.v1.Namespace(`${name}-${role}-namespace`, { metadata: { name: namespaceName } }, { parent: this });
        const monitoringNs = namespace("monitoring", kps.namespace);
        const observabilityNs = namespace("observability", JAEGER.namespace);
        const kialiOperatorNs = namespace("kiali-operator", KIALI.namespace);

        // Kept in state, so Grafana's stored admin password and this output never drift apart.
        const grafanaPassword = new random.RandomPassword(
            `${name}-grafana-admin-password`,
            { length: 32, special: false },
            { parent: this },
        );
        this.grafanaAdminUser = GRAFANA.adminUser;
        this.grafanaAdminPassword = pulumi.secret(grafanaPassword.result);

        // Jaeger: the chart's Service carries OTLP and the query API in-cluster; our Service publishes the UI only.
        const badger = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-jaeger-storage`,
            {
                metadata: {
                    name: "jaeger-badger",
                    namespace: observabilityNs.metadata.name,
                    annotations: { ...OBSERVABILITY_STORAGE.pvcAnnotations },
                },
                spec: {
                    storageClassName: OBSERVABILITY_STORAGE.className,
                    accessModes: ["ReadWriteOnce"],
                    resources: { requests: { storage: `${JAEGER.storageGi}Gi` } },
                },
            },
            { parent: this },
        );
        const jaegerChartValues = jaegerValues(badger.metadata.name);
        const jaegerService = jaegerChartValues.fullnameOverride;
        this.otlpGrpc = jaegerOtlpGrpc();
        const jaeger = new k8s.helm.v3.Release(
            `${name}-jaeger`,
            {
                name: JAEGER.release,
                chart: JAEGER.chart,
                version: JAEGER.version,
                repositoryOpts: { repo: JAEGER.repo },
                namespace: observabilityNs.metadata.name,
                values: jaegerChartValues,
                timeout: HELM_TIMEOUT_SECONDS,
            },
            { parent: this },
        );
        new k8s.core.v1.Service(
            `${name}-jaeger-ui`,
            {
                metadata: { name: "jaeger-ui", namespace: observabilityNs.metadata.name },
                spec: {
                    type: "LoadBalancer",
                    selector: jaegerPodLabels(jaegerChartValues, JAEGER.release),
                    ports: [{ name: "http-query", port: args.ports.jaeger, targetPort: JAEGER.ports.queryHttp, protocol: "TCP" }],
                },
            },
            // Pulumi waits until a Service has endpoints: create it once the release's pod is ready.
            { parent: this, dependsOn: [jaeger] },
        );
        this.jaegerUrl = pulumi.output(publicUrl(args.ports.jaeger));

        // Prometheus, Alertmanager and Grafana; the names of their Services follow from fullnameOverride.
        const kpsValues = kubePrometheusStackValues({
            grafanaPort: args.ports.grafana,
            grafanaAdminPassword: this.grafanaAdminPassword,
            prometheusRetentionDays: args.prometheusRetentionDays,
            jaegerQueryUrl: serviceUrl(jaegerService, JAEGER.namespace, JAEGER.ports.queryHttp),
        });
        this.prometheusUrl = serviceUrl(
            prometheusServiceName(kpsValues.fullnameOverride),
            kps.namespace,
            kpsValues.prometheus.service.port,
        );
        const kubePrometheusStack = new k8s.helm.v3.Release(
            `${name}-kube-prometheus-stack`,
            {
                name: kps.release,
                chart: kps.chart,
                version: kps.version,
                repositoryOpts: { repo: kps.repo },
                namespace: monitoringNs.metadata.name,
                values: kpsValues,
                timeout: HELM_TIMEOUT_SECONDS,
            },
            { parent: this },
        );
        this.grafanaUrl = pulumi.output(publicUrl(args.ports.grafana));

        const monitoring = (
            role: string,
            kind: string,
            objectName: string,
            spec: object,
            extraDeps: pulumi.Input<pulumi.Resource>[] = [],
        ) =>
            new k8s.apiextensions.CustomResource(
                `${name}-${role}`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind,
                    metadata: { name: objectName, namespace: monitoringNs.metadata.name },
                    spec,
                },
                // The monitoring.coreos.com CRDs come with the kube-prometheus-stack release.
                { parent: this, dependsOn: [kubePrometheusStack, ...extraDeps] },
            );
        const scrape = monitors({
            istioNamespace: args.istioNamespace,
            ingressGateway: args.ingressGateway,
            interval: ISTIO_SCRAPE_INTERVAL,
        });
        monitoring("istiod-monitor", "ServiceMonitor", scrape.istiod.name, scrape.istiod.spec, waitFor);
        monitoring("envoy-monitor", "PodMonitor", scrape.envoySidecars.name, scrape.envoySidecars.spec);
        monitoring("gateway-monitor", "PodMonitor", scrape.ingressGateway.name, scrape.ingressGateway.spec);
        monitoring("slo-rules", "PrometheusRule", `${args.sloTarget.service}-slo`, sloRules({ ...args.sloTarget, gateway: { workload: args.ingressGateway.workload, namespace: args.ingressGateway.namespace } }));
        monitoring("platform-rules", "PrometheusRule", "homelab-platform", platformRules());

        // Kiali: the operator from its chart, the Kiali CR (and the Grafana credentials it reads) in istio's namespace.
        const kialiOperator = new k8s.helm.v3.Release(
            `${name}-kiali-operator`,
            {
                name: KIALI.release,
                chart: KIALI.chart,
                version: KIALI.version,
                repositoryOpts: { repo: KIALI.repo },
                namespace: kialiOperatorNs.metadata.name,
                values: kialiOperatorValues(),
                timeout: HELM_TIMEOUT_SECONDS,
            },
            { parent: this },
        );
        const grafanaCredentials = new k8s.core.v1.Secret(
            `${name}-kiali-grafana-credentials`,
            {
                metadata: { name: KIALI.grafanaCredentialsSecret, namespace: args.istioNamespace },
                type: "Opaque",
                stringData: { [KIALI.grafanaPasswordKey]: this.grafanaAdminPassword },
            },
            // The Istio namespace belongs to the mesh layer.
            { parent: this, dependsOn: waitFor },
        );
        const grafanaService = kpsValues.grafana.service;
        const grafanaServiceName = kpsValues.grafana.fullnameOverride;
        const spec = grafanaCredentials.metadata.name.apply((passwordSecret) =>
            kialiSpec({
                auth: args.kialiAuth,
                port: args.ports.kiali,
                prometheusUrl: this.prometheusUrl,
                grafana: {
                    internalUrl: serviceUrl(grafanaServiceName, kps.namespace, grafanaService.port),
                    externalUrl: publicUrl(args.ports.grafana),
                    username: kpsValues.grafana.adminUser,
                    passwordSecret,
                },
                tracing: {
                    internalUrl: serviceUrl(jaegerService, JAEGER.namespace, JAEGER.ports.queryGrpc),
                    externalUrl: publicUrl(args.ports.jaeger),
                },
            }),
        );
        new k8s.apiextensions.CustomResource(
            `${name}-kiali`,
            {
                apiVersion: KIALI_API_VERSION,
                kind: KIALI_KIND,
                metadata: { name: KIALI.crName, namespace: args.istioNamespace },
                spec,
            },
            // The Kiali CRD comes with the operator's chart; the Istio namespace belongs to the mesh layer.
            { parent: this, dependsOn: [kialiOperator, ...waitFor] },
        );
        this.kialiUrl = pulumi.output(publicUrl(args.ports.kiali, KIALI.webRoot));

        this.releases = { kubePrometheusStack, jaeger, kialiOperator };
        this.registerOutputs({
            grafanaUrl: this.grafanaUrl,
            jaegerUrl: this.jaegerUrl,
            kialiUrl: this.kialiUrl,
            grafanaAdminPassword: this.grafanaAdminPassword,
        });
    }
}

/**
 * Jaeger's in-cluster OTLP gRPC endpoint, from the name the chart values give its Service. A function, so the
 * mesh (created before this layer, which waits for istiod) can be pointed at it.
 */
export function jaegerOtlpGrpc(): { service: string; port: number } {
    return { service: serviceFqdn(JAEGER.name, JAEGER.namespace), port: JAEGER.ports.otlpGrpc };
}
