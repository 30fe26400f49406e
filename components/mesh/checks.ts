import type { PartChecks } from "../contracts/checks";

/** The AuthorizationPolicy refusing a keyless API call (through Shlink's door); istiod killed under load. */
export const meshChecks: PartChecks = {
    probes: () => [{ check: "api_needs_key" }],
    drills: ["istiod"],
};
