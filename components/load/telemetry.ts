import type { PartTelemetry } from "../contracts/telemetry";

export const loadTelemetry: PartTelemetry = {};
