import type { PartChecks } from "../contracts/checks";

/** Shlink healthy through its HTTPS door, a short URL created with the API key redirecting; its pods killed in turn. */
export const appsChecks: PartChecks = {
    probes: (ports) => [{ check: "shlink_health", door: { scheme: "https", port: ports.shlinkHttps } }, { check: "short_url_redirects" }],
    drills: ["shlink-pod"],
};
