// Entry of `npm run verify` (run by tsx): wires the real lab, clock, files and Ctrl-C into runVerify.
import * as fs from "node:fs";
import * as path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { runVerify } from "../programs/verify/runner";

const interrupt = new AbortController();
process.once("SIGINT", () => {
    console.log("interrupted: stopping the checks and deleting the probe pods (Ctrl-C again to quit at once, leaving them: label homelab.verify=probe)");
    interrupt.abort();
    process.once("SIGINT", () => process.exit(2));
});

void runVerify(process.argv.slice(2), {
    // Loaded on demand: `--list` works without the stack, the cluster or the Kubernetes client.
    connect: async () => (await import("../programs/verify/lab")).realLab(),
    out: (line) => console.log(line),
    now: () => Date.now(),
    sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
    signal: interrupt.signal,
    write: (file, text) => {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
    },
}).then((code) => process.exit(code));
