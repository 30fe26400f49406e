import type { Part } from "../contracts/part";
import { gitopsChecks } from "./checks";
import { gitopsTelemetry } from "./telemetry";
import { gitopsOperations } from "./operations";
import { gitopsPlacement } from "./placement";

export const gitopsPart: Part = { name: "gitops", ...gitopsPlacement, ...gitopsOperations, ...gitopsTelemetry, ...gitopsChecks };
