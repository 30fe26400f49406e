// The NetworkPolicies the charts and operators of the lab create of their own, as a function of the values the
// program sends them (a Helm release's values, a custom resource's spec), read from their templates at the pinned
// versions. NetworkPolicies are additive: one a chart adds that selects a pod and allows a peer opens that peer,
// whatever ours say, so the flow matrix evaluates these beside ours. Each model names where it was read
// (repository @ tag : path : line) and the defaults it falls back on; a template whose condition holds but whose
// policy is not modelled fails the test, so turning a chart's policy on cannot pass unseen.
import type { NetworkPolicy, PolicyPeer, PolicyRule } from "./evaluator";

/** What a Helm release sends: the fields of the Release's inputs the models read. */
export interface ReleaseInputs {
    chart: string;
    version: string;
    name: string;
    namespace: string;
    values: Record<string, unknown>;
}

/** A custom resource an operator turns into objects. */
export interface CustomResourceInputs {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string };
    spec: Record<string, unknown>;
}

/** The value at a dotted path of the values sent, or the chart's default when they do not set it. */
export function valueAt(values: Record<string, unknown>, path: string, chartDefault: unknown): unknown {
    let at: unknown = values;
    for (const key of path.split(".")) {
        if (at === null || typeof at !== "object" || !(key in at)) {
            return chartDefault;
        }
        at = (at as Record<string, unknown>)[key];
    }
    return at === undefined || at === null ? chartDefault : at;
}

/** Helm's truthiness (`if`, `and`, `or` in templates): false, 0, "", nil, empty lists and maps are false. */
function truthy(value: unknown): boolean {
    if (Array.isArray(value)) return value.length > 0;
    if (value !== null && typeof value === "object") return Object.keys(value).length > 0;
    return Boolean(value);
}

/** One template that can render NetworkPolicies: when it does, and what it renders (absent: not modelled). */
interface PolicyTemplate {
    /** path : line of the template's condition. */
    template: string;
    renders(values: Record<string, unknown>): boolean;
    policies?(release: ReleaseInputs): NetworkPolicy[];
}

/** A chart at the version the models were read at. */
interface ChartModel {
    version: string;
    /** repository @ tag : chart path. */
    source: string;
    templates: PolicyTemplate[];
}

/** A template gated by one boolean value (`{{- if .Values.<path> }}`) whose policy is not modelled. */
function gatedBy(template: string, path: string, chartDefault: boolean): PolicyTemplate {
    return { template, renders: (values) => truthy(valueAt(values, path, chartDefault)) };
}

// --- argo-cd 10.1.1 --------------------------------------------------------------------------------------------

/**
 * argoproj/argo-helm @ argo-cd-10.1.1 : charts/argo-cd. Defaults (values.yaml): nameOverride argocd (: 6),
 * global.networkPolicy.create true (: 121), defaultDenyIngress false (: 123), every component's
 * networkPolicy.create false (: 1135, 1487, 1837, 2909, 3377, 3873, 4488, 4701), component names (: 763, 1142, 1502,
 * 2041, 2914, 3382, 3881, 4495), dex and notifications enabled, commitServer (: 4492), redis-ha,
 * redis.exporter, applicationSet metrics, ingress and httproute off. Selector labels: templates/_common.tpl : 65-74.
 */
