// `npm run verify`: refuse while a drill holds the lab, run every check bounded in time (a few at once), print a
// line per check and progress every 10 s, delete every probe object on every path, write the reports, exit
// 0 (all hold), 1 (a promise broken) or 2 (could not run). The lab and the clock are injected: tests use fakes.
import { DRILLS } from "../shared/facts";
import { EXIT as PROGRAM_EXIT } from "../shared/exit";
import { leaseExpiry, type DrillLease } from "../shared/lease";
import { CHECKS, listText } from "./catalog";
import type { Check, Outcome, VerifyContext } from "./check";
import { Unreachable } from "./http";
import { cleanupProbes, runProbes } from "./probeRun";
import { STRICT_MTLS_ROW, truthTable, type ProbeResults } from "./probes";
import { reportBase, reportMarkdown, resultLines, summaryLine, type CheckResult, type VerifyReport } from "./report";

/** The programs' one set of exit codes (programs/shared/exit.ts), in verify's words: a promise broken, or not judged. */
export const EXIT = { ok: PROGRAM_EXIT.ok, broken: PROGRAM_EXIT.breach, couldNotRun: PROGRAM_EXIT.error } as const;

/** How many checks run at once (the truth table's pods run as one of them). */
export const CONCURRENCY = 4;
/** Progress at least this often while checks run. */
export const PROGRESS_SECONDS = 10;
/** The first call to the API server: an answer within this, or the suite stops with a message. */
export const API_ANSWER_SECONDS = 10;
export const REPORTS_DIR = DRILLS.reportsDir;
/** Past this, checks not yet started are reported as not run: the suite stays within five minutes on a sick lab too. */
export const SUITE_DEADLINE_SECONDS = 270;

export const USAGE = "usage: npm run verify [-- --fast | --only <id or prefix>[,…] | --list]";

/** The lab as the checks see it, minus what the runner adds per check (probes, signal). */
export type LabContext = Omit<VerifyContext, "probes" | "signal" | "now" | "sleep">;

export interface VerifyDeps {
    /** Reads the stack outputs and builds the clients (not called for --list). */
    connect(): Promise<LabContext>;
    out(line: string): void;
    now(): number;
    /** Resolves after `ms`, or early when `signal` aborts. */
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
    /** Aborted on Ctrl-C. */
    signal: AbortSignal;
    write(path: string, text: string): void;
    /** Tests only: a catalog of their own, and shorter waits. */
    checks?: readonly Check[];
    apiAnswerMs?: number;
    progressMs?: number;
    suiteDeadlineMs?: number;
}

export type VerifyCommand = { kind: "list" } | { kind: "help" } | { kind: "run"; suite: VerifyReport["suite"]; checks: readonly Check[] };

export function parseVerifyArgs(argv: string[], catalog: readonly Check[] = CHECKS): VerifyCommand {
    if (argv.includes("--help") || argv.includes("-h")) return { kind: "help" };
    if (argv.length === 0) return { kind: "run", suite: "full", checks: catalog };
    if (argv.length === 1 && argv[0] === "--list") return { kind: "list" };
    if (argv.length === 1 && argv[0] === "--fast") return { kind: "run", suite: "fast", checks: catalog.filter((c) => c.fast === true) };
    if (argv.length === 2 && argv[0] === "--only") {
        const wanted = argv[1].split(",").filter(Boolean);
        const checks = catalog.filter((c) => wanted.some((w) => c.id === w || c.id.startsWith(w.endsWith(".") ? w : `${w}.`)));
        if (checks.length === 0) throw new Error(`no check matches ${argv[1]} (npm run verify -- --list names them)`);
        return { kind: "run", suite: "selected", checks };
    }
    throw new Error(USAGE);
}

class Timeout extends Error {}

/** Runs one check against its deadline; a throw or the deadline is "could not run", never a pass. */
async function runOne(check: Check, base: VerifyContext, deps: VerifyDeps): Promise<CheckResult> {
    const started = deps.now();
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    deps.signal.addEventListener("abort", onAbort);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
            abort.abort();
            reject(new Timeout(`did not finish within ${check.timeoutSeconds} s`));
        }, check.timeoutSeconds * 1000);
    });
    const ctx: VerifyContext = { ...base, signal: abort.signal, sleep: (ms) => deps.sleep(ms, abort.signal) };
    let outcome: Outcome | { status: "error"; evidence: string };
    try {
        outcome = await Promise.race([check.run(ctx), deadline]);
    } catch (e) {
        outcome = { status: "error", evidence: e instanceof Error ? e.message : String(e) };
    } finally {
        clearTimeout(timer);
        deps.signal.removeEventListener("abort", onAbort);
    }
    return { id: check.id, group: check.group, proves: check.proves, ...outcome, seconds: (deps.now() - started) / 1000 };
}

/** Refuses while a drill holds the lab's lock (a drill's faults would fail checks that are not broken). */
async function drillLock(lab: LabContext, now: number): Promise<string | undefined> {
    const { namespace, name } = DRILLS.lock;
    const res = await lab.kube.request(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`could not read the drill lock ${namespace}/${name}: the API answered ${res.status}`);
    const lease = JSON.parse(res.body) as DrillLease;
    return leaseExpiry(lease) > now
        ? `a drill is running: ${namespace}/${name} is held by ${lease.spec.holderIdentity} until ${new Date(leaseExpiry(lease)).toISOString()}; run verify after it`
        : undefined;
}

