// `npm run load`: start a k6 TestRun of one scenario in the cluster, follow it, print its verdicts, clean up.
// The cluster and the stack are interfaces, so tests drive this with fakes; programs/shared has the real ones (kube.ts,
// stackOutputs.ts). The TestRun it creates is the load part's (components/load/testRun.ts): the run of a script the
// stack ships.
import { K6 } from "../../components/load/facts";
import type { LoadTarget } from "../../components/load/manifests";
import { LOAD_SLO, SCENARIOS, type LoadSummary, type ScenarioName } from "../../components/load/scenarios/catalog";
import { parseSummary, testRun, type TestRun } from "../../components/load/testRun";
import { EXIT } from "../shared/exit";
import type { LoadCluster } from "../shared/kube";
import { rateLimitProblems } from "./limits";

export interface LoadDeps {
    /** Reads the stack outputs: the load target and a cluster client built from the kubeconfig output. */
    connect(): Promise<{ target: LoadTarget; cluster: LoadCluster }>;
    out(line: string): void;
    now(): number;
    /** Resolves after `ms`, or early when `signal` aborts. */
    sleep(ms: number, signal: AbortSignal): Promise<void>;
    /** Aborted on Ctrl-C. */
    signal: AbortSignal;
}

export type LoadCommand = { kind: "list" } | { kind: "help" } | { kind: "run"; scenario: ScenarioName; durationSeconds?: number };

export const USAGE = "usage: npm run load -- <scenario> [--duration <seconds>] | --list";

export function parseArgs(argv: string[]): LoadCommand {
    if (argv.includes("--help") || argv.includes("-h")) {
        return { kind: "help" };
    }
    if (argv.length === 1 && argv[0] === "--list") {
        return { kind: "list" };
    }
    const [scenario, ...rest] = argv;
    if (scenario === undefined || !(scenario in SCENARIOS)) {
        throw new Error(`unknown scenario ${JSON.stringify(scenario ?? "")}; ${USAGE}`);
    }
    if (rest.length === 0) {
        return { kind: "run", scenario: scenario as ScenarioName };
    }
    const seconds = Number(rest[1]);
    if (rest[0] !== "--duration") {
        throw new Error(`unexpected argument ${JSON.stringify(rest[0])} after the scenario; ${USAGE}`);
    }
    if (rest.length !== 2 || !Number.isInteger(seconds) || seconds <= 0) {
        throw new Error(`--duration needs a whole number of seconds above 0 (got ${JSON.stringify(rest.slice(1).join(" "))}); ${USAGE}`);
    }
    return { kind: "run", scenario: scenario as ScenarioName, durationSeconds: seconds };
}

/** `--list`: the scenarios and the SLO thresholds, from the catalog alone (no stack, no cluster). */
export function listText(): string[] {
    const lines = Object.entries(SCENARIOS).map(
        ([name, spec]) => `  ${name.padEnd(9)} ${spec.description} (${spec.defaultDurationSeconds}s, ${spec.seedUrls} seeded URLs)`,
    );
    return [
        "scenarios:",
        ...lines,
        `thresholds: p95 < ${LOAD_SLO.p95Ms} ms, p99 < ${LOAD_SLO.p99Ms} ms, errors < ${LOAD_SLO.errorRate * 100} %;` +
            ` target (reported): cache-hit redirect p99 < ${LOAD_SLO.cacheHitP99Ms} ms`,
    ];
}

/** The verdict table of a summary; blocking thresholds first. */
export function verdictTable(summary: LoadSummary): string[] {
    const mark = (ok: boolean | undefined): string => (ok === undefined ? "NO DATA" : ok ? "PASS" : "FAIL");
    const rows = [...summary.verdicts].sort((a, b) => Number(b.blocking) - Number(a.blocking));
    const width = Math.max(6, ...rows.map((v) => v.metric.length));
    return [
        `${"metric".padEnd(width)}  ${"threshold".padEnd(12)}  verdict`,
        ...rows.map((v) => `${v.metric.padEnd(width)}  ${v.expression.padEnd(12)}  ${mark(v.ok)}${v.blocking ? "" : " (target)"}`),
        `requests: ${summary.counts.creations} creations, ${summary.counts.redirects} redirects (${summary.counts.warmRedirects} warm)`,
    ];
}

/** The exit code of a summary: a breach is a blocking threshold that failed or saw no data. */
export function verdictExit(summary: LoadSummary): number {
    const blocking = summary.verdicts.filter((v) => v.blocking);
    if (blocking.length === 0) {
        return EXIT.error;
    }
    return blocking.every((v) => v.ok === true) ? EXIT.ok : EXIT.breach;
}

