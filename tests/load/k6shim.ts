// A minimal k6 for running the scenarios in tests: the `k6`, `k6/http` and `k6/metrics` calls they make,
// with k6's synchronous HTTP over a worker thread (standin-worker.ts) and Atomics.wait. Also plans a bounded
// number of iterations from a script's arrival-rate scenarios, and evaluates thresholds the way k6 reads them.
import * as path from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { REQUEST_TIMEOUT_SECONDS, type SummaryData } from "../../components/load/scenarios/catalog";
import type { Ledger, StandinRequest, StandinResponse } from "./standin-worker";

/** k6's built-in metrics (https://grafana.com/docs/k6/latest/using-k6/metrics/reference/). */
export const K6_BUILTIN_METRICS = [
    "checks",
    "data_received",
    "data_sent",
    "dropped_iterations",
    "iteration_duration",
    "iterations",
    "vus",
    "vus_max",
    "http_req_blocked",
    "http_req_connecting",
    "http_req_duration",
    "http_req_failed",
    "http_req_receiving",
    "http_req_sending",
    "http_req_tls_handshaking",
    "http_req_waiting",
    "http_reqs",
];

interface Sample {
    value: number;
    tags: Record<string, string>;
}

class Runtime {
    private worker: Worker | undefined;
    private port: MessagePort | undefined;
    private flag = new Int32Array(new SharedArrayBuffer(4));
    /** Custom metrics by name, as the scripts defined them, with every sample. */
    readonly metrics = new Map<string, { type: "trend" | "rate" | "counter"; samples: Sample[] }>();
    readonly checks = new Map<string, { passes: number; fails: number }>();
    baseUrl = "";

    start(apiKey: string, maxRequests: number): void {
        const channel = new MessageChannel();
        const entry = path.join(__dirname, "standin-worker.ts");
        this.worker = new Worker(`require("tsx/cjs"); require(${JSON.stringify(entry)});`, {
            eval: true,
            workerData: { port: channel.port2, flag: this.flag },
            transferList: [channel.port2],
        });
        this.port = channel.port1;
        this.baseUrl = (this.call({ op: "start", apiKey, maxRequests }) as { baseUrl: string }).baseUrl;
    }

    /** One synchronous round trip to the worker (bounded: 10 s, then the test fails). */
    call(msg: StandinRequest): unknown {
        if (this.port === undefined) {
            throw new Error("the k6 shim is not started");
        }
        Atomics.store(this.flag, 0, 0);
        this.port.postMessage(msg);
        if (Atomics.wait(this.flag, 0, 0, 10_000) === "timed-out") {
            throw new Error(`the stand-in did not answer ${msg.op} within 10 s`);
        }
        const reply = receiveMessageOnPort(this.port)?.message as { value?: unknown; error?: string } | undefined;
        if (reply === undefined || reply.error !== undefined) {
            throw new Error(reply?.error ?? "no reply from the stand-in");
        }
        return reply.value;
    }

    ledger(): Ledger {
        return this.call({ op: "ledger" }) as Ledger;
    }

    async stop(): Promise<void> {
        if (this.worker !== undefined) {
            this.call({ op: "stop" });
            await this.worker.terminate();
            this.port?.close();
            this.worker = undefined;
        }
    }

    resetMetrics(): void {
        this.metrics.clear();
        this.checks.clear();
        this.define("http_req_failed", "rate");
        this.define("http_req_duration", "trend");
    }

    define(name: string, type: "trend" | "rate" | "counter"): void {
        if (!this.metrics.has(name)) {
            this.metrics.set(name, { type, samples: [] });
        }
    }

    add(name: string, value: number, tags: Record<string, string> = {}): void {
        const metric = this.metrics.get(name);
        if (metric === undefined) {
            throw new Error(`metric ${name} was never defined`);
        }
        metric.samples.push({ value, tags });
    }
}

const holder = globalThis as { __k6shim?: Runtime };
/** One runtime per test file, kept on globalThis so a module reset (a fresh VU) keeps talking to it. */
export const runtime: Runtime = (holder.__k6shim ??= new Runtime());

type Params = {
    headers?: Record<string, string>;
    tags?: Record<string, string>;
    redirects?: number;
    timeout?: string;
    responseCallback?: { expected: number[] };
};

function request(method: string, url: string, body: string | undefined, params: Params = {}) {
    if (params.redirects !== 0) {
        throw new Error(`${method} ${url}: the scenarios must not follow redirects (redirects: 0)`);
    }
    if (params.timeout !== `${REQUEST_TIMEOUT_SECONDS}s`) {
        throw new Error(`${method} ${url}: every request must time out after ${REQUEST_TIMEOUT_SECONDS}s (k6's default is 60 s), not ${params.timeout}`);
    }
    const res = runtime.call({ op: "request", method, url, body, headers: params.headers ?? {} }) as StandinResponse;
    const expected = params.responseCallback?.expected;
    const failed = expected === undefined ? res.status < 200 || res.status >= 400 : !expected.includes(res.status);
    runtime.add("http_req_failed", failed ? 1 : 0, params.tags);
    runtime.add("http_req_duration", res.durationMs, params.tags);
    return {
        status: res.status,
        body: res.body,
        headers: res.headers,
        timings: { duration: res.durationMs },
        json(selector?: string): unknown {
            const parsed = JSON.parse(res.body) as Record<string, unknown>;
            return selector === undefined ? parsed : parsed[selector];
        },
    };
}

