// What a check is: a promise of the lab, named once, with how long it may take and how it is proved against
// the live lab. Checks are data; the runner bounds them, prints them and writes the report.
import type { HttpApi, HttpResponse, RequestOptions } from "./http";
import type { ProbeResults } from "./probes";

/** The groups of the suite, in the order they print. */
export const GROUPS = {
    cluster: "Cluster",
    releases: "Releases and objects",
    data: "Data",
    "mesh-edge": "Mesh and edge",
    netpol: "Network policies (truth table from components/security/flows.ts)",
    "pod-security": "Pod Security",
    observability: "Observability",
    load: "Load",
} as const;

export type Group = keyof typeof GROUPS;

/** A check's verdict: the promise holds (with evidence), is broken (why, where to look), or does not apply here. */
export type Outcome =
    { status: "pass"; evidence: string } | { status: "fail"; evidence: string; cause: string; lookAt: string } | { status: "skip"; evidence: string };

export const pass = (evidence: string): Outcome => ({ status: "pass", evidence });
export const fail = (evidence: string, cause: string, lookAt: string): Outcome => ({ status: "fail", evidence, cause, lookAt });
export const skip = (reason: string): Outcome => ({ status: "skip", evidence: reason });

/** The stack's outputs a check may need (no secret among them: secrets live inside the clients). */
export interface LabOutputs {
    /** Proxmox mode has node addresses; a stack on an existing cluster has none. */
    mode: "proxmox" | "cluster";
    apiServerUrl: string;
    nodeAddresses: Record<string, string>;
    k3sVersion?: string;
    urls: { shlink: string; grafana: string; kiali: string; jaeger: string; alertmanager: string; vault: string; argocd?: string };
    /** The gateway's creation limit per gateway pod (homelab:shlinkCreateRatePerMinute). */
    createPerMinute: number;
}

/** Runs a command in a container and returns its stdout (throws on a non-zero exit, with stderr). */
export type Exec = (namespace: string, pod: string, container: string, command: string[], timeoutMs: number) => Promise<string>;

/** Runs one short k6 scenario through `npm run load`'s own code: its exit code and what it printed. */
export type LoadSmoke = (scenario: string, seconds: number, signal: AbortSignal) => Promise<{ code: number; lines: string[] }>;

export interface VerifyContext {
    lab: LabOutputs;
    /** The Kubernetes API with the stack's kubeconfig. */
    kube: HttpApi;
    /** An HTTPS call to one of the lab's doors, verified against the lab CA (never skipped). */
    web(url: string, options?: RequestOptions): Promise<HttpResponse>;
    /** TCP connect from this machine: true when the port accepts within the deadline. */
    tcp(host: string, port: number, timeoutMs: number): Promise<boolean>;
    /** Shlink's API key (secret: sent as a header, never printed). */
    shlinkApiKey: string;
    /** Prometheus (through Grafana's datasource proxy), Alertmanager, Grafana (admin), OpenBao and Jaeger. */
    prometheus: HttpApi;
    alertmanager: HttpApi;
    grafana: HttpApi;
    vault: HttpApi;
    /** OpenBao's admin login (userpass): a token to use, and its revocation afterwards. */
    vaultAdminToken(): Promise<{ token: string; revoke(): Promise<void> }>;
    jaeger: HttpApi;
    /** POST /api/v1/session on Argo CD's door with the admin password the stack generated (undefined without Argo CD). */
    argocdAdminLogin?(): Promise<HttpResponse>;
    exec: Exec;
    /** The truth table's probe pods, run once per suite and shared by its rows. */
    probes(): Promise<ProbeResults>;
    loadSmoke: LoadSmoke;
    now(): number;
    sleep(ms: number): Promise<void>;
    /** Aborted on Ctrl-C or at the check's deadline. */
    signal: AbortSignal;
}

export interface Check {
    /** `<group>.<what>`, stable: reports and the smoke check name promises by it. */
    id: string;
    group: Group;
    /** What the check proves, as one line a person reads. */
    proves: string;
    timeoutSeconds: number;
    /** Part of the fast subset (the checks the smoke check at the end of `pulumi up` runs too). */
    fast?: boolean;
    /** Runs last, with no other check beside it: it spends something the others need (the gateway's creation bucket). */
    alone?: boolean;
    run(ctx: VerifyContext): Promise<Outcome>;
}

/** Items of a Kubernetes list. */
export async function items<T = KubeObject>(ctx: Pick<VerifyContext, "kube">, path: string): Promise<T[]> {
    return (await ctx.kube.json<{ items?: T[] }>(path)).items ?? [];
}

/** The parts of an object the checks read. */
export interface KubeObject {
    metadata: {
        name: string;
        namespace?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        creationTimestamp?: string;
        deletionTimestamp?: string;
    };
    spec?: Record<string, unknown>;
    status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } & Record<string, unknown>;
}

export function condition(o: KubeObject, type: string): { status: string; reason?: string; message?: string } | undefined {
    return o.status?.conditions?.find((c) => c.type === type);
}

export const isReady = (o: KubeObject): boolean => condition(o, "Ready")?.status === "True";

export const nameOf = (o: KubeObject): string => (o.metadata.namespace === undefined ? o.metadata.name : `${o.metadata.namespace}/${o.metadata.name}`);

/** "a, b, c" or "none", cut after `max` names. */
export function names(list: string[], max = 8): string {
    if (list.length === 0) {
        return "none";
    }
    return list.length <= max ? list.join(", ") : `${list.slice(0, max).join(", ")} and ${list.length - max} more`;
}

export const selector = (labels: Record<string, string>): string =>
    encodeURIComponent(
        Object.entries(labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(","),
    );
