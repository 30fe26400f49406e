// A stack's config as `pulumi up` hands it to the program, read from the files alone (no CLI, no decryption):
// the project's defaults in Pulumi.yaml under the stack's own values in Pulumi.<stack>.yaml.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** The project's name: keys without a namespace belong to it, as Pulumi reads them. */
const PROJECT = "homelab";
/** What `pulumi stack init` accepts, and nothing that leaves the folder. */
export const STACK_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export interface StackConfig {
    /** Every key as the engine passes it: strings, with lists and objects as JSON. */
    config: Record<string, string>;
    /** Keys stored encrypted (`secure:`): set, their values unknown without the passphrase. */
    encrypted: string[];
}

export function stackFileName(stack: string): string {
    return `Pulumi.${stack}.yaml`;
}

/** Pulumi's full key: `homelab:x` for a bare `x`, other namespaces as written. */
function fullKey(key: string): string {
    return key.includes(":") ? key : `${PROJECT}:${key}`;
}

/** A value as the engine passes it to the program: strings as they are, anything else as JSON. */
function engineValue(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

/** The project's defaults: `config.<key>.default` in Pulumi.yaml (a bare value is a default too). */
export function projectDefaults(projectFile: string): Record<string, string> {
    const doc = (parse(fs.readFileSync(projectFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const defaults: Record<string, string> = {};
    for (const [key, spec] of Object.entries(doc.config ?? {})) {
        const declared = typeof spec === "object" && spec !== null && !Array.isArray(spec);
        if (declared && "default" in spec) {
            defaults[fullKey(key)] = engineValue((spec as { default: unknown }).default);
        } else if (!declared) {
            defaults[fullKey(key)] = engineValue(spec);
        }
    }
    return defaults;
}

/** The stack file's own values (no defaults); empty when the file does not exist yet. */
export function stackFileValues(root: string, stack: string): StackConfig {
    const file = path.join(root, stackFileName(stack));
    if (!fs.existsSync(file)) {
        return { config: {}, encrypted: [] };
    }
    let doc: { config?: Record<string, unknown> } | null;
    try {
        doc = parse(fs.readFileSync(file, "utf8")) as typeof doc;
    } catch (e) {
        throw new Error(`${stackFileName(stack)} is not valid YAML: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
    const config: Record<string, string> = {};
    const encrypted: string[] = [];
    for (const [key, value] of Object.entries(doc?.config ?? {})) {
        if (value === null || value === undefined) {
            continue;
        }
        if (isSecure(value)) {
            encrypted.push(fullKey(key));
        } else {
            config[fullKey(key)] = engineValue(value);
        }
    }
    return { config, encrypted };
}

/**
 * The stack's config: Pulumi.yaml's defaults, overridden by Pulumi.<stack>.yaml. Throws a message (no stack trace
 * needed) when the stack file is missing or is not YAML.
 */
export function readStackConfig(root: string, stack: string): StackConfig {
    if (!fs.existsSync(path.join(root, stackFileName(stack)))) {
        throw new Error(`there is no ${stackFileName(stack)} here: run \`npm run configure\` to create the stack '${stack}'`);
    }
    const own = stackFileValues(root, stack);
    const config = projectDefaults(path.join(root, "Pulumi.yaml"));
    for (const key of own.encrypted) {
        delete config[key];
    }
    return { config: { ...config, ...own.config }, encrypted: own.encrypted };
}
