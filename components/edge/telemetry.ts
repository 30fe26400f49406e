import { NO_TELEMETRY, type PartTelemetry } from "../contracts/telemetry";

export const edgeTelemetry: PartTelemetry = NO_TELEMETRY;
