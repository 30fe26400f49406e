// A script kept as a real bash file: the builder gives its inputs (quoted) and generated lines, the frame wraps it,
// and what the file says for its readers and linter never reaches the node.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { heredocLines, script, scriptFromText } from "../../components/shell/script";

const FILE = [
    "#!/usr/bin/env bash",
    "# What this file is, for its reader.",
    "",
    "## A note for the reader only.",
    "GREETING=",
    "COUNT=",
    "# shellcheck disable=SC2034 # read by the inserted lines",
    "TARGET=",
    'SUFFIX="!"',
    "",
    "say() {",
    '    echo "$GREETING$SUFFIX"',
    "}",
    "",
    "main() {",
    "    ## Not for the node either.",
    "    say",
    "    # @insert write",
    '    for _ in $(seq "$COUNT"); do cat "$TARGET"; done',
    "}",
    "",
].join("\n");

function build(variables: Record<string, string | number>, inserts: Record<string, string[]>) {
    return scriptFromText(FILE, "A test script.", { variables, inserts }, "test.sh");
}

describe("a script kept as a bash file", () => {
    const hostile = `it's "q" $HOME \`id\` $(touch pwned) ü`;
    const target = "/tmp/some dir/out";
    const text = build({ GREETING: hostile, COUNT: 2, TARGET: target }, { write: heredocLines('"$TARGET"', "line $1\n", "OUT_EOF") });

    it("is the frame around the file's top level and main(), its inputs quoted and its inserts in place", () => {
        expect(text).toBe(
            script(
                "A test script.",
                [
                    `GREETING='it'\\''s "q" $HOME \`id\` $(touch pwned) ü'`,
                    "COUNT=2",
                    "TARGET='/tmp/some dir/out'",
                    'SUFFIX="!"',
                    "",
                    "say() {",
                    '    echo "$GREETING$SUFFIX"',
                    "}",
                ],
                ["say", `cat >"$TARGET" <<'OUT_EOF'`, "line $1", "OUT_EOF", 'for _ in $(seq "$COUNT"); do cat "$TARGET"; done'],
            ),
        );
    });

    it("leaves the file's header, its ## notes and its shellcheck directives out", () => {
        expect(text).not.toMatch(/reader|shellcheck|##/);
    });

    it("runs as bash with every input verbatim, nothing in them expanded", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "script-file-"));
        try {
            const run = spawnSync("bash", ["-s"], {
                input: build({ GREETING: hostile, COUNT: 2, TARGET: path.join(dir, "out") }, { write: heredocLines('"$TARGET"', "line $1\n", "OUT_EOF") }),
                cwd: dir,
                encoding: "utf8",
            });
            expect(run.stderr).toBe("");
            expect(run.stdout).toBe(`${hostile}!\nline $1\nline $1\n`);
            expect(fs.existsSync(path.join(dir, "pwned"))).toBe(false);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses an input or insert the file does not declare, and one it declares but is not given", () => {
        const inserts = { write: [] };
        expect(() => build({ GREETING: "hi", COUNT: 1, TARGET: "t", EXTRA: "x" }, inserts)).toThrow("test.sh declares no input or insert EXTRA");
        expect(() => build({ GREETING: "hi", COUNT: 1, TARGET: "t" }, { ...inserts, other: [] })).toThrow("test.sh declares no input or insert other");
        expect(() => build({ GREETING: "hi", COUNT: 1 }, inserts)).toThrow("test.sh: no value given for its input TARGET");
        expect(() => build({ GREETING: "hi", COUNT: 1, TARGET: "t" }, {})).toThrow("test.sh: no value given for its insert write");
        expect(() => build({ GREETING: "hi", COUNT: Number.NaN, TARGET: "t" }, inserts)).toThrow("test.sh: COUNT must be a finite number, got NaN");
    });

    it("refuses a file without the shape it reads: header, top level, main() last, main's lines indented", () => {
        const variables = { GREETING: "hi", COUNT: 1, TARGET: "t" };
        expect(() => scriptFromText(FILE.replace("#!/usr/bin/env bash", "#!/bin/sh"), "d", { variables }, "test.sh")).toThrow(
            /expected a #!\/usr\/bin\/env bash header/,
        );
        expect(() => scriptFromText(`${FILE}echo after\n`, "d", { variables }, "test.sh")).toThrow(/main\(\) \{ \.\.\. \} last/);
        expect(() => scriptFromText(FILE.replace("    say\n", "say\n"), "d", { variables, inserts: { write: [] } }, "test.sh")).toThrow(
            /main\(\)'s lines are indented by four spaces/,
        );
    });

    it("gives a list input as a bash array of quoted words, and inserts generated lines at the top level too", () => {
        const file = ["#!/usr/bin/env bash", "", "NAMES=", "# @insert helpers", "", "main() {", '    greet "${NAMES[@]}"', "}", ""].join("\n");
        const text = scriptFromText(
            file,
            "d",
            { variables: { NAMES: ["a b", "it's"] }, inserts: { helpers: ["greet() {", '    printf "<%s>" "$@"', "}"] } },
            "list.sh",
        );
        expect(text).toBe(script("d", ["NAMES=('a b' 'it'\\''s')", "greet() {", '    printf "<%s>" "$@"', "}"], ['greet "${NAMES[@]}"']));
        const run = spawnSync("bash", ["-s"], { input: text, encoding: "utf8" });
        expect(run.stdout).toBe("<a b><it's>");
    });
});
