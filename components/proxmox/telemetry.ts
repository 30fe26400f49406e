import { NO_TELEMETRY, type PartTelemetry } from "../contracts/telemetry";

export const proxmoxTelemetry: PartTelemetry = NO_TELEMETRY;