/** `<scenario>-<UTC yyyymmdd-hhmmss>`: a DNS label, unique per second, sortable; also the run's testid tag. */
export function runName(scenario: ScenarioName, at: Date): string {
    const stamp = at.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    return `${scenario}-${stamp}`;
}

/** How long a run may take before `npm run load` gives up on it. */
export function runDeadlineSeconds(scenario: ScenarioName, durationSeconds?: number): number {
    return (durationSeconds ?? SCENARIOS[scenario].defaultDurationSeconds) + K6.graceSeconds;
}

const minutes = (seconds: number): string => `${Math.floor(seconds / 60)}m${String(Math.floor(seconds % 60)).padStart(2, "0")}s`;

/** Polls the run until the operator says finished or error; the final stage, or why it stopped waiting. */
async function follow(cluster: LoadCluster, run: TestRun, deadlineSeconds: number, deps: LoadDeps): Promise<string> {
    const started = deps.now();
    let lastStage: string | undefined;
    let lastProgress = started;
    for (;;) {
        if (deps.signal.aborted) {
            return "interrupted";
        }
        const stage = await cluster.stage(run.metadata.namespace, run.metadata.name);
        if (stage === null) {
            return "vanished";
        }
        const elapsed = (deps.now() - started) / 1000;
        if (stage !== lastStage && stage !== undefined) {
            deps.out(`stage: ${stage} (${minutes(elapsed)})`);
            lastStage = stage;
        }
        if (stage === "finished" || stage === "error") {
            return stage;
        }
        if (elapsed > deadlineSeconds) {
            return "timeout";
        }
        if (deps.now() - lastProgress >= K6.progressSeconds * 1000) {
            deps.out(
                `  ... waiting for the run to finish (${lastStage ?? "the operator has not started it"}): ${minutes(elapsed)} of at most ${minutes(deadlineSeconds)}`,
            );
            lastProgress = deps.now();
        }
        await deps.sleep(K6.pollSeconds * 1000, deps.signal);
    }
}

/** One run of a scenario: refuse it above the gateway's rate limits, else create, follow, judge, and delete it whatever happens. */
async function runScenario(command: Extract<LoadCommand, { kind: "run" }>, deps: LoadDeps): Promise<number> {
    const { target, cluster } = await deps.connect();
    const overLimits = rateLimitProblems(command.scenario, SCENARIOS[command.scenario], target.rateLimits);
    if (overLimits.length > 0) {
        overLimits.forEach((line) => deps.out(`refused: ${line}`));
        return EXIT.error;
    }
    const name = runName(command.scenario, new Date(deps.now()));
    const run = testRun(target, command.scenario, name, command.durationSeconds);
    await cluster.create(run);
    deps.out(`started TestRun ${target.namespace}/${name}; watch it live in Grafana's k6 dashboard (testid=${name})`);
    try {
        const end = await follow(cluster, run, runDeadlineSeconds(command.scenario, command.durationSeconds), deps);
        if (end !== "finished") {
            deps.out(`run ${name} did not finish: ${end}`);
            return EXIT.error;
        }
        const logs = await cluster.runnerLogs(target.namespace, name);
        const summary = parseSummary(logs);
        if (summary === undefined) {
            deps.out(`no summary in the runner's log; its last lines:\n${logs.split("\n").slice(-20).join("\n")}`);
            return EXIT.error;
        }
        verdictTable(summary).forEach((line) => deps.out(line));
        const code = verdictExit(summary);
        deps.out(code === EXIT.ok ? "all thresholds held" : "a threshold was breached");
        return code;
    } finally {
        await cluster.remove(target.namespace, name).then(
            () => deps.out(`deleted TestRun ${target.namespace}/${name}`),
            (e: unknown) => deps.out(`could not delete TestRun ${name}: ${String(e)}`),
        );
    }
}

/** The whole command: its exit code (0 held, 1 breach, 2 error). */
export async function runLoad(argv: string[], deps: LoadDeps): Promise<number> {
    try {
        const command = parseArgs(argv);
        if (command.kind !== "run") {
            (command.kind === "list" ? listText() : [USAGE]).forEach((line) => deps.out(line));
            return EXIT.ok;
        }
        return await runScenario(command, deps);
    } catch (e) {
        deps.out(`error: ${e instanceof Error ? e.message : String(e)}`);
        return EXIT.error;
    }
}
