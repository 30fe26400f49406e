import type { PartTelemetry } from "../contracts/telemetry";

export const observabilityTelemetry: PartTelemetry = {};
