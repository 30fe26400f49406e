import type { Part } from "../contracts/part";
import { k3sChecks } from "./checks";
import { k3sTelemetry } from "./telemetry";
import { k3sOperations } from "./operations";
import { k3sPlacement } from "./placement";

export const k3sPart: Part = { name: "k3s", ...k3sPlacement, ...k3sOperations, ...k3sTelemetry, ...k3sChecks };
