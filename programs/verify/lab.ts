// The real lab behind `npm run verify`: the stack's outputs through the pinned Pulumi CLI, the Kubernetes API with
// the kubeconfig output (bounded calls of our own client; exec through @kubernetes/client-node, bounded here), the
// doors over HTTPS verified against the lab CA, Prometheus through Grafana's datasource proxy.
import * as net from "node:net";
import * as k8s from "@kubernetes/client-node";
import { GRAFANA } from "../../components/observability/facts";
import { VAULT } from "../../components/secrets/facts";
import { runLoad } from "../load/cli";
import { kubeCluster } from "../shared/kube";
import { parseLabOutputs, parseStackOutputs, stackOutputJson } from "../shared/stackOutputs";
import type { Exec, LabOutputs, LoadSmoke } from "./check";
import { fetchUrl, httpApi, type HttpApi } from "./http";
import type { LabContext } from "./runner";
import { textSink } from "../../components/kubernetes/textSink";

/** Deadline of one call to the lab (a list of pods, a door's answer). */
export const CALL_TIMEOUT_MS = 15_000;

/** Everything `npm run verify` reads from the stack's outputs (secrets included: they go into clients only). */
export function parseVerifyOutputs(json: string): {
    lab: LabOutputs;
    kubeconfig: string;
    secrets: { ca: string; apiKey: string; grafanaPassword: string; vaultPassword: string; argocdPassword?: string };
} {
    const o = JSON.parse(json) as Record<string, unknown>;
    const { kubeconfig, target } = parseStackOutputs(json);
    const { nodeAddresses, apiServerUrl } = parseLabOutputs(json);
    const str = (key: string): string => {
        if (typeof o[key] !== "string" || o[key] === "") throw new Error(`the stack has no '${key}' output: run \`npm run up\` first`);
        return o[key] as string;
    };
    return {
        kubeconfig,
        lab: {
            mode: Object.keys(nodeAddresses).length > 0 ? "proxmox" : "cluster",
            apiServerUrl,
            nodeAddresses,
            k3sVersion: typeof o.k3sVersion === "string" ? o.k3sVersion : undefined,
            urls: {
                shlink: str("shlinkUrl"),
                grafana: str("grafanaUrl"),
                kiali: str("kialiUrl"),
                jaeger: str("jaegerUrl"),
                alertmanager: str("alertmanagerUrl"),
                vault: str("vaultUrl"),
                argocd: typeof o.argocdUrl === "string" ? o.argocdUrl : undefined,
            },
            createPerMinute: target.rateLimits.createPerMinute,
        },
        secrets: {
            ca: str("labCaCertificate"),
            apiKey: str("shlinkApiKey"),
            grafanaPassword: str("grafanaAdminPassword"),
            vaultPassword: str("vaultAdminPassword"),
            argocdPassword: typeof o.argocdAdminPassword === "string" ? o.argocdAdminPassword : undefined,
        },
    };
}

/** Our bounded client with the kubeconfig's server, CA and credentials (client certificate or token). */
export async function kubeApi(kubeconfig: string): Promise<{ api: HttpApi; config: k8s.KubeConfig }> {
    const config = new k8s.KubeConfig();
    config.loadFromString(kubeconfig);
    const server = config.getCurrentCluster()?.server;
    if (server === undefined) throw new Error("the kubeconfig output names no cluster");
    const options: { ca?: Buffer; cert?: Buffer; key?: Buffer; headers?: Record<string, string>; rejectUnauthorized?: boolean } = { headers: {} };
    await config.applyToHTTPSOptions(options as never);
    return {
        config,
        api: httpApi(server, {
            ca: options.ca,
            cert: options.cert,
            key: options.key,
            rejectUnauthorized: options.rejectUnauthorized,
            headers: options.headers,
            timeoutMs: CALL_TIMEOUT_MS,
            what: `the Kubernetes API at ${server}`,
        }),
    };
}

/** Exec over the API's websocket, bounded: a command that never ends, or a connection that hangs, is given up. */
export function kubeExec(config: k8s.KubeConfig): Exec {
    return (namespace, pod, container, command, timeoutMs) =>
        new Promise<string>((resolve, reject) => {
            let stdout = "";
            let stderr = "";
            let socket: { close(): void } | undefined;
            const timer = setTimeout(() => {
                socket?.close();
                reject(new Error(`${command[0]} in ${namespace}/${pod} did not finish within ${Math.round(timeoutMs / 1000)} s`));
            }, timeoutMs);
            new k8s.Exec(config)
                .exec(
                    namespace,
                    pod,
                    container,
                    command,
                    textSink((s) => (stdout += s)),
                    textSink((s) => (stderr += s)),
                    null,
                    false,
                    (status) => {
                        clearTimeout(timer);
                        if (status.status === "Success") resolve(stdout);
                        else reject(new Error(`${command[0]} in ${namespace}/${pod}: ${status.message ?? ""} ${stderr}`.trim()));
                    },
                )
                .then((ws) => (socket = ws))
                .catch((e: unknown) => {
                    clearTimeout(timer);
                    reject(e instanceof Error ? e : new Error(String(e)));
                });
        });
}

