// Runs the smoke-check script for real (bash + curl) against a local server that plays Shlink behind the mesh,
// its plain-HTTP door, Grafana, Kiali, Jaeger, Vault and the Kubernetes API (ExternalSecrets) on 127.0.0.1: over
// HTTP, and over HTTPS with a CA made by openssl. The API is read both ways the stack does: with a pod's
// ServiceAccount (curl), and with K3s' kubectl through sudo (stubs running the real kubectl against the fake API).
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readerNamespaces } from "../../components/secrets/catalog";
import { LAB_VAULT_ENTRIES } from "../../stacks/vault";
import { ESO_API } from "../../components/kubernetes/externalSecrets";
import { SMOKE_LONG_URL, smokeCheckScript, type ClusterAccess } from "../../components/smoke/script";
import { nativeTool } from "../helpers/tools";
import { FAST_CHECKS } from "../../programs/verify/catalog";
import { makeCa } from "../helpers/tls";

const shellcheck = nativeTool("shellcheck");
const openssl = nativeTool("openssl", "openssl", ["version"]);
const kubectl = nativeTool("kubectl", "kubernetes-client", ["version", "--client"]);
const API_KEY = "k3y-5ecre7-5ecre7-5ecre7";
/** The ServiceAccount token the fake API server accepts (and kubectl's stub sends). */
const API_TOKEN = "t0ken-5a-5a-5a";
/** The ExternalSecret kind the secrets part's probe names. */
const ES_API_VERSION = ESO_API.externalSecret.apiVersion;
/** The lab's reading namespaces, as the stack passes them. */
const NAMESPACES = readerNamespaces(LAB_VAULT_ENTRIES);
const ES_CHECK = `every ExternalSecret in ${NAMESPACES.join(", ")} reports Ready (synced from Vault)`;
/** The id `npm run verify` gives that promise; every line of the smoke check ends with its check's id. */
const ES_ID = "releases.external-secrets-ready";

/** One node: its name and its Ready condition's status. */
type FakeNode = [string, "True" | "False" | "Unknown"];
const LAB_NODES: FakeNode[] = [
    ["k3s-node-01", "True"],
    ["k3s-node-02", "True"],
    ["k3s-node-03", "True"],
];

/** One ExternalSecret as `namespace/name` and its Ready condition's status (undefined: no status yet). */
type FakeExternalSecret = [string, "True" | "False" | undefined];

/** Every ExternalSecret of the lab synced, and a user's in `default` that is not (not the check's business). */
function labExternalSecrets(): FakeExternalSecret[] {
    return [...NAMESPACES.map((ns): FakeExternalSecret => [`${ns}/${ns}-credentials`, "True"]), ["default/users-own", "False"]];
}

/** JSON as the API server writes a custom resource: compact, every object's keys sorted (Go's encoding/json on a map). */
function apiJson(value: unknown): string {
    const sorted = (v: unknown): unknown =>
        Array.isArray(v)
            ? v.map(sorted)
            : v !== null && typeof v === "object"
              ? Object.fromEntries(
                    Object.keys(v)
                        .sort()
                        .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
                )
              : v;
    return JSON.stringify(sorted(value));
}

/** A realistic ExternalSecret: managed fields, annotations, a spec naming other things `name`, and its status. */
function externalSecretObject([id, ready]: FakeExternalSecret) {
    const [namespace, name] = id.split("/");
    const condition =
        ready === "True"
            ? { type: "Ready", status: "True", reason: "SecretSynced", message: "secret synced", lastTransitionTime: "2026-11-22T05:00:00Z" }
            : // An error message with braces and quotes, as ESO writes provider errors.
              {
                  type: "Ready",
                  status: "False",
                  reason: "SecretSyncedError",
                  message: 'could not get secret data from provider: {"errors":["permission denied"]}',
                  lastTransitionTime: "2026-11-22T05:00:00Z",
              };
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: {
            name,
            namespace,
            annotations: { "pulumi.com/waitFor": "condition=Ready" },
            managedFields: [
                {
                    apiVersion: "external-secrets.io/v1",
                    fieldsType: "FieldsV1",
                    fieldsV1: { "f:spec": { "f:target": { "f:name": {} } } },
                    manager: "pulumi-kubernetes",
                    operation: "Apply",
                },
            ],
            uid: "0b5c8f3e-0000-4000-8000-000000000000",
            resourceVersion: "4242",
        },
        spec: { secretStoreRef: { kind: "SecretStore", name: "vault" }, target: { name, creationPolicy: "Owner" }, refreshInterval: "1m" },
        ...(ready === undefined ? {} : { status: { binding: { name }, conditions: [condition], refreshTime: "2026-11-22T05:00:00Z" } }),
    };
}

