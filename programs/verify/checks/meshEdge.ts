// Mesh and edge: sidecars and their sync, STRICT mTLS, every door over HTTPS with the lab CA, the redirects, the
// API key, the rate limit's 429 and a trace of our own request in Jaeger.
import { randomBytes, randomUUID } from "node:crypto";
import { SHLINK } from "../../../components/apps/facts";
import { ISTIO, SHLINK_RATE_LIMIT } from "../../../components/mesh/facts";
import { SMOKE_PROMISES as P } from "../../../components/smoke/promises";
import { SMOKE_LONG_URL } from "../../../components/smoke/script";
import { fail, isReady, items, names, pass, selector, type Check, type KubeObject, type VerifyContext } from "../check";
import { STRICT_MTLS_ROW } from "../probes";
import { GATEWAY_SERVICE } from "./cluster";

/** The proxy's container name in an injected pod (a native sidecar is an init container of that name). */
export const SIDECAR = "istio-proxy";

/**
 * istiod's own debug endpoint through its binary (no curl in its image): `pilot-discovery request` calls 127.0.0.1:15014,
 * which /debug/syncz serves unauthenticated to localhost (istio pilot/cmd/pilot-discovery/app/request.go, pilot/pkg/xds/debug.go).
 */
export const syncCommand = (): string[] => ["pilot-discovery", "request", "GET", "/debug/syncz"];

interface Pod extends KubeObject {
    spec?: { containers?: { name: string }[]; initContainers?: { name: string; restartPolicy?: string }[] };
    status?: KubeObject["status"] & { containerStatuses?: { name: string; ready: boolean }[]; initContainerStatuses?: { name: string; ready: boolean }[] };
}

/** A proxy in istiod's syncz: for each xDS type, the nonce sent and the one acked. */
export interface SyncStatus {
    proxy: string;
    cluster_sent?: string;
    cluster_acked?: string;
    listener_sent?: string;
    listener_acked?: string;
    route_sent?: string;
    route_acked?: string;
    endpoint_sent?: string;
    endpoint_acked?: string;
}

export function staleProxies(status: SyncStatus[]): string[] {
    return status
        .filter((s) => (["cluster", "listener", "route", "endpoint"] as const).some((t) => (s[`${t}_sent`] ?? "") !== (s[`${t}_acked`] ?? "")))
        .map((s) => s.proxy);
}

const keyHeader = (ctx: VerifyContext) => ({ "X-Api-Key": ctx.shlinkApiKey });

