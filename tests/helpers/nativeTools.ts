// Tests that run a real tool (promtool, amtool): skipped with a visible note where the tool is not installed,
// failing under CI=true (.ci/run installs it there), so CI can never pass without having run them.
import { execFileSync, spawnSync } from "node:child_process";
import { describe, it } from "vitest";

/** The tool's path, or undefined when it is not on PATH. */
export function findTool(name: string): string | undefined {
    const found = spawnSync("sh", ["-c", 'command -v "$1"', "sh", name], { encoding: "utf8" });
    return found.status === 0 && found.stdout.trim() !== "" ? found.stdout.trim() : undefined;
}

/** `describe` when `tool` is installed; otherwise a skipped block whose title says why, or a failure under CI. */
export function describeWithTool(tool: string, install: string, title: string, body: () => void): void {
    if (findTool(tool) !== undefined) {
        describe(title, body);
        return;
    }
    if (process.env.CI === "true") {
        describe(title, () => {
            it(`needs ${tool}`, () => {
                throw new Error(`${tool} is not installed, and CI must run these tests (${install})`);
            });
        });
        return;
    }
    console.warn(`NOTE: skipping "${title}": ${tool} is not installed (${install}).`);
    describe.skip(`${title} [SKIPPED: ${tool} not installed; ${install}]`, body);
}

/** Runs a tool; returns its output, or throws with everything it printed. */
export function run(tool: string, args: string[], cwd?: string): string {
    try {
        return execFileSync(tool, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
        const err = e as { stdout?: string; stderr?: string; message: string };
        throw new Error(`${tool} ${args.join(" ")} failed:\n${err.stdout ?? ""}${err.stderr ?? ""}\n${err.message}`);
    }
}
