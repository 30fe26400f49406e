// Envoy's local rate limit for Shlink at the ingress gateway, as an EnvoyFilter spec; tests call it directly.
// Per route rather than by descriptors: each named route of Shlink's VirtualService gets its own bucket through
// `typed_per_filter_config`, so the limit follows Istio's own route match (method and path) with no second copy
// of it in Envoy's descriptor language.
import type { ShlinkRateLimits } from "../contracts/rateLimits";
import { SHLINK_RATE_LIMIT } from "./facts";

type RateLimitedRoute = (typeof SHLINK_RATE_LIMIT.routes)[keyof typeof SHLINK_RATE_LIMIT.routes];

/** Every request counts and every refusal is enforced (Envoy's defaults are 0 %, "for safety"). */
const ALL_REQUESTS = { numerator: 100, denominator: "HUNDRED" } as const;

/** What a refused client reads: RFC 9457 problem details, like Shlink's own API errors. */
export const RATE_LIMITED_BODY = {
    type: "about:blank",
    title: "Too Many Requests",
    status: 429,
    detail:
        `Refused by the homelab's ingress gateway: over Shlink's rate limit named in the ${SHLINK_RATE_LIMIT.header} header ` +
        "(homelab:shlinkCreateRatePerMinute or homelab:shlinkRedirectRatePerSecond, per gateway pod). Retry after Retry-After seconds.",
} as const;

/** The tokens of each route in one fill interval: creations per minute, every other request per second. */
export function routeTokens(limits: ShlinkRateLimits): Record<keyof typeof SHLINK_RATE_LIMIT.routes, number> {
    return { create: limits.createPerMinute, redirect: limits.redirectPerSecond };
}

/**
 * A bucket refilled to the brim every interval: at most `tokens` requests per interval and pod, any burst within
 * it allowed (a whole interval's tokens at once).
 */
export function tokenBucket(tokens: number, fillIntervalSeconds: number) {
    return { max_tokens: tokens, tokens_per_fill: tokens, fill_interval: `${fillIntervalSeconds}s` };
}

/** One route's LocalRateLimit: its own bucket and stats, enforced on every request, 429 with the route's name. */
export function routeRateLimit(route: RateLimitedRoute, tokens: number) {
    const header = (key: string, value: string) => ({ append_action: "OVERWRITE_IF_EXISTS_OR_ADD", header: { key, value } });
    return {
        "@type": SHLINK_RATE_LIMIT.typeUrl,
        stat_prefix: route.statPrefix,
        token_bucket: tokenBucket(tokens, route.fillIntervalSeconds),
        filter_enabled: { runtime_key: `${route.statPrefix}_enabled`, default_value: ALL_REQUESTS },
        filter_enforced: { runtime_key: `${route.statPrefix}_enforced`, default_value: ALL_REQUESTS },
        response_headers_to_add: [header(SHLINK_RATE_LIMIT.header, route.name), header("retry-after", String(route.fillIntervalSeconds))],
    };
}

/** One route of a VirtualService: its own match (none: every request), and whatever it does. */
interface HttpRoute {
    match?: Record<string, unknown>[];
    [field: string]: unknown;
}

/**
 * Splits an app's route into the two named routes the filter limits: URL creation (Shlink's methods and paths, within
 * the route's own match), then everything else; both keep the route's destination, retries and timeout. Each is one
 * match, so one Envoy route and one bucket: Istio builds an Envoy route of every match, each with the bucket.
 */
export function rateLimitedRoutes<R extends HttpRoute>(route: R) {
    const { routes, createMatch } = SHLINK_RATE_LIMIT;
    const within = route.match ?? [{}];
    if (within.length !== 1) {
        throw new Error(`${routes.create.name} must be one match (one Envoy route, one bucket); the route it narrows has ${within.length}`);
    }
    const match = [{ ...within[0], method: { regex: createMatch.methods }, uri: { regex: createMatch.path } }];
    return [
        { ...route, name: routes.create.name, match },
        { ...route, name: routes.redirect.name },
    ];
}

