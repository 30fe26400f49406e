import type { Part } from "../contracts/part";
import { meshChecks } from "./checks";
import { meshTelemetry } from "./telemetry";
import { meshOperations } from "./operations";
import { meshPlacement } from "./placement";

export const meshPart: Part = { name: "mesh", ...meshPlacement, ...meshOperations, ...meshTelemetry, ...meshChecks };
