import * as k8s from "@pulumi/kubernetes";
import { beforeAll, describe, expect, it } from "vitest";
import { CNI_RELEASE_REVISION, Istio } from "../../components/mesh/Istio";
import * as fs from "node:fs";
import * as path from "node:path";
import { MeshRouting } from "../../components/mesh/MeshRouting";
import { RATE_LIMITED_BODY, rateLimitedRoutes } from "../../components/mesh/rateLimit";
import { gatewayPrincipal, virtualServiceSpec, type RoutingTarget } from "../../components/mesh/values";
import { SHLINK } from "../../components/apps/facts";
import { CONFIG_DEFAULTS } from "../../components/config/defaults";
import { SHLINK_RATE_LIMIT } from "../../components/mesh/facts";
import { doorServicePorts } from "../../components/contracts/doors";
import { runUnderMocks, type Ledger } from "../helpers/pulumi";
import { allowedPer, envoyRoutes, patchRoutes } from "./istioRoutes";

const TARGET: RoutingTarget = {
    namespace: "shlink",
    service: "shlink",
    port: 8080,
    podLabels: { "app.kubernetes.io/name": "shlink" },
    gateway: { namespace: "istio-ingress", serviceAccount: "istio-ingressgateway", label: "ingressgateway" },
    door: { name: "shlink", httpPort: 80, httpsPort: 443, destination: { host: "shlink.shlink.svc.cluster.local", port: 8080 } },
    credentialName: "homelab-edge-tls",
};
const RELEASE = "kubernetes:helm.sh/v3:Release";
const LIMITS = { createPerMinute: 120, redirectPerSecond: 300 };
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
                    servicePorts: doorServicePorts([TARGET.door]),
                    clusterName: "homelab",
                    cniPlatform: "k3s",
                },
                { providers: [provider] },
            );
            new MeshRouting(
                "shlink-mesh",
                {
                    target: TARGET,
                    namespace: "shlink",
                    waitFor: [istio.base, istio.istiod],
                    rateLimit: { limits: LIMITS, gatewayNamespace: istio.gatewayNamespace.metadata.name },
                },
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
        expect(ledger.waitsFor("istio-istiod")).toContain("istio-cni");
        expect(ledger.waitsFor("istio-gateway")).toContain("istio-cni");
    });

    it("waits for the CNI agent Ready on every node, not Helm's desired − maxUnavailable, before istiod and every pod it injects", () => {
        const ready = ledger.byName("istio-cni-ready");
        // Pulumi awaits a DaemonSet it applies until kstatus says Current (every scheduled pod updated, Ready and
        // available); a waitFor or skipAwait annotation would replace that wait, so there is none.
        expect(ready.type).toBe("kubernetes:apps/v1:DaemonSetPatch");
        expect(ready.inputs.metadata).toEqual({
            // istio-cni 1.30.3 templates/daemonset.yaml: `{{ template "name" . }}-node` in the release's namespace.
            name: "istio-cni-node",
            namespace: ledger.byName("istio-cni").inputs.namespace,
            // The release's revision: every upgrade of the chart is awaited again.
            annotations: { [CNI_RELEASE_REVISION]: "1" },
        });
        expect(ready.inputs.spec).toBeUndefined();
        expect(ledger.waitsFor("istio-cni-ready")).toContain("istio-cni");
        expect(ledger.byName("istio-istiod").dependsOn).toContain("istio-cni-ready");
        expect(ledger.waitsFor("istio-gateway")).toContain("istio-cni-ready");
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

    it("exposes the ingress gateway as a LoadBalancer on Shlink's ports 80 and 443 labelled istio=ingressgateway", () => {
        const gateway = ledger.byName("istio-gateway");
        expect(gateway.inputs.name).toBe("istio-ingressgateway");
        expect(gateway.inputs.namespace).toBe("istio-ingress");
        const values = gateway.inputs.values;
        expect(values.labels.istio).toBe("ingressgateway");
        expect(values.service.type).toBe("LoadBalancer");
        expect(values.service.ports.find((p: any) => p.name === "http-shlink")).toMatchObject({ port: 80, targetPort: 80 });
        expect(values.service.ports.find((p: any) => p.name === "https-shlink")).toMatchObject({ port: 443, targetPort: 443 });
        // Only the planned ports: ServiceLB binds each LoadBalancer port on every node.
        expect(values.service.ports.map((p: any) => p.port).sort()).toEqual([15021, 80, 443].sort());
    });

    it("traces mesh-wide at the configured rate with the lab's tags", () => {
        const telemetry = ledger.resources.find(CR("Telemetry"))!;
        expect(telemetry.inputs.metadata).toEqual({ name: "mesh-default", namespace: "istio-system" });
        expect(telemetry.inputs.spec.tracing[0]).toMatchObject({ providers: [{ name: "jaeger" }], randomSamplingPercentage: 25 });
        expect(Object.keys(telemetry.inputs.spec.tracing[0].customTags)).toEqual(["cluster", "environment", "user_agent"]);
        expect(telemetry.dependsOn).toEqual(expect.arrayContaining(["istio-base", "istio-istiod"]));
    });

    it("routes HTTPS on the gateway to Shlink with retries and a timeout, and answers plain HTTP with 301 to HTTPS", () => {
        const vs = ledger.resources.find(CR("VirtualService"))!;
        expect(vs.inputs.spec.gateways).toEqual(["shlink-gateway"]);
        expect(vs.inputs.spec.http).toHaveLength(3);
        expect(vs.inputs.spec.http[0]).toEqual({ match: [{ port: 80 }], redirect: { scheme: "https", port: 443, redirectCode: 301 } });
        // Every route to Shlink (creation and the rest, split for the rate limit) keeps them, on HTTPS only.
        const forwarding = vs.inputs.spec.http.slice(1);
        for (const route of forwarding) {
            expect(route).toMatchObject({
                route: [{ destination: { host: "shlink.shlink.svc.cluster.local", port: { number: 8080 } } }],
                retries: { attempts: 3, perTryTimeout: "2s", retryOn: "5xx,reset,connect-failure,refused-stream" },
                timeout: "10s",
            });
            for (const match of route.match) {
                expect(match.port).toBe(443);
            }
        }
        // The last route keeps the unsplit route's own match: no request to Shlink goes unrouted.
        const unsplit = virtualServiceSpec(TARGET, "shlink-gateway").http.at(-1) as { match?: unknown };
        expect(vs.inputs.spec.http.at(-1).match).toEqual(unsplit.match);
        expect(unsplit.match).toEqual([{ port: 443 }]);
        const gw = ledger.resources.find(CR("Gateway"))!;
        expect(gw.inputs.metadata.name).toBe("shlink-gateway");
        expect(gw.inputs.spec.selector).toEqual({ istio: "ingressgateway" });
        expect(gw.inputs.spec.servers).toEqual([
            { port: { number: 80, name: "http-shlink", protocol: "HTTP" }, hosts: ["*"] },
            { port: { number: 443, name: "https-shlink", protocol: "HTTPS" }, hosts: ["*"], tls: { mode: "SIMPLE", credentialName: "homelab-edge-tls" } },
        ]);
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
        for (const kind of ["Gateway", "VirtualService", "DestinationRule", "PeerAuthentication", "AuthorizationPolicy", "EnvoyFilter"]) {
            const r = ledger.resources.find(CR(kind))!;
            expect(r.dependsOn, kind).toEqual(expect.arrayContaining(["istio-base", "istio-istiod"]));
        }
    });

    describe("Shlink's rate limit at the ingress gateway", () => {
        const filter = () => ledger.resources.find(CR("EnvoyFilter"))!;
        const patches = (applyTo: string) => filter().inputs.spec.configPatches.filter((p: any) => p.applyTo === applyTo);
        // The routes that forward to Shlink (HTTP's redirect to HTTPS is no route of Shlink's).
        const vsRoutes = () => ledger.resources.find(CR("VirtualService"))!.inputs.spec.http.filter((r: any) => r.redirect === undefined);
        /** Istio's uri regex is RE2 matched against the whole path (no query string). */
        const fullMatch = (regex: string, p: string) => new RegExp(`^(?:${regex})$`).test(p);
        const createRoute = () => vsRoutes().find((r: any) => r.name === SHLINK_RATE_LIMIT.routes.create.name);
        const isCreate = (method: string, p: string) => createRoute().match.some((m: any) => fullMatch(m.method.regex, method) && fullMatch(m.uri.regex, p));

        it("is an EnvoyFilter (v1alpha3) in the gateway's namespace on the gateway's pods, every patch in the GATEWAY context", () => {
            const f = filter();
            expect(f.inputs.apiVersion).toBe("networking.istio.io/v1alpha3");
            expect(f.inputs.metadata).toEqual({ name: SHLINK_RATE_LIMIT.name, namespace: "istio-ingress" });
            expect(f.dataDeps).toContain("istio-ingress");
            expect(f.inputs.spec.workloadSelector).toEqual({ labels: { istio: "ingressgateway" } });
            expect(f.inputs.spec.configPatches.length).toBeGreaterThan(0);
            for (const patch of f.inputs.spec.configPatches) {
                expect(patch.match.context).toBe("GATEWAY");
            }
        });

        it("inserts envoy.filters.http.local_ratelimit before the router, with no bucket of its own", () => {
            const [insert, ...more] = patches("HTTP_FILTER");
            expect(more).toEqual([]);
            expect(insert.match.listener.filterChain.filter).toEqual({
                name: "envoy.filters.network.http_connection_manager",
                subFilter: { name: "envoy.filters.http.router" },
            });
            expect(insert.patch.operation).toBe("INSERT_BEFORE");
            expect(insert.patch.value).toEqual({
                name: "envoy.filters.http.local_ratelimit",
                typed_config: {
                    "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
                    stat_prefix: SHLINK_RATE_LIMIT.statPrefix,
                },
            });
        });

        it("gives every route of Shlink's VirtualService a bucket from the config: creations per minute, the rest per second", () => {
            const byRoute = new Map(patches("HTTP_ROUTE").map((p: any) => [p.match.routeConfiguration.vhost.route.name, p]));
            expect([...byRoute.keys()].sort()).toEqual(
                vsRoutes()
                    .map((r: any) => r.name)
                    .sort(),
            );
            const expected: Record<string, { max_tokens: number; tokens_per_fill: number; fill_interval: string }> = {
                [SHLINK_RATE_LIMIT.routes.create.name]: { max_tokens: 120, tokens_per_fill: 120, fill_interval: "60s" },
                [SHLINK_RATE_LIMIT.routes.redirect.name]: { max_tokens: 300, tokens_per_fill: 300, fill_interval: "1s" },
            };
            for (const [routeName, patch] of byRoute as Map<string, any>) {
                expect(patch.patch.operation).toBe("MERGE");
                const limit = patch.patch.value.typed_per_filter_config["envoy.filters.http.local_ratelimit"];
                expect(limit["@type"]).toBe("type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit");
                expect(limit.token_bucket).toEqual(expected[routeName]);
                // Envoy's defaults are 0 %: without both, nothing would be limited.
                const all = { numerator: 100, denominator: "HUNDRED" };
                expect(limit.filter_enabled.default_value).toEqual(all);
                expect(limit.filter_enforced.default_value).toEqual(all);
                const headers = Object.fromEntries(limit.response_headers_to_add.map((h: any) => [h.header.key, h.header.value]));
                expect(headers).toEqual({ [SHLINK_RATE_LIMIT.header]: routeName, "retry-after": expected[routeName].fill_interval.replace("s", "") });
            }
            const prefixes = [...byRoute.values()].map((p: any) => p.patch.value.typed_per_filter_config["envoy.filters.http.local_ratelimit"].stat_prefix);
            expect(new Set(prefixes).size).toBe(prefixes.length);
        });

        it("puts URL creation in the tight route: the scenarios' POST and Shlink's one-step GET (and the list beside them), not reads or edits", () => {
            const shlinkTs = fs.readFileSync(path.join(__dirname, "..", "..", "components", "load", "scenarios", "shlink.ts"), "utf8");
            const posted = /http\.post\(`\$\{targetUrl\(\)\}([^`]+)`/.exec(shlinkTs)![1];
            expect(posted).toBe("/rest/v3/short-urls");
            expect(isCreate("POST", posted)).toBe(true);
            expect(isCreate("POST", "/rest/v2/short-urls")).toBe(true);
            expect(isCreate("GET", "/rest/v3/short-urls/shorten")).toBe(true);
            // One match covers both creations (one Envoy route, one bucket): the list of short URLs shares it.
            expect(isCreate("GET", "/rest/v3/short-urls")).toBe(true);
            expect(isCreate("DELETE", "/rest/v3/short-urls/abc123")).toBe(false);
            expect(isCreate("GET", "/rest/v3/short-urls/abc123")).toBe(false);
            expect(isCreate("PATCH", "/rest/v3/short-urls/abc123")).toBe(false);
            expect(isCreate("GET", "/abc123")).toBe(false);
            expect(vsRoutes()[0].name).toBe(SHLINK_RATE_LIMIT.routes.create.name);
        });

        it("lets through at most the configured figure per gateway pod, however Istio splits the routes into Envoy's (one bucket each)", () => {
            const vs = ledger.resources.find(CR("VirtualService"))!.inputs.spec;
            const routes = patchRoutes(envoyRoutes(vs.http, TARGET.door.httpsPort), filter().inputs.spec.configPatches);
            const creations = [
                { method: "POST", path: "/rest/v3/short-urls" },
                { method: "GET", path: "/rest/v3/short-urls/shorten?longUrl=https://example.org" },
                { method: "POST", path: "/rest/v2/short-urls/" },
            ];
            const others = [
                { method: "GET", path: "/abc123" },
                { method: "GET", path: "/rest/v3/short-urls/abc123" },
                { method: "GET", path: "/rest/health" },
            ];
            expect(allowedPer(routes, creations, SHLINK_RATE_LIMIT.filter, 60)).toBe(LIMITS.createPerMinute);
            expect(allowedPer(routes, others, SHLINK_RATE_LIMIT.filter, 1)).toBe(LIMITS.redirectPerSecond);
            // Each limit's name is one Envoy route on the listener, so one bucket.
            const names = routes.map((r) => r.name);
            expect(names.sort()).toEqual(
                Object.values(SHLINK_RATE_LIMIT.routes)
                    .map((r) => r.name)
                    .sort(),
            );
        });

        it("the route model counts a bucket per Envoy route: two matches under one name are two buckets", () => {
            const limited = (name: string, tokens: number) => ({
                applyTo: "HTTP_ROUTE",
                match: { context: "GATEWAY", routeConfiguration: { vhost: { route: { name } } } },
                patch: { operation: "MERGE", value: { typed_per_filter_config: { f: { token_bucket: { tokens_per_fill: tokens, fill_interval: "60s" } } } } },
            });
            const http = [
                {
                    name: "create",
                    match: [
                        { port: 443, method: { exact: "POST" }, uri: { regex: "/a" } },
                        { port: 443, method: { exact: "GET" }, uri: { regex: "/b" } },
                    ],
                },
                { name: "rest", match: [{ port: 443 }] },
            ];
            const routes = patchRoutes(envoyRoutes(http, 443), [limited("create", 10), limited("rest", 5)]);
            expect(routes.map((r) => r.name)).toEqual(["create", "create", "rest"]);
            expect(
                allowedPer(
                    routes,
                    [
                        { method: "POST", path: "/a" },
                        { method: "GET", path: "/b" },
                    ],
                    "f",
                    60,
                ),
            ).toBe(20);
            expect(envoyRoutes(http, 80)).toEqual([]);
        });

        it("answers 429 with a problem+json body that names the settings, through the connection manager's local-reply mapper", () => {
            const [merge, ...more] = patches("NETWORK_FILTER");
            expect(more).toEqual([]);
            expect(merge.match.listener.filterChain.filter.name).toBe("envoy.filters.network.http_connection_manager");
            expect(merge.patch.operation).toBe("MERGE");
            const config = merge.patch.value.typed_config;
            expect(config["@type"]).toBe("type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager");
            const [mapper] = config.local_reply_config.mappers;
            expect(mapper.filter.status_code_filter.comparison).toMatchObject({ op: "EQ", value: { default_value: 429 } });
            expect(mapper.body_format_override.content_type).toBe("application/problem+json");
            // text_format_source: text_format is deprecated in Envoy's proto at Istio 1.30.3's version.
            expect(Object.keys(mapper.body_format_override).sort()).toEqual(["content_type", "text_format_source"]);
            const text = mapper.body_format_override.text_format_source.inline_string;
            // No `%`: Envoy would read it as a command operator.
            expect(text).not.toContain("%");
            const body = JSON.parse(text);
            expect(body).toEqual(RATE_LIMITED_BODY);
            expect(body.status).toBe(429);
            expect(body.detail).toContain("homelab:shlinkCreateRatePerMinute");
            expect(body.detail).toContain("homelab:shlinkRedirectRatePerSecond");
        });

        it("makes the gateway's Envoy keep every route's rate-limit counters, which the gateway's Prometheus stats then carry", () => {
            const annotations = ledger.byName("istio-gateway").inputs.values.podAnnotations;
            const proxyConfig = JSON.parse(annotations["proxy.istio.io/config"]);
            const prefixes = patches("HTTP_ROUTE").map(
                (p: any) => `${p.patch.value.typed_per_filter_config["envoy.filters.http.local_ratelimit"].stat_prefix}.http_local_rate_limit`,
            );
            expect(proxyConfig.proxyStatsMatcher.inclusionPrefixes.sort()).toEqual(prefixes.sort());
        });

        it("limits creation only within the route's own match (a port, say), and keeps the rest of that route on both", () => {
            const own = { match: [{ port: 443 }], route: [{ destination: { host: "h", port: { number: 1 } } }], timeout: "10s" };
            const [create, rest] = rateLimitedRoutes(own);
            expect(create.match).toEqual([
                { port: 443, method: { regex: SHLINK_RATE_LIMIT.createMatch.methods }, uri: { regex: SHLINK_RATE_LIMIT.createMatch.path } },
            ]);
            // A route of several matches would make the creation route several Envoy routes, each its own bucket.
            expect(() => rateLimitedRoutes({ ...own, match: [{ port: 443 }, { port: 8443 }] })).toThrow(/one match/);
            expect(rest).toEqual({ ...own, name: SHLINK_RATE_LIMIT.routes.redirect.name });
            expect({ ...create, match: own.match }).toEqual({ ...own, name: SHLINK_RATE_LIMIT.routes.create.name });
        });

        it("leaves an app without limits on one unnamed route", () => {
            const routes = virtualServiceSpec(TARGET, "g").http.filter((r) => !("redirect" in r));
            expect(routes).toHaveLength(1);
            expect(routes[0]).not.toHaveProperty("name");
            // Only the door's HTTPS port: nothing else narrows the route.
            expect((routes[0] as { match?: unknown }).match).toEqual([{ port: TARGET.door.httpsPort }]);
        });
    });
});
