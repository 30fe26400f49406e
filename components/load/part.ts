import type { Part } from "../contracts/part";
import { loadChecks } from "./checks";
import { loadTelemetry } from "./telemetry";
import { loadOperations } from "./operations";
import { loadPlacement } from "./placement";

export const loadPart: Part = { name: "load", ...loadPlacement, ...loadOperations, ...loadTelemetry, ...loadChecks };
