// `npm run drill`: refuse unless the lab is healthy and unlocked, run the steady load, inject once it is
// steady, restore on every path (success, failure, a synchronous throw, Ctrl-C), measure on the cluster's clock,
// report; `--all` runs the game day (gameday.ts). Cluster, clock and output are injected, so tests drive it with
// stand-ins; kube.ts and lab.ts are the real ones.
import { DRILLS } from "../shared/facts";
import { EXIT } from "../shared/exit";
import { parseLoadLog, parseTimeline } from "../../components/load/scenarios/catalog";
import { backupRestore } from "./backup";
import { DRILL_USAGE, drillListText, parseDrillArgs, type DrillName, type DrillRepo } from "./catalog";
import { clockLine, measureClock, type ClusterClock } from "./clock";
import type { DrillDeps, DrillLab } from "./cluster";
import { FAULT_DRILLS, Interrupted, type DrillContext, type Preparation } from "./drills";
import { gameDay, GAME_DAY_NAMESPACES } from "./gameday";
import { measure, verdict, type Verdict } from "./measure";
import { drillLease, leaseExpiry } from "../shared/lease";
import { drillLoadSeconds, drillPlannedRate, drillRunName, drillTestRun } from "./objects";
import { reportBase, reportMarkdown, reportTable, type DrillOutcome, type DrillReport } from "./report";

export type { DrillDeps } from "./cluster";

export { Interrupted };

const iso = (ms: number): string => new Date(ms).toISOString();
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Calls `f`, turning a synchronous throw into a rejection (a `.catch` or `finally` then always sees it). */
export function attempt<T>(f: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve) => resolve(f()));
}

/** The exit status of a verdict. */
export function verdictExit(v: Verdict): number {
    return v.outcome === "PASS" ? EXIT.ok : v.outcome === "FAIL" ? EXIT.breach : EXIT.inconclusive;
}

/** DrillDeps that remember when they last printed a line. */
export type TrackedDeps = DrillDeps & { lastLine(): number };

export function tracked(deps: DrillDeps): TrackedDeps {
    let last = deps.now();
    return {
        ...deps,
        out: (line) => {
            last = deps.now();
            deps.out(line);
        },
        lastLine: () => last,
    };
}

/**
 * The waits every drill shares: each prints what it waits for, and for how long at most, so that no
 * progressSeconds pass without a line.
 */
export function drillContext(lab: DrillLab, deps: TrackedDeps, node?: string, repo?: DrillRepo): DrillContext {
    const progress = DRILLS.progressSeconds * 1000;
    const pollMs = DRILLS.pollSeconds * 1000;
    return {
        lab,
        node,
        repo,
        out: deps.out,
        poll: async (check, timeoutSeconds, what) => {
            const started = deps.now();
            const until = started + timeoutSeconds * 1000;
            let lastError: unknown;
            for (;;) {
                if (deps.signal.aborted) {
                    throw new Interrupted(`interrupted while waiting for ${what}`);
                }
                try {
                    if (await attempt(check)) {
                        return true;
                    }
                    lastError = undefined;
                } catch (e) {
                    // A read that fails once (a VIP moving, a pod's log not there yet) is asked again until the deadline.
                    if (lastError === undefined) {
                        deps.out(`  ... ${what}: ${message(e)} (retrying)`);
                    }
                    lastError = e;
                }
                if (deps.now() >= until) {
                    if (lastError !== undefined) {
                        throw lastError;
                    }
                    deps.out(`gave up waiting for ${what} after ${timeoutSeconds} s`);
                    return false;
                }
                if (deps.now() + pollMs - deps.lastLine() > progress) {
                    deps.out(`  ... waiting for ${what}: ${Math.round((deps.now() - started) / 1000)} s of at most ${timeoutSeconds} s`);
                }
                await deps.sleep(pollMs, deps.signal);
            }
        },
        wait: async (seconds, what) => {
            const until = deps.now() + seconds * 1000;
            const say = () => deps.out(`  ... ${what}: ${seconds - Math.max(0, Math.round((until - deps.now()) / 1000))} s of ${seconds} s`);
            while (deps.now() < until) {
                if (deps.now() - deps.lastLine() >= progress) {
                    say();
                }
                await deps.sleep(Math.min(until, deps.lastLine() + progress) - deps.now(), deps.signal);
                if (deps.signal.aborted) {
                    throw new Interrupted(`interrupted while ${what}`);
                }
            }
            say();
        },
    };
}

