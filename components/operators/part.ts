import type { Part } from "../contracts/part";
import { operatorsChecks } from "./checks";
import { operatorsTelemetry } from "./telemetry";
import { operatorsOperations } from "./operations";
import { operatorsPlacement } from "./placement";

export const operatorsPart: Part = { name: "operators", ...operatorsPlacement, ...operatorsOperations, ...operatorsTelemetry, ...operatorsChecks };
