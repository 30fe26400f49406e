import { NO_TELEMETRY, type PartTelemetry } from "../contracts/telemetry";

export const smokeTelemetry: PartTelemetry = NO_TELEMETRY;