/** `k6/http`: a maxRedirects of 0 is the scripts' option; the shim insists on it per request too. */
export const httpModule = {
    default: {
        get: (url: string, params?: Params) => request("GET", url, undefined, { redirects: 0, ...params }),
        post: (url: string, body: string, params?: Params) => request("POST", url, body, { redirects: 0, ...params }),
        expectedStatuses: (...expected: number[]) => ({ expected }),
    },
};

export const k6Module = {
    check<T>(value: T, sets: Record<string, (v: T) => boolean>): boolean {
        let all = true;
        for (const [name, fn] of Object.entries(sets)) {
            const ok = fn(value);
            const entry = runtime.checks.get(name) ?? { passes: 0, fails: 0 };
            entry[ok ? "passes" : "fails"]++;
            runtime.checks.set(name, entry);
            all &&= ok;
        }
        return all;
    },
    fail(message: string): never {
        throw new Error(`k6 fail(): ${message}`);
    },
    sleep(): void {},
};

class Trend {
    constructor(private readonly name: string) {
        runtime.define(name, "trend");
    }
    add(value: number, tags?: Record<string, string>): void {
        runtime.add(this.name, value, tags);
    }
}

export const metricsModule = { Trend };

/** `k6/execution`: the current scenario, as a test sets it (k6 fills it per iteration); on globalThis like the runtime. */
export const execution = ((globalThis as { __k6exec?: { scenario: Record<string, unknown> } }).__k6exec ??= {
    scenario: { name: "", executor: "", startTime: 0, progress: 0, iterationInInstance: 0, iterationInTest: 0 },
});
export const executionModule = { default: execution };

/** Iterations per second of an arrival-rate scenario, averaged over the run, as k6 would schedule them. */
export function meanRate(scenario: Record<string, unknown>): number {
    if (scenario.executor === "constant-arrival-rate") {
        return scenario.rate as number;
    }
    if (scenario.executor !== "ramping-arrival-rate") {
        throw new Error(`executor ${String(scenario.executor)} is not an arrival rate`);
    }
    let rate = scenario.startRate as number;
    let area = 0;
    let total = 0;
    for (const stage of scenario.stages as { target: number; duration: string }[]) {
        const seconds = Number(stage.duration.replace(/s$/, ""));
        area += ((rate + stage.target) / 2) * seconds;
        total += seconds;
        rate = stage.target;
    }
    return area / total;
}

/** `budget` iterations split between the scenarios' exec functions by their mean rates, interleaved. */
export function planIterations(scenarios: Record<string, Record<string, unknown>>, budget: number): string[] {
    const rates = Object.values(scenarios).map((s) => ({ exec: s.exec as string, rate: meanRate(s) }));
    const plan: string[] = [];
    const done = new Map<string, number>();
    for (let i = 0; i < budget; i++) {
        // The exec furthest behind its share goes next (a deterministic weighted round robin).
        const next = rates.reduce((best, r) => ((done.get(r.exec) ?? 0) / r.rate < (done.get(best.exec) ?? 0) / best.rate ? r : best));
        plan.push(next.exec);
        done.set(next.exec, (done.get(next.exec) ?? 0) + 1);
    }
    return plan;
}

/** A threshold's metric: `name` or `name{tag:value}` → name. */
export function thresholdMetric(key: string): string {
    return key.replace(/\{.*\}$/, "");
}

function percentile(sorted: number[], p: number): number {
    if (sorted.length === 0) {
        return NaN;
    }
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** k6's handleSummary() data for the recorded metrics, thresholds evaluated (p(N)<x and rate<x: what we use). */
export function summaryData(thresholds: Record<string, string[]>): SummaryData {
    const metrics: SummaryData["metrics"] = {};
    for (const [name, metric] of runtime.metrics) {
        const values = metric.samples.map((s) => s.value).sort((a, b) => a - b);
        metrics[name] =
            metric.type === "rate"
                ? { values: { rate: values.reduce((a, v) => a + v, 0) / Math.max(1, values.length), passes: values.filter((v) => v).length } }
                : { values: { count: values.length, "p(95)": percentile(values, 95), "p(99)": percentile(values, 99) } };
    }
    for (const [key, expressions] of Object.entries(thresholds)) {
        const metric = metrics[thresholdMetric(key)];
        if (metric === undefined) {
            // k6 leaves a counter that was never added to out of the summary (dropped_iterations, when none was).
            if (key === "dropped_iterations") {
                continue;
            }
            throw new Error(`threshold on ${key}: no such metric`);
        }
        metric.thresholds = {};
        for (const expression of expressions) {
            const match = /^(p\(\d+\)|rate|count)<([\d.]+)$/.exec(expression);
            if (match === null) {
                throw new Error(`threshold ${expression}: the shim reads p(N)<x and rate<x only`);
            }
            metric.thresholds[expression] = { ok: metric.values[match[1]] < Number(match[2]) };
        }
    }
    return { metrics };
}
