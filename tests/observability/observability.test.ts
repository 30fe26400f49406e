// The observability layer alone under Pulumi mocks: every object it creates validated against an upstream
// schema, and the addresses, ports, storage, secrets and ordering it promises.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ConfigMap, Namespace, PersistentVolumeClaim, PersistentVolumeClaimSpec, Secret, Service, ServiceAccount } from "kubernetes-models/v1";
import { beforeAll, describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../../components/config/defaults";
import { GENERATED_SECRET_LENGTH } from "../../components/defaults";
import { GRAFANA, GRAFANA_ADMIN_SECRET, KIALI } from "../../components/observability/facts";
import { Observability } from "../../components/observability/Observability";
import { requestsFromValues } from "../../components/observability/resources";
import { resourceRequests } from "../../components/observability/resources";
import { LAB_OBSERVABILITY_ARGS } from "../helpers/observability";
import { standInVault } from "../helpers/vault";
import { runUnderMocks, valueOf, type Ledger, type Recorded } from "../helpers/pulumi";
import { pssLabels } from "../helpers/podSecurity";

const ARGS = LAB_OBSERVABILITY_ARGS;
const RELEASE = "kubernetes:helm.sh/v3:Release";
const PASSWORD = "r".repeat(GENERATED_SECRET_LENGTH);

type Inputs = Record<string, any>;
interface ModelClass {
    new (data: Inputs): { validate(): void };
}

/** The model each kind this layer creates is checked against; a kind missing here fails the schema test. */
async function models(): Promise<Record<string, ModelClass>> {
    const monitoring = "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
    const eso = "@kubernetes-models/external-secrets/external-secrets.io/v1";
    const [{ ServiceMonitor }, { PodMonitor }, { PrometheusRule }, { SecretStore }, { ExternalSecret }] = await Promise.all([
        import(`${monitoring}/ServiceMonitor`),
        import(`${monitoring}/PodMonitor`),
        import(`${monitoring}/PrometheusRule`),
        import(`${eso}/SecretStore`),
        import(`${eso}/ExternalSecret`),
    ]);
    return {
        "kubernetes:core/v1:Namespace": Namespace,
        "kubernetes:core/v1:PersistentVolumeClaim": PersistentVolumeClaim,
        "kubernetes:core/v1:Service": Service,
        "kubernetes:core/v1:Secret": Secret,
        "kubernetes:core/v1:ConfigMap": ConfigMap,
        "kubernetes:core/v1:ServiceAccount": ServiceAccount,
        "kubernetes:external-secrets.io/v1:SecretStore": SecretStore,
        "kubernetes:external-secrets.io/v1:ExternalSecret": ExternalSecret,
        "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": ServiceMonitor,
        "kubernetes:monitoring.coreos.com/v1:PodMonitor": PodMonitor,
        "kubernetes:monitoring.coreos.com/v1:PrometheusRule": PrometheusRule,
    };
}

describe("the observability layer under mocks", () => {
    let ledger: Ledger;
    let outputs: Record<string, string>;
    let secretOutputs: Record<string, boolean>;
    let component: Observability;
    const release = (chart: string): Recorded => {
        const found = ledger.ofType(RELEASE).filter((r) => r.inputs.chart === chart);
        expect(found, chart).toHaveLength(1);
        return found[0];
    };
    const kind = (k: string): Recorded[] => ledger.resources.filter((r) => r.inputs.kind === k);
    const fqdn = (service: string, namespace: string) => `${service}.${namespace}.svc.cluster.local`;

    beforeAll(async () => {
        const run = await runUnderMocks({}, () => {
            const provider = new k8s.Provider("k8s", { kubeconfig: "unused" });
            // Stands in for the mesh layer's namespace, which the Kiali CR must wait for.
            const istioSystem = new k8s.core.v1.Namespace("istio-system", { metadata: { name: ARGS.istioNamespace } }, { provider });
            component = new Observability("obs", { ...ARGS, vault: standInVault({ provider }), waitFor: [istioSystem] }, { providers: [provider] });
            return {
                grafanaUrl: component.grafanaUrl,
                jaegerUrl: component.jaegerUrl,
                kialiUrl: component.kialiUrl,
                alertmanagerUrl: component.alertmanagerUrl,
                grafanaAdminPassword: component.grafanaAdminPassword,
            };
        });
        ledger = run.ledger;
        outputs = await valueOf(pulumi.all(run.result));
        secretOutputs = {
            grafanaUrl: await pulumi.isSecret(run.result.grafanaUrl),
            jaegerUrl: await pulumi.isSecret(run.result.jaegerUrl),
            kialiUrl: await pulumi.isSecret(run.result.kialiUrl),
            grafanaAdminPassword: await pulumi.isSecret(run.result.grafanaAdminPassword),
        };
    });

    it("validates every Kubernetes object against its upstream schema", async () => {
        const byType = await models();
        const kubernetes = ledger.resources.filter((r) => r.type.startsWith("kubernetes:") && r.name !== "istio-system");
        const unchecked = kubernetes.map((r) => r.type).filter((t) => !(t in byType) && t !== RELEASE && t !== "kubernetes:kiali.io/v1alpha1:Kiali");
        expect(unchecked).toEqual([]);
        for (const r of kubernetes.filter((k) => k.type in byType)) {
            expect(() => new byType[r.type](r.inputs).validate(), r.name).not.toThrow();
        }
        // Envoy sidecars, the gateway, PostgreSQL, Redis, cert-manager.
        expect(kubernetes.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PodMonitor")).toHaveLength(6);
        // SLO, traffic, platform, data, backups.
        expect(kubernetes.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule")).toHaveLength(5);
    });

    it("gives every Kubernetes resource the provider passed to the component", () => {
        for (const r of ledger.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
            expect(r.provider, r.name).toMatch(/pulumi:providers:kubernetes::k8s::/);
        }
    });

    it("installs the three charts at their pinned versions into namespaces it owns", () => {
        const expected = {
            "kube-prometheus-stack": ["88.5.3", "https://prometheus-community.github.io/helm-charts", "monitoring"],
            jaeger: ["4.11.1", "https://jaegertracing.github.io/helm-charts", "observability"],
            "kiali-operator": ["2.29.0", "https://kiali.org/helm-charts", "kiali-operator"],
        };
        const owned = kind("Namespace").filter((n) => n.parent === "obs");
        const namespaces = owned.map((n) => n.inputs.metadata.name);
        // The Istio namespace belongs to the mesh layer.
        expect(namespaces).not.toContain(ARGS.istioNamespace);
        for (const [chart, [version, repo, namespace]] of Object.entries(expected)) {
            const r = release(chart);
            expect(r.inputs.version).toBe(version);
            expect(r.inputs.repositoryOpts.repo).toBe(repo);
            expect(r.inputs.namespace).toBe(namespace);
            expect(namespaces).toContain(namespace);
            // The release name is fixed: Pulumi's random suffix would rename every object of the chart.
            expect(r.inputs.name).toBe(chart);
        }
        expect(namespaces).toHaveLength(3);
    });

    it("installs every chart atomically, waiting for its Jobs up to 900 s, into namespaces without a mesh label", () => {
        const releases = ledger.ofType(RELEASE);
        expect(releases).toHaveLength(3);
        for (const r of releases) {
            expect(r.inputs, r.name).toMatchObject({ atomic: true, waitForJobs: true, timeout: 900, createNamespace: false });
        }
        const owned = kind("Namespace").filter((n) => n.parent === "obs");
        expect(owned).toHaveLength(3);
        // No mesh label; Pod Security: node-exporter needs privileged, the Jaeger chart's pod passes baseline, the Kiali operator's restricted.
        const levels: Record<string, "privileged" | "baseline" | "restricted"> = {
            monitoring: "privileged",
            observability: "baseline",
            "kiali-operator": "restricted",
        };
        for (const n of owned) {
            expect(n.inputs.metadata, n.name).toEqual({ name: expect.any(String), labels: pssLabels(levels[n.inputs.metadata.name]) });
        }
    });

    it("points Kiali at the Services the charts create under the names the values set", () => {
        const kps = release("kube-prometheus-stack").inputs;
        const jaeger = release("jaeger").inputs;
        const grafana = kps.values.grafana;
        const kiali = kind("Kiali")[0];
        const services = kiali.inputs.spec.external_services;
        // templates/prometheus/service.yaml: `{{ kube-prometheus-stack.fullname }}-prometheus` (fullname = override).
        const prometheusService = fqdn(`${kps.values.fullnameOverride}-prometheus`, kps.namespace);
        const prometheusUrl = `http://${prometheusService}:${kps.values.prometheus.service.port}`;
        expect(services.prometheus.url).toBe(prometheusUrl);
        expect(component.prometheusUrl).toBe(prometheusUrl);
        expect(prometheusUrl).toBe("http://kps-prometheus.monitoring.svc.cluster.local:9090");
        // The grafana subchart names its Service `grafana.fullname` = fullnameOverride.
        const grafanaService = fqdn(grafana.fullnameOverride, kps.namespace);
        expect(services.grafana.internal_url).toBe(`http://${grafanaService}:${grafana.service.port}`);
        expect(services.grafana.external_url).toBe(outputs.grafanaUrl);
        expect(services.grafana.datasource_uid).toBe(grafana.sidecar.datasources.uid);
        // With use_grpc Kiali talks to Jaeger's query gRPC port: the one the Jaeger config listens on.
        const grpcPort = Number(jaeger.values.userconfig.extensions.jaeger_query.grpc.endpoint.split(":").pop());
        expect(services.tracing).toMatchObject({ enabled: true, provider: "jaeger", use_grpc: true });
        const jaegerService = fqdn(jaeger.values.fullnameOverride, jaeger.namespace);
        expect(services.tracing.internal_url).toBe(`http://${jaegerService}:${grpcPort}`);
        expect(services.tracing.external_url).toBe(outputs.jaegerUrl);
        // Grafana's Jaeger datasource uses the query HTTP port of the same Service.
        const httpPort = Number(jaeger.values.userconfig.extensions.jaeger_query.http.endpoint.split(":").pop());
        expect(grafana.additionalDataSources[0].url).toBe(`http://${jaegerService}:${httpPort}`);
    });

    it("lets Kiali log into Grafana with the admin password from a Secret in its own namespace, written by ESO from Vault", () => {
        const kiali = kind("Kiali")[0];
        const es = ledger.byName("obs-kiali-grafana-credentials");
        const auth = kiali.inputs.spec.external_services.grafana.auth;
        const [, secretName, key] = auth.password.split(":");
        expect(auth).toMatchObject({ type: "basic", username: GRAFANA.adminUser });
        expect(es.type).toBe("kubernetes:external-secrets.io/v1:ExternalSecret");
        expect(es.inputs.metadata).toMatchObject({ name: secretName, namespace: kiali.inputs.metadata.namespace });
        expect(es.inputs.spec.target.name).toBe(secretName);
        // The same Vault entry and property Grafana's own login Secret reads its password from.
        const grafana = ledger
            .byName("obs-grafana-admin")
            .inputs.spec.data.find((d: { secretKey: string }) => d.secretKey === GRAFANA_ADMIN_SECRET.passwordKey);
        expect(es.inputs.spec.data).toEqual([{ secretKey: key, remoteRef: grafana.remoteRef }]);
        expect(JSON.stringify(es.inputs)).not.toContain(PASSWORD);
        expect(es.inputs.metadata.annotations["pulumi.com/waitFor"]).toBe("condition=Ready");
        expect(kiali.dependsOn).toContain(es.name);
        // The reader in Istio's namespace waits for that namespace, which the mesh layer creates.
        expect(ledger.byName("obs-kiali-vault-client").dependsOn).toContain("istio-system");
    });

    it("keeps Grafana, Jaeger and Kiali in-cluster (ClusterIP) for the gateway's doors, and exports their https URLs on the configured ports", () => {
        const grafana = release("kube-prometheus-stack").inputs.values.grafana;
        expect(grafana.service).toEqual({ type: "ClusterIP", port: ARGS.ports.grafana });
        expect(grafana["grafana.ini"].server.root_url).toBe(outputs.grafanaUrl);
        const ui = kind("Service").find((s) => s.name === "obs-jaeger-ui")!;
        expect(ui.inputs.spec.type).toBe("ClusterIP");
        expect(ui.inputs.metadata.annotations).toBeUndefined();
        expect(ui.dependsOn).toContain("obs-jaeger");
        expect(ui.inputs.spec.ports).toEqual([{ name: "http-query", port: ARGS.ports.jaeger, targetPort: 16686, protocol: "TCP" }]);
        // The selector is the chart's pod labels: jaeger.selectorLabels plus the all-in-one component.
        const jaeger = release("jaeger").inputs;
        expect(ui.inputs.spec.selector).toEqual({
            "app.kubernetes.io/name": jaeger.values.nameOverride,
            "app.kubernetes.io/instance": jaeger.name,
            "app.kubernetes.io/component": "all-in-one",
        });
        const kiali = kind("Kiali")[0].inputs.spec;
        expect(kiali.deployment.service_type).toBe("ClusterIP");
        expect(kiali.deployment.service_annotations).toBeUndefined();
        // Kiali's server binds its own port; the configured one is the gateway's.
        expect(kiali.server.port).toBe(KIALI.serverPort);
        expect(kiali.server.observability.metrics.enabled).toBe(false);
        expect(outputs).toMatchObject({
            grafanaUrl: "https://192.168.2.242:3000",
            jaegerUrl: "https://192.168.2.242:16686",
            kialiUrl: `https://192.168.2.242:20001${kiali.server.web_root}`,
        });
        expect(kiali.server.web_root).toBe("/kiali");
    });

    it("keeps Alertmanager in-cluster on its port behind the gateway's door, and without a webhook shows alerts only in its UI", () => {
        const values = release("kube-prometheus-stack").inputs.values;
        expect(CONFIG_DEFAULTS.alertmanagerPort).toBe(9093);
        expect(values.alertmanager.service).toEqual({ type: "ClusterIP", port: LAB_OBSERVABILITY_ARGS.alertmanagerPort });
        expect(outputs.alertmanagerUrl).toBe("https://192.168.2.242:9093");
        expect(values.alertmanager.alertmanagerSpec.externalUrl).toBe(outputs.alertmanagerUrl);
        // No webhook: one receiver that sends nothing, no Secret mounted, none created.
        expect(values.alertmanager.config.receivers).toEqual([{ name: "null" }]);
        expect(values.alertmanager.alertmanagerSpec.secrets).toEqual([]);
        expect(kind("Secret").map((s) => s.inputs.metadata.name)).not.toContain("alertmanager-webhook");
        expect(values.prometheus.prometheusSpec.enableRemoteWriteReceiver).toBe(true);
    });

    it("gives Grafana the data-layer dashboard through its sidecar, bound to the Prometheus datasource uid", () => {
        const dashboards = kind("ConfigMap").filter((c) => c.inputs.metadata.labels?.grafana_dashboard === "1");
        expect(dashboards.map((c) => [c.name, c.inputs.metadata.namespace])).toEqual([["obs-data-dashboard", "monitoring"]]);
        const json = JSON.parse(Object.values(dashboards[0].inputs.data as Record<string, string>)[0]);
        expect(json.panels.length).toBeGreaterThanOrEqual(8);
        for (const panel of json.panels) {
            expect(panel.datasource, panel.title).toEqual({ type: "prometheus", uid: "prometheus" });
        }
        const grafana = release("kube-prometheus-stack").inputs.values.grafana;
        expect(grafana.sidecar.datasources.uid).toBe("prometheus");
        // The Redis exporter's dashboard, downloaded by the chart at a pinned revision into the "Data" folder.
        expect(grafana.dashboards.data).toEqual({
            redis: {
                gnetId: 763,
                revision: 4,
                datasource: [
                    { name: "DS_PROM", value: "prometheus" },
                    { name: "DS_PROMETHEUS", value: "prometheus" },
                ],
            },
        });
        const providers = grafana.dashboardProviders["dashboardproviders.yaml"].providers;
        expect(providers.map((p: { name: string; folder: string; options: { path: string } }) => [p.name, p.folder, p.options.path])).toEqual([
            ["istio", "Istio", "/var/lib/grafana/dashboards/istio"],
            ["data", "Data", "/var/lib/grafana/dashboards/data"],
            ["load", "Load tests", "/var/lib/grafana/dashboards/load"],
        ]);
    });

    it("shows k6 runs next to Istio's dashboards: the k6 Prometheus dashboard bound to our datasource uid", () => {
        const grafana = release("kube-prometheus-stack").inputs.values.grafana;
        expect(grafana.dashboards.load).toEqual({
            k6: { gnetId: 19665, revision: 1, datasource: [{ name: "DS_PROMETHEUS", value: "prometheus" }] },
        });
        // k6 writes its metrics through Prometheus' remote-write receiver.
        expect(release("kube-prometheus-stack").inputs.values.prometheus.prometheusSpec.enableRemoteWriteReceiver).toBe(true);
    });

    it("keeps the Grafana admin password random and secret in the output, and out of the release: Grafana reads it from the Secret ESO writes", () => {
        const password = ledger.ofType("random:index/randomPassword:RandomPassword");
        expect(password.map((p) => p.name)).toEqual(["obs-grafana-admin-password"]);
        const kps = release("kube-prometheus-stack");
        expect(kps.inputs.values.grafana.adminPassword).toBeUndefined();
        expect(JSON.stringify(kps.inputs)).not.toContain(PASSWORD);
        expect(kps.inputs.values.grafana.admin).toEqual({
            existingSecret: GRAFANA_ADMIN_SECRET.name,
            userKey: GRAFANA_ADMIN_SECRET.userKey,
            passwordKey: GRAFANA_ADMIN_SECRET.passwordKey,
        });
        const admin = ledger.byName("obs-grafana-admin");
        expect(admin.inputs.spec.target.name).toBe(GRAFANA_ADMIN_SECRET.name);
        expect(admin.inputs.metadata.namespace).toBe("monitoring");
        expect(admin.inputs.spec.data.map((d: { secretKey: string }) => d.secretKey).sort()).toEqual(
            [GRAFANA_ADMIN_SECRET.userKey, GRAFANA_ADMIN_SECRET.passwordKey].sort(),
        );
        // Grafana starts only once its login is synced from Vault.
        expect(admin.inputs.metadata.annotations["pulumi.com/waitFor"]).toBe("condition=Ready");
        expect(kps.dependsOn).toContain("obs-grafana-admin");
        expect(outputs.grafanaAdminPassword).toBe(PASSWORD);
        expect(secretOutputs).toEqual({ grafanaUrl: false, jaegerUrl: false, kialiUrl: false, grafanaAdminPassword: true });
        for (const r of ledger.resources) {
            if (JSON.stringify(r.inputs).includes(PASSWORD) && r.type !== "random:index/randomPassword:RandomPassword") {
                expect(r.secretInputs.length, r.name).toBeGreaterThan(0);
            }
        }
    });

    it("generates the Grafana password at GENERATED_SECRET_LENGTH and never regenerates it when the length changes", () => {
        const password = ledger.byName("obs-grafana-admin-password");
        expect(GENERATED_SECRET_LENGTH).toBe(40);
        expect(password.inputs).toMatchObject({ length: GENERATED_SECRET_LENGTH, special: false });
        // Stacks created at length 32 keep their password: Grafana stored the first one in its database.
        expect(password.ignoreChanges).toEqual(["length"]);
    });

    it("makes every custom resource wait for the release that installs its CRD", () => {
        for (const r of ledger.resources.filter((x) => x.inputs.apiVersion === "monitoring.coreos.com/v1")) {
            expect(r.dependsOn, r.name).toContain("obs-kube-prometheus-stack");
            expect(r.inputs.metadata.namespace).toBe("monitoring");
        }
        const kiali = kind("Kiali")[0];
        expect(kiali.dependsOn).toEqual(expect.arrayContaining(["obs-kiali-operator", "istio-system"]));
        expect(kiali.inputs.metadata.namespace).toBe(ARGS.istioNamespace);
        expect(ledger.byName("obs-istiod-monitor").dependsOn).toContain("istio-system");
        // Through its store's ServiceAccount; and after ESO's release, which installs the ExternalSecret CRD.
        expect(ledger.waitsFor("obs-kiali-grafana-credentials")).toContain("istio-system");
        for (const r of ledger.resources.filter((x) => x.inputs.apiVersion?.startsWith("external-secrets.io/"))) {
            expect(r.dependsOn, r.name).toContain("eso-stand-in");
        }
        expect(release("kiali-operator").inputs.values.cr.create).toBe(false);
    });

    it("makes Prometheus pick up every monitor and rule, keeps 10 days on a volume and leaves K3s' internals out", () => {
        const values = release("kube-prometheus-stack").inputs.values;
        const spec = values.prometheus.prometheusSpec;
        for (const key of ["serviceMonitorSelectorNilUsesHelmValues", "podMonitorSelectorNilUsesHelmValues", "ruleSelectorNilUsesHelmValues"]) {
            expect(spec[key], key).toBe(false);
        }
        expect(spec.retention).toBe("10d");
        expect(spec.storageSpec.volumeClaimTemplate.spec).toMatchObject({
            storageClassName: "local-path",
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: "20Gi" } },
        });
        expect(values.alertmanager.enabled).toBe(true);
        expect(values.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName).toBe("local-path");
        const claims = [spec.storageSpec.volumeClaimTemplate, values.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate];
        for (const claim of claims) {
            expect(() => new PersistentVolumeClaimSpec(claim.spec).validate()).not.toThrow();
            expect(claim.metadata.annotations).toEqual({ volumeType: "local" });
        }
        expect(values.grafana.persistence).toMatchObject({ enabled: true, type: "pvc", storageClassName: "local-path" });
        for (const component of ["kubeControllerManager", "kubeScheduler", "kubeProxy", "kubeEtcd"]) {
            expect(values[component], component).toEqual({ enabled: false });
        }
        expect(values.fullnameOverride.length).toBeLessThanOrEqual(26);
    });

    it("provisions Istio's dashboards at pinned revisions, bound to the Prometheus datasource", () => {
        const grafana = release("kube-prometheus-stack").inputs.values.grafana;
        const [provider] = grafana.dashboardProviders["dashboardproviders.yaml"].providers;
        expect(provider.options.path).toBe(`/var/lib/grafana/dashboards/${provider.name}`);
        const dashboards = grafana.dashboards[provider.name];
        const ids = Object.values(dashboards).map((d: any) => d.gnetId as number);
        expect(ids.sort((a, b) => a - b)).toEqual([7630, 7636, 7639, 7645, 11829]);
        for (const [key, d] of Object.entries<any>(dashboards)) {
            expect(Number.isInteger(d.revision) && d.revision > 0, key).toBe(true);
            expect(d.datasource, key).toBe(grafana.sidecar.datasources.name);
            expect(d.url, key).toBeUndefined();
        }
    });

    it("stores traces with badger on a claimed volume and listens for OTLP on all interfaces", () => {
        const jaeger = release("jaeger").inputs.values;
        const claim = kind("PersistentVolumeClaim").find((c) => c.name === "obs-jaeger-storage")!;
        const [volume] = jaeger.jaeger.extraVolumes;
        expect(volume.persistentVolumeClaim.claimName).toBe(claim.inputs.metadata.name);
        expect(release("jaeger").dataDeps).toContain(claim.name);
        const [mount] = jaeger.jaeger.extraVolumeMounts;
        expect(mount.name).toBe(volume.name);
        const store = jaeger.userconfig.exporters.jaeger_storage_exporter.trace_storage;
        const badger = jaeger.userconfig.extensions.jaeger_storage.backends[store].badger;
        expect(badger.ephemeral).toBe(false);
        for (const dir of Object.values<string>(badger.directories)) {
            expect(dir.startsWith(`${mount.mountPath}/`), dir).toBe(true);
        }
        expect(jaeger.userconfig.extensions.jaeger_query.storage.traces).toBe(store);
        const otlp = jaeger.userconfig.receivers.otlp.protocols;
        expect(otlp.grpc.endpoint).toBe("${env:JAEGER_LISTEN_HOST}:4317");
        expect(otlp.http.endpoint).toBe("${env:JAEGER_LISTEN_HOST}:4318");
        expect(jaeger.jaeger.image.tag).toMatch(/^2\.\d+\.\d+$/);
        expect(component.otlpGrpc).toEqual({ service: "jaeger.observability.svc.cluster.local", port: 4317 });
        expect(component.otlpGrpc.service).toBe(fqdn(jaeger.fullnameOverride, release("jaeger").inputs.namespace));
    });

    it("scrapes istiod, the ingress gateway and every other Envoy exactly once", () => {
        const istiod = ledger.byName("obs-istiod-monitor").inputs.spec;
        expect(istiod.namespaceSelector.matchNames).toEqual([ARGS.istioNamespace]);
        expect(istiod.endpoints.map((e: any) => e.port)).toEqual(["http-monitoring"]);
        const gateway = ledger.byName("obs-gateway-monitor").inputs.spec;
        expect(gateway.selector.matchLabels).toEqual({ istio: "ingressgateway" });
        expect(gateway.namespaceSelector.matchNames).toEqual(["istio-ingress"]);
        const sidecars = ledger.byName("obs-envoy-monitor").inputs.spec;
        expect(sidecars.namespaceSelector).toEqual({ any: true });
        const [endpoint] = sidecars.podMetricsEndpoints;
        expect(endpoint).toMatchObject({ port: "http-envoy-prom", path: "/stats/prometheus" });
        expect(endpoint.relabelings).toContainEqual({
            action: "drop",
            sourceLabels: ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_label_istio"],
            regex: "istio-ingress;ingressgateway",
        });
    });

    it("watches the SLO target named in the arguments, with three burn-rate alerts per SLI", () => {
        const slo = ledger.byName("obs-slo-rules").inputs;
        expect(slo.metadata.name).toBe("shlink-slo");
        const text = JSON.stringify(slo.spec);
        expect(text).toContain('destination_service_name=\\"shlink\\"');
        expect(text).toContain('destination_service_namespace=\\"shlink\\"');
        const alerts = slo.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert);
        expect(alerts).toHaveLength(6);
    });

    it("computes its resource requests from the values it hands to Helm and the Kiali CR", () => {
        const workloads = {
            kubePrometheusStack: release("kube-prometheus-stack").inputs.values,
            jaeger: release("jaeger").inputs.values,
            kialiOperator: release("kiali-operator").inputs.values,
            kiali: kind("Kiali")[0].inputs.spec,
        };
        expect(requestsFromValues(workloads, 3)).toEqual(resourceRequests(3));
    });
});