function argoCdTemplates(): PolicyTemplate[] {
    const v = (values: Record<string, unknown>, path: string, chartDefault: unknown) => valueAt(values, path, chartDefault);
    const global = (values: Record<string, unknown>) => truthy(v(values, "global.networkPolicy.create", true));
    const create = (values: Record<string, unknown>, component: string) => truthy(v(values, `${component}.networkPolicy.create`, false)) || global(values);
    const names = (values: Record<string, unknown>) => ({
        server: String(v(values, "server.name", "server")),
        controller: String(v(values, "controller.name", "application-controller")),
        repoServer: String(v(values, "repoServer.name", "repo-server")),
        redis: String(v(values, "redis.name", "redis")),
        applicationSet: String(v(values, "applicationSet.name", "applicationset-controller")),
        notifications: String(v(values, "notifications.name", "notifications-controller")),
        dex: String(v(values, "dex.name", "dex-server")),
        commitServer: String(v(values, "commitServer.name", "commit-server")),
    });
    const selector = (release: ReleaseInputs, component: string) => ({
        "app.kubernetes.io/name": `${String(v(release.values, "nameOverride", "argocd"))}-${component}`,
        "app.kubernetes.io/instance": release.name,
    });
    const samePods = (release: ReleaseInputs, ...components: string[]): PolicyPeer[] =>
        components.map((c) => ({ podSelector: { matchLabels: selector(release, c) } }));
    const everyNamespace: PolicyPeer[] = [{ namespaceSelector: {} }];
    const ingress = (release: ReleaseInputs, component: string, rules: PolicyRule[]): NetworkPolicy => ({
        metadata: { name: `${release.name}-${component}`, namespace: release.namespace },
        spec: { podSelector: { matchLabels: selector(release, component) }, policyTypes: ["Ingress"], ingress: rules },
    });
    const enabled = (values: Record<string, unknown>, path: string, chartDefault: boolean) => truthy(v(values, path, chartDefault));
    return [
        {
            template: "templates/networkpolicy-default-deny.yaml : 1",
            renders: (values) => global(values) && enabled(values, "global.networkPolicy.defaultDenyIngress", false),
            policies: (r) => [{ metadata: { name: `${r.name}-default-deny`, namespace: r.namespace }, spec: { podSelector: {}, policyTypes: ["Ingress"] } }],
        },
        {
            // `ingress: [{}]`: every source, every port.
            template: "templates/argocd-server/networkpolicy.yaml : 1, 10-11",
            renders: (values) => create(values, "server"),
            policies: (r) => [ingress(r, names(r.values).server, [{}])],
        },
        {
            template: "templates/argocd-application-controller/networkpolicy.yaml : 1, 10-14",
            renders: (values) => create(values, "controller"),
            policies: (r) => [ingress(r, names(r.values).controller, [{ from: everyNamespace, ports: [{ port: "metrics" }] }])],
        },
        {
            template: "templates/argocd-repo-server/networkpolicy.yaml : 1, 10-32",
            renders: (values) => create(values, "repoServer"),
            policies: (r) => {
                const n = names(r.values);
                const clients = [n.server, n.controller, ...(enabled(r.values, "notifications.enabled", true) ? [n.notifications] : []), n.applicationSet];
                return [
                    ingress(r, n.repoServer, [
                        { from: samePods(r, ...clients), ports: [{ port: "repo-server", protocol: "TCP" }] },
                        { from: everyNamespace, ports: [{ port: "metrics" }] },
                    ]),
                ];
            },
        },
        {
            template: "templates/redis/networkpolicy.yaml : 2, 11-31",
            renders: (values) => create(values, "redis") && enabled(values, "redis.enabled", true) && !enabled(values, "redis-ha.enabled", false),
            policies: (r) => {
                const n = names(r.values);
                const exporter = enabled(r.values, "redis.exporter.enabled", false)
                    ? [{ from: everyNamespace, ports: [{ port: "metrics", protocol: "TCP" as const }] }]
                    : [];
                return [
                    ingress(r, n.redis, [
                        { from: samePods(r, n.server, n.repoServer, n.controller), ports: [{ port: "redis", protocol: "TCP" }] },
                        ...exporter,
                    ]),
                ];
            },
        },
        {
            template: "templates/argocd-applicationset/networkpolicy.yaml : 1, 10-18",
            renders: (values) =>
                create(values, "applicationSet") &&
                (enabled(values, "applicationSet.metrics.enabled", false) ||
                    enabled(values, "applicationSet.ingress.enabled", false) ||
                    enabled(values, "applicationSet.httproute.enabled", false)),
            policies: (r) => {
                const webhook = enabled(r.values, "applicationSet.ingress.enabled", false) || enabled(r.values, "applicationSet.httproute.enabled", false);
                return [
                    ingress(r, names(r.values).applicationSet, [
                        ...(webhook ? [{ ports: [{ port: "webhook" }] }] : []),
                        { from: everyNamespace, ports: [{ port: "metrics" }] },
                    ]),
                ];
            },
        },
        {
            template: "templates/argocd-notifications/networkpolicy.yaml : 1, 10-14",
            renders: (values) => enabled(values, "notifications.enabled", true) && create(values, "notifications"),
            policies: (r) => [ingress(r, names(r.values).notifications, [{ from: everyNamespace, ports: [{ port: "metrics" }] }])],
        },
        {
            template: "templates/dex/networkpolicy.yaml : 1, 10-24",
            renders: (values) => create(values, "dex") && enabled(values, "dex.enabled", true),
            policies: (r) => {
                const n = names(r.values);
                return [
                    ingress(r, n.dex, [
                        {
                            from: samePods(r, n.server),
                            ports: [
                                { port: "http", protocol: "TCP" },
                                { port: "grpc", protocol: "TCP" },
                            ],
                        },
                        { from: everyNamespace, ports: [{ port: "metrics", protocol: "TCP" }] },
                    ]),
                ];
            },
        },
        {
            template: "templates/argocd-commit-server/networkpolicy.yaml : 1, 13-24",
            renders: (values) => enabled(values, "commitServer.enabled", false) && create(values, "commitServer"),
            policies: (r) => {
                const n = names(r.values);
                return [
                    ingress(r, n.commitServer, [
                        { from: samePods(r, n.controller), ports: [{ port: 8086, protocol: "TCP" }] },
                        { from: everyNamespace, ports: [{ port: 8087 }] },
                    ]),
                ];
            },
        },
    ];
}

