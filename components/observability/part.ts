import type { Part } from "../contracts/part";
import { observabilityChecks } from "./checks";
import { observabilityTelemetry } from "./telemetry";
import { observabilityOperations } from "./operations";
import { observabilityPlacement } from "./placement";

export const observabilityPart: Part = { name: "observability", ...observabilityPlacement, ...observabilityOperations, ...observabilityTelemetry, ...observabilityChecks };
