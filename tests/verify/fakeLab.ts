// A fake lab for `npm run verify`'s checks: one small HTTP server on 127.0.0.1 playing the Kubernetes API (/k8s),
// Prometheus (/prom), Alertmanager (/am), Grafana (/grafana), OpenBao (/bao), Jaeger (/jaeger) and the doors (/web),
// answering from a route table each test edits. The truth table's probe pods are "run" by the fake API server:
// each connection is judged by the NetworkPolicy evaluator against the policies the stack generates.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { K3S_VERSION } from "../../components/defaults";
import { ISTIO_PROXY_IMAGE } from "../../components/mesh/facts";
import { labFlows, ownedNamespaces } from "../../stacks/placement";
import { flannelTunnelAddresses, networkPolicies } from "../../components/security/flows";
import type { VerifyContext } from "../../programs/verify/check";
import { fetchUrl, httpApi } from "../../programs/verify/http";
import { tcpConnect } from "../../programs/verify/lab";
import { runProbes } from "../../programs/verify/probeRun";
import { PROBE_LABEL, truthTable, type ProbeResults } from "../../programs/verify/probes";
import { allowed, type NetworkPolicy, type Pod as EvalPod } from "../security/evaluator";
import { ADDRESSES, LAB_PODS } from "../security/labPods";

export interface Reply {
    status?: number;
    body?: unknown;
    headers?: Record<string, string>;
    /** Accept the request and never answer. */
    hang?: boolean;
}
export interface Request {
    method: string;
    path: string;
    body: string;
    headers: Record<string, string | string[] | undefined>;
}
export type Route = Reply | ((req: Request) => Reply);

/** `METHOD /prefix/path?query` → reply (a key ending in `*` matches by prefix); a missing route answers 404. */
export type Routes = Record<string, Route>;

export interface FakeLab {
    url: string;
    port: number;
    routes: Routes;
    calls: Request[];
    /** Probe pods the fake API server holds (created and not yet deleted). */
    probePods: Map<string, ProbePodObject>;
    /** How a probe's plaintext HTTP to Shlink ends: `000 56` (reset: STRICT mTLS) or e.g. `200 0`. */
    plainHttp: string;
    /** The phase the fake API server reports for every probe pod (Pending: an image that never pulls). */
    probePhase: string;
    /** Called when the fake API server has created a probe pod. */
    onProbeCreated?: () => void;
    policies: NetworkPolicy[];
    /** Answers of `exec` by `namespace/pod/container` (a string, or an Error to throw). */
    execs: Record<string, string | Error | ((command: string[]) => string | Promise<string>)>;
    close(): Promise<void>;
}

interface ProbePodObject {
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: { containers: { env: { name: string; value: string }[] }[] };
}

/** A Kubernetes Pod object as the API server lists it: Running, Ready, with its IP and declared ports. */
export function kubePod(p: EvalPod, extra: { labels?: Record<string, string>; containers?: { name: string; ready: boolean }[]; ready?: boolean } = {}) {
    return {
        metadata: { name: p.name, namespace: p.namespace, labels: { ...p.labels, ...extra.labels } },
        spec: { containers: p.containers, ...(p.initContainers === undefined ? {} : { initContainers: p.initContainers }) },
        status: {
            phase: "Running",
            podIP: p.ip,
            conditions: [{ type: "Ready", status: extra.ready === false ? "False" : "True" }],
            containerStatuses: extra.containers ?? [{ name: "main", ready: true }],
        },
    };
}

const clone = (p: EvalPod, name: string, ip: string, labels: Record<string, string> = {}): EvalPod => ({ ...p, name, ip, labels: { ...p.labels, ...labels } });

/** The lab's pods (LAB_PODS, written from the charts' sources) plus the replicas the data checks count. */
export function labPods(): EvalPod[] {
    const P = LAB_PODS;
    return [
        ...Object.values(P),
        clone(P.postgresReplica, "shlink-db-pgha1-2", "10.42.0.201"),
        clone(P.redisMaster, "rfr-shlink-redis-1", "10.42.1.201", { "redisfailovers-role": "slave" }),
        clone(P.redisMaster, "rfr-shlink-redis-2", "10.42.2.201", { "redisfailovers-role": "slave" }),
        clone(P.sentinel, "rfs-shlink-redis-def", "10.42.1.202"),
        clone(P.sentinel, "rfs-shlink-redis-ghi", "10.42.0.202"),
        clone(P.openbaoPeer, "openbao-2", "10.42.0.203"),
        clone(P.shlink, "shlink-2", "10.42.2.204"),
    ];
}