/** The fake API server's answers: discovery (for kubectl), and the ExternalSecret list, to the right token only. */
function kubernetesApi(url: string, req: http.IncomingMessage): [number, string] | undefined {
    const path = new URL(url, "http://fake").pathname;
    const answers: Record<string, unknown> = {
        "/api": { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1" }] },
        "/version": { major: "1", minor: "34", gitVersion: "v1.34.1+k3s1" },
        "/api/v1": {
            kind: "APIResourceList",
            groupVersion: "v1",
            resources: [{ name: "nodes", singularName: "node", namespaced: false, kind: "Node", verbs: ["get", "list"], shortNames: ["no"] }],
        },
        "/apis": {
            kind: "APIGroupList",
            apiVersion: "v1",
            groups: [
                {
                    name: "external-secrets.io",
                    versions: [{ groupVersion: "external-secrets.io/v1", version: "v1" }],
                    preferredVersion: { groupVersion: "external-secrets.io/v1", version: "v1" },
                },
            ],
        },
        "/apis/external-secrets.io/v1": {
            kind: "APIResourceList",
            apiVersion: "v1",
            groupVersion: "external-secrets.io/v1",
            resources: [
                {
                    name: "externalsecrets",
                    singularName: "externalsecret",
                    namespaced: true,
                    kind: "ExternalSecret",
                    verbs: ["get", "list"],
                    shortNames: ["es"],
                },
            ],
        },
    };
    if (!(path in answers) && path !== "/apis/external-secrets.io/v1/externalsecrets" && path !== "/api/v1/nodes") {
        return undefined;
    }
    apiCalls.push(path);
    if (req.headers.authorization !== `Bearer ${API_TOKEN}`) {
        return [401, apiJson({ kind: "Status", apiVersion: "v1", status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 })];
    }
    if (path in answers) {
        return [200, JSON.stringify(answers[path])];
    }
    if (path === "/api/v1/nodes") {
        // A core type: Go writes its fields in struct order (NodeCondition: type, status, …), not sorted.
        const node = ([name, ready]: FakeNode) => ({
            metadata: { name, labels: { "node-role.kubernetes.io/control-plane": "true" } },
            spec: { podCIDR: "10.42.0.0/24" },
            status: {
                conditions: [
                    { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available" },
                    { type: "Ready", status: ready, reason: ready === "True" ? "KubeletReady" : "NodeStatusUnknown", message: '{"detail": "quoted"}' },
                    { type: "EtcdIsVoter", status: "True", reason: "MemberNotLearner" },
                ],
                nodeInfo: { kubeletVersion: "v1.34.9+k3s1", containerRuntimeVersion: "containerd://2.0" },
            },
        });
        return [200, JSON.stringify({ kind: "NodeList", apiVersion: "v1", metadata: { resourceVersion: "77" }, items: behaviour.nodes.map(node) })];
    }
    const items = behaviour.externalSecrets.map((es) => apiJson(externalSecretObject(es)));
    return [
        200,
        `{"apiVersion":"external-secrets.io/v1","items":[${items.join(",")}],"kind":"ExternalSecretList","metadata":{"continue":"","resourceVersion":"4243"}}`,
    ];
}
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
    /** What the Kubernetes API lists. */
    externalSecrets: FakeExternalSecret[];
    nodes: FakeNode[];
}

let behaviour: Behaviour;
let healthCalls = 0;
let apiCalls: string[] = [];
let server: http.Server;
let base = "";

function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = req.url ?? "/";
    const send = (status: number, body = "", headers: Record<string, string> = {}) => {
        res.writeHead(status, { "Content-Type": "application/json", ...headers });
        res.end(body);
    };
    const api = kubernetesApi(url, req);
    if (api) {
        return send(...api);
    }
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

function runScript(script: string, env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; stdout: string; stderr: string }> {
    // Asynchronous on purpose: the server answers from this same process.
    return new Promise((resolve) => {
        const child = spawn("bash", ["-s"], { stdio: ["pipe", "pipe", "pipe"], env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        child.on("close", (status) => resolve({ status, stdout, stderr }));
        child.stdin.end(script);
    });
}

/** A ServiceAccount directory as Kubernetes mounts it: the token and the API server's CA. */
function serviceAccountDir(token: string, ca: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "smoke-sa-"));
    fs.writeFileSync(path.join(dir, "token"), token);
    fs.writeFileSync(path.join(dir, "ca.crt"), ca);
    scratch.push(dir);
    return dir;
}

const scratch: string[] = [];
let podAccess: ClusterAccess;

function script(timeoutSeconds = 20, at = base, caCertificate = UNUSED_CA, vaultPath = "/vault", cluster: ClusterAccess = podAccess) {
    return smokeCheckScript({
        shlinkUrl: `${at}/shlink`,
        shlinkHttpUrl: `${base}/plain`,
        caCertificate,
        apiKey: API_KEY,
        grafanaUrl: `${at}/grafana`,
        kialiHealthUrl: `${at}/kiali/healthz`,
        jaegerUrl: `${at}/jaeger`,
        vaultUrl: `${at}${vaultPath}`,
        externalSecretsApiVersion: ES_API_VERSION,
        externalSecretNamespaces: NAMESPACES,
        cluster,
        timeoutSeconds,
        maxBackoffSeconds: 1,
    });
}

beforeAll(async () => {
    server = http.createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    podAccess = { via: "service-account", apiServerUrl: base, serviceAccountDir: serviceAccountDir(API_TOKEN, UNUSED_CA) };
});

afterAll(() => {
    server.close();
    for (const dir of scratch) {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

beforeEach(() => {
    behaviour = {
        grafanaStatus: 200,
        keylessApiStatus: 403,
        redirectTo: SMOKE_LONG_URL,
        healthyAfter: 0,
        vaultStatus: 200,
        plainStatus: 301,
        externalSecrets: labExternalSecrets(),
        nodes: [...LAB_NODES],
    };
    healthCalls = 0;
    apiCalls = [];
});

describe("smokeCheckScript", () => {
    it("passes when every service answers and every ExternalSecret of the lab is Ready (another namespace's is not its business), never printing the API key or the token", async () => {
        const r = await runScript(script());
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("smoke check passed: all 10 checks");
        expect(r.stdout).toContain("ok: a short URL created with the API key redirects (302) to its long URL");
        expect(r.stdout).toContain(`ok: ${ES_CHECK}`);
        expect(behaviour.externalSecrets).toContainEqual(["default/users-own", "False"]);
        expect(r.stdout).toContain("ok: every node is Ready [cluster.nodes-ready]");
        expect(apiCalls).toEqual(["/api/v1/nodes", "/apis/external-secrets.io/v1/externalsecrets"]);
        expect(r.stdout + r.stderr).not.toContain("5ecre7");
        expect(r.stdout + r.stderr).not.toContain("5a-5a");
    });

    it("fails naming every ExternalSecret of the lab not Ready (synced False, or no status yet) and every reading namespace without one", async () => {
        behaviour.externalSecrets = labExternalSecrets()
            .filter(([id]) => !id.startsWith("postgres/"))
            .map(([id, ready]): FakeExternalSecret => [id, id.startsWith("shlink/") ? "False" : id.startsWith("redis/") ? undefined : ready]);
        const r = await runScript(script(1));
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain(`- ${ES_CHECK}: not Ready: redis/redis-credentials shlink/shlink-credentials; none in: postgres [${ES_ID}]\n`);
        expect(r.stderr).not.toContain("Grafana");
        expect(r.stdout).not.toContain(`ok: ${ES_CHECK}`);
    });

    it("fails counting the nodes not Ready, read through the API (a condition's message with braces and quotes included)", async () => {
        behaviour.nodes = [
            ["k3s-node-01", "True"],
            ["k3s-node-02", "Unknown"],
            ["k3s-node-03", "False"],
        ];
        const r = await runScript(script(1));
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("- every node is Ready: 1 of 3 Ready [cluster.nodes-ready]\n");
        expect(r.stderr).not.toContain("Grafana");
    });

    it("fails when the API lists no node at all", async () => {
        behaviour.nodes = [];
        const r = await runScript(script(1));
        expect(r.stderr).toContain("- every node is Ready: 0 of 0 Ready [cluster.nodes-ready]\n");
    });

    it("fails when the API server refuses the ServiceAccount, saying so", async () => {
        const stranger: ClusterAccess = { via: "service-account", apiServerUrl: base, serviceAccountDir: serviceAccountDir("not-the-token", UNUSED_CA) };
        const r = await runScript(script(1, base, UNUSED_CA, "/vault", stranger));
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain(`- ${ES_CHECK}: could not list them: the API server answered 401 [${ES_ID}]\n`);
        expect(r.stderr).not.toContain("Grafana");
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

    it("verifies every call against the lab's CA (the API server's against the ServiceAccount's CA) and never skips verification", () => {
        for (const cluster of [podAccess, { via: "k3s-kubectl" } as const]) {
            const text = script(20, base, UNUSED_CA, "/vault", cluster);
            const curls = text.split("\n").filter((line) => /\bcurl\b/.test(line) && !line.trim().startsWith("#"));
            expect(curls).toHaveLength(cluster.via === "k3s-kubectl" ? 1 : 2);
            expect(curls.filter((c) => c.includes('--cacert "$WORKDIR/ca.crt"'))).toHaveLength(1);
            // The API server's call: its CA, and the token in a header file, never on a command line.
            const api = curls.filter((c) => c.includes('--cacert "$SA_DIR/ca.crt" -H @"$WORKDIR/api-auth-header"'));
            expect(api).toHaveLength(cluster.via === "k3s-kubectl" ? 0 : 1);
            expect(text).not.toMatch(/\s(-k|--insecure|--insecure-skip-tls-verify\S*)\b/);
            expect(text).toContain(`cat >"$WORKDIR/ca.crt" <<'SMOKE_CA_EOF'\n${UNUSED_CA}SMOKE_CA_EOF`);
        }
    });

    shellcheck.it("passes shellcheck in both modes (ServiceAccount, K3s' kubectl)", () => {
        for (const cluster of [podAccess, { via: "k3s-kubectl" } as const]) {
            const r = spawnSync("shellcheck", ["-s", "bash", "-"], { input: script(20, base, UNUSED_CA, "/vault", cluster), encoding: "utf8" });
            expect(r.error).toBeUndefined();
            expect(r.stdout + r.stderr).toBe("");
            expect(r.status).toBe(0);
        }
    });

    it("names every promise by its id in npm run verify: its checks are exactly the suite's fast subset, in the suite's words", async () => {
        const r = await runScript(script());
        expect(r.status).toBe(0);
        const lines = r.stdout.split("\n").filter((l) => l.startsWith("ok: "));
        const named = lines.map((l) => /\[([a-z.-]+)\]$/.exec(l)?.[1]);
        expect([...named].sort()).toEqual(FAST_CHECKS.map((c) => c.id).sort());
        for (const check of FAST_CHECKS) {
            expect(
                lines.find((l) => l.endsWith(`[${check.id}]`)),
                check.id,
            ).toMatch(new RegExp(`^ok: ${check.proves.replace(/[()]/g, "\\$&")}( \\(|\\s\\[)`));
        }
    });

    it("names the failing promise's id on its line, after why", async () => {
        behaviour.grafanaStatus = 503;
        const r = await runScript(script(1));
        expect(r.stderr).toMatch(
            /^ {2}- Grafana \/api\/health through the gateway, its database ok \(http:\/\/127\.0\.0\.1:\d+\/grafana\) \[observability\.grafana-health\]$/m,
        );
    });

    it("refuses an API key that would break the header file", () => {
        const urls = {
            shlinkUrl: "",
            shlinkHttpUrl: "",
            grafanaUrl: "",
            kialiHealthUrl: "",
            jaegerUrl: "",
            vaultUrl: "",
            externalSecretsApiVersion: ES_API_VERSION,
            externalSecretNamespaces: NAMESPACES,
            cluster: podAccess,
        };
        expect(() => smokeCheckScript({ ...urls, caCertificate: UNUSED_CA, apiKey: "a\nb", timeoutSeconds: 5 })).toThrow(/one non-empty line/);
    });

    it("refuses reading namespaces that are missing or not namespace names", () => {
        const urls = {
            shlinkUrl: "",
            shlinkHttpUrl: "",
            grafanaUrl: "",
            kialiHealthUrl: "",
            jaegerUrl: "",
            vaultUrl: "",
            externalSecretsApiVersion: ES_API_VERSION,
            cluster: podAccess,
        };
        for (const externalSecretNamespaces of [[], ["shlink", "a b"], ["$(reboot)"]]) {
            expect(() => smokeCheckScript({ ...urls, externalSecretNamespaces, caCertificate: UNUSED_CA, apiKey: API_KEY, timeoutSeconds: 5 })).toThrow(
                /namespace names/,
            );
        }
    });

    it("reads the ExternalSecret kind the secrets part names, and refuses an apiVersion that is not <group>/<version>", () => {
        const urls = {
            shlinkUrl: "",
            shlinkHttpUrl: "",
            grafanaUrl: "",
            kialiHealthUrl: "",
            jaegerUrl: "",
            vaultUrl: "",
            externalSecretNamespaces: NAMESPACES,
            cluster: { via: "k3s-kubectl" } as const,
        };
        const args = { ...urls, caCertificate: UNUSED_CA, apiKey: API_KEY, timeoutSeconds: 5 };
        expect(smokeCheckScript({ ...args, externalSecretsApiVersion: "example.io/v2" })).toContain("sudo k3s kubectl get externalsecrets.example.io -A");
        for (const externalSecretsApiVersion of ["v1", "a/b/c", "/v1", ""]) {
            expect(() => smokeCheckScript({ ...args, externalSecretsApiVersion })).toThrow(/must be <group>\/<version>/);
        }
    });

    it("refuses a CA that is not one PEM certificate (a key, or text that would end its heredoc)", () => {
        const urls = {
            shlinkUrl: "",
            shlinkHttpUrl: "",
            grafanaUrl: "",
            kialiHealthUrl: "",
            jaegerUrl: "",
            vaultUrl: "",
            externalSecretsApiVersion: ES_API_VERSION,
            externalSecretNamespaces: NAMESPACES,
            cluster: podAccess,
        };
        const key = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
        for (const caCertificate of [key, `${UNUSED_CA}SMOKE_CA_EOF\nrm -rf /\n`, ""]) {
            expect(() => smokeCheckScript({ ...urls, caCertificate, apiKey: API_KEY, timeoutSeconds: 5 })).toThrow(/one PEM certificate/);
        }
    });
});

// kubectl sends no token over plain HTTP: the fake API answers it over HTTPS, with a CA made by openssl.
kubectl.describe("smokeCheckScript on a K3s node (sudo k3s kubectl, the real kubectl's jsonpath on the fake API)", () => {
    let stubRoot = "";
    let env: NodeJS.ProcessEnv;
    let apiServer: https.Server;
    const node: ClusterAccess = { via: "k3s-kubectl" };

    beforeAll(async () => {
        stubRoot = fs.mkdtempSync(path.join(os.tmpdir(), "smoke-k3s-"));
        const api = makeCa(openssl, stubRoot, "api");
        fs.writeFileSync(path.join(stubRoot, "api-ca.crt"), api.ca);
        apiServer = https.createServer({ cert: api.cert, key: api.key }, handle);
        await new Promise<void>((resolve) => apiServer.listen(0, "127.0.0.1", resolve));
        const apiUrl = `https://127.0.0.1:${(apiServer.address() as AddressInfo).port}`;
        const bin = path.join(stubRoot, "bin");
        fs.mkdirSync(bin);
        fs.mkdirSync(path.join(stubRoot, "stub"));
        fs.symlinkSync(path.join(__dirname, "..", "k3s", "stubs", "commands", "sudo"), path.join(bin, "sudo"));
        fs.symlinkSync(path.join(__dirname, "stubs", "k3s"), path.join(bin, "k3s"));
        const fake = { FAKE_API_SERVER: apiUrl, FAKE_API_TOKEN: API_TOKEN, FAKE_API_CA: path.join(stubRoot, "api-ca.crt") };
        env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}`, STUB_ROOT: stubRoot, ...fake };
        scratch.push(stubRoot);
    });

    afterAll(() => {
        apiServer.close();
    });

    beforeEach(() => {
        fs.writeFileSync(path.join(stubRoot, "stub", "calls.log"), "");
    });

    it("passes when every ExternalSecret of the lab is Ready, asking K3s' kubectl through sudo for all of them", async () => {
        const r = await runScript(script(20, base, UNUSED_CA, "/vault", node), env);
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.stdout).toContain(`ok: ${ES_CHECK}`);
        expect(r.stdout).toContain("smoke check passed: all 10 checks");
        const calls = fs
            .readFileSync(path.join(stubRoot, "stub", "calls.log"), "utf8")
            .split("\n")
            .filter(Boolean);
        const listing = calls.findIndex((c) => c.startsWith("sudo k3s kubectl get externalsecrets"));
        expect(calls[listing]).toMatch(/^sudo k3s kubectl get externalsecrets\.external-secrets\.io -A -o jsonpath=\{range \.items\[\*\]\}/);
        expect(calls[listing + 1]).toBe(calls[listing].slice("sudo ".length));
        expect(apiCalls).toContain("/apis/external-secrets.io/v1/externalsecrets");
    });

    it("fails naming every ExternalSecret of the lab not Ready and every reading namespace without one", async () => {
        behaviour.externalSecrets = labExternalSecrets()
            .filter(([id]) => !id.startsWith("monitoring/"))
            .map(([id, ready]): FakeExternalSecret => [id, id.startsWith("istio-system/") ? "False" : id.startsWith("postgres/") ? undefined : ready]);
        const r = await runScript(script(1, base, UNUSED_CA, "/vault", node), env);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain(
            `- ${ES_CHECK}: not Ready: istio-system/istio-system-credentials postgres/postgres-credentials; none in: monitoring [${ES_ID}]\n`,
        );
        expect(r.stderr).not.toContain("Grafana");
    });

    it("fails naming the nodes not Ready, from K3s' kubectl", async () => {
        behaviour.nodes = [
            ["k3s-node-01", "True"],
            ["k3s-node-02", "Unknown"],
            ["k3s-node-03", "True"],
        ];
        const r = await runScript(script(1, base, UNUSED_CA, "/vault", node), env);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("- every node is Ready: 2 of 3 Ready: not Ready: k3s-node-02 [cluster.nodes-ready]\n");
        const calls = fs.readFileSync(path.join(stubRoot, "stub", "calls.log"), "utf8");
        expect(calls).toMatch(/^sudo k3s kubectl get nodes -o jsonpath=\{range \.items\[\*\]\}\{\.metadata\.name\} /m);
    });

    it("fails saying why when kubectl cannot list them", async () => {
        const r = await runScript(script(1, base, UNUSED_CA, "/vault", node), { ...env, FAKE_API_TOKEN: "wrong" });
        expect(r.status).not.toBe(0);
        // kubectl's own last line says why.
        expect(r.stderr).toContain(`- ${ES_CHECK}: could not list them: error: You must be logged in to the server`);
    });
});

openssl.describe("smokeCheckScript over HTTPS", () => {
    let tlsServer: https.Server;
    let tlsBase = "";
    let lab: { ca: string };
    let stranger: { ca: string };

    beforeAll(async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "smoke-tls-"));
        const made = makeCa(openssl, dir, "lab");
        lab = made;
        stranger = makeCa(openssl, dir, "stranger");
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
        expect(r.stdout).toContain("smoke check passed: all 10 checks");
    });

    it("reads the API server over HTTPS verified against the ServiceAccount's CA, and fails when it does not chain to it", async () => {
        const access = (ca: string): ClusterAccess => ({ via: "service-account", apiServerUrl: tlsBase, serviceAccountDir: serviceAccountDir(API_TOKEN, ca) });
        const [trusted, untrusted] = await Promise.all([lab.ca, stranger.ca].map((ca) => runScript(script(1, tlsBase, lab.ca, "/vault", access(ca)))));
        expect(trusted.stderr).toBe("");
        expect(trusted.stdout).toContain(`ok: ${ES_CHECK}`);
        expect(untrusted.status).not.toBe(0);
        expect(untrusted.stderr).toContain(`- ${ES_CHECK}: could not list them: the API server answered 000 [${ES_ID}]\n`);
        expect(untrusted.stderr).not.toContain("Grafana");
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
