// The promises the smoke check at the end of `pulumi up` proves, named by the ids `npm run verify` gives them: the
// smoke check is the acceptance suite's fast subset (programs/verify marks exactly these checks fast, with these
// words), so the first `up` and a later `npm run verify` name the same promises the same way.

export interface SmokePromise {
    /** The acceptance suite's check id. */
    id: string;
    /** What it proves, as both print it (the smoke check adds the URL it called). */
    proves: string;
}

export const SMOKE_PROMISES = {
    nodesReady: { id: "cluster.nodes-ready", proves: "every node is Ready" },
    shlinkHealth: { id: "edge.shlink-health", proves: "Shlink /rest/health through the ingress gateway, over HTTPS verified with the lab CA" },
    httpRedirects: { id: "edge.http-redirects", proves: "plain HTTP answers 301 to HTTPS" },
    apiNeedsKey: { id: "edge.api-needs-key", proves: "the API refuses calls without X-Api-Key (mesh AuthorizationPolicy)" },
    shortUrlRedirects: { id: "edge.short-url-redirects", proves: "a short URL created with the API key redirects (302) to its long URL" },
    grafana: { id: "observability.grafana-health", proves: "Grafana /api/health through the gateway, its database ok" },
    kiali: { id: "observability.kiali-health", proves: "Kiali health through the gateway" },
    jaeger: { id: "observability.jaeger-ui", proves: "Jaeger UI through the gateway" },
    vault: { id: "data.openbao-health", proves: "Vault /v1/sys/health: initialised, unsealed, active" },
} as const satisfies Record<string, SmokePromise>;

/** The ExternalSecrets promise names the namespaces it covers. */
export const EXTERNAL_SECRETS_PROMISE = {
    id: "releases.external-secrets-ready",
    proves: (namespaces: readonly string[]) => `every ExternalSecret in ${namespaces.join(", ")} reports Ready (synced from Vault)`,
} as const;
