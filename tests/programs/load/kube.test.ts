// The real LoadCluster (@kubernetes/client-node, kubeconfig loaded in memory) against a fake Kubernetes API
// on 127.0.0.1: the paths and verbs it uses for TestRuns and runner pods, 404s read as "gone", and every call
// bounded against a server that never answers.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { K6 } from "../../../components/load/facts";
import { runLoad } from "../../../programs/load/cli";
import { EXIT } from "../../../programs/shared/exit";
import { kubeCluster } from "../../../programs/shared/kube";
import { loadTarget } from "../../../components/load/manifests";
import { testRun } from "../../../components/load/testRun";
import { fakeKubeconfig, silentKubeServer } from "../../helpers/fakeKube";

const seen: { method: string; url: string; auth?: string; body: string }[] = [];
let server: http.Server;
let kubeconfig: string;

beforeAll(async () => {
    server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString("utf8")));
        req.on("end", () => {
            const url = req.url ?? "";
            seen.push({ method: req.method ?? "", url, auth: req.headers.authorization, body });
            const send = (status: number, payload: unknown, type = "application/json") => {
                res.writeHead(status, { "Content-Type": type });
                res.end(typeof payload === "string" ? payload : JSON.stringify(payload));
            };
            if (url.includes("/testruns/gone")) {
                send(404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 });
            } else if (url.startsWith("/api/v1/namespaces/load/pods?")) {
                send(200, { kind: "PodList", apiVersion: "v1", items: [{ metadata: { name: "run-1-abc" } }, { metadata: { name: "run-2-def" } }] });
            } else if (url.endsWith("/log")) {
                send(200, `log of ${url.split("/")[6]}`, "text/plain");
            } else if (req.method === "GET") {
                send(200, { status: { stage: "started" } });
            } else {
                send(200, JSON.parse(body || "{}"));
            }
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    kubeconfig = fakeKubeconfig(port);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("kubeCluster", () => {
    it("creates, polls, reads runner logs of and deletes TestRuns through the Kubernetes API", async () => {
        const cluster = kubeCluster(kubeconfig);
        const run = testRun(loadTarget("https://gw", "http://prom/api/v1/write", { createPerMinute: 900, redirectPerSecond: 500 }), "peak", "run");
        await cluster.create(run);
        expect(await cluster.stage("load", "run")).toBe("started");
        expect(await cluster.runnerLogs("load", "run")).toBe("log of run-1-abc\nlog of run-2-def");
        await cluster.remove("load", "run");
        expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
            "POST /apis/k6.io/v1alpha1/namespaces/load/testruns",
            "GET /apis/k6.io/v1alpha1/namespaces/load/testruns/run",
            "GET /api/v1/namespaces/load/pods?labelSelector=app%3Dk6%2Ck6_cr%3Drun%2Crunner%3Dtrue",
            "GET /api/v1/namespaces/load/pods/run-1-abc/log",
            "GET /api/v1/namespaces/load/pods/run-2-def/log",
            "DELETE /apis/k6.io/v1alpha1/namespaces/load/testruns/run?propagationPolicy=Foreground",
        ]);
        expect(JSON.parse(seen[0].body)).toEqual(run);
        expect(seen.every((r) => r.auth === "Bearer test-token")).toBe(true);
    });

    it("reads a 404 as a run that is gone: stage null, and deleting it is not an error", async () => {
        const cluster = kubeCluster(kubeconfig);
        expect(await cluster.stage("load", "gone")).toBeNull();
        await expect(cluster.remove("load", "gone")).resolves.toBeUndefined();
    });
});

describe("an API server that accepts connections and never answers", () => {
    let silent: http.Server;
    let silentConfig: string;
    let close: () => Promise<void>;

    beforeAll(async () => {
        ({ server: silent, kubeconfig: silentConfig, close } = await silentKubeServer());
    });

    afterAll(() => close());

    it("bounds every call of the load's client, each expiry naming the call and the server", async () => {
        const cluster = kubeCluster(silentConfig, 150);
        const run = testRun(loadTarget("https://gw", "http://prom/api/v1/write", { createPerMinute: 900, redirectPerSecond: 500 }), "peak", "run");
        const server = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
        await expect(cluster.create(run)).rejects.toThrow(
            `the Kubernetes API at ${server} did not answer within 0.15 s (creating TestRun load/run): is it reachable?`,
        );
        await expect(cluster.stage("load", "run")).rejects.toThrow("(reading TestRun load/run)");
        await expect(cluster.runnerLogs("load", "run")).rejects.toThrow("(listing the runner pods of load/run)");
        await expect(cluster.remove("load", "run")).rejects.toThrow("(deleting TestRun load/run)");
    });

    it("npm run load ends with exit 2 and that message instead of hanging", async () => {
        const lines: string[] = [];
        const target = loadTarget("https://gw", "http://prom/api/v1/write", { createPerMinute: 900, redirectPerSecond: 500 });
        const code = await runLoad(["peak"], {
            connect: () => Promise.resolve({ target, cluster: kubeCluster(silentConfig, 100) }),
            out: (line) => lines.push(line),
            now: () => Date.now(),
            sleep: () => Promise.resolve(),
            signal: new AbortController().signal,
        });
        expect(code).toBe(EXIT.error);
        expect(lines.join("\n")).toContain("did not answer within 0.1 s (creating TestRun load/peak-");
    });

    it("waits K6.apiTimeoutSeconds by default", () => {
        expect(K6.apiTimeoutSeconds).toBeGreaterThan(0);
        expect(K6.apiTimeoutSeconds).toBeLessThanOrEqual(30);
    });
});