/** Every Deployment and StatefulSet ready in `namespaces`, every node Ready: the problems, none when healthy. */
export async function labProblems(lab: DrillLab, namespaces: readonly string[]): Promise<string[]> {
    const nodes = (await lab.cluster.nodes()).filter((n) => !n.ready).map((n) => `node ${n.name} NotReady`);
    return [...(await lab.cluster.notReady(namespaces)), ...nodes];
}

/** Refuses (throws) unless every workload is ready and the drill's own preconditions hold; what it will take away. */
async function preflight(drill: DrillName, ctx: DrillContext): Promise<Preparation | undefined> {
    const notReady = await ctx.lab.cluster.notReady(DRILLS.healthNamespaces);
    if (notReady.length > 0) {
        throw new Error(`the lab is not healthy, no drill now: ${notReady.join("; ")}`);
    }
    return drill === "backup-restore" ? undefined : FAULT_DRILLS[drill].prepare(ctx);
}

/** Steady: the load has run `steadySeconds` with requests and without a failed one. */
export function isSteady(log: string): boolean {
    const events = parseTimeline(log);
    if (events.length === 0) {
        return false;
    }
    const last = events[events.length - 1].t;
    const since = last - DRILLS.steadySeconds * 1000;
    return events[0].t <= since && events.every((e) => e.ok || e.t < since);
}

/** The fault drills: load, inject, hold, restore (always), heal, tail, measure. Broken leftovers go to `leftBroken`. */
async function faultDrill(
    drill: Exclude<DrillName, "backup-restore">,
    prepared: Preparation,
    ctx: DrillContext,
    deps: TrackedDeps,
    clock: ClusterClock,
    leftBroken: string[],
): Promise<DrillReport> {
    const { target, cluster } = ctx.lab;
    const spec = FAULT_DRILLS[drill];
    const startedAt = clock.now();
    const name = drillRunName(drill, startedAt);
    const holdSeconds = prepared.undo === undefined ? 0 : DRILLS.nodeAwaySeconds;
    const run = drillTestRun(target, name, drillLoadSeconds(holdSeconds), prepared.awayNodes);
    let injecting = false;
    let restored = false;
    try {
        await attempt(() => cluster.load.create(run));
        const away = prepared.awayNodes.length > 0 ? `, its runner kept off ${prepared.awayNodes.join(", ")}` : "";
        deps.out(`started load ${target.namespace}/${name} (${DRILLS.scenario}${away}); waiting until it is steady`);
        const steady = await ctx.poll(async () => isSteady(await cluster.load.runnerLogs(target.namespace, name)), DRILLS.steadyTimeoutSeconds, "steady load");
        if (!steady) {
            throw new Error(`the load was not steady within ${DRILLS.steadyTimeoutSeconds} s: see the k6 dashboard (testid=${name})`);
        }
        const injectedAt = clock.now();
        // Set before the call: an injection that fails half-way (SSH dropped after k3s stopped) is restored too.
        injecting = true;
        const fault = await attempt(() => spec.inject(ctx, prepared));
        deps.out(`injected at ${iso(injectedAt)} (cluster clock): took away ${fault.target}`);
        if (fault.holdSeconds > 0) {
            await ctx.wait(fault.holdSeconds, `keeping ${fault.target} away`);
        }
        if (prepared.undo !== undefined) {
            deps.out(`giving back ${fault.target} (SSH, at most ${DRILLS.sshTimeoutSeconds} s)`);
            await attempt(() => prepared.undo!.restore());
            restored = true;
            deps.out(`gave back ${fault.target}`);
        }
        let promotedAt: number | undefined;
        const { promoted, healthy } = fault;
        const healed = await ctx.poll(
            async () => {
                if (promotedAt === undefined && promoted !== undefined && (await promoted())) {
                    promotedAt = clock.now();
                }
                return healthy();
            },
            DRILLS.recoverySeconds,
            `${fault.target} to be healthy again`,
        );
        const healthyAt = healed ? clock.now() : undefined;
        await ctx.wait(DRILLS.tailSeconds, "keeping the load on after the recovery");
        const load = parseLoadLog(await cluster.load.runnerLogs(target.namespace, name));
        const m = measure(load, { injectedAt, promotedAt, healthyAt, endedAt: clock.now() }, drillPlannedRate());
        return {
            drill,
            startedAt: iso(startedAt),
            injectedAt: iso(injectedAt),
            endedAt: iso(clock.now()),
            target: fault.target,
            loadRun: name,
            measurement: m,
            clock: { skewMs: clock.skewMs, uncertaintyMs: clock.uncertaintyMs },
            verdict: verdict(m),
        };
    } finally {
        if (injecting && prepared.undo !== undefined && !restored) {
            deps.out("restoring what the drill took away");
            await attempt(() => prepared.undo!.restore()).then(
                () => deps.out("restored"),
                (e: unknown) => {
                    leftBroken.push(prepared.undo!.leftBroken);
                    deps.out(`LEFT BROKEN: ${prepared.undo!.leftBroken} (the drill's restore failed: ${message(e)})`);
                },
            );
        }
        await attempt(() => cluster.load.remove(target.namespace, name)).catch((e: unknown) =>
            deps.out(`LEFT BEHIND: TestRun ${target.namespace}/${name} (${message(e)}); delete it: kubectl -n ${target.namespace} delete testrun ${name}`),
        );
    }
}

