import type { PartTelemetry } from "../contracts/telemetry";

export const k3sTelemetry: PartTelemetry = {};
