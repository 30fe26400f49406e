// Runs the smoke-check script for real (bash + curl) against a local HTTP server that plays Shlink
// behind the mesh, Grafana, Kiali and Jaeger on 127.0.0.1.
import { spawn, spawnSync } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SMOKE_LONG_URL, smokeCheckScript } from "../../components/smoke/script";
import { nativeTool } from "../helpers/tools";

const shellcheck = nativeTool("shellcheck");
const API_KEY = "k3y-5ecre7-5ecre7-5ecre7";

interface Behaviour {
    grafanaStatus: number;
    keylessApiStatus: number;
    redirectTo: string;
    healthyAfter: number;
    /** What OpenBao's /v1/sys/health answers: 200 active, 429 standby, 501 not initialised, 503 sealed. */
    vaultStatus: number;
}

let behaviour: Behaviour;
let healthCalls = 0;
let server: http.Server;
let base = "";

function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = req.url ?? "/";
    const send = (status: number, body = "", headers: Record<string, string> = {}) => {
        res.writeHead(status, { "Content-Type": "application/json", ...headers });
        res.end(body);
    };
    if (url === "/shlink/rest/health") {
        healthCalls += 1;
        return healthCalls > behaviour.healthyAfter ? send(200, '{"status":"pass","version":"4.6.0"}') : send(503);
    }
    if (url === "/shlink/rest/v3/short-urls" && req.method === "POST") {
        if (req.headers["x-api-key"] !== API_KEY) {
            return send(behaviour.keylessApiStatus, "RBAC: access denied");
        }
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
            const longUrl = (JSON.parse(body) as { longUrl: string }).longUrl;
            send(200, JSON.stringify({ shortCode: "abc12", shortUrl: `${base}/shlink/abc12`, longUrl }));
        });
        return undefined;
    }
    if (url === "/shlink/abc12") {
        return send(302, "", { Location: behaviour.redirectTo });
    }
    if (url === "/grafana/api/health") {
        return send(behaviour.grafanaStatus, '{\n  "database": "ok",\n  "version": "12.1.0"\n}');
    }
    if (url === "/vault/v1/sys/health") {
        const sealed = behaviour.vaultStatus === 503;
        const initialized = behaviour.vaultStatus !== 501;
        return send(behaviour.vaultStatus, JSON.stringify({ initialized, sealed, standby: behaviour.vaultStatus === 429, version: "2.6.2" }));
    }
    if (url === "/kiali/healthz" || url === "/jaeger/") {
        return send(200, "ok");
    }
    return send(404);
}

function runScript(script: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
    // Asynchronous on purpose: the server answers from this same process.
    return new Promise((resolve) => {
        const child = spawn("bash", ["-s"], { stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        child.on("close", (status) => resolve({ status, stdout, stderr }));
        child.stdin.end(script);
    });
}

function script(timeoutSeconds = 20) {
    return smokeCheckScript({
        shlinkUrl: `${base}/shlink`,
        apiKey: API_KEY,
        grafanaUrl: `${base}/grafana`,
        kialiHealthUrl: `${base}/kiali/healthz`,
        jaegerUrl: `${base}/jaeger`,
        vaultUrl: `${base}/vault`,
        timeoutSeconds,
        maxBackoffSeconds: 1,
    });
}

beforeAll(async () => {
    server = http.createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
    server.close();
});

beforeEach(() => {
    behaviour = { grafanaStatus: 200, keylessApiStatus: 403, redirectTo: SMOKE_LONG_URL, healthyAfter: 0, vaultStatus: 200 };
    healthCalls = 0;
});

describe("smokeCheckScript", () => {
    it("passes when every service answers, and never prints the API key", async () => {
        const r = await runScript(script());
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("smoke check passed: all 7 checks");
        expect(r.stdout).toContain("ok: a short URL created with the API key redirects (302) to its long URL");
        expect(r.stdout + r.stderr).not.toContain("5ecre7");
    });

    it("retries with backoff until a slow service comes up", async () => {
        behaviour.healthyAfter = 2;
        const r = await runScript(script());
        expect(r.status).toBe(0);
        expect(healthCalls).toBe(3);
    });

    it("fails the up naming what is down", async () => {
        behaviour.grafanaStatus = 502;
        const r = await runScript(script(1));
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("smoke check failed after 1s; still down:");
        expect(r.stderr).toContain("- Grafana /api/health");
        expect(r.stderr).not.toContain("Shlink /rest/health");
    });

    it("fails when the API answers without a key (the AuthorizationPolicy is missing)", async () => {
        behaviour.keylessApiStatus = 200;
        const r = await runScript(script(1));
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("the API refuses calls without X-Api-Key");
    });

    it("fails when the short URL redirects elsewhere", async () => {
        behaviour.redirectTo = "https://example.com/elsewhere";
        const r = await runScript(script(1));
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("redirects (302) to its long URL");
    });

    it("fails while Vault is sealed, not initialised or answers from a standby, naming it", async () => {
        for (const status of [503, 501, 429]) {
            behaviour.vaultStatus = status;
            const r = await runScript(script(1));
            expect(r.status, String(status)).not.toBe(0);
            expect(r.stderr, String(status)).toContain("- Vault /v1/sys/health: initialised, unsealed, active");
            expect(r.stderr, String(status)).not.toContain("Grafana");
        }
    });

    shellcheck.it("passes shellcheck", () => {
        const r = spawnSync("shellcheck", ["-s", "bash", "-"], { input: script(), encoding: "utf8" });
        expect(r.error).toBeUndefined();
        expect(r.stdout + r.stderr).toBe("");
        expect(r.status).toBe(0);
    });

    it("refuses an API key that would break the header file", () => {
        expect(() => smokeCheckScript({ ...{ shlinkUrl: "", grafanaUrl: "", kialiHealthUrl: "", jaegerUrl: "", vaultUrl: "" }, apiKey: "a\nb", timeoutSeconds: 5 })).toThrow(/one non-empty line/);
    });
});
