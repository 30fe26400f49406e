// Runs the smoke-check script for real (bash + curl) against a local server that plays Shlink behind the mesh,
// its plain-HTTP door, Grafana, Kiali and Jaeger on 127.0.0.1: over HTTP, and over HTTPS with a CA made by openssl.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SMOKE_LONG_URL, smokeCheckScript } from "../../components/smoke/script";
import { nativeTool } from "../helpers/tools";

const shellcheck = nativeTool("shellcheck");
const openssl = nativeTool("openssl", "openssl", ["version"]);
const API_KEY = "k3y-5ecre7-5ecre7-5ecre7";
/** A well-formed PEM for the plain-HTTP runs (curl reads --cacert only for HTTPS). */
const UNUSED_CA = "-----BEGIN CERTIFICATE-----\nTUlJQnVudXNlZA==\n-----END CERTIFICATE-----\n";

interface Behaviour {
    grafanaStatus: number;
    keylessApiStatus: number;
    redirectTo: string;
    healthyAfter: number;
    /** What OpenBao's /v1/sys/health answers: 200 active, 429 standby, 501 not initialised, 503 sealed. */
    vaultStatus: number;
    /** What the plain-HTTP door answers. */
    plainStatus: number;
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
    // `/vault` answers as `behaviour` says; `/vault-<status>` always with that status (scripts run side by side).
    const vault = /^\/vault(?:-(\d{3}))?\/v1\/sys\/health$/.exec(url);
    if (vault) {
        const status = vault[1] === undefined ? behaviour.vaultStatus : Number(vault[1]);
        const sealed = status === 503;
        const initialized = status !== 501;
        return send(status, JSON.stringify({ initialized, sealed, standby: status === 429, version: "2.6.2" }));
    }
    if (url === "/kiali/healthz" || url === "/jaeger/") {
        return send(200, "ok");
    }
    if (url === "/plain/rest/health") {
        return send(behaviour.plainStatus, "", behaviour.plainStatus === 301 ? { Location: "https://127.0.0.1/rest/health" } : {});
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

function script(timeoutSeconds = 20, at = base, caCertificate = UNUSED_CA, vaultPath = "/vault") {
    return smokeCheckScript({
        shlinkUrl: `${at}/shlink`,
        shlinkHttpUrl: `${base}/plain`,
        caCertificate,
        apiKey: API_KEY,
        grafanaUrl: `${at}/grafana`,
        kialiHealthUrl: `${at}/kiali/healthz`,
        jaegerUrl: `${at}/jaeger`,
        vaultUrl: `${at}${vaultPath}`,
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
    behaviour = { grafanaStatus: 200, keylessApiStatus: 403, redirectTo: SMOKE_LONG_URL, healthyAfter: 0, vaultStatus: 200, plainStatus: 301 };
    healthCalls = 0;
});

describe("smokeCheckScript", () => {
    it("passes when every service answers, and never prints the API key", async () => {
        const r = await runScript(script());
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("smoke check passed: all 8 checks");
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
        const statuses = [503, 501, 429];
        const results = await Promise.all(statuses.map((status) => runScript(script(1, base, UNUSED_CA, `/vault-${status}`))));
        for (const [i, r] of results.entries()) {
            const status = statuses[i];
            expect(r.status, String(status)).not.toBe(0);
            expect(r.stderr, String(status)).toContain("- Vault /v1/sys/health: initialised, unsealed, active");
            expect(r.stderr, String(status)).not.toContain("Grafana");
        }
    });

    it("fails when plain HTTP serves instead of redirecting to HTTPS", async () => {
        behaviour.plainStatus = 200;
        const r = await runScript(script(1));
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("- plain HTTP answers 301 to HTTPS");
    });

    it("verifies every call against the lab's CA and never skips verification", () => {
        const text = script();
        const curls = text.split("\n").filter((line) => /\bcurl\b/.test(line) && !line.trim().startsWith("#"));
        expect(curls).toHaveLength(1);
        expect(curls[0]).toContain('--cacert "$WORKDIR/ca.crt"');
        expect(text).not.toMatch(/\s(-k|--insecure)\b/);
        expect(text).toContain(`cat >"$WORKDIR/ca.crt" <<'SMOKE_CA_EOF'\n${UNUSED_CA}SMOKE_CA_EOF`);
    });

    shellcheck.it("passes shellcheck", () => {
        const r = spawnSync("shellcheck", ["-s", "bash", "-"], { input: script(), encoding: "utf8" });
        expect(r.error).toBeUndefined();
        expect(r.stdout + r.stderr).toBe("");
        expect(r.status).toBe(0);
    });

    it("refuses an API key that would break the header file", () => {
        const urls = { shlinkUrl: "", shlinkHttpUrl: "", grafanaUrl: "", kialiHealthUrl: "", jaegerUrl: "", vaultUrl: "" };
        expect(() => smokeCheckScript({ ...urls, caCertificate: UNUSED_CA, apiKey: "a\nb", timeoutSeconds: 5 })).toThrow(/one non-empty line/);
    });

    it("refuses a CA that is not one PEM certificate (a key, or text that would end its heredoc)", () => {
        const urls = { shlinkUrl: "", shlinkHttpUrl: "", grafanaUrl: "", kialiHealthUrl: "", jaegerUrl: "", vaultUrl: "" };
        const key = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
        for (const caCertificate of [key, `${UNUSED_CA}SMOKE_CA_EOF\nrm -rf /\n`, ""]) {
            expect(() => smokeCheckScript({ ...urls, caCertificate, apiKey: API_KEY, timeoutSeconds: 5 })).toThrow(/one PEM certificate/);
        }
    });
});

/** A CA and a server certificate for 127.0.0.1 signed by it, made by openssl in a scratch directory. */
function makeCa(dir: string, name: string): { ca: string; cert: string; key: string } {
    const run = (args: string[]) => openssl.run(args, dir);
    run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}-ca.key`, "-out", `${name}-ca.crt`, "-days", "2", "-subj", `/CN=${name} CA`]);
    run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", "/CN=127.0.0.1"]);
    fs.writeFileSync(path.join(dir, `${name}.ext`), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    run(["x509", "-req", "-in", `${name}.csr`, "-CA", `${name}-ca.crt`, "-CAkey", `${name}-ca.key`, "-CAcreateserial", "-out", `${name}.crt`, "-days", "2", "-extfile", `${name}.ext`]);
    const read = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");
    return { ca: read(`${name}-ca.crt`), cert: read(`${name}.crt`), key: read(`${name}.key`) };
}

openssl.describe("smokeCheckScript over HTTPS", () => {
    let tlsServer: https.Server;
    let tlsBase = "";
    let lab: { ca: string };
    let stranger: { ca: string };

    beforeAll(async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "smoke-tls-"));
        const made = makeCa(dir, "lab");
        lab = made;
        stranger = makeCa(dir, "stranger");
        tlsServer = https.createServer({ cert: made.cert, key: made.key }, handle);
        await new Promise<void>((resolve) => tlsServer.listen(0, "127.0.0.1", resolve));
        tlsBase = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
        fs.rmSync(dir, { recursive: true, force: true });
    });

    afterAll(() => {
        tlsServer.close();
    });

    it("passes over HTTPS when the lab's certificate chains to the CA it is given", async () => {
        const r = await runScript(script(20, tlsBase, lab.ca));
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("smoke check passed: all 8 checks");
    });

    it("fails every HTTPS check when the certificate does not chain to that CA: verification is never skipped", async () => {
        const r = await runScript(script(1, tlsBase, stranger.ca));
        expect(r.status).not.toBe(0);
        for (const what of ["Shlink /rest/health", "Grafana /api/health", "Kiali health", "Jaeger UI", "Vault /v1/sys/health"]) {
            expect(r.stderr).toContain(`- ${what}`);
        }
        // The plain-HTTP door is no TLS: its redirect check passes either way.
        expect(r.stderr).not.toContain("plain HTTP answers 301");
    });
});
