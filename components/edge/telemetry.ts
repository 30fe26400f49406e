import type { PartTelemetry } from "../contracts/telemetry";

export const edgeTelemetry: PartTelemetry = {};
