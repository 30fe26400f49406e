// Quoting for the bash scripts and YAML files the stack sends to the nodes.

// POSIX single-quoting: nothing inside is expanded by the shell.
export function shq(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

// YAML double-quoted scalar with JSON-style escapes; output is pure ASCII so it survives any transport byte for byte.
export function yamlString(value: string): string {
    let out = '"';
    for (const ch of value) {
        const cp = ch.codePointAt(0) as number;
        if (cp >= 0xd800 && cp <= 0xdfff) {
            throw new Error("string contains a lone UTF-16 surrogate and cannot be written as YAML");
        }
        if (ch === '"' || ch === "\\") {
            out += `\\${ch}`;
        } else if (cp >= 0x20 && cp <= 0x7e) {
            out += ch;
        } else if (cp <= 0xffff) {
            out += `\\u${cp.toString(16).padStart(4, "0")}`;
        } else {
            out += `\\U${cp.toString(16).padStart(8, "0")}`;
        }
    }
    return `${out}"`;
}
