// Entry of `npm run drill` (run by tsx): wires the real lab, clock, files and Ctrl-C into runDrill.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { DRILLS } from "../programs/shared/facts";
import { runDrill } from "../programs/drills/runner";

const interrupt = new AbortController();
process.once("SIGINT", () => {
    console.log("interrupted: restoring what the drill took away (Ctrl-C again to quit at once, leaving it to you)");
    interrupt.abort();
    process.once("SIGINT", () => process.exit(2));
});

void runDrill(process.argv.slice(2), {
    // Loaded on demand: `--list` works without the stack, the cluster or the Kubernetes client.
    connect: async () =>
        (await import("../programs/drills/lab")).realLab({ stop: DRILLS.nodeStop, stopService: DRILLS.nodeStopService, start: DRILLS.nodeStart }),
    out: (line) => console.log(line),
    now: () => Date.now(),
    sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
    signal: interrupt.signal,
    holder: `${os.userInfo().username}@${os.hostname()}`,
    write: (file, text) => {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
    },
}).then((code) => process.exit(code));