// --- The other charts: each template's condition, at its chart's defaults ------------------------------------

/** Istio 1.30.3's charts: `global.networkPolicy.enabled`, false by default (values.yaml `_internal_defaults_do_not_set`). */
const istioNetworkPolicy = (chart: string, template: string, line: number): ChartModel => ({
    version: "1.30.3",
    source: `istio/istio @ 1.30.3 : manifests/charts/${chart}`,
    templates: [gatedBy(`${template} (default values.yaml : ${line})`, "global.networkPolicy.enabled", false)],
});

/** kube-prometheus-stack 88.5.3 and the subcharts it pins, each policy template behind its own switch. */
function kubePrometheusStackTemplates(): PolicyTemplate[] {
    const on = (values: Record<string, unknown>, path: string, chartDefault: unknown) => truthy(valueAt(values, path, chartDefault));
    const kubernetesFlavor = (values: Record<string, unknown>, component: string) =>
        on(values, `${component}.networkPolicy.enabled`, false) && valueAt(values, `${component}.networkPolicy.flavor`, "kubernetes") === "kubernetes";
    const admissionPatch = (values: Record<string, unknown>) =>
        kubernetesFlavor(values, "prometheusOperator") &&
        on(values, "prometheusOperator.enabled", true) &&
        on(values, "prometheusOperator.admissionWebhooks.enabled", true) &&
        on(values, "prometheusOperator.admissionWebhooks.patch.enabled", true) &&
        !on(values, "prometheusOperator.admissionWebhooks.certManager.enabled", false);
    return [
        // prometheus-community/helm-charts @ kube-prometheus-stack-88.5.3 : charts/kube-prometheus-stack (values.yaml : 402, 431, 3232, 3238, 3633, 3639).
        {
            template: "templates/alertmanager/networkpolicy.yaml : 1",
            renders: (v) => on(v, "alertmanager.enabled", true) && on(v, "alertmanager.networkPolicy.enabled", false),
        },
        { template: "templates/prometheus/networkpolicy.yaml : 1", renders: (v) => kubernetesFlavor(v, "prometheus") },
        { template: "templates/prometheus-operator/networkpolicy.yaml : 1", renders: (v) => kubernetesFlavor(v, "prometheusOperator") },
        { template: "templates/prometheus-operator/admission-webhooks/job-patch/networkpolicy-createSecret.yaml : 1-2", renders: admissionPatch },
        { template: "templates/prometheus-operator/admission-webhooks/job-patch/networkpolicy-patchWebhook.yaml : 1-2", renders: admissionPatch },
        // Subcharts (values.yaml : 1378, 2680, 2712 switch them on): grafana-community/helm-charts @ grafana-12.11.1 :
        // charts/grafana values.yaml : 1541, 1664, 1666, 1710; kube-state-metrics-8.4.0 values.yaml : 330;
        // prometheus-node-exporter-4.56.1 values.yaml : 167; prometheus-windows-exporter-0.12.8 has no NetworkPolicy template.
        {
            template: "charts/grafana/templates/networkpolicy.yaml : 1",
            renders: (v) => on(v, "grafana.enabled", true) && on(v, "grafana.networkPolicy.enabled", false),
        },
        {
            template: "charts/grafana/templates/image-renderer-network-policy.yaml : 1, 39",
            renders: (v) =>
                on(v, "grafana.enabled", true) &&
                on(v, "grafana.imageRenderer.enabled", false) &&
                (on(v, "grafana.imageRenderer.networkPolicy.limitIngress", true) || on(v, "grafana.imageRenderer.networkPolicy.limitEgress", false)),
        },
        {
            template: "charts/kube-state-metrics/templates/networkpolicy.yaml : 1",
            renders: (v) => on(v, "kubeStateMetrics.enabled", true) && on(v, "kube-state-metrics.networkPolicy.enabled", false),
        },
        {
            template: "charts/prometheus-node-exporter/templates/networkpolicy.yaml : 1",
            renders: (v) => on(v, "nodeExporter.enabled", true) && on(v, "prometheus-node-exporter.networkPolicy.enabled", false),
        },
    ];
}

