// `npm run drill`: refuse unless the lab is healthy and unlocked, run the steady load, inject once it is
// steady, restore on every path (success, failure, Ctrl-C), measure, report. Cluster, clock and output are
// injected, so tests drive it with stand-ins; kube.ts and ssh.ts are the real ones.
import { DRILLS } from "../defaults";
import { EXIT } from "../load/cli";
import { parseTimeline } from "../load/scenarios/catalog";
import { backupRestore } from "./backup";
import { DRILL_USAGE, drillListText, parseDrillArgs, type DrillName, type DrillRepo } from "./catalog";
import type { DrillLab } from "./cluster";
import { FAULT_DRILLS, type DrillContext, type Fault } from "./drills";
import { measure, verdict } from "./measure";
import { drillLease, drillLoadSeconds, drillRunName, drillTestRun, leaseExpiry } from "./objects";
import { reportBase, reportMarkdown, reportTable, type DrillReport } from "./report";

export interface DrillDeps {
    /** Reads the stack outputs and builds the clients (not called for --list). */
    connect(): Promise<DrillLab>;
    out(line: string): void;
    now(): number;
    /** Resolves after `ms`, or early when `signal` aborts. */
    sleep(ms: number, signal: AbortSignal): Promise<void>;
    /** Aborted on Ctrl-C. */
    signal: AbortSignal;
    /** Who holds the lock (user@host), shown to anyone refused by it. */
    holder: string;
    /** Writes a report file (the path is under reports/). */
    write(path: string, text: string): void;
}

class Interrupted extends Error {}

const iso = (ms: number): string => new Date(ms).toISOString();

