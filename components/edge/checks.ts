import type { PartChecks } from "../contracts/checks";

/** The plain-HTTP door answering 301 to HTTPS; one of the gateway pods serving the doors killed. */
export const edgeChecks: PartChecks = {
    probes: (ports) => [{ check: "http_redirects", door: { scheme: "http", port: ports.shlink } }],
    drills: ["ingress-gateway"],
};
