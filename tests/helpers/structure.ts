// The measures of tests/structure.test.ts (the rule and its why are in that file's header): the lines of logic a
// function holds, read with the TypeScript compiler's parser, and the lines of a file.
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

/** A function and its measured length: lines of its block body, the lines inside literals left out (a function's body inside a literal is not data). */
export interface MeasuredFunction {
    /** The function's name: `name`, `Class.method`, the variable or property an arrow is assigned to, else `<anonymous>`. */
    name: string;
    /** 1-based line of the function's start. */
    line: number;
    /** Lines of logic: its body, opening to closing brace, minus every line inside a literal but the literal's first (see `literalLines`). */
    lines: number;
}

/** Object and array literals, and template literals: data, however many lines they take. */
function isLiteral(node: ts.Node): boolean {
    return ts.isObjectLiteralExpression(node) || ts.isArrayLiteralExpression(node) || ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node);
}

/** Function-likes with a block body: declarations, methods, constructors, accessors, function expressions, arrows. */
function blockBody(node: ts.Node): ts.Block | undefined {
    if (
        ts.isFunctionDeclaration(node) ||
        ts.isMethodDeclaration(node) ||
        ts.isConstructorDeclaration(node) ||
        ts.isGetAccessorDeclaration(node) ||
        ts.isSetAccessorDeclaration(node) ||
        ts.isFunctionExpression(node) ||
        ts.isArrowFunction(node)
    ) {
        return node.body && ts.isBlock(node.body) ? node.body : undefined;
    }
    return undefined;
}

/** The name a reader finds the function by. */
function functionName(node: ts.Node): string {
    const text = (name: ts.Node | undefined) =>
        name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name)) ? name.text : undefined;
    const owner = ts.isClassLike(node.parent) ? `${text(node.parent.name) ?? "<class>"}.` : "";
    if (ts.isConstructorDeclaration(node)) {
        return `${owner}constructor`;
    }
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
        return `${owner}${text(node.name) ?? "<anonymous>"}`;
    }
    const parent = node.parent;
    if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
        return text(parent.name) ?? "<anonymous>";
    }
    return (ts.isFunctionExpression(node) && text(node.name)) || "<anonymous>";
}

/** 0-based line of a position. */
function lineOf(source: ts.SourceFile, pos: number): number {
    return source.getLineAndCharacterOfPosition(pos).line;
}

/**
 * The lines (0-based) of data: every line a literal spans but its first (where the statement holding it is), except
 * the lines of a function's block body written inside a literal (a method of an object literal, an arrow in an array
 * or in a call's object argument): that body is logic again, measured for the function and its holders, and only
 * the literals inside it are data. The tree is walked outside in, so the innermost literal or body decides a line.
 */
function literalLines(source: ts.SourceFile): Set<number> {
    const inside = new Set<number>();
    const visit = (node: ts.Node): void => {
        const body = blockBody(node);
        if (isLiteral(node)) {
            const end = lineOf(source, node.getEnd());
            for (let line = lineOf(source, node.getStart(source)) + 1; line <= end; line++) {
                inside.add(line);
            }
        } else if (body) {
            const end = lineOf(source, body.getEnd());
            for (let line = lineOf(source, body.getStart(source)); line <= end; line++) {
                inside.delete(line);
            }
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return inside;
}

/** Every function with a block body in `text`, measured. */
export function measureFunctions(text: string, fileName = "source.ts"): MeasuredFunction[] {
    const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const data = literalLines(source);
    const found: MeasuredFunction[] = [];
    const visit = (node: ts.Node): void => {
        const body = blockBody(node);
        if (body) {
            const first = lineOf(source, body.getStart(source));
            const last = lineOf(source, body.getEnd());
            let lines = 0;
            for (let line = first; line <= last; line++) {
                lines += data.has(line) ? 0 : 1;
            }
            found.push({ name: functionName(node), line: lineOf(source, node.getStart(source)) + 1, lines });
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
}

/** Lines of a file, as `wc -l` counts them with a last line ended or not. */
export function fileLines(text: string): number {
    return text.length === 0 ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/** Every .ts file under `dir` (relative to `root`), `/`-separated and sorted. */
export function tsFiles(root: string, dir: string): string[] {
    const full = path.join(root, dir);
    if (!fs.existsSync(full)) {
        return [];
    }
    return fs
        .readdirSync(full, { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
        .map((file) => `${dir}/${file.split(path.sep).join("/")}`)
        .sort();
}
