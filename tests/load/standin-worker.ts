// A worker thread holding a local stand-in of Shlink's REST API (127.0.0.1 only) and the HTTP client the k6
// shim calls synchronously: the test thread blocks in Atomics.wait while this thread serves and answers.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { workerData, type MessagePort } from "node:worker_threads";

export type StandinRequest =
    | { op: "start"; apiKey: string; maxRequests: number }
    | { op: "request"; method: string; url: string; body?: string; headers: Record<string, string> }
    | { op: "ledger" }
    | { op: "stop" };

export interface StandinResponse {
    status: number;
    body: string;
    headers: Record<string, string>;
    durationMs: number;
}

export interface Ledger {
    /** Successful creations, in order, with the long URL each one asked for. */
    created: { code: string; longUrl: string }[];
    /** Creations refused for a missing or wrong API key. */
    rejected: number;
    /** Redirects served, by short code. */
    redirects: Record<string, number>;
    requests: number;
}

const { port, flag } = workerData as { port: MessagePort; flag: Int32Array };
let apiKey = "";
let maxRequests = 0;
const ledger: Ledger = { created: [], rejected: 0, redirects: {}, requests: 0 };
const longUrls = new Map<string, string>();
let server: http.Server | undefined;

function json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
}

/** Shlink's two calls the scenarios make: POST /rest/v3/short-urls (API key) and GET /<shortCode>. */
function serve(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "POST" && url.pathname === "/rest/v3/short-urls") {
        if (req.headers["x-api-key"] !== apiKey) {
            ledger.rejected++;
            json(res, 401, { type: "https://shlink.io/api/error/invalid-api-key", status: 401 });
            return;
        }
        const longUrl = (JSON.parse(body) as { longUrl?: unknown }).longUrl;
        if (typeof longUrl !== "string" || !/^https?:\/\//.test(longUrl)) {
            json(res, 400, { type: "https://shlink.io/api/error/invalid-data", status: 400 });
            return;
        }
        const code = `c${ledger.created.length.toString(36)}`;
        ledger.created.push({ code, longUrl });
        longUrls.set(code, longUrl);
        json(res, 200, { shortCode: code, shortUrl: `http://127.0.0.1/${code}`, longUrl });
        return;
    }
    const code = url.pathname.slice(1);
    const target = longUrls.get(code);
    if (req.method === "GET" && target !== undefined) {
        ledger.redirects[code] = (ledger.redirects[code] ?? 0) + 1;
        res.writeHead(302, { Location: target });
        res.end();
        return;
    }
    json(res, 404, { status: 404 });
}

function request(r: Extract<StandinRequest, { op: "request" }>): Promise<StandinResponse> {
    const url = new URL(r.url);
    if (url.hostname !== "127.0.0.1") {
        throw new Error(`the shim only talks to 127.0.0.1, not ${url.hostname}`);
    }
    if (++ledger.requests > maxRequests) {
        throw new Error(`more than ${maxRequests} requests: the test's request budget is exhausted`);
    }
    const started = performance.now();
    return new Promise((resolve, reject) => {
        const req = http.request(url, { method: r.method, headers: r.headers, timeout: 2000 }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => (body += chunk));
            res.on("end", () =>
                resolve({
                    status: res.statusCode ?? 0,
                    body,
                    headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])),
                    durationMs: performance.now() - started,
                }),
            );
        });
        req.on("timeout", () => req.destroy(new Error("request timed out")));
        req.on("error", reject);
        req.end(r.body);
    });
}

async function handle(msg: StandinRequest): Promise<unknown> {
    switch (msg.op) {
        case "start":
            apiKey = msg.apiKey;
            maxRequests = msg.maxRequests;
            server = http.createServer((req, res) => {
                let body = "";
                req.on("data", (c: Buffer) => (body += c.toString("utf8")));
                req.on("end", () => serve(req, res, body));
            });
            await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
            return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
        case "request":
            return request(msg);
        case "ledger":
            return structuredClone(ledger);
        case "stop":
            await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
            return null;
    }
}

port.on("message", (msg: StandinRequest) => {
    handle(msg)
        .then(
            (value) => port.postMessage({ value }),
            (e: unknown) => port.postMessage({ error: e instanceof Error ? e.message : String(e) }),
        )
        .finally(() => {
            Atomics.store(flag, 0, 1);
            Atomics.notify(flag, 0);
        });
});
