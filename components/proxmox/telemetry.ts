import type { PartTelemetry } from "../contracts/telemetry";

export const proxmoxTelemetry: PartTelemetry = {};
