import type { PartTelemetry } from "../contracts/telemetry";

export const meshTelemetry: PartTelemetry = {};