export const MESH_EDGE_CHECKS: Check[] = [
    {
        id: "mesh.sidecars",
        group: "mesh-edge",
        proves: "every Shlink pod carries a ready istio-proxy sidecar (injection worked on the first up)",
        timeoutSeconds: 15,
        async run(ctx) {
            const pods = await items<Pod>(
                ctx,
                `/api/v1/namespaces/${SHLINK.namespace}/pods?labelSelector=${selector({ "app.kubernetes.io/name": SHLINK.name })}`,
            );
            const without = pods
                .filter((p) => ![...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])].some((c) => c.name === SIDECAR && c.ready))
                .map((p) => p.metadata.name);
            const evidence = `${pods.length - without.length}/${pods.length} Shlink pods with a ready ${SIDECAR}`;
            return without.length > 0 || pods.length === 0
                ? fail(
                      evidence,
                      pods.length === 0 ? "no Shlink pod" : `no ready sidecar: ${names(without)}`,
                      `kubectl -n ${SHLINK.namespace} rollout restart deploy/${SHLINK.name} (they started before istiod); kubectl get ns ${SHLINK.namespace} --show-labels`,
                  )
                : pass(evidence);
        },
    },
    {
        id: "mesh.proxies-synced",
        group: "mesh-edge",
        proves: "every proxy has acknowledged istiod's latest configuration (in sync)",
        timeoutSeconds: 20,
        async run(ctx) {
            const [istiod] = (await items<Pod>(ctx, `/api/v1/namespaces/${ISTIO.namespace}/pods?labelSelector=${selector({ app: "istiod" })}`)).filter(isReady);
            if (istiod === undefined) {
                return fail("no ready istiod", "istiod is down: no proxy gets new configuration", `kubectl -n ${ISTIO.namespace} get pods`);
            }
            const status = JSON.parse(await ctx.exec(ISTIO.namespace, istiod.metadata.name, "discovery", syncCommand(), 15_000)) as SyncStatus[];
            const stale = staleProxies(status);
            const evidence = `${status.length - stale.length}/${status.length} proxies in sync (asked ${istiod.metadata.name})`;
            return stale.length > 0 || status.length === 0
                ? fail(
                      evidence,
                      status.length === 0 ? "istiod knows no proxy" : `not acked: ${names(stale, 5)}`,
                      "istioctl proxy-status; the stale pod's istio-proxy log (a rejected config names itself there)",
                  )
                : pass(evidence);
        },
    },
    {
        id: STRICT_MTLS_ROW,
        group: "mesh-edge",
        proves: "a plaintext request to Shlink from a pod outside the mesh is refused (STRICT mTLS), though the policies let it through",
        timeoutSeconds: 150,
        async run(ctx) {
            const result = (await ctx.probes()).get(STRICT_MTLS_ROW);
            if (result === undefined || result.kind === "error") {
                throw new Error(`the probe could not run: ${result?.kind === "error" ? result.message : "no result"}`);
            }
            if (result.kind !== "http") {
                throw new Error(`unexpected probe result ${result.kind}`);
            }
            // The sidecar cuts a plaintext connection (curl 52: empty reply, 56: reset). A refusal (7) is kube-router's
            // NetworkPolicy REJECT (icmp-port-unreachable, pkg/controllers/netpol) or nothing listening, a timeout (28) a
            // drop on the way: neither says anything about mTLS.
            if (result.exit === 52 || result.exit === 56) {
                return pass(`plaintext HTTP to a Shlink pod: the connection was cut with no HTTP answer (curl exit ${result.exit})`);
            }
            if (result.exit !== 0 || result.code === "000") {
                throw new Error(
                    `the probe could not tell: curl exit ${result.exit} (${result.exit === 28 ? "timed out: dropped on the way" : result.exit === 7 ? "refused: a NetworkPolicy rejected the probe, or nothing listens" : "no HTTP answer"}), not an mTLS refusal`,
                );
            }
            return fail(
                `plaintext HTTP to a Shlink pod answered ${result.code}`,
                "Shlink accepts plaintext: the PeerAuthentication is not STRICT, or the pod has no sidecar",
                `kubectl -n ${SHLINK.namespace} get peerauthentication -o yaml; kubectl -n ${SHLINK.namespace} get pods`,
            );
        },
    },
    {
        ...P.shlinkHealth,
        group: "mesh-edge",
        timeoutSeconds: 15,
        fast: true,
        async run(ctx) {
            const res = await ctx.web(`${ctx.lab.urls.shlink}${SHLINK.healthPath}`);
            const evidence = `${ctx.lab.urls.shlink}${SHLINK.healthPath}: ${res.status} ${res.body.slice(0, 60)}`;
            return res.status === 200 && /"status":\s*"pass"/.test(res.body)
                ? pass(evidence)
                : fail(
                      evidence,
                      res.status === 503 ? "the gateway has no healthy Shlink (upstream down or no sidecar)" : "Shlink is not healthy (database or Redis)",
                      `kubectl -n ${SHLINK.namespace} logs deploy/${SHLINK.name} -c ${SHLINK.name}`,
                  );
        },
    },
    {
        id: "edge.https-doors",
        group: "mesh-edge",
        proves: "every door (Shlink, Grafana, Kiali, Jaeger, Alertmanager, Vault, Argo CD) answers over HTTPS with a certificate from the lab CA",
        timeoutSeconds: 30,
        async run(ctx) {
            const doors = Object.entries(ctx.lab.urls).filter((e): e is [string, string] => e[1] !== undefined);
            const answers = await Promise.all(
                doors.map(async ([name, url]) => {
                    try {
                        const res = await ctx.web(url);
                        return { name, ok: res.status < 500, detail: `${res.status}` };
                    } catch (e) {
                        return { name, ok: false, detail: e instanceof Error ? e.message : String(e) };
                    }
                }),
            );
            const bad = answers.filter((a) => !a.ok).map((a) => `${a.name} (${a.detail})`);
            const evidence = names(
                answers.map((a) => `${a.name} ${a.detail.slice(0, 60)}`),
                8,
            );
            return bad.length > 0
                ? fail(
                      evidence,
                      `not answering over verified HTTPS: ${names(bad)}`,
                      `kubectl -n ${ISTIO.gatewayNamespace} get certificate homelab-edge; kubectl -n ${ISTIO.gatewayNamespace} get gateway,virtualservice -A`,
                  )
                : pass(evidence);
        },
    },
    {
        ...P.httpRedirects,
        group: "mesh-edge",
        timeoutSeconds: 20,
        fast: true,
        async run(ctx) {
            const svc = await ctx.kube.json<{ spec: { ports?: { name?: string; port: number }[] } }>(
                `/api/v1/namespaces/${GATEWAY_SERVICE.namespace}/services/${GATEWAY_SERVICE.name}`,
            );
            const host = new URL(ctx.lab.urls.shlink).hostname;
            const ports = (svc.spec.ports ?? []).filter((p) => p.name?.startsWith("http-"));
            const problems: string[] = [];
            const seen: string[] = [];
            for (const p of ports) {
                const res = await ctx.web(`http://${host}:${p.port}/rest/health`);
                const location = res.headers.location ?? "";
                seen.push(`${p.port} → ${res.status} ${location}`);
                if (res.status !== 301 || !/^https:\/\/[^/]+\/rest\/health$/.test(location))
                    problems.push(`${p.name} (${p.port}) answered ${res.status}${location ? ` to ${location}` : ""}`);
            }
            return problems.length > 0 || ports.length === 0
                ? fail(
                      names(seen),
                      ports.length === 0 ? "the gateway publishes no plain-HTTP port" : names(problems),
                      `kubectl -n ${SHLINK.namespace} get virtualservice -o yaml (the redirect route); components/contracts/doors.ts`,
                  )
                : pass(names(seen));
        },
    },
    {
        ...P.apiNeedsKey,
        group: "mesh-edge",
        timeoutSeconds: 15,
        fast: true,
        async run(ctx) {
            const res = await ctx.web(`${ctx.lab.urls.shlink}/rest/v3/short-urls`, {
                method: "POST",
                headers: { "Content-Type": "application/json" },
                body: JSON.stringify({ longUrl: SMOKE_LONG_URL, findIfExists: true }),
            });
            return res.status === 403
                ? pass("a keyless POST /rest/v3/short-urls got 403")
                : fail(
                      `a keyless POST got ${res.status}`,
                      "the AuthorizationPolicy does not guard the API",
                      `kubectl -n ${SHLINK.namespace} get authorizationpolicy -o yaml`,
                  );
        },
    },
    {
        ...P.shortUrlRedirects,
        group: "mesh-edge",
        timeoutSeconds: 20,
        fast: true,
        async run(ctx) {
            const created = await ctx.web(`${ctx.lab.urls.shlink}/rest/v3/short-urls`, {
                method: "POST",
                headers: { ...keyHeader(ctx), "Content-Type": "application/json" },
                // findIfExists: every run reuses one short URL, nothing piles up.
                body: JSON.stringify({ longUrl: SMOKE_LONG_URL, findIfExists: true }),
            });
            const code = created.status === 200 ? (JSON.parse(created.body) as { shortCode?: string }).shortCode : undefined;
            if (code === undefined) {
                return fail(
                    `create answered ${created.status}: ${created.body.slice(0, 120)}`,
                    created.status === 401 ? "the API key is refused (Vault's key and Shlink's differ)" : "Shlink could not create a short URL",
                    `kubectl -n ${SHLINK.namespace} logs deploy/${SHLINK.name} -c ${SHLINK.name}`,
                );
            }
            const follow = await ctx.web(`${ctx.lab.urls.shlink}/${code}`);
            return follow.status === 302 && follow.headers.location === SMOKE_LONG_URL
                ? pass(`/${code} → 302 ${SMOKE_LONG_URL}`)
                : fail(
                      `/${code} → ${follow.status} ${follow.headers.location ?? ""}`,
                      "the redirect does not reach the long URL",
                      `kubectl -n ${SHLINK.namespace} logs deploy/${SHLINK.name} -c ${SHLINK.name}`,
                  );
        },
    },
    {
        id: "edge.rate-limit",
        group: "mesh-edge",
        // Emptying the creation bucket would fail the load run and the short-URL check if they ran beside it.
        alone: true,
        proves: "a burst over the creation limit gets 429 from the gateway with our header (keyless, so nothing is created)",
        timeoutSeconds: 60,
        async run(ctx) {
            // Per gateway pod: two pods hold two buckets. Keyless GETs count at the gateway and are refused (403) behind it.
            const budget = ctx.lab.createPerMinute * 2 + 20;
            const url = `${ctx.lab.urls.shlink}/rest/v3/short-urls/shorten?longUrl=${encodeURIComponent(SMOKE_LONG_URL)}`;
            let sent = 0;
            const counts: Record<number, number> = {};
            while (sent < budget) {
                const batch = await Promise.all(Array.from({ length: Math.min(10, budget - sent) }, () => ctx.web(url)));
                sent += batch.length;
                batch.forEach((r) => (counts[r.status] = (counts[r.status] ?? 0) + 1));
                const limited = batch.find((r) => r.status === 429);
                if (limited !== undefined) {
                    const header = limited.headers[SHLINK_RATE_LIMIT.header];
                    return header === SHLINK_RATE_LIMIT.routes.create.name
                        ? pass(`429 after ${sent} requests, ${SHLINK_RATE_LIMIT.header}: ${header} (limit ${ctx.lab.createPerMinute}/min per gateway pod)`)
                        : fail(
                              `429 after ${sent} requests without ${SHLINK_RATE_LIMIT.header}: ${header ?? "(absent)"}`,
                              "the 429 is not ours (Shlink's, or the EnvoyFilter's header patch did not apply)",
                              `kubectl -n ${ISTIO.gatewayNamespace} get envoyfilter ${SHLINK_RATE_LIMIT.name} -o yaml`,
                          );
                }
            }
            return fail(
                `no 429 in ${sent} requests (${Object.entries(counts)
                    .map(([s, n]) => `${n}×${s}`)
                    .join(", ")})`,
                "the local rate limit did not apply (the EnvoyFilter did not patch the route)",
                `kubectl -n ${ISTIO.gatewayNamespace} get envoyfilter ${SHLINK_RATE_LIMIT.name} -o yaml; istioctl proxy-config route deploy/${ISTIO.gatewayRelease} -n ${ISTIO.gatewayNamespace} -o json`,
            );
        },
    },
    {
        id: "edge.trace-in-jaeger",
        group: "mesh-edge",
        proves: "a request of ours through the gateway leaves a trace in Jaeger",
        timeoutSeconds: 60,
        async run(ctx) {
            const traceId = randomBytes(16).toString("hex");
            // traceparent names the trace; x-client-trace-id asks Envoy to trace it whatever the sampling percentage (Envoy docs; UNVERIFIED here).
            await ctx.web(`${ctx.lab.urls.shlink}${SHLINK.healthPath}`, {
                headers: { traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01`, "x-client-trace-id": randomUUID() },
            });
            const until = ctx.now() + 45_000;
            let last = "";
            while (ctx.now() < until && !ctx.signal.aborted) {
                const res = await ctx.jaeger.request(`/api/traces/${traceId}`);
                if (res.status === 200) {
                    const spans = (JSON.parse(res.body) as { data?: { spans?: unknown[] }[] }).data?.[0]?.spans?.length ?? 0;
                    if (spans > 0) return pass(`trace ${traceId}: ${spans} spans`);
                }
                last = `${res.status}`;
                await ctx.sleep(3000);
            }
            return fail(
                `trace ${traceId} not found (Jaeger answered ${last})`,
                "the gateway's spans do not reach Jaeger (sampling, the mesh's tracing provider, or the OTLP flow)",
                "kubectl -n istio-system get telemetry -A -o yaml; kubectl -n observability logs deploy/jaeger",
            );
        },
    },
];