function context(lab: DrillLab, deps: DrillDeps, node?: string, repo?: DrillRepo): DrillContext {
    return {
        lab,
        node,
        repo,
        out: deps.out,
        poll: async (check, timeoutSeconds, what) => {
            const until = deps.now() + timeoutSeconds * 1000;
            let lastError: unknown;
            for (;;) {
                if (deps.signal.aborted) {
                    throw new Interrupted(`interrupted while waiting for ${what}`);
                }
                try {
                    if (await check()) {
                        return true;
                    }
                    lastError = undefined;
                } catch (e) {
                    // A read that fails once (a VIP moving, a pod's log not there yet) is asked again until the deadline.
                    if (lastError === undefined) {
                        deps.out(`  ... ${what}: ${e instanceof Error ? e.message : String(e)} (retrying)`);
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
                await deps.sleep(DRILLS.pollSeconds * 1000, deps.signal);
            }
        },
    };
}

/** Refuses (throws) unless every workload is ready and the drill's own preconditions hold. */
async function preflight(drill: DrillName, ctx: DrillContext): Promise<void> {
    const notReady = await ctx.lab.cluster.notReady(DRILLS.healthNamespaces);
    if (notReady.length > 0) {
        throw new Error(`the lab is not healthy, no drill now: ${notReady.join("; ")}`);
    }
    if (drill !== "backup-restore") {
        await FAULT_DRILLS[drill].preflight(ctx);
    }
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

/** The fault drills: load, inject, hold, restore (always), heal, tail, measure. */
async function faultDrill(drill: Exclude<DrillName, "backup-restore">, ctx: DrillContext, deps: DrillDeps, startedAt: number): Promise<DrillReport> {
    const { target, cluster } = ctx.lab;
    const spec = FAULT_DRILLS[drill];
    const name = drillRunName(drill, startedAt);
    const run = drillTestRun(target, name, drillLoadSeconds(drill === "node-loss" ? DRILLS.nodeAwaySeconds : 0));
    let fault: Fault | undefined;
    let restored = false;
    await cluster.load.create(run);
    deps.out(`started load ${target.namespace}/${name} (${DRILLS.scenario}); waiting until it is steady`);
    try {
        const steady = await ctx.poll(async () => isSteady(await cluster.load.runnerLogs(target.namespace, name)), DRILLS.steadyTimeoutSeconds, "steady load");
        if (!steady) {
            throw new Error(`the load was not steady within ${DRILLS.steadyTimeoutSeconds} s: see the k6 dashboard (testid=${name})`);
        }
        const injectedAt = deps.now();
        fault = await spec.inject(ctx);
        deps.out(`injected at ${iso(injectedAt)}: took away ${fault.target}`);
        if (fault.holdSeconds > 0) {
            await deps.sleep(fault.holdSeconds * 1000, deps.signal);
            if (deps.signal.aborted) {
                throw new Interrupted("interrupted while the part was away");
            }
        }
        if (fault.restore !== undefined) {
            await fault.restore();
            restored = true;
            deps.out(`gave back ${fault.target}`);
        }
        let promotedAt: number | undefined;
        const { promoted, healthy } = fault;
        const healed = await ctx.poll(
            async () => {
                if (promotedAt === undefined && promoted !== undefined && (await promoted())) {
                    promotedAt = deps.now();
                }
                return healthy();
            },
            DRILLS.recoverySeconds,
            `${fault.target} to be healthy again`,
        );
        const healthyAt = healed ? deps.now() : undefined;
        await deps.sleep(DRILLS.tailSeconds * 1000, deps.signal);
        const events = parseTimeline(await cluster.load.runnerLogs(target.namespace, name));
        const m = measure(events, { injectedAt, promotedAt, healthyAt, endedAt: deps.now() });
        return {
            drill,
            startedAt: iso(startedAt),
            injectedAt: iso(injectedAt),
            endedAt: iso(deps.now()),
            target: fault.target,
            loadRun: name,
            measurement: m,
            verdict: verdict(m),
        };
    } finally {
        if (fault?.restore !== undefined && !restored) {
            deps.out(`restoring ${fault.target}`);
            await fault.restore().catch((e: unknown) => deps.out(`COULD NOT RESTORE ${fault?.target}: ${String(e)}; do it by hand`));
        }
        await cluster.load.remove(target.namespace, name).catch((e: unknown) => deps.out(`could not delete TestRun ${name}: ${String(e)}`));
    }
}

async function backupDrill(ctx: DrillContext, deps: DrillDeps, startedAt: number): Promise<DrillReport> {
    const result = await backupRestore(ctx, deps.now);
    const equal = result.counts.live === result.counts.restored;
    return {
        drill: "backup-restore",
        startedAt: iso(startedAt),
        injectedAt: iso(startedAt),
        endedAt: iso(deps.now()),
        target: `backup ${result.backupId} in ${result.repoName}`,
        loadRun: undefined,
        measurement: undefined,
        backup: result,
        verdict: {
            pass: equal,
            reasons: equal ? [] : [`the restore holds ${result.counts.restored} short URLs, the live database ${result.counts.live}`],
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
        const verdictText = report.verdict.pass ? "PASS" : "FAIL";
        await lab
            .annotate(`drill ${report.drill}: ${report.target} (${verdictText})`, Date.parse(report.injectedAt), Date.parse(report.endedAt), ["drill", report.drill])
            .then(() => deps.out("marked the fault window in Grafana"))
            .catch((e: unknown) => deps.out(`could not annotate Grafana: ${String(e)}`));
    }
}

async function runOne(drill: DrillName, node: string | undefined, deps: DrillDeps, repo?: DrillRepo): Promise<number> {
    const lab = await deps.connect();
    const ctx = context(lab, deps, node, repo);
    await preflight(drill, ctx);
    const startedAt = deps.now();
    const held = await lab.cluster.lock(drillLease(deps.holder, startedAt), startedAt);
    if (held !== undefined) {
        throw new Error(
            `another drill is running: ${DRILLS.lock.namespace}/${DRILLS.lock.name} is held by ${held.spec.holderIdentity} until ${iso(leaseExpiry(held))}`,
        );
    }
    try {
        const report = drill === "backup-restore" ? await backupDrill(ctx, deps, startedAt) : await faultDrill(drill, ctx, deps, startedAt);
        await publish(report, lab, deps);
        return report.verdict.pass ? EXIT.ok : EXIT.breach;
    } finally {
        await lab.cluster.unlock(deps.holder).catch((e: unknown) => deps.out(`could not release the drill lock: ${String(e)}`));
    }
}

/** The whole command: 0 passed, 1 failed its verdict, 2 refused, interrupted or broken. */
export async function runDrill(argv: string[], deps: DrillDeps): Promise<number> {
    try {
        const command = parseDrillArgs(argv);
        if (command.kind !== "run") {
            (command.kind === "list" ? drillListText() : [DRILL_USAGE]).forEach((line) => deps.out(line));
            return EXIT.ok;
        }
        return await runOne(command.drill, command.node, deps, command.repo);
    } catch (e) {
        deps.out(`${e instanceof Interrupted ? "interrupted" : "error"}: ${e instanceof Error ? e.message : String(e)}`);
        return EXIT.error;
    }
}
