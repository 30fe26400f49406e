// Tests that run a native tool (shellcheck, promtool, amtool, ...) on a generated artefact. Locally, a missing
// tool skips them with a visible warning; in CI (CI=true) a missing tool fails them.
import { spawnSync } from "node:child_process";
import { it } from "vitest";

export interface NativeTool {
    /** The command's name on PATH. */
    command: string;
    available: boolean;
    /** Like vitest's `it`, for a test that needs the tool. */
    it(name: string, fn: () => void | Promise<void>): void;
}

/**
 * Looks the tool up once (`<command> --version` must exit 0). `aptPackage` names what to install, for the
 * warning and the CI failure.
 */
export function nativeTool(command: string, aptPackage: string = command, versionArgs: string[] = ["--version"]): NativeTool {
    const available = spawnSync(command, versionArgs, { stdio: "ignore" }).status === 0;
    const inCi = process.env.CI === "true";
    const install = `apt-get install ${aptPackage}`;
    if (!available && !inCi) {
        console.warn(`WARNING: ${command} is not installed (${install}): the tests that run it are SKIPPED.`);
    }
    return {
        command,
        available,
        it(name, fn) {
            if (available) {
                it(name, fn);
            } else if (inCi) {
                it(name, () => {
                    throw new Error(`${command} is required in CI but is not installed (${install})`);
                });
            } else {
                it.skip(`${name} [SKIPPED: ${command} is not installed; ${install}]`, fn);
            }
        },
    };
}