/** The pods with the labels the live objects carry beyond the charts' (OpenBao's service registration, sidecars). */
export function livePods(): ReturnType<typeof kubePod>[] {
    return labPods().map((p) => {
        if (p.namespace === "vault")
            return kubePod(p, {
                labels: { "openbao-initialized": "true", "openbao-sealed": "false", "openbao-active": p.name === "openbao-0" ? "true" : "false" },
            });
        if (p.namespace === "shlink")
            return kubePod(p, {
                containers: [
                    { name: "shlink", ready: true },
                    { name: "istio-proxy", ready: true },
                ],
            });
        return kubePod(p);
    });
}

/** Does `labels` match a selector of `k=v` and `!k` terms? */
function matches(labels: Record<string, string>, selector: string): boolean {
    return selector
        .split(",")
        .filter(Boolean)
        .every((term) => (term.startsWith("!") ? !(term.slice(1) in labels) : labels[term.split("=")[0]] === term.split("=").slice(1).join("=")));
}

/** The policies the stack sends for the lab (the same builder, the lab's inputs). */
export function labPolicies(): NetworkPolicy[] {
    const inputs = {
        gatewayPorts: [80, 443, 3000],
        apiServer: { cidr: "192.168.2.0/24", ports: [6443] },
        webhookCallers: flannelTunnelAddresses("10.42.0.0/16", 24),
    };
    return networkPolicies(labFlows(inputs), ownedNamespaces()) as unknown as NetworkPolicy[];
}

/** A Helm storage Secret for a release at a chart version (what Helm 3 writes: base64 of gzip of JSON, in data). */
export function helmSecret(name: string, namespace: string, version: string) {
    const record = Buffer.from(gzipSync(JSON.stringify({ name, info: { status: "deployed" }, chart: { metadata: { name, version } } }))).toString("base64");
    return {
        metadata: { name: `sh.helm.release.v1.${name}.v1`, namespace, labels: { owner: "helm", name, status: "deployed" } },
        data: { release: Buffer.from(record).toString("base64") },
    };
}

export async function startFakeLab(routes: Routes = {}): Promise<FakeLab> {
    const lab = {
        routes,
        calls: [] as Request[],
        probePods: new Map<string, ProbePodObject>(),
        plainHttp: "000 56",
        probePhase: "Succeeded",
        policies: labPolicies(),
        execs: {},
    } as unknown as FakeLab;
    const pods = () => lab.routes["GET /k8s/pods"] as Reply;
    let probeIp = 1;
    const probeIps = new Map<string, string>();
    /** The fake API server running a probe: every line judged by the evaluator. */
    const probeLog = (pod: ProbePodObject): string => {
        const from: EvalPod = {
            kind: "pod",
            name: pod.metadata.name,
            namespace: pod.metadata.namespace,
            labels: pod.metadata.labels,
            ip: probeIps.get(pod.metadata.name)!,
            containers: [],
        };
        const all = labPods();
        return pod.spec.containers[0].env[0].value
            .split("\n")
            .map((line) => {
                const [id, host, port, mode] = line.split(" ");
                if (mode === "plain-http") return `RESULT ${id} http ${lab.plainHttp}`;
                const to = all.find((p) => p.ip === host) ?? { ...ADDRESSES.apiServer, ip: host };
                return `RESULT ${id} ${allowed(lab.policies, { from, to, port: Number(port) }) ? "open" : "blocked"}`;
            })
            .join("\n");
    };
    const handle = (req: Request): Reply | undefined => {
        const [pathOnly, query = ""] = req.path.split("?");
        const params = new URLSearchParams(query);
        const podList = /^\/k8s\/api\/v1\/(?:namespaces\/([^/]+)\/)?pods$/.exec(pathOnly);
        if (req.method === "GET" && podList) {
            const selector = params.get("labelSelector") ?? "";
            const probes = [...lab.probePods.values()].map((p) => ({ metadata: p.metadata, status: { phase: "Succeeded" } }));
            const listed = ((pods()?.body as { metadata: { namespace: string; labels: Record<string, string> } }[]) ?? []).concat(probes as never);
            return {
                body: {
                    items: listed.filter((p) => (podList[1] === undefined || p.metadata.namespace === podList[1]) && matches(p.metadata.labels, selector)),
                },
            };
        }
        if (req.method === "POST" && podList && lab.routes[`POST ${req.path}`] === undefined) {
            const pod = JSON.parse(req.body) as ProbePodObject;
            lab.probePods.set(pod.metadata.name, pod);
            probeIps.set(pod.metadata.name, `10.42.3.${probeIp++}`);
            lab.onProbeCreated?.();
            return { status: 201, body: pod };
        }
        const onePod = /^\/k8s\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/log)?$/.exec(pathOnly);
        if (onePod && lab.probePods.has(onePod[2])) {
            const pod = lab.probePods.get(onePod[2])!;
            if (req.method === "DELETE") {
                lab.probePods.delete(onePod[2]);
                return { body: {} };
            }
            return onePod[3] ? { body: probeLog(pod) } : { body: { ...pod, status: { phase: lab.probePhase } } };
        }
        return undefined;
    };
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const request: Request = { method: req.method ?? "GET", path: req.url ?? "/", body: Buffer.concat(chunks).toString(), headers: req.headers };
            lab.calls.push(request);
            const key = `${request.method} ${request.path}`;
            const route = lab.routes[key] ?? Object.entries(lab.routes).find(([k]) => k.endsWith("*") && key.startsWith(k.slice(0, -1)))?.[1];
            const reply = handle(request) ??
                (typeof route === "function" ? route(request) : route) ?? {
                    status: 404,
                    body: { kind: "Status", code: 404, message: `not found: ${request.path}` },
                };
            if (reply.hang) return;
            const body = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? {});
            res.writeHead(reply.status ?? 200, { "Content-Type": "application/json", ...reply.headers });
            res.end(body);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    lab.url = `http://127.0.0.1:${port}`;
    lab.port = port;
    lab.close = () =>
        new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        });
    return lab;
}

