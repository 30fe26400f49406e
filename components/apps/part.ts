import type { Part } from "../contracts/part";
import { appsChecks } from "./checks";
import { appsTelemetry } from "./telemetry";
import { appsOperations } from "./operations";
import { appsPlacement } from "./placement";

export const appsPart: Part = { name: "apps", ...appsPlacement, ...appsOperations, ...appsTelemetry, ...appsChecks };
