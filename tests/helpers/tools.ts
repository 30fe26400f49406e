// Tests that run a native tool (shellcheck, promtool, amtool, ssh-keygen) on a generated artefact. Locally, a missing
// tool skips them with a visible warning; in CI (CI=true) a missing tool fails them.
import { execFileSync, spawnSync } from "node:child_process";
import { describe, it } from "vitest";

export interface NativeTool {
    /** The command's name on PATH. */
    command: string;
    available: boolean;
    /** Like vitest's `it`, for a test that needs the tool. */
    it(name: string, fn: () => void | Promise<void>): void;
    /** Like vitest's `describe`, for a block of tests that need the tool. */
    describe(title: string, body: () => void): void;
    /** Runs the tool; returns what it printed, or throws with everything it printed. */
    run(args: string[], cwd?: string): string;
}

/**
 * Looks the tool up once (`<command> <probeArgs>` must start; its exit status does not matter: ssh-keygen has no
 * flag that exits 0). `aptPackage` names what to install, for the warning and the CI failure.
 */
export function nativeTool(command: string, aptPackage: string = command, probeArgs: string[] = ["--version"]): NativeTool {
    const available = spawnSync(command, probeArgs, { stdio: "ignore" }).error === undefined;
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
        describe(title, body) {
            if (available) {
                describe(title, body);
            } else if (inCi) {
                describe(title, () => {
                    it(`needs ${command}`, () => {
                        throw new Error(`${command} is required in CI but is not installed (${install})`);
                    });
                });
            } else {
                describe.skip(`${title} [SKIPPED: ${command} is not installed; ${install}]`, body);
            }
        },
        run(args, cwd) {
            try {
                return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
            } catch (e) {
                const err = e as { stdout?: string; stderr?: string; message: string };
                throw new Error(`${command} ${args.join(" ")} failed:\n${err.stdout ?? ""}${err.stderr ?? ""}\n${err.message}`);
            }
        },
    };
}
