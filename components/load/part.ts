import type { Part } from "../contracts/part";
import { loadChecks } from "./checks";
import { loadOperations } from "./operations";
import { loadPlacement } from "./placement";

export const loadPart: Part = { name: "load", ...loadPlacement, ...loadOperations, ...loadChecks };
