// The frame every generated bash script shares: strict mode, a `fail` helper and a `main` that runs only
// once bash has read the whole script.

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
        "    echo \"ERROR: $*\" >&2",
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
