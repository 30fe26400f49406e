import type { PartTelemetry } from "../contracts/telemetry";

export const secretsTelemetry: PartTelemetry = {};