/** Every chart the lab installs, by the chart name its Release sends (an OCI chart by its last path segment). */
export const CHART_MODELS: Record<string, ChartModel> = {
    "argo-cd": { version: "10.1.1", source: "argoproj/argo-helm @ argo-cd-10.1.1 : charts/argo-cd", templates: argoCdTemplates() },
    // No NetworkPolicy template in base (manifests/charts/base/templates).
    base: { version: "1.30.3", source: "istio/istio @ 1.30.3 : manifests/charts/base", templates: [] },
    cni: istioNetworkPolicy("istio-cni", "templates/networkpolicy.yaml : 1", 181),
    istiod: istioNetworkPolicy("istio-control/istio-discovery", "templates/networkpolicy.yaml : 2", 295),
    gateway: istioNetworkPolicy("gateway", "templates/networkpolicy.yaml : 1", 219),
    "kube-prometheus-stack": {
        version: "88.5.3",
        source: "prometheus-community/helm-charts @ kube-prometheus-stack-88.5.3 : charts/kube-prometheus-stack",
        templates: kubePrometheusStackTemplates(),
    },
    // No NetworkPolicy template (charts/jaeger/templates, bitnami common included).
    jaeger: { version: "4.11.1", source: "jaegertracing/helm-charts @ jaeger-4.11.1 : charts/jaeger", templates: [] },
    // No NetworkPolicy template: the operator makes Kiali's (OPERATOR_MODELS).
    "kiali-operator": { version: "2.29.0", source: "kiali/helm-charts @ v2.29.0 : kiali-operator", templates: [] },
    "cert-manager": {
        version: "v1.19.6",
        source: "cert-manager/cert-manager @ v1.19.6 : deploy/charts/cert-manager",
        templates: [
            gatedBy("templates/networkpolicy-webhooks.yaml : 1 (values.yaml : 978)", "webhook.networkPolicy.enabled", false),
            gatedBy("templates/networkpolicy-egress.yaml : 1 (values.yaml : 978)", "webhook.networkPolicy.enabled", false),
        ],
    },
    "external-secrets": {
        version: "2.9.0",
        source: "external-secrets/external-secrets @ helm-chart-2.9.0 : deploy/charts/external-secrets",
        templates: [
            gatedBy("templates/networkpolicy.yaml : 1 (values.yaml : 473)", "networkPolicy.enabled", false),
            gatedBy("templates/webhook-networkpolicy.yaml : 1 (values.yaml : 520)", "webhook.networkPolicy.enabled", false),
            gatedBy("templates/cert-controller-networkpolicy.yaml : 1 (values.yaml : 823)", "certController.networkPolicy.enabled", false),
        ],
    },
    reloader: {
        version: "2.2.16",
        source: "stakater/Reloader @ chart-v2.2.16 : deployments/kubernetes/chart/reloader",
        templates: [gatedBy("templates/networkpolicy.yaml : 1 (values.yaml : 349)", "reloader.netpol.enabled", false)],
    },
    openbao: {
        version: "0.29.2",
        source: "openbao/openbao-helm @ openbao-0.29.2 : charts/openbao",
        templates: [
            // `eq (... | toString) "true"`: a string "true" counts too.
            {
                template: "templates/server-network-policy.yaml : 6 (values.yaml : 763)",
                renders: (v) => String(valueAt(v, "server.networkPolicy.enabled", false)) === "true",
            },
            // Only on OpenShift, with the injector on (values.yaml : 9, 30, 50; templates/_helpers.tpl : 72-76).
            {
                template: "templates/injector-network-policy.yaml : 7-8",
                renders: (v) => {
                    const injector = String(valueAt(v, "injector.enabled", "-"));
                    const injectorOn = injector === "true" || (injector === "-" && String(valueAt(v, "global.enabled", true)) === "true");
                    return injectorOn && String(valueAt(v, "global.openshift", false)) === "true";
                },
            },
        ],
    },
    // No NetworkPolicy template (charts/k6-operator/templates).
    "k6-operator": { version: "4.6.0", source: "grafana/k6-operator @ v1.6.0 : charts/k6-operator", templates: [] },
    // No NetworkPolicy template in 5.8.5, the newest public source of the chart (6.0.3 has none).
    pgo: { version: "6.0.3", source: "CrunchyData/postgres-operator-examples @ 2fbf3b30 : helm/install", templates: [] },
    // No NetworkPolicy template (charts/redisoperator/templates).
    "redis-operator": { version: "3.2.9", source: "spotahome/redis-operator @ Chart-3.2.9 : charts/redisoperator", templates: [] },
};

