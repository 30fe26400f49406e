import type { Part } from "../contracts/part";
import { proxmoxChecks } from "./checks";
import { proxmoxTelemetry } from "./telemetry";
import { proxmoxOperations } from "./operations";
import { proxmoxPlacement } from "./placement";

export const proxmoxPart: Part = { name: "proxmox", ...proxmoxPlacement, ...proxmoxOperations, ...proxmoxTelemetry, ...proxmoxChecks };
