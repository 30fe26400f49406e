import type { Part } from "../contracts/part";
import { meshChecks } from "./checks";
import { meshOperations } from "./operations";
import { meshPlacement } from "./placement";

export const meshPart: Part = { name: "mesh", ...meshPlacement, ...meshOperations, ...meshChecks };