/** The checks' context over the fake lab (every client the real one with a base URL on 127.0.0.1). */
export function fakeContext(lab: FakeLab, over: Partial<VerifyContext> = {}, rows = truthTable(true).rows): VerifyContext {
    const api = (prefix: string, what: string) => httpApi(`${lab.url}${prefix}`, { timeoutMs: 2000, what });
    const kube = api("/k8s", "the fake Kubernetes API");
    let probes: Promise<ProbeResults> | undefined;
    let clock = Date.parse("2026-12-07T12:00:00Z");
    const vault = api("/bao", "the fake OpenBao");
    return {
        lab: {
            mode: "proxmox",
            apiServerUrl: "https://192.168.2.240:6443",
            nodeAddresses: { "k3s-node-01": "127.0.0.1", "k3s-node-02": "127.0.0.1", "k3s-node-03": "127.0.0.1" },
            k3sVersion: K3S_VERSION,
            urls: {
                shlink: `${lab.url}/web/shlink`,
                grafana: `${lab.url}/web/grafana`,
                kiali: `${lab.url}/web/kiali/kiali`,
                jaeger: `${lab.url}/web/jaeger`,
                alertmanager: `${lab.url}/web/alertmanager`,
                vault: `${lab.url}/web/vault`,
                argocd: `${lab.url}/web/argocd`,
            },
            createPerMinute: 3,
        },
        kube,
        web: (url, options) => fetchUrl(url, { ...options, timeoutMs: 2000 }),
        tcp: tcpConnect,
        shlinkApiKey: "test-api-key",
        prometheus: api("/prom", "the fake Prometheus"),
        alertmanager: api("/am", "the fake Alertmanager"),
        grafana: api("/grafana", "the fake Grafana"),
        vault,
        async vaultAdminToken() {
            const login = await vault.json<{ auth: { client_token: string } }>("/v1/auth/userpass/login/admin", { method: "POST", body: "{}" });
            return { token: login.auth.client_token, revoke: async () => void (await vault.request("/v1/auth/token/revoke-self", { method: "POST" })) };
        },
        jaeger: api("/jaeger", "the fake Jaeger"),
        argocdAdminLogin: () =>
            fetchUrl(`${lab.url}/web/argocd/api/v1/session`, {
                method: "POST",
                body: JSON.stringify({ username: "admin", password: "argocd-pw" }),
                timeoutMs: 2000,
            }),
        exec: async (ns, pod, container, command) => {
            const answer = lab.execs[`${ns}/${pod}/${container}`];
            if (answer === undefined) throw new Error(`no such container ${ns}/${pod}/${container}`);
            if (answer instanceof Error) throw answer;
            return typeof answer === "function" ? answer(command) : answer;
        },
        probes: () =>
            (probes ??= runProbes(rows, { kube, runStamp: "20261207-000000", sleep: () => Promise.resolve(), now: () => Date.now(), out: () => undefined })),
        loadSmoke: () => Promise.resolve({ code: 0, lines: ["http_req_duration p(95)<500  PASS"] }),
        // A clock that moves a second per reading, so polling loops end.
        now: () => (clock += 1000),
        sleep: () => Promise.resolve(),
        signal: new AbortController().signal,
        ...over,
    };
}

export const PROBE_IMAGE = ISTIO_PROXY_IMAGE;
export { PROBE_LABEL };
