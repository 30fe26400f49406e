// Issue 20: the on-demand programs say what to do next: on a stack never `up`'d, "run `npm run up` first" (not
// "Command failed: …"), and on bad arguments what was wrong, not only the usage line.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDrillArgs } from "../../programs/drills/catalog";
import { realLab } from "../../programs/drills/lab";
import { runDrill } from "../../programs/drills/runner";
import { parseArgs, runLoad } from "../../programs/load/cli";
import { readStackOutputs, stackOutputFailure } from "../../programs/shared/stackOutputs";
import { realLab as realVerifyLab } from "../../programs/verify/lab";
import { runVerify } from "../../programs/verify/runner";

describe("npm run load and npm run drill on a stack that was never built", () => {
    let dir = "";
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-never-up-"));
        // What the Pulumi CLI answers for a stack that does not exist on the backend.
        fs.writeFileSync(path.join(dir, "pulumi"), "#!/bin/sh\necho \"error: no stack named 'homelab' found\" >&2\nexit 255\n", { mode: 0o755 });
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Runs `body` with PULUMI naming the stand-in and the stack 'homelab'. */
    async function withStandIn<T>(body: () => Promise<T>): Promise<T> {
        const saved = { PULUMI: process.env.PULUMI, PULUMI_STACK: process.env.PULUMI_STACK };
        process.env.PULUMI = path.join(dir, "pulumi");
        process.env.PULUMI_STACK = "homelab";
        try {
            return await body();
        } finally {
            for (const [key, value] of Object.entries(saved)) {
                if (value === undefined) {
                    delete process.env[key];
                } else {
                    process.env[key] = value;
                }
            }
        }
    }

    // What scripts/load.ts and scripts/drill.ts connect with, with PULUMI naming the stand-in CLI.
    it("npm run load says to run npm run up first, and exits 2", async () => {
        const lines: string[] = [];
        const code = await withStandIn(() =>
            runLoad(["baseline"], {
                connect: () => Promise.resolve().then(() => readStackOutputs() as never),
                out: (line) => lines.push(line),
                now: () => 0,
                sleep: () => Promise.resolve(),
                signal: new AbortController().signal,
            }),
        );
        expect(lines).toEqual(["error: the stack 'homelab' does not exist yet: run `npm run up` first"]);
        expect(code).toBe(2);
    });

    it("npm run verify says to run npm run up first, and exits 2", async () => {
        const lines: string[] = [];
        const code = await withStandIn(() =>
            runVerify([], {
                connect: () => realVerifyLab(),
                out: (line) => lines.push(line),
                now: () => 0,
                sleep: () => Promise.resolve(),
                signal: new AbortController().signal,
                write: () => undefined,
            }),
        );
        expect(lines).toEqual(["reading the stack's outputs", "error: the stack 'homelab' does not exist yet: run `npm run up` first"]);
        expect(code).toBe(2);
    });

    it("npm run drill says to run npm run up first, and exits 2", async () => {
        const lines: string[] = [];
        const code = await withStandIn(() =>
            runDrill(["redis-master"], {
                connect: () => Promise.resolve().then(() => realLab({ stop: "true", stopService: "true", start: "true" })),
                out: (line) => lines.push(line),
                now: () => 0,
                sleep: () => Promise.resolve(),
                signal: new AbortController().signal,
                holder: "test",
                write: () => undefined,
            }),
        );
        expect(lines).toEqual(["error: the stack 'homelab' does not exist yet: run `npm run up` first"]);
        expect(code).toBe(2);
    });

    it("names the passphrase when that is what failed, and a timeout as such", () => {
        expect(stackOutputFailure("homelab", "error: incorrect passphrase\n")).toBe(
            "could not read the outputs of stack 'homelab' (pulumi stack output: error: incorrect passphrase) (set PULUMI_CONFIG_PASSPHRASE or " +
                "PULUMI_CONFIG_PASSPHRASE_FILE); if the lab was never built, run `npm run up` first",
        );
        expect(stackOutputFailure("lab", "", Object.assign(new Error("spawnSync pulumi ETIMEDOUT"), { code: "ETIMEDOUT" }))).toContain(
            "(pulumi stack output: no answer within 120 s)",
        );
    });
});

describe("bad arguments say what was wrong", () => {
    it("npm run load", () => {
        expect(() => parseArgs(["peak", "--duration", "1.5"])).toThrow(
            /^--duration needs a whole number of seconds above 0 \(got "1\.5"\); usage: npm run load/,
        );
        expect(() => parseArgs(["peak", "--duration"])).toThrow(/^--duration needs a whole number of seconds above 0 \(got ""\)/);
        expect(() => parseArgs(["peak", "-x", "3"])).toThrow(/^unexpected argument "-x" after the scenario; usage: npm run load/);
    });

    it("npm run drill", () => {
        expect(() => parseDrillArgs(["redis-master", "--node", "x"])).toThrow(
            /^--node is for node-loss and etcd-member only, not redis-master; usage: npm run drill/,
        );
        expect(() => parseDrillArgs(["node-loss", "--node"])).toThrow(/^--node needs one node name; usage/);
        expect(() => parseDrillArgs(["node-loss", "now"])).toThrow(/^unexpected argument "now"; usage/);
    });
});
