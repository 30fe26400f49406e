import type { PartTelemetry } from "../contracts/telemetry";

export const gitopsTelemetry: PartTelemetry = {};