/** TCP connect from this machine, bounded. */
export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ host, port });
        const done = (ok: boolean) => {
            socket.destroy();
            resolve(ok);
        };
        socket.setTimeout(timeoutMs, () => done(false));
        socket.once("connect", () => done(true));
        socket.once("error", () => done(false));
    });
}

/** The load check: `npm run load`'s own code, its lines collected. */
function loadSmoke(kubeconfig: string, target: ReturnType<typeof parseStackOutputs>["target"]): LoadSmoke {
    return async (scenario, seconds, signal) => {
        const lines: string[] = [];
        const code = await runLoad([scenario, "--duration", String(seconds)], {
            connect: () => Promise.resolve({ target, cluster: kubeCluster(kubeconfig) }),
            out: (l) => lines.push(l),
            now: () => Date.now(),
            sleep: (ms, s) =>
                new Promise((r) => {
                    const t = setTimeout(r, ms);
                    s.addEventListener(
                        "abort",
                        () => {
                            clearTimeout(t);
                            r();
                        },
                        { once: true },
                    );
                }),
            signal,
        });
        return { code, lines };
    };
}

export async function realLab(stack: string = process.env.PULUMI_STACK ?? "homelab"): Promise<LabContext> {
    // Bounded, and a stack never brought up says "run npm run up first" (the load and drill commands read it the same way).
    const json = stackOutputJson(stack);
    const { lab, kubeconfig, secrets } = parseVerifyOutputs(json);
    const { api: kube, config } = await kubeApi(kubeconfig);
    const door = (base: string, what: string, headers: Record<string, string> = {}) =>
        httpApi(base, { ca: secrets.ca, headers, timeoutMs: CALL_TIMEOUT_MS, what });
    const grafanaAuth = { Authorization: `Basic ${Buffer.from(`${GRAFANA.adminUser}:${secrets.grafanaPassword}`).toString("base64")}` };
    const vault = door(lab.urls.vault, `OpenBao at ${lab.urls.vault}`);
    return {
        lab,
        kube,
        web: (url, options) => fetchUrl(url, { ...options, ca: secrets.ca, timeoutMs: options?.timeoutMs ?? CALL_TIMEOUT_MS }),
        tcp: tcpConnect,
        shlinkApiKey: secrets.apiKey,
        prometheus: door(
            `${lab.urls.grafana}/api/datasources/proxy/uid/${GRAFANA.datasource.uid}`,
            "Prometheus (through Grafana's datasource proxy)",
            grafanaAuth,
        ),
        alertmanager: door(lab.urls.alertmanager, `Alertmanager at ${lab.urls.alertmanager}`),
        grafana: door(lab.urls.grafana, `Grafana at ${lab.urls.grafana}`, grafanaAuth),
        vault,
        async vaultAdminToken() {
            const login = await vault.json<{ auth: { client_token: string } }>(`/v1/auth/userpass/login/${VAULT.adminUser}`, {
                method: "POST",
                body: JSON.stringify({ password: secrets.vaultPassword }),
            });
            const token = login.auth.client_token;
            return {
                token,
                revoke: async () =>
                    void (await vault.request("/v1/auth/token/revoke-self", { method: "POST", headers: { "X-Vault-Token": token } }).catch(() => undefined)),
            };
        },
        jaeger: door(lab.urls.jaeger, `Jaeger at ${lab.urls.jaeger}`),
        ...(lab.urls.argocd === undefined || secrets.argocdPassword === undefined
            ? {}
            : {
                  argocdAdminLogin: () =>
                      door(lab.urls.argocd!, `Argo CD at ${lab.urls.argocd}`).request("/api/v1/session", {
                          method: "POST",
                          headers: { "Content-Type": "application/json" },
                          body: JSON.stringify({ username: "admin", password: secrets.argocdPassword }),
                      }),
              }),
        exec: kubeExec(config),
        loadSmoke: loadSmoke(kubeconfig, parseStackOutputs(json).target),
    };
}
