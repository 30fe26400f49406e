import type { Part } from "../contracts/part";
import { smokeChecks } from "./checks";
import { smokeOperations } from "./operations";
import { smokePlacement } from "./placement";

export const smokePart: Part = { name: "smoke", ...smokePlacement, ...smokeOperations, ...smokeChecks };
