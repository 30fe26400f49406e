// Shlink's rate limits at the ingress gateway: the mesh enforces them, the load program plans its runs under them,
// the config loader reads them from homelab:shlinkCreateRatePerMinute and homelab:shlinkRedirectRatePerSecond.
// A shared contract: it imports no part.

/** Envoy's local rate limits on Shlink's routes: each gateway pod keeps its own buckets. */
export interface ShlinkRateLimits {
    /** URL creations (POST /rest/v{n}/short-urls, GET .../short-urls/shorten; listing GET .../short-urls counts too) per minute. */
    createPerMinute: number;
    /** Every other request (redirects above all) per second. */
    redirectPerSecond: number;
}
