import type { Part } from "../contracts/part";
import { dataChecks } from "./checks";
import { dataTelemetry } from "./telemetry";
import { dataOperations } from "./operations";
import { dataPlacement } from "./placement";

export const dataPart: Part = { name: "data", ...dataPlacement, ...dataOperations, ...dataTelemetry, ...dataChecks };
