// The frame every generated bash script shares: strict mode, a `fail` helper and a `main` that runs only
// once bash has read the whole script. A long script lives as a real bash file in that frame (scriptFromFile).
import * as fs from "node:fs";
import { shq } from "./quote";

const HEADER = ["#!/usr/bin/env bash", "set -euo pipefail"];

// Indents a function body by four spaces, except heredoc content and terminators, which must stay verbatim.
export function indent(lines: string[]): string[] {
    let terminator: string | undefined;
    return lines.map((line) => {
        if (terminator !== undefined) {
            if (line === terminator) {
                terminator = undefined;
            }
            return line;
        }
        terminator = /<<'(\w+)'$/.exec(line)?.[1];
        return line === "" ? line : `    ${line}`;
    });
}

/**
 * A complete script: `preamble` (variables, helper functions) at the top level, `body` inside main(), run with
 * stdin from /dev/null: bash has parsed the whole script before anything runs, and no child (installer,
 * kubectl, ...) can swallow the rest of a script that arrives on stdin.
 */
export function script(description: string, preamble: string[], body: string[]): string {
    return [
        ...HEADER,
        `# ${description}`,
        "",
        ...preamble,
        "",
        "fail() {",
        '    echo "ERROR: $*" >&2',
        "    exit 1",
        "}",
        "",
        "main() {",
        ...indent(body),
        "}",
        "",
        "main </dev/null",
        "",
    ].join("\n");
}

/**
 * Lines that write `content` verbatim to `target` through a quoted heredoc: nothing in it is expanded, echoed or
 * put on a command line. Refuses content holding the delimiter line, which would end the heredoc early.
 */
export function heredocLines(target: string, content: string, delimiter: string): string[] {
    const lines = content.replace(/\n$/, "").split("\n");
    if (lines.includes(delimiter)) {
        throw new Error(`the content written to ${target} collides with its heredoc delimiter ${delimiter}`);
    }
    return [`cat >${target} <<'${delimiter}'`, ...lines, delimiter];
}

/** What a builder gives a script file: the values of its inputs and the lines it generates. */
export interface ScriptFileInputs {
    /** The value of each empty `NAME=` line at the file's top level: a string single-quoted, a number as written, a list as a bash array of quoted words. */
    variables: Record<string, string | number | readonly string[]>;
    /** The lines each `# @insert <name>` line (at the top level, or in main()) becomes (heredocs of generated files, optional parts). */
    inserts?: Record<string, string[]>;
}

/** A script kept as a real bash file (editors and shellcheck see it as bash), framed like every script: see scriptFromText. */
export function scriptFromFile(file: string, description: string, inputs: ScriptFileInputs): string {
    return scriptFromText(fs.readFileSync(file, "utf8"), description, inputs, file);
}

/**
 * The script of a bash file's text: its header (up to the first blank line), its `##` notes and its shellcheck
 * directives left out; its top level (variables, functions) the preamble, with each empty `NAME=` line given its
 * quoted value; its main() the body, each `# @insert <name>` line replaced by the generated lines. Refuses an
 * input or insert the file does not declare, and one it declares but is not given.
 */
export function scriptFromText(text: string, description: string, inputs: ScriptFileInputs, what = "the script"): string {
    const lines = text.split("\n");
    const headerEnd = lines.indexOf("");
    const mainStart = lines.indexOf("main() {");
    const mainEnd = lines.lastIndexOf("}");
    if (lines[0] !== "#!/usr/bin/env bash" || headerEnd < 0 || mainStart < headerEnd || mainEnd < mainStart || lines.slice(mainEnd + 1).some((l) => l !== "")) {
        throw new Error(`${what}: expected a #!/usr/bin/env bash header, a blank line, the top level, then main() { ... } last`);
    }
    const forNode = (line: string) => !/^\s*(##|# shellcheck )/.test(line);
    const variables = new Map(Object.entries(inputs.variables));
    const inserts = new Map(Object.entries(inputs.inserts ?? {}));
    const preamble = trimBlankLines(lines.slice(headerEnd + 1, mainStart).filter(forNode)).flatMap((line) => {
        const insert = /^# @insert (\S+)$/.exec(line)?.[1];
        if (insert !== undefined) {
            return take(inserts, insert, `its insert ${insert}`, what);
        }
        const name = /^([A-Z_][A-Z0-9_]*)=$/.exec(line)?.[1];
        return [name === undefined ? line : `${name}=${variableValue(what, name, take(variables, name, `its input ${name}`, what))}`];
    });
    const body = lines
        .slice(mainStart + 1, mainEnd)
        .filter(forNode)
        .flatMap((line) => {
            if (line !== "" && !line.startsWith("    ")) {
                throw new Error(`${what}: main()'s lines are indented by four spaces (generated content goes in through # @insert): ${JSON.stringify(line)}`);
            }
            const name = /^ {4}# @insert (\S+)$/.exec(line)?.[1];
            return name === undefined ? [line.slice(4)] : take(inserts, name, `its insert ${name}`, what);
        });
    const unused = [...variables.keys(), ...inserts.keys()];
    if (unused.length > 0) {
        throw new Error(`${what} declares no input or insert ${unused.join(", ")}`);
    }
    return script(description, preamble, body);
}

/** The value for one input, removed from those left. */
function take<T>(left: Map<string, T>, name: string, which: string, what: string): T {
    if (!left.has(name)) {
        throw new Error(`${what}: no value given for ${which} (or it is used twice)`);
    }
    const value = left.get(name) as T;
    left.delete(name);
    return value;
}

function variableValue(what: string, name: string, value: string | number | readonly string[]): string {
    if (typeof value === "string") {
        return shq(value);
    }
    if (typeof value !== "number") {
        return `(${value.map(shq).join(" ")})`;
    }
    if (!Number.isFinite(value)) {
        throw new Error(`${what}: ${name} must be a finite number, got ${value}`);
    }
    return String(value);
}

function trimBlankLines(lines: string[]): string[] {
    const kept = [...lines];
    while (kept[0] === "") {
        kept.shift();
    }
    while (kept.at(-1) === "") {
        kept.pop();
    }
    return kept;
}