const GATEWAY_HCM = { context: "GATEWAY", listener: { filterChain: { filter: { name: SHLINK_RATE_LIMIT.connectionManager } } } };

/**
 * The gateway's 429s get a body that says what happened: the filter itself answers `local_rate_limited` and has no
 * body setting, so the connection manager's local-reply mapper rewrites its local 429s (only the rate limiters
 * send those; Shlink's own responses are never local replies).
 */
function rateLimitedReplyPatch() {
    return {
        applyTo: "NETWORK_FILTER",
        match: GATEWAY_HCM,
        patch: {
            operation: "MERGE",
            value: {
                typed_config: {
                    "@type": SHLINK_RATE_LIMIT.connectionManagerType,
                    local_reply_config: {
                        mappers: [
                            {
                                filter: {
                                    status_code_filter: {
                                        comparison: { op: "EQ", value: { default_value: 429, runtime_key: `${SHLINK_RATE_LIMIT.statPrefix}_reply_status` } },
                                    },
                                },
                                body_format_override: {
                                    // text_format is deprecated in Envoy's SubstitutionFormatString at Istio 1.30.3's Envoy.
                                    text_format_source: { inline_string: `${JSON.stringify(RATE_LIMITED_BODY)}\n` },
                                    content_type: "application/problem+json",
                                },
                            },
                        ],
                    },
                },
            },
        },
    };
}

/**
 * EnvoyFilter (networking.istio.io/v1alpha3) on the ingress gateway's pods: the local_ratelimit filter before the
 * router (no bucket of its own, so routes without a limit pass), a bucket on each of Shlink's named routes, and
 * the 429's body.
 */
export function rateLimitFilterSpec(gatewayLabel: string, limits: ShlinkRateLimits) {
    const tokens = routeTokens(limits);
    const routes = Object.entries(SHLINK_RATE_LIMIT.routes) as [keyof typeof SHLINK_RATE_LIMIT.routes, RateLimitedRoute][];
    return {
        workloadSelector: { labels: { istio: gatewayLabel } },
        configPatches: [
            {
                applyTo: "HTTP_FILTER",
                match: {
                    context: "GATEWAY",
                    listener: { filterChain: { filter: { name: SHLINK_RATE_LIMIT.connectionManager, subFilter: { name: SHLINK_RATE_LIMIT.router } } } },
                },
                patch: {
                    operation: "INSERT_BEFORE",
                    value: { name: SHLINK_RATE_LIMIT.filter, typed_config: { "@type": SHLINK_RATE_LIMIT.typeUrl, stat_prefix: SHLINK_RATE_LIMIT.statPrefix } },
                },
            },
            ...routes.map(([role, route]) => ({
                applyTo: "HTTP_ROUTE",
                // Istio names each Envoy route after the VirtualService's HTTP route, on every server it is bound to.
                match: { context: "GATEWAY", routeConfiguration: { vhost: { route: { name: route.name } } } },
                patch: { operation: "MERGE", value: { typed_per_filter_config: { [SHLINK_RATE_LIMIT.filter]: routeRateLimit(route, tokens[role]) } } },
            })),
            rateLimitedReplyPatch(),
        ],
    };
}

/**
 * The gateway's Envoy creates (and so Prometheus scrapes) only the stats Istio's matcher includes: add the routes'
 * `<stat_prefix>.http_local_rate_limit.*` counters (enabled, ok, rate_limited, enforced).
 */
export function rateLimitStatsAnnotation(): Record<string, string> {
    const inclusionPrefixes = Object.values(SHLINK_RATE_LIMIT.routes).map((r) => `${r.statPrefix}.http_local_rate_limit`);
    return { "proxy.istio.io/config": JSON.stringify({ proxyStatsMatcher: { inclusionPrefixes } }) };
}
