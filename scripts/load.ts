// Entry of `npm run load` (run by tsx): wires the real stack, cluster, clock and Ctrl-C into runLoad.
import { setTimeout as delay } from "node:timers/promises";
import { runLoad } from "../programs/load/cli";
import { readStackOutputs } from "../programs/shared/stackOutputs";

const interrupt = new AbortController();
process.once("SIGINT", () => {
    console.log("interrupted: deleting the run (Ctrl-C again to quit at once)");
    interrupt.abort();
    process.once("SIGINT", () => process.exit(2));
});

void runLoad(process.argv.slice(2), {
    // Loaded on demand: `--list` works without the stack, the cluster or the Kubernetes client.
    connect: async () => {
        const { kubeCluster } = await import("../programs/shared/kube");
        const { kubeconfig, target } = readStackOutputs();
        return { target, cluster: kubeCluster(kubeconfig) };
    },
    out: (line) => console.log(line),
    now: () => Date.now(),
    sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
    signal: interrupt.signal,
}).then((code) => process.exit(code));
