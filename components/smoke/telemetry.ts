import type { PartTelemetry } from "../contracts/telemetry";

export const smokeTelemetry: PartTelemetry = {};
