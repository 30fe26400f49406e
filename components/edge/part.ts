import type { Part } from "../contracts/part";
import { edgeChecks } from "./checks";
import { edgeTelemetry } from "./telemetry";
import { edgeOperations } from "./operations";
import { edgePlacement } from "./placement";

export const edgePart: Part = { name: "edge", ...edgePlacement, ...edgeOperations, ...edgeTelemetry, ...edgeChecks };
