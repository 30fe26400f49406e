// What one part of the lab brings, as one typed contract: the stack lists the parts (stacks/parts.ts) and the
// cross-cutting layers (Pod Security, NetworkPolicies, Vault, the budget, monitoring, the smoke check, the drills)
// are generic functions over them. Every field is required, so the compiler names what a new part forgot.
// A shared contract: it imports no part.
import type { PartChecks } from "./checks";
import type { PartTelemetry } from "./telemetry";
import type { PartOperations } from "./operations";
import type { PartPlacement } from "./placement";

export interface Part extends PartPlacement, PartOperations, PartTelemetry, PartChecks {
    /** The part's folder under components/. */
    readonly name: string;
}
