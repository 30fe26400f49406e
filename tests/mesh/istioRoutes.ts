// A model of what the ingress gateway's Envoy holds for one VirtualService on one listener port, read in the pinned
// sources, to count the token buckets a request can reach:
// - Istio 1.30.3 pilot/pkg/networking/core/route/route.go:400–443 (BuildHTTPRoutesForVirtualService) and 467–494
//   (TranslateRoute): one Envoy route per `match` entry, every one named after the HTTP route (plus "." and the
//   match's own name, if any); a match for another port makes none; after a catch-all route (1635–1649: path
//   prefix "/" or regex ".*", no header such as `:method`) nothing more is built.
// - Istio 1.30.3 pilot/pkg/networking/core/envoyfilter/rc_patch.go:349–375 (routeMatch): an HTTP_ROUTE patch with a
//   route name applies to every Envoy route of that name; MERGE merges its value into the route.
// - Envoy (go-control-plane mirror of envoyproxy/envoy@94828ca, Istio 1.30.3's): a LocalRateLimit in a route's
//   typed_per_filter_config is a FilterConfig of its own, "the bucket becomes unique to that route".
// A field the model does not know fails, so it cannot silently mistake a route.

type StringMatch = { exact?: string; prefix?: string; regex?: string };
export interface HttpMatch {
    name?: string;
    port?: number;
    method?: StringMatch;
    uri?: StringMatch;
}
export interface HttpRoute {
    name?: string;
    match?: HttpMatch[];
    [field: string]: unknown;
}
export interface EnvoyRoute {
    name: string;
    match: HttpMatch | undefined;
    typed_per_filter_config?: Record<string, any>;
}
export interface Request {
    method: string;
    path: string;
}

const KNOWN_MATCH_FIELDS = new Set(["name", "port", "method", "uri"]);

/** Istio's IsCatchAllRoute for the fields modelled: no method (a header match) and any path. */
function isCatchAll(match: HttpMatch | undefined): boolean {
    const uri = match?.uri;
    return match?.method === undefined && (uri === undefined || uri.prefix === "/" || uri.regex === ".*");
}

/** The Envoy routes Istio builds from a VirtualService's HTTP routes for a listener on `listenPort`. */
export function envoyRoutes(http: HttpRoute[], listenPort: number): EnvoyRoute[] {
    const out: EnvoyRoute[] = [];
    for (const route of http) {
        const matches: (HttpMatch | undefined)[] = route.match === undefined || route.match.length === 0 ? [undefined] : route.match;
        for (const match of matches) {
            const unknown = Object.keys(match ?? {}).filter((k) => !KNOWN_MATCH_FIELDS.has(k));
            if (unknown.length > 0) {
                throw new Error(`the route model does not know match fields ${unknown.join(", ")}`);
            }
            if (match?.port !== undefined && match.port !== listenPort) {
                continue;
            }
            out.push({ name: match?.name ? `${route.name ?? ""}.${match.name}` : (route.name ?? ""), match });
            if (isCatchAll(match)) {
                return out;
            }
        }
    }
    return out;
}

/** The EnvoyFilter's HTTP_ROUTE patches (MERGE, matched by route name) applied to the routes. */
export function patchRoutes(routes: EnvoyRoute[], configPatches: any[]): EnvoyRoute[] {
    const patches = configPatches.filter((p) => p.applyTo === "HTTP_ROUTE");
    return routes.map((route) => {
        let patched = { ...route };
        for (const p of patches) {
            if (p.patch.operation !== "MERGE") {
                throw new Error(`the route model knows only MERGE (got ${p.patch.operation})`);
            }
            const name = p.match?.routeConfiguration?.vhost?.route?.name;
            if (name === undefined || name === route.name) {
                patched = {
                    ...patched,
                    ...p.patch.value,
                    typed_per_filter_config: { ...patched.typed_per_filter_config, ...p.patch.value.typed_per_filter_config },
                };
            }
        }
        return patched;
    });
}

const fullMatch = (regex: string, text: string) => new RegExp(`^(?:${regex})$`).test(text);

function stringMatches(m: StringMatch | undefined, text: string): boolean {
    if (m === undefined) return true;
    if (m.exact !== undefined) return m.exact === text;
    if (m.prefix !== undefined) return text.startsWith(m.prefix);
    if (m.regex !== undefined) return fullMatch(m.regex, text);
    throw new Error(`the route model does not know this string match: ${JSON.stringify(m)}`);
}

/** The route Envoy picks for a request: the first whose match accepts it (the path without its query string). */
export function routeFor(routes: EnvoyRoute[], request: Request): EnvoyRoute | undefined {
    const path = request.path.split("?")[0];
    return routes.find((r) => stringMatches(r.match?.method, request.method) && stringMatches(r.match?.uri, path));
}

/**
 * The most requests per `perSeconds` a set of requests can pass through the local rate limit, per gateway pod: every
 * distinct bucket they reach (one per Envoy route carrying a per-route LocalRateLimit), its tokens per fill scaled
 * to the period. A request that reaches a route without a limit makes it unbounded.
 */
export function allowedPer(routes: EnvoyRoute[], requests: Request[], filter: string, perSeconds: number): number {
    const reached = new Set<EnvoyRoute>();
    for (const request of requests) {
        const route = routeFor(routes, request);
        if (route === undefined) {
            throw new Error(`no route for ${request.method} ${request.path}`);
        }
        reached.add(route);
    }
    let total = 0;
    for (const route of reached) {
        const bucket = route.typed_per_filter_config?.[filter]?.token_bucket;
        if (bucket === undefined) {
            return Infinity;
        }
        const fillSeconds = Number(String(bucket.fill_interval).replace(/s$/, ""));
        total += bucket.tokens_per_fill * (perSeconds / fillSeconds);
    }
    return total;
}
