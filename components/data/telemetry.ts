import type { PartTelemetry } from "../contracts/telemetry";

export const dataTelemetry: PartTelemetry = {};
