// `npm run test:fast`, the inner loop: every test file that runs no stack, starts no process (no native tool) and
// opens no server, itself or through the test helpers it imports: the config loader, the pure builders, the
// programs' logic against fakes. Picked by what each file imports, so a new pure test joins by itself; `npm test`
// still runs every file.
import * as fs from "node:fs";
import * as path from "node:path";
import { defineConfig } from "vitest/config";
import base from "./vitest.config";

const TESTS = path.join(__dirname, "tests");

/** Imports that make a test slow: a child process, a network server, the stack (or the loader) under mocks. */
const SLOW_MODULE = /^(node:)?(child_process|http|https|net)$|helpers\/(platform|tools)$/;
const SLOW_NAME = /\brunUnderMocks\b/;

/** Whether a test file (or a test helper it imports, at any depth) imports something slow. */
function isSlow(file: string, seen = new Set<string>()): boolean {
    if (seen.has(file)) {
        return false;
    }
    seen.add(file);
    for (const [, names, from] of fs.readFileSync(file, "utf8").matchAll(/^import\s+([\s\S]*?)\s+from\s+"([^"]+)";/gm)) {
        if (SLOW_MODULE.test(from) || SLOW_NAME.test(names)) {
            return true;
        }
        const local = path.resolve(path.dirname(file), `${from}.ts`);
        if (from.startsWith(".") && local.startsWith(TESTS) && fs.existsSync(local) && isSlow(local, seen)) {
            return true;
        }
    }
    return false;
}

export const FAST_TEST_FILES = fs
    .readdirSync(TESTS, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".test.ts") && !isSlow(path.join(TESTS, file)))
    .map((file) => `tests/${file.split(path.sep).join("/")}`)
    .sort();

// Spread, not mergeConfig: that would append these files to the base include (every test) instead of replacing it.
// One worker: each worker loads the Pulumi SDKs once, which costs more than a second worker saves on these files
// (measured: 6.4-7.1 s with one, 8.8-12 s with two, on the shared 2-core machine at a load average of 7).
export default defineConfig({ ...base, test: { ...base.test, include: FAST_TEST_FILES, maxWorkers: 1 } });
