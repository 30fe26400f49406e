import * as k8s from "@pulumi/kubernetes";
import { beforeAll, describe, expect, it } from "vitest";
import { Istio } from "../../components/mesh/Istio";
import { MeshRouting } from "../../components/mesh/MeshRouting";
import { gatewayPrincipal, type RoutingTarget } from "../../components/mesh/values";
import { CONFIG_DEFAULTS, SHLINK } from "../../components/defaults";
import { runUnderMocks, type Ledger } from "../helpers/pulumi";

const TARGET: RoutingTarget = {
    namespace: "shlink",
    service: "shlink",
    port: 8080,
    podLabels: { "app.kubernetes.io/name": "shlink" },
    gateway: { namespace: "istio-ingress", serviceAccount: "istio-ingressgateway", label: "ingressgateway" },
};
const RELEASE = "kubernetes:helm.sh/v3:Release";
const CR = (kind: string) => (r: { inputs: any }) => r.inputs.kind === kind;

describe("the mesh components under mocks", () => {
    let ledger: Ledger;

    beforeAll(async () => {
        ({ ledger } = await runUnderMocks({}, () => {
            const provider = new k8s.Provider("k8s", { kubeconfig: "unused" });
            const istio = new Istio(
                "istio",
                {
                    tracing: { service: "jaeger-collector.observability.svc.cluster.local", port: 4317 },
                    samplingPercent: 25,
                    httpPort: 80,
                    clusterName: "homelab",
                    cniPlatform: "k3s",
                },
                { providers: [provider] },
            );
            new MeshRouting(
                "shlink-mesh",
                { target: TARGET, namespace: "shlink", waitFor: [istio.base, istio.istiod] },
                { providers: [provider] },
            );
        }));
    });

    it("installs base, istiod and the gateway from the pinned 1.30.3 charts, in that order", () => {
        const [base, istiod, gateway] = ["istio-base", "istio-istiod", "istio-gateway"].map((n) => ledger.byName(n));
        for (const r of [base, istiod, gateway]) {
            expect(r.type).toBe(RELEASE);
            expect(r.inputs.version).toBe("1.30.3");
            expect(r.inputs.repositoryOpts.repo).toBe("https://istio-release.storage.googleapis.com/charts");
        }
        expect([base.inputs.chart, istiod.inputs.chart, gateway.inputs.chart]).toEqual(["base", "istiod", "gateway"]);
        expect(istiod.dependsOn).toContain("istio-base");
        expect(gateway.dependsOn).toContain("istio-istiod");
        expect(ledger.waitsFor("istio-base")).not.toContain("istio-istiod");
        expect(istiod.inputs.values.global).toMatchObject({ hub: "docker.io/istio", tag: "1.30.3" });
        // The 1.30 istiod chart reads its sizing at the top level of the values (not under `pilot`).
        expect(istiod.inputs.values).toMatchObject({
            autoscaleEnabled: false,
            replicaCount: 2,
            resources: { requests: { cpu: "200m", memory: "512Mi" } },
        });
        expect(istiod.inputs.values.pilot).toBeUndefined();
    });

    it("installs Istio's CNI agent (K3s profile, released images) before istiod, whose injector then emits no istio-init", () => {
        const cni = ledger.byName("istio-cni");
        const istiod = ledger.byName("istio-istiod");
        expect(cni.type).toBe(RELEASE);
        expect(cni.inputs).toMatchObject({ chart: "cni", version: "1.30.3", namespace: "istio-system" });
        expect(cni.inputs.repositoryOpts.repo).toBe("https://istio-release.storage.googleapis.com/charts");
        // The chart's own default hub is registry.istio.io/testing; files/profile-platform-k3s.yaml sets K3s' CNI paths.
        expect(cni.inputs.values.global).toEqual({ hub: "docker.io/istio", tag: "1.30.3", platform: "k3s" });
        // istiod-injector-configmap.yaml copies the top-level `cni` into the injector's `pilot.cni`.
        expect(istiod.inputs.values.cni).toEqual({ enabled: true });
        expect(istiod.dependsOn).toContain("istio-cni");
        expect(ledger.waitsFor("istio-gateway")).toContain("istio-cni");
    });

    it("sends traces to Jaeger over OTLP and keeps Prometheus metrics in the mesh config", () => {
        const mesh = ledger.byName("istio-istiod").inputs.values.meshConfig;
        expect(mesh.extensionProviders).toEqual([
            { name: "jaeger", opentelemetry: { service: "jaeger-collector.observability.svc.cluster.local", port: 4317 } },
        ]);
        expect(mesh.defaultProviders.tracing).toEqual(["jaeger"]);
        expect(mesh.defaultProviders.metrics).toEqual(["prometheus"]);
        // Without it, Shlink's first connections race its sidecar and fail.
        expect(mesh.defaultConfig.holdApplicationUntilProxyStarts).toBe(true);
    });

    it("exposes the ingress gateway as a LoadBalancer on port 80 labelled istio=ingressgateway", () => {
        const gateway = ledger.byName("istio-gateway");
        expect(gateway.inputs.name).toBe("istio-ingressgateway");
        expect(gateway.inputs.namespace).toBe("istio-ingress");
        const values = gateway.inputs.values;
        expect(values.labels.istio).toBe("ingressgateway");
        expect(values.service.type).toBe("LoadBalancer");
        expect(values.service.ports.find((p: any) => p.name === "http2")).toMatchObject({ port: 80, targetPort: 80 });
        // Only the planned ports: ServiceLB binds each LoadBalancer port on every node.
        expect(values.service.ports.map((p: any) => p.port).sort()).toEqual([15021, 80].sort());
    });

    it("traces mesh-wide at the configured rate with the lab's tags", () => {
        const telemetry = ledger.resources.find(CR("Telemetry"))!;
        expect(telemetry.inputs.metadata).toEqual({ name: "mesh-default", namespace: "istio-system" });
        expect(telemetry.inputs.spec.tracing[0]).toMatchObject({ providers: [{ name: "jaeger" }], randomSamplingPercentage: 25 });
        expect(Object.keys(telemetry.inputs.spec.tracing[0].customTags)).toEqual(["cluster", "environment", "user_agent"]);
        expect(telemetry.dependsOn).toEqual(expect.arrayContaining(["istio-base", "istio-istiod"]));
    });

    it("routes the gateway to Shlink with retries and a timeout", () => {
        const vs = ledger.resources.find(CR("VirtualService"))!;
        expect(vs.inputs.spec.gateways).toEqual(["shlink-gateway"]);
        expect(vs.inputs.spec.http[0]).toEqual({
            route: [{ destination: { host: "shlink.shlink.svc.cluster.local", port: { number: 8080 } } }],
            retries: { attempts: 3, perTryTimeout: "2s", retryOn: "5xx,reset,connect-failure,refused-stream" },
            timeout: "10s",
        });
        const gw = ledger.resources.find(CR("Gateway"))!;
        expect(gw.inputs.metadata.name).toBe("shlink-gateway");
        expect(gw.inputs.spec.selector).toEqual({ istio: "ingressgateway" });
    });

    it("limits connections no lower than every Shlink worker can serve, and ejects failing pods but never the last", () => {
        const dr = ledger.resources.find(CR("DestinationRule"))!;
        expect(dr.inputs.spec.host).toBe("shlink.shlink.svc.cluster.local");
        const policy = dr.inputs.spec.trafficPolicy;
        expect(policy.tls.mode).toBe("ISTIO_MUTUAL");
        // Each RoadRunner web worker serves one request at a time: a smaller pool would queue before the pods do.
        const workers = CONFIG_DEFAULTS.shlinkReplicas * SHLINK.webWorkers;
        expect(policy.connectionPool.tcp.maxConnections).toBeGreaterThanOrEqual(workers);
        expect(policy.connectionPool.http.http1MaxPendingRequests).toBeGreaterThanOrEqual(workers);
        expect(policy.outlierDetection).toMatchObject({ consecutive5xxErrors: 5, baseEjectionTime: "30s" });
        // Envoy ejects another host while the ejected share is below max_ejection_percent (always at least one).
        const replicas = CONFIG_DEFAULTS.shlinkReplicas;
        let ejected = 1;
        while ((100 * ejected) / replicas < policy.outlierDetection.maxEjectionPercent) {
            ejected += 1;
        }
        expect(ejected).toBeLessThan(replicas);
    });

    it("enforces STRICT mTLS in Shlink's namespace", () => {
        const pa = ledger.resources.find(CR("PeerAuthentication"))!;
        expect(pa.inputs.metadata).toEqual({ name: "default", namespace: "shlink" });
        expect(pa.inputs.spec).toEqual({ mtls: { mode: "STRICT" } });
    });

    it("admits only the ingress gateway and requires X-Api-Key on /rest/* except /rest/health", () => {
        const ap = ledger.resources.find(CR("AuthorizationPolicy"))!;
        const spec = ap.inputs.spec;
        expect(spec.action).toBe("ALLOW");
        expect(spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "shlink" });
        for (const rule of spec.rules) {
            expect(rule.from).toEqual([{ source: { principals: [gatewayPrincipal(TARGET)] } }]);
        }
        expect(gatewayPrincipal(TARGET)).toBe("cluster.local/ns/istio-ingress/sa/istio-ingressgateway");
        const [redirects, health, api] = spec.rules;
        expect(redirects.to[0].operation).toEqual({ notPaths: ["/rest/*"] });
        expect(redirects.when).toBeUndefined();
        expect(health.to[0].operation.paths).toEqual(["/rest/health"]);
        expect(health.when).toBeUndefined();
        expect(api.to[0].operation.paths).toEqual(["/rest/*"]);
        expect(api.when).toEqual([{ key: "request.headers[x-api-key]", values: ["*"] }]);
    });

    it("creates the routing objects only after Istio's CRDs and webhook exist", () => {
        for (const kind of ["Gateway", "VirtualService", "DestinationRule", "PeerAuthentication", "AuthorizationPolicy"]) {
            const r = ledger.resources.find(CR(kind))!;
            expect(r.dependsOn, kind).toEqual(expect.arrayContaining(["istio-base", "istio-istiod"]));
        }
    });
});
