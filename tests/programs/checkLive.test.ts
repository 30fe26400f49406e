// `npm run check -- --live`: the stack's own preflight on what the Proxmox API answers, read with the token over
// https (a self-signed certificate, as Proxmox ships), each call bounded. A stand-in API on 127.0.0.1.
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { runCheck } from "../../programs/check/check";
import { proxmoxNodes, readProxmoxFacts } from "../../programs/shared/proxmoxApi";
import { fullConfig, TEST_SECRETS } from "../helpers/pulumi";
import { nativeTool } from "../helpers/tools";

const openssl = nativeTool("openssl", "openssl", ["version"]);
const ROOT = path.join(__dirname, "..", "..");
const TOKEN = TEST_SECRETS["proxmoxve:apiToken"];
const GiB = 1024 ** 3;

openssl.describe("npm run check -- --live", () => {
    let server: https.Server;
    let endpoint = "";
    let dir = "";
    /** What the stand-in answers: a PVE 8.4 node um790 with 64 GiB, 16 threads and the two datastores. */
    let memoryTotal = 64 * GiB;
    let hang = false;
    const seen: string[] = [];

    beforeAll(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-pve-"));
        openssl.run(
            [
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                "key.pem",
                "-out",
                "cert.pem",
                "-days",
                "1",
                "-subj",
                "/CN=pve",
            ],
            dir,
        );
        const answers: Record<string, unknown> = {
            "/api2/json/version": { version: "8.4.1" },
            "/api2/json/nodes": [{ node: "um790", status: "online" }],
            "/api2/json/nodes/um790/storage": [
                { storage: "local", content: "iso,vztmpl,import,backup" },
                { storage: "local-lvm", content: "images,rootdir" },
            ],
        };
        server = https.createServer({ key: fs.readFileSync(path.join(dir, "key.pem")), cert: fs.readFileSync(path.join(dir, "cert.pem")) }, (req, res) => {
            seen.push(`${req.headers.authorization} ${req.url}`);
            if (hang) {
                return;
            }
            const data = req.url === "/api2/json/nodes/um790/status" ? { memory: { total: memoryTotal }, cpuinfo: { cpus: 16 } } : answers[req.url ?? ""];
            res.writeHead(req.headers.authorization === `PVEAPIToken=${TOKEN}` ? (data ? 200 : 404) : 401, { "content-type": "application/json" });
            res.end(JSON.stringify({ data }));
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterAll(async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        fs.rmSync(dir, { recursive: true, force: true });
    });

    /** runCheck --live on the seed stack, the secrets as the CLI would decrypt them. */
    async function live(extra: string[] = [], cli = { fetched: true, calls: [] as string[] }): Promise<{ status: number; out: string }> {
        const lines: string[] = [];
        const status = await runCheck(["--live", "--timeout", "2", ...extra], {
            root: ROOT,
            env: {},
            out: (line) => lines.push(line),
            fetchCli: () => (cli.calls.push("fetch"), Promise.resolve(cli.fetched)),
            decryptedConfig: () => (cli.calls.push("decrypt"), Promise.resolve({ ...fullConfig(), "proxmoxve:endpoint": endpoint })),
            proxmoxFacts: readProxmoxFacts,
        });
        return { status, out: lines.join("\n") };
    }

    openssl.it("passes on a host that fits, asking with the token", async () => {
        memoryTotal = 64 * GiB;
        const { status, out } = await live();
        expect(out).toContain("and the Proxmox preflight passes");
        expect(status).toBe(0);
        expect(seen).toContain(`PVEAPIToken=${TOKEN} /api2/json/nodes/um790/storage`);
    });

    openssl.it("fetches the pinned CLI, visibly, before it decrypts, and stops with the cause when it cannot", async () => {
        memoryTotal = 64 * GiB;
        const fetched = { fetched: true, calls: [] as string[] };
        expect((await live([], fetched)).status).toBe(0);
        expect(fetched.calls).toEqual(["fetch", "decrypt"]);
        const offline = { fetched: false, calls: [] as string[] };
        const { status, out } = await live([], offline);
        expect(out).toContain("the pinned Pulumi CLI, which could not be fetched");
        expect(status).toBe(1);
        expect(offline.calls).toEqual(["fetch"]);
    });

    openssl.it("refuses a host too small for the VMs with the preflight's own message", async () => {
        memoryTotal = 16 * GiB;
        const { status, out } = await live();
        expect(out).toMatch(/Proxmox node "um790" reports 16384 MiB of memory, 12288 MiB for guests .* need 30720 MiB/);
        expect(status).toBe(1);
    });

    openssl.it("stops a call the API never answers after --timeout, and says so", async () => {
        hang = true;
        const started = Date.now();
        const { status, out } = await live();
        hang = false;
        expect(out).toContain(`the Proxmox preflight could not run: cannot reach ${endpoint.slice(0, -1)}: no answer from ${endpoint.slice(0, -1)} within 2 s`);
        expect(status).toBe(1);
        expect(Date.now() - started).toBeLessThan(5000);
    });

    openssl.it("lists the cluster's nodes (what configure proposes), and names a refused token or a self-signed certificate", async () => {
        const api = { endpoint, token: TOKEN, insecure: true, timeoutMs: 2000 };
        expect(await proxmoxNodes(api)).toEqual([{ name: "um790", online: true }]);
        await expect(proxmoxNodes({ ...api, token: "root@pam!x=00000000-0000-0000-0000-000000000000" })).rejects.toThrow(
            "GET /api2/json/nodes answered 401 Unauthorized (the token is refused: check proxmoxve:apiToken)",
        );
        await expect(proxmoxNodes({ ...api, insecure: false })).rejects.toThrow(/self-signed certificate: set proxmoxve:insecure true/);
    });
});