/** The chart's name as CHART_MODELS keys it: an `oci://…/pgo` chart is `pgo`. */
export const chartName = (chart: string) => chart.split("/").pop() ?? chart;

/** The NetworkPolicies a release's chart renders with its values; throws for a chart or template not modelled. */
export function chartPolicies(release: ReleaseInputs): NetworkPolicy[] {
    const name = chartName(release.chart);
    const model = CHART_MODELS[name];
    if (model === undefined) {
        throw new Error(`no NetworkPolicy model for chart ${name}: read its templates at ${release.version} and add it to tests/security/chartPolicies.ts`);
    }
    if (model.version !== release.version) {
        throw new Error(
            `chart ${name} is pinned at ${release.version} but its NetworkPolicies were read at ${model.version} (${model.source}): read them again`,
        );
    }
    return model.templates.flatMap((t) => {
        if (!t.renders(release.values)) {
            return [];
        }
        if (t.policies === undefined) {
            throw new Error(`${model.source} : ${t.template} renders a NetworkPolicy with the values sent: model it in tests/security/chartPolicies.ts`);
        }
        return t.policies(release);
    });
}

// --- Operators that create NetworkPolicies from a custom resource ---------------------------------------------

/**
 * The Kiali operator v2.29.0 (kiali/kiali-operator @ v2.29.0 : roles/default/kiali-deploy): for a Kiali CR it creates
 * NetworkPolicy `<deployment.instance_name>` in `deployment.namespace` (the CR's when empty, tasks/main.yml : 105-109)
 * unless `deployment.network_policy.enabled` is false or `remote_cluster_resources_only` true
 * (tasks/kubernetes/k8s-main.yml : 43; defaults/main.yml : 103, 110-111, 131): ingress from anywhere on the server
 * port, and the metrics port when metrics are on (templates/kubernetes/networkpolicy.yaml : 1-21; defaults : 449-454, 465).
 */
function kialiPolicies(cr: CustomResourceInputs): NetworkPolicy[] {
    const spec = cr.spec;
    const on = (path: string, chartDefault: boolean) => truthy(valueAt(spec, path, chartDefault));
    if (!on("deployment.network_policy.enabled", true) || on("deployment.remote_cluster_resources_only", false)) {
        return [];
    }
    const instance = String(valueAt(spec, "deployment.instance_name", "kiali"));
    const namespace = String(valueAt(spec, "deployment.namespace", "")) || cr.metadata.namespace;
    const ports: { port: number; protocol: "TCP" }[] = [{ port: Number(valueAt(spec, "server.port", 20001)), protocol: "TCP" }];
    if (on("server.observability.metrics.enabled", true)) {
        ports.push({ port: Number(valueAt(spec, "server.observability.metrics.port", 9090)), protocol: "TCP" });
    }
    return [
        {
            metadata: { name: instance, namespace },
            spec: {
                podSelector: { matchLabels: { "app.kubernetes.io/name": "kiali", "app.kubernetes.io/instance": instance } },
                policyTypes: ["Ingress"],
                ingress: [{ ports }],
            },
        },
    ];
}

/**
 * Operators by the kind of custom resource they act on, and what they make of it. The others the lab runs create no
 * NetworkPolicy at their pinned versions (no NetworkPolicy object in their Go sources outside tests): PGO v6.0.3,
 * redis-operator v1.2.4, k6-operator v1.6.0, prometheus-operator v0.93.0, cert-manager v1.19.6, External Secrets
 * helm-chart-2.9.0, istiod 1.30.3 (pilot/, pkg/, operator/).
 */
export const OPERATOR_MODELS: Record<string, (cr: CustomResourceInputs) => NetworkPolicy[]> = {
    "kiali.io/v1alpha1/Kiali": kialiPolicies,
};

/** The NetworkPolicies an operator creates for a custom resource (none for kinds no modelled operator acts on). */
export function operatorPolicies(cr: CustomResourceInputs): NetworkPolicy[] {
    return OPERATOR_MODELS[`${cr.apiVersion}/${cr.kind}`]?.(cr) ?? [];
}