async function backupDrill(ctx: DrillContext, clock: ClusterClock): Promise<DrillReport> {
    const startedAt = clock.now();
    const result = await backupRestore(ctx, clock.now);
    const equal = result.counts.live === result.counts.restored;
    return {
        drill: "backup-restore",
        startedAt: iso(startedAt),
        injectedAt: iso(startedAt),
        endedAt: iso(clock.now()),
        target: `backup ${result.backupId} in ${result.repoName}`,
        loadRun: undefined,
        measurement: undefined,
        backup: result,
        clock: { skewMs: clock.skewMs, uncertaintyMs: clock.uncertaintyMs },
        verdict: equal
            ? { outcome: "PASS", pass: true, reasons: [] }
            : {
                  outcome: "FAIL",
                  pass: false,
                  reasons: [
                      `the restore holds ${result.counts.restored} short URLs, the live database ${result.counts.live} at restore point ${result.restorePoint}`,
                  ],
              },
    };
}

/** Prints, writes reports/*.json and *.md, and marks the fault window in Grafana. */
async function publish(report: DrillReport, lab: DrillLab, deps: DrillDeps): Promise<void> {
    reportTable(report).forEach((line) => deps.out(line));
    const base = reportBase(DRILLS.reportsDir, report);
    deps.write(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
    deps.write(`${base}.md`, reportMarkdown(report));
    deps.out(`wrote ${base}.json and ${base}.md`);
    if (lab.annotate !== undefined) {
        await attempt(() =>
            lab.annotate!(`drill ${report.drill}: ${report.target} (${report.verdict.outcome})`, Date.parse(report.injectedAt), Date.parse(report.endedAt), [
                "drill",
                report.drill,
            ]),
        )
            .then(() => deps.out("marked the fault window in Grafana"))
            .catch((e: unknown) => deps.out(`could not annotate Grafana: ${message(e)}`));
    }
}

/** One drill in a locked lab: preflight, the drill, its report. Errors end as exit 2 with what is left broken. */
export async function runOne(
    drill: DrillName,
    node: string | undefined,
    lab: DrillLab,
    deps: TrackedDeps,
    clock: ClusterClock,
    repo?: DrillRepo,
): Promise<DrillOutcome> {
    const ctx = drillContext(lab, deps, node, repo);
    const leftBroken: string[] = [];
    try {
        const prepared = await preflight(drill, ctx);
        const report =
            prepared === undefined
                ? await backupDrill(ctx, clock)
                : await faultDrill(drill as Exclude<DrillName, "backup-restore">, prepared, ctx, deps, clock, leftBroken);
        await publish(report, lab, deps);
        return { drill, code: verdictExit(report.verdict), report, leftBroken };
    } catch (e) {
        if (e instanceof Interrupted) {
            throw Object.assign(e, { leftBroken });
        }
        deps.out(`error: ${drill}: ${message(e)}`);
        return { drill, code: EXIT.error, error: message(e), leftBroken };
    }
}

/** Takes the drill lock for `body`, releases it on every path. */
async function withLock<T>(lab: DrillLab, deps: DrillDeps, clock: ClusterClock, body: () => Promise<T>): Promise<T> {
    const now = clock.now();
    const held = await lab.cluster.lock(drillLease(deps.holder, now), now);
    if (held !== undefined) {
        throw new Error(
            `another drill is running: ${DRILLS.lock.namespace}/${DRILLS.lock.name} is held by ${held.spec.holderIdentity} until ${iso(leaseExpiry(held))}`,
        );
    }
    try {
        return await body();
    } finally {
        await attempt(() => lab.cluster.unlock(deps.holder)).catch((e: unknown) =>
            deps.out(`LEFT BEHIND: the drill lock (${message(e)}); once no drill runs: kubectl -n ${DRILLS.lock.namespace} delete lease ${DRILLS.lock.name}`),
        );
    }
}

/**
 * The whole command: 0 PASS, 1 FAIL, 2 refused, interrupted or broken, 3 INCONCLUSIVE (the load cannot vouch for
 * the fault window). `--all`: the game day's worst.
 */
export async function runDrill(argv: string[], given: DrillDeps): Promise<number> {
    const deps = tracked(given);
    try {
        const command = parseDrillArgs(argv);
        if (command.kind === "list" || command.kind === "help") {
            (command.kind === "list" ? drillListText() : [DRILL_USAGE]).forEach((line) => deps.out(line));
            return EXIT.ok;
        }
        const lab = await deps.connect();
        const clock = await measureClock(
            () => lab.cluster.serverTime(),
            deps.now,
            (ms) => deps.sleep(ms, deps.signal),
        );
        deps.out(clockLine(clock));
        if (command.kind === "all") {
            const problems = await labProblems(lab, GAME_DAY_NAMESPACES);
            if (problems.length > 0) {
                throw new Error(`the lab is not healthy, no game day now: ${problems.join("; ")}`);
            }
            return await withLock(lab, deps, clock, () =>
                gameDay(lab, deps, clock, {
                    runOne: (drill, node) => runOne(drill, node, lab, deps, clock),
                    labProblems,
                    context: () => drillContext(lab, deps),
                }),
            );
        }
        const ctx = drillContext(lab, deps, command.node, command.repo);
        const notReady = await ctx.lab.cluster.notReady(DRILLS.healthNamespaces);
        if (notReady.length > 0) {
            throw new Error(`the lab is not healthy, no drill now: ${notReady.join("; ")}`);
        }
        if (command.drill !== "backup-restore") {
            await FAULT_DRILLS[command.drill].prepare(ctx);
        }
        const outcome = await withLock(lab, deps, clock, () => runOne(command.drill, command.node, lab, deps, clock, command.repo));
        return outcome.code;
    } catch (e) {
        deps.out(`${e instanceof Interrupted ? "interrupted" : "error"}: ${message(e)}`);
        return EXIT.error;
    }
}
