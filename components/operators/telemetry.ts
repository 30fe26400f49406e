import type { PartTelemetry } from "../contracts/telemetry";

export const operatorsTelemetry: PartTelemetry = {};
