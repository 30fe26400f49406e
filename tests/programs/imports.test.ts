// The programs' import rules (.dependency-cruiser.cjs) on a small tree of stand-in files: a program reaches another
// only through programs/shared/, which reaches none; verify's one exception is the load command itself.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.join(__dirname, "..", "..");
const FIXTURE = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-imports-"));

/** Each stand-in file and what it imports (relative to programs/). */
const FILES: Record<string, string[]> = {
    "load/cli.ts": ["shared/kube"],
    "load/limits.ts": [],
    "shared/kube.ts": [],
    "shared/exit.ts": ["load/limits"],
    "drills/runner.ts": ["shared/exit", "drills/objects", "load/cli"],
    "drills/objects.ts": [],
    "verify/lab.ts": ["load/cli", "load/limits", "shared/kube", "verify/http"],
    "verify/http.ts": ["drills/objects"],
};

function writeFixture(): void {
    for (const [file, imports] of Object.entries(FILES)) {
        const full = path.join(FIXTURE, "programs", file);
        fs.mkdirSync(path.dirname(full), { recursive: true });
        const lines = imports.map((to, i) => `import { x as x${i} } from "${path.relative(path.dirname(file), to).replace(/^(?!\.)/, "./")}";`);
        fs.writeFileSync(full, `${lines.join("\n")}\nexport const x = ${imports.length};\n`);
    }
}

afterAll(() => fs.rmSync(FIXTURE, { recursive: true, force: true }));

describe("the programs' import rules", () => {
    it("let a program use its own files and programs/shared/, verify the load command, and flag every other edge between programs", async () => {
        writeFixture();
        const { cruise } = (await import("dependency-cruiser")) as typeof import("dependency-cruiser");
        const config = (await import(path.join(ROOT, ".dependency-cruiser.cjs"))).default as { forbidden: never[]; options: { tsPreCompilationDeps: boolean } };
        // The repo's options count type-only (here: unused) imports as edges; without them TypeScript would elide these.
        const options = {
            baseDir: FIXTURE,
            ruleSet: { forbidden: config.forbidden },
            validate: true,
            tsPreCompilationDeps: config.options.tsPreCompilationDeps,
        };
        const result = await cruise(["programs"], options);
        const violations = typeof result.output === "string" ? [] : result.output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
        expect(violations.sort()).toEqual([
            "program-shared-room-imports-no-program: programs/shared/exit.ts -> programs/load/limits.ts",
            "programs-share-through-the-shared-room: programs/drills/runner.ts -> programs/load/cli.ts",
            "programs-share-through-the-shared-room: programs/verify/http.ts -> programs/drills/objects.ts",
            "verify-reuses-only-the-load-command: programs/verify/lab.ts -> programs/load/limits.ts",
        ]);
    });
});
