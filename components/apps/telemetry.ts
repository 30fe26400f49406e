import type { PartTelemetry } from "../contracts/telemetry";

export const appsTelemetry: PartTelemetry = {};
