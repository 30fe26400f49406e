import { NO_TELEMETRY, type PartTelemetry } from "../contracts/telemetry";

export const gitopsTelemetry: PartTelemetry = NO_TELEMETRY;
