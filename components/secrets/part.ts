import type { Part } from "../contracts/part";
import { secretsChecks } from "./checks";
import { secretsTelemetry } from "./telemetry";
import { secretsOperations } from "./operations";
import { secretsPlacement } from "./placement";

export const secretsPart: Part = { name: "secrets", ...secretsPlacement, ...secretsOperations, ...secretsTelemetry, ...secretsChecks };
