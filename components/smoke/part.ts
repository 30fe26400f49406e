import type { Part } from "../contracts/part";
import { smokeChecks } from "./checks";
import { smokeTelemetry } from "./telemetry";
import { smokeOperations } from "./operations";
import { smokePlacement } from "./placement";

export const smokePart: Part = { name: "smoke", ...smokePlacement, ...smokeOperations, ...smokeTelemetry, ...smokeChecks };
