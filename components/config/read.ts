// Reading raw values: at most one problem per key, and `undefined` for a value no later check may build on.
import { CONFIG_DEFAULTS } from "./defaults";

export type DefaultedKey = keyof typeof CONFIG_DEFAULTS;

/** Reads one section's keys from the raw `homelab:*` map and collects the section's problems. */
export class Reader {
    readonly problems: string[] = [];

    constructor(private readonly raw: Record<string, unknown>) {}

    /** A string key, or its default when unset. */
    str(key: DefaultedKey): string {
        return this.optional(key) ?? String(CONFIG_DEFAULTS[key]);
    }

    /** A string key without a default: undefined when unset or empty. */
    optional(key: string): string | undefined {
        const value = this.raw[key];
        if (value === undefined || value === "") {
            return undefined;
        }
        if (typeof value !== "string") {
            this.problems.push(`homelab:${key} must be a string (got ${JSON.stringify(value)}).`);
            return undefined;
        }
        return value;
    }

    /** A true/false key, or its default when unset. */
    bool(key: DefaultedKey): boolean {
        return booleanValue(`homelab:${key}`, this.raw[key], Boolean(CONFIG_DEFAULTS[key]), this.problems);
    }

    /** A whole-number key within [min, max], or its default when unset; undefined when invalid. */
    int(key: DefaultedKey, min: number, max: number): number | undefined {
        return intValue(`homelab:${key}`, this.raw[key] ?? CONFIG_DEFAULTS[key], min, max, this.problems);
    }
}

/** A whole number within [min, max]; pushes exactly one problem and returns undefined otherwise. */
export function intValue(key: string, value: unknown, min: number, max: number, problems: string[]): number | undefined {
    const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isInteger(n)) {
        problems.push(`${key} must be a whole number (got ${JSON.stringify(value)}).`);
        return undefined;
    }
    if (n < min || n > max) {
        problems.push(`${key} must be between ${min} and ${max} (got ${n}).`);
        return undefined;
    }
    return n;
}

/** `true` or `false` (YAML booleans arrive as strings), or `fallback` when unset; anything else is a problem. */
export function booleanValue(key: string, value: unknown, fallback: boolean, problems: string[]): boolean {
    if (value === undefined) {
        return fallback;
    }
    if (value === true || value === "true") {
        return true;
    }
    if (value !== false && value !== "false") {
        problems.push(`${key} must be true or false (got ${JSON.stringify(value)}).`);
    }
    return false;
}

/** A non-empty list of strings, or `fallback` when unset. */
export function stringList(key: string, value: unknown, fallback: string[], problems: string[]): string[] | undefined {
    if (value === undefined) {
        return [...fallback];
    }
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string") || value.length === 0) {
        problems.push(`${key} must be a non-empty list of strings.`);
        return undefined;
    }
    return value as string[];
}

export function isHttpsUrl(text: string): boolean {
    try {
        const url = new URL(text);
        return url.protocol === "https:" && url.hostname !== "";
    } catch {
        return false;
    }
}

/**
 * What `npm run check` hands the loader for a secret it does not decrypt (offline): set, its content unknown, so
 * the checks of its content are skipped. A NUL cannot come from a shell argument nor a YAML stack file.
 */
export const UNREAD_SECRET = "\u0000<encrypted: set, not read offline>";
