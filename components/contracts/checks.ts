// One quarter of a part's contract (components/contracts/part.ts): how the lab proves the part works. A shared
// contract: it imports no part.
import type { DoorPorts } from "./doors";

export type { DoorPorts };

/** A door a probe calls from inside the lab's network: the lab's public address, on this port (and path). */
export type ProbeDoor = { readonly scheme: "https"; readonly port: number; readonly path?: string } | { readonly scheme: "http"; readonly port: number };

/**
 * One check of the end-to-end smoke check at the end of `pulumi up` (its script's `check_<check>` function, named by
 * the promise `npm run verify` proves the same way), with what it needs: the door it calls, or the ExternalSecrets it
 * reads. The checks that reuse another's door (the API calls go through Shlink's) need nothing of their own.
 */
export type SmokeProbe =
    | { readonly check: "nodes_ready" | "api_needs_key" | "short_url_redirects" }
    | { readonly check: "shlink_health" | "http_redirects" | "grafana" | "kiali" | "jaeger" | "vault"; readonly door: ProbeDoor }
    | { readonly check: "external_secrets"; readonly apiVersion: string };

/** The smoke check's checks: each must be some part's probe, exactly once. */
export type SmokeCheckName = SmokeProbe["check"];

export interface PartChecks {
    /** What the smoke check runs to prove this part, given the doors' ports; `[]` when none. */
    readonly probes: (ports: DoorPorts) => readonly SmokeProbe[];
    /** The drills (`npm run drill`) that take something of this part away and prove it recovers: drill catalog ids. */
    readonly drills: readonly string[];
}

/**
 * What is wrong with the parts' drill claims against the drill catalog's ids (`[]` when nothing): every drill must be
 * exactly one part's, and every drill a part claims must be in the catalog.
 */
export function drillClaimErrors(parts: readonly (Pick<PartChecks, "drills"> & { readonly name: string })[], drillIds: readonly string[]): string[] {
    const claimed = (drill: string) => parts.filter((part) => part.drills.includes(drill)).map((part) => part.name);
    const unclaimed = drillIds.filter((drill) => claimed(drill).length === 0).map((drill) => `drill ${drill} is no part's`);
    const shared = drillIds.filter((drill) => claimed(drill).length > 1).map((drill) => `drill ${drill} is claimed by ${claimed(drill).join(" and ")}`);
    const unknown = parts.flatMap((part) =>
        part.drills.filter((drill) => !drillIds.includes(drill)).map((drill) => `${part.name} claims ${drill}, which is no drill`),
    );
    return [...unclaimed, ...shared, ...unknown];
}
