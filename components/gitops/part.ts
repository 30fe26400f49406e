import type { Part } from "../contracts/part";
import { gitopsChecks } from "./checks";
import { gitopsOperations } from "./operations";
import { gitopsPlacement } from "./placement";

export const gitopsPart: Part = { name: "gitops", ...gitopsPlacement, ...gitopsOperations, ...gitopsChecks };
