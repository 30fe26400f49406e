// The size rules of the style notes, checked rather than remembered: small files and small functions are what a
// reviewer can hold in mind, and the parts stay split by topic instead of growing one module per layer.
//
// - A file in components/ or stacks/ has at most MAX_FILE_LINES lines (as `wc -l` counts).
// - A function in index.ts, stacks/, components/, programs/ or scripts/ holds at most MAX_FUNCTION_LINES lines of
//   LOGIC. A function is any declaration, method, constructor, accessor, function expression or arrow with a block
//   body (an arrow with an expression body is one expression and is not measured). Its lines are those of its block,
//   opening to closing brace, less every line inside an object literal, an array literal or a template literal but
//   that literal's first line (the statement holding it). So data is free, however long: a function that returns
//   a 200-line object literal, or a script in a template string, measures a few lines. Code is not data, wherever
//   it is written: a nested function's block body counts for the function holding it too (and it is measured
//   itself), also when the function sits inside a literal (a method of an object literal, an arrow in an array or
//   in a call's object argument); only the literals inside that body are data again. Blank and comment lines
//   count: they are part of what a reader reads.
//
// The failure names each offender as `file:line name (N lines)`. Tests are not checked: a test file is a list of
// cases, and a long case is a long scenario, not a function to split.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { fileLines, measureFunctions, tsFiles } from "./helpers/structure";

const ROOT = path.resolve(__dirname, "..");
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;

/** Where the file-length rule applies, and where the function-length one does. */
const FILE_RULE_DIRS = ["components", "stacks"];
const FUNCTION_RULE_FILES = ["index.ts", ...["stacks", "components", "programs", "scripts"].flatMap((dir) => tsFiles(ROOT, dir))];

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** `count` lines of statements, each its own line of logic. */
const statements = (count: number) => Array.from({ length: count }, (_, i) => `    total += ${i};`).join("\n");

describe("the function measure", () => {
    it("counts every line of a logic function's block", () => {
        const source = `function long(): number {\n    let total = 0;\n${statements(87)}\n    return total;\n}\n`;
        expect(measureFunctions(source)).toEqual([{ name: "long", line: 1, lines: 91 }]);
        expect(measureFunctions(source)[0].lines).toBeGreaterThan(MAX_FUNCTION_LINES);
    });

    it("leaves out the lines inside object, array and template literals", () => {
        const entries = Array.from({ length: 100 }, (_, i) => `        key${i}: { value: ${i} },`).join("\n");
        const items = Array.from({ length: 50 }, (_, i) => `        "item${i}",`).join("\n");
        const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`).join("\n");
        const source = [
            "export function data() {",
            `    const items = [\n${items}\n    ];`,
            `    const script = \`\n${lines}\n\`;`,
            `    return {\n${entries}\n        items,\n        script,\n    };`,
            "}",
        ].join("\n");
        expect(source.split("\n").length).toBeGreaterThan(200);
        // The braces, the three statements' first lines: five.
        expect(measureFunctions(source)).toEqual([{ name: "data", line: 1, lines: 5 }]);
    });

    it("names methods by their class, arrows by their variable, and counts a nested function in its holder too", () => {
        const source = [
            "class Box {",
            "    constructor() {",
            "        const inner = () => {",
            "            return 1;",
            "        };",
            "        inner();",
            "    }",
            "    get size(): number {",
            "        return 2;",
            "    }",
            "}",
            "const short = (x: number) => x + 1;",
        ].join("\n");
        expect(measureFunctions(source)).toEqual([
            { name: "Box.constructor", line: 2, lines: 6 },
            { name: "inner", line: 3, lines: 3 },
            { name: "Box.size", line: 8, lines: 3 },
        ]);
    });

    it("measures a function written inside a literal, and counts it toward its holder", () => {
        // The loophole closed: a long method of a returned object literal measured 0 lines, its factory a handful.
        const method = [
            "export function factory() {",
            "    const base = 1;",
            "    return {",
            '        name: "box",',
            "        run(): number {",
            "            let total = base;",
            statements(100),
            "            return total;",
            "        },",
            "    };",
            "}",
        ].join("\n");
        expect(measureFunctions(method)).toEqual([
            // The factory's braces and two statements; the method's 104 lines, its header to its closing brace.
            { name: "factory", line: 1, lines: 108 },
            { name: "run", line: 5, lines: 104 },
        ]);
        // An arrow passed inside a call's object argument, as in `new X("x", { … })`.
        const arrow = [
            "export function wire() {",
            '    new Watcher("x", {',
            "        interval: 5,",
            "        onChange: (value: number) => {",
            "            let total = value;",
            statements(100),
            "            return total;",
            "        },",
            "    });",
            "}",
        ].join("\n");
        expect(measureFunctions(arrow)).toEqual([
            { name: "wire", line: 1, lines: 107 },
            { name: "onChange", line: 4, lines: 104 },
        ]);
        expect(measureFunctions(arrow).every(({ lines }) => lines > MAX_FUNCTION_LINES)).toBe(true);
    });

    it("still leaves out a literal inside a function inside a literal, and a long data literal around short functions", () => {
        const entries = Array.from({ length: 100 }, (_, i) => `                key${i}: ${i},`).join("\n");
        const rows = Array.from({ length: 100 }, (_, i) => `        { id: ${i}, label: "row ${i}", double: (x: number) => x * ${i} },`).join("\n");
        const source = [
            "export function table() {",
            "    return {",
            "        settings() {",
            "            return {",
            entries,
            "            };",
            "        },",
            `        rows: [\n${rows}\n        ],`,
            "    };",
            "}",
        ].join("\n");
        expect(source.split("\n").length).toBeGreaterThan(200);
        // settings: its braces and its return's first line; table: its braces, its return's first line and settings' header.
        expect(measureFunctions(source)).toEqual([
            { name: "table", line: 1, lines: 6 },
            { name: "settings", line: 3, lines: 3 },
        ]);
    });

    it("counts a file's lines as wc -l does", () => {
        expect([fileLines(""), fileLines("a\n"), fileLines("a\nb"), fileLines("a\nb\n")]).toEqual([0, 1, 2, 2]);
    });
});

describe("the structure of the code", () => {
    it(`has no file over ${MAX_FILE_LINES} lines in ${FILE_RULE_DIRS.join("/ or ")}/`, () => {
        const files = FILE_RULE_DIRS.flatMap((dir) => tsFiles(ROOT, dir));
        expect(files.length).toBeGreaterThan(100);
        const offenders = files
            .map((file) => ({ file, lines: fileLines(read(file)) }))
            .filter(({ lines }) => lines > MAX_FILE_LINES)
            .map(({ file, lines }) => `${file} (${lines} lines)`);
        expect(offenders, `split these files by topic:\n${offenders.join("\n")}`).toEqual([]);
    });

    it(`has no function over ${MAX_FUNCTION_LINES} lines of logic`, () => {
        expect(FUNCTION_RULE_FILES.length).toBeGreaterThan(100);
        const offenders = FUNCTION_RULE_FILES.flatMap((file) =>
            measureFunctions(read(file), file)
                .filter(({ lines }) => lines > MAX_FUNCTION_LINES)
                .map(({ name, line, lines }) => `${file}:${line} ${name} (${lines} lines)`),
        );
        expect(offenders, `split these functions into named helpers:\n${offenders.join("\n")}`).toEqual([]);
    });
});
