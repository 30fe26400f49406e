import type { Part } from "../contracts/part";
import { edgeChecks } from "./checks";
import { edgeOperations } from "./operations";
import { edgePlacement } from "./placement";

export const edgePart: Part = { name: "edge", ...edgePlacement, ...edgeOperations, ...edgeChecks };