async function runSuite(suite: VerifyReport["suite"], checks: readonly Check[], deps: VerifyDeps): Promise<number> {
    const startedAt = deps.now();
    deps.out("reading the stack's outputs");
    const lab = await deps.connect();
    // An API server that accepts and never answers: a message within seconds, not a hang.
    try {
        await lab.kube.json("/version", { timeoutMs: deps.apiAnswerMs ?? API_ANSWER_SECONDS * 1000 });
    } catch (e) {
        deps.out(
            `error: cannot check the lab: ${e instanceof Error ? e.message : String(e)}. Is the cluster up, and is ${lab.lab.apiServerUrl} reachable from here?`,
        );
        return EXIT.couldNotRun;
    }
    const held = await drillLock(lab, deps.now());
    if (held !== undefined) {
        deps.out(`refused: ${held}`);
        return EXIT.couldNotRun;
    }
    const stamp = new Date(startedAt).toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    let probes: Promise<ProbeResults> | undefined;
    const base: VerifyContext = {
        ...lab,
        now: deps.now,
        sleep: (ms) => deps.sleep(ms, deps.signal),
        signal: deps.signal,
        // Once per suite, shared by every row of the truth table (and the mTLS check).
        probes: () =>
            (probes ??= runProbes(truthTable(lab.lab.urls.argocd !== undefined).rows, {
                kube: lab.kube,
                runStamp: stamp,
                sleep: (ms) => deps.sleep(ms, deps.signal),
                now: deps.now,
                out: deps.out,
                signal: deps.signal,
            })),
    };
    // The two long waits start first: the probe pods (in the background, shared by the truth table's rows) and the load run.
    if (checks.some((c) => c.group === "netpol" || c.id === STRICT_MTLS_ROW)) {
        base.probes().catch(() => undefined);
    }
    const results: CheckResult[] = [];
    const running = new Set<string>();
    const ticker = setInterval(
        () => deps.out(`  ... ${Math.round((deps.now() - startedAt) / 1000)} s: ${results.length}/${checks.length} done; running ${[...running].join(", ")}`),
        deps.progressMs ?? PROGRESS_SECONDS * 1000,
    );
    deps.out(`verifying ${checks.length} checks (${suite} suite, ${lab.lab.mode} mode)`);
    try {
        const together = checks.filter((c) => !c.alone);
        const left = [...together.filter((c) => c.group === "load"), ...together.filter((c) => c.group !== "load")];
        const alone = checks.filter((c) => c.alone);
        const worker = async (queue: Check[]) => {
            for (let check = queue.shift(); check !== undefined; check = queue.shift()) {
                running.add(check.id);
                const late = deps.now() - startedAt > (deps.suiteDeadlineMs ?? SUITE_DEADLINE_SECONDS * 1000);
                const notRun = (why: string): CheckResult => ({
                    id: check!.id,
                    group: check!.group,
                    proves: check!.proves,
                    status: "error",
                    evidence: why,
                    seconds: 0,
                });
                const result: CheckResult = deps.signal.aborted
                    ? notRun("interrupted before it ran")
                    : late
                      ? notRun(
                            `not started: the suite passed its ${Math.round((deps.suiteDeadlineMs ?? SUITE_DEADLINE_SECONDS * 1000) / 1000)} s deadline (the lab answers slowly; npm run verify -- --only ${check.id})`,
                        )
                      : await runOne(check, base, deps);
                running.delete(check.id);
                results.push(result);
                resultLines(result).forEach((l) => deps.out(l));
            }
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(left)));
        // Then, one at a time, the checks that must have the lab to themselves.
        await worker(alone);
    } finally {
        clearInterval(ticker);
        // A probe run still under way (started early, or its rows timed out) ends first: nothing is created after the clean-up.
        await probes?.catch(() => undefined);
        // Every probe object goes, on success, failure and Ctrl-C alike (and any left by an earlier run).
        await cleanupProbes(lab.kube)
            .then((gone) => gone.length > 0 && deps.out(`deleted probe pods: ${gone.join(", ")}`))
            .catch((e: unknown) => deps.out(`could not delete the probe pods (label homelab.verify=probe): ${String(e)}; delete them by hand`));
    }
    const ordered = checks.map((c) => results.find((r) => r.id === c.id)!);
    const counts = { pass: 0, fail: 0, skip: 0, error: 0 };
    ordered.forEach((r) => counts[r.status]++);
    const exitCode = counts.fail > 0 ? EXIT.broken : counts.error > 0 || deps.signal.aborted ? EXIT.couldNotRun : EXIT.ok;
    const report: VerifyReport = {
        startedAt: new Date(startedAt).toISOString(),
        endedAt: new Date(deps.now()).toISOString(),
        mode: lab.lab.mode,
        suite,
        counts,
        exitCode,
        results: ordered,
    };
    deps.out(summaryLine(counts, (deps.now() - startedAt) / 1000));
    const file = reportBase(REPORTS_DIR, report.startedAt);
    deps.write(`${file}.json`, `${JSON.stringify(report, null, 2)}\n`);
    deps.write(`${file}.md`, reportMarkdown(report));
    deps.out(`wrote ${file}.json and ${file}.md`);
    return exitCode;
}

/** The whole command. */
export async function runVerify(argv: string[], deps: VerifyDeps): Promise<number> {
    try {
        const command = parseVerifyArgs(argv, deps.checks);
        if (command.kind !== "run") {
            (command.kind === "list" ? listText(deps.checks) : [USAGE]).forEach((l) => deps.out(l));
            return EXIT.ok;
        }
        return await runSuite(command.suite, command.checks, deps);
    } catch (e) {
        deps.out(`error: ${e instanceof Unreachable ? "the lab did not answer: " : ""}${e instanceof Error ? e.message : String(e)}`);
        return EXIT.couldNotRun;
    }
}
