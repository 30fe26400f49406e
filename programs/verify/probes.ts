// The network-policy truth table (the cyclonus idea, driven by our own flow table): short-lived probe pods, one
// per source (namespace and labels), try every row's connection from there. Pods are Pod Security `restricted`,
// out of the mesh, never Ready (so no Service sends them traffic), carry one label and are deleted on every path.
import { POSTGRES, REDIS } from "../../components/data/facts";
import { ARGO_CD, POD_PORTS as GITOPS_PORTS } from "../../components/gitops/facts";
import { ISTIO, ISTIO_PROXY_IMAGE } from "../../components/mesh/facts";
import { JAEGER, KIALI, KUBE_PROMETHEUS_STACK, POD_PORTS as OBSERVABILITY_PORTS } from "../../components/observability/facts";
import { VAULT } from "../../components/secrets/facts";
import { SMOKE_JOB } from "../../components/smoke/facts";
import { resourceRequirements } from "../../components/kubernetes/resources";
import { SHLINK_SELECTOR } from "../../components/apps/shlinkSpec";
import { isPodPeer, type Flow, type FlowPort, type PodPeer } from "../../components/contracts/flows";
import { labFlows } from "../../stacks/placement";

/** The one label every object `npm run verify` creates carries (and the selector its clean-up deletes by). */
export const PROBE_LABEL = { key: "homelab.verify", value: "probe" } as const;

/** What a row expects: the connection opens, or it is dropped (times out or is refused). */
export type Expectation = "open" | "blocked";

/** One row of the truth table. */
export interface TruthRow {
    /** `netpol.allow.<flow>` or `netpol.deny.<name>`. */
    id: string;
    expect: Expectation;
    from: PodPeer;
    /** Pods of the target, or the API server (the `kubernetes` Service's endpoint). */
    to: PodPeer | "api-server";
    /** A number, a container port's name, or undefined: the target pod's first declared port. */
    port?: number | string;
    why: string;
}

/** Rows the table cannot probe from a pod, and why (each still shows in --list and the report, as skipped). */
export interface SkippedRow {
    id: string;
    why: string;
    reason: string;
}

/** Flows the table does not allow, chosen to prove the defaults deny: each must time out (or be refused). */
export function deniedRows(withArgoCd: boolean): TruthRow[] {
    const stranger: PodPeer = { namespace: "default" };
    const ui = (name: string, to: PodPeer, port: number): TruthRow => ({
        id: `netpol.deny.default-to-${name}`,
        expect: "blocked",
        from: stranger,
        to,
        port,
        why: `a pod that is not the gateway cannot reach ${name}'s UI`,
    });
    return [
        {
            id: "netpol.deny.default-to-postgres",
            expect: "blocked",
            from: stranger,
            to: { namespace: POSTGRES.namespace },
            port: POSTGRES.port,
            why: "only Shlink (and PostgreSQL's own) reach the database",
        },
        {
            id: "netpol.deny.default-to-redis",
            expect: "blocked",
            from: stranger,
            to: { namespace: REDIS.namespace, pods: { "app.kubernetes.io/component": "redis" } },
            port: REDIS.port,
            why: "only Shlink (and Redis' own) reach Redis",
        },
        ui("grafana", { namespace: KUBE_PROMETHEUS_STACK.namespace, pods: { "app.kubernetes.io/name": "grafana" } }, OBSERVABILITY_PORTS.grafana),
        ui(
            "alertmanager",
            { namespace: KUBE_PROMETHEUS_STACK.namespace, pods: { "app.kubernetes.io/name": "alertmanager" } },
            OBSERVABILITY_PORTS.alertmanager,
        ),
        ui("jaeger", { namespace: JAEGER.namespace }, JAEGER.ports.queryHttp),
        ui("kiali", { namespace: ISTIO.namespace, pods: { "app.kubernetes.io/name": "kiali" } }, KIALI.serverPort),
        ui("vault", { namespace: VAULT.namespace, pods: { ...VAULT.podLabels } }, VAULT.apiPort),
        ...(withArgoCd ? [ui("argocd", { namespace: ARGO_CD.namespace, pods: { "app.kubernetes.io/name": "argocd-server" } }, GITOPS_PORTS.argocdServer)] : []),
        {
            id: "netpol.deny.shlink-to-vault",
            expect: "blocked",
            from: { namespace: "shlink", pods: { ...SHLINK_SELECTOR } },
            to: { namespace: VAULT.namespace, pods: { ...VAULT.podLabels } },
            port: VAULT.apiPort,
            why: "Shlink's secrets come through External Secrets, never from OpenBao directly",
        },
        {
            id: "netpol.deny.shlink-to-api-server",
            expect: "blocked",
            from: { namespace: "shlink", pods: { ...SHLINK_SELECTOR } },
            to: "api-server",
            why: "Shlink's egress is restricted to its data stores, DNS and the mesh",
        },
        {
            id: "netpol.deny.redis-to-postgres",
            expect: "blocked",
            from: { namespace: REDIS.namespace },
            to: { namespace: POSTGRES.namespace },
            port: POSTGRES.port,
            why: "the data stores do not talk to each other",
        },
    ];
}

/** A TCP port of the flow's (UDP alone cannot be probed by a connect). */
function tcpPort(ports: FlowPort[]): number | string | undefined {
    return ports.find((p) => (p.protocol ?? "TCP") === "TCP")?.port;
}

/** The flow table as rows: every flow that a pod can be the source of, expected to open. */
export function allowedRows(flows: Flow[]): { rows: TruthRow[]; skipped: SkippedRow[] } {
    const rows: TruthRow[] = [];
    const skipped: SkippedRow[] = [];
    for (const flow of flows) {
        const id = `netpol.allow.${flow.name}`;
        if (!isPodPeer(flow.from)) {
            if (flow.from.cidrs.includes("0.0.0.0/0") && isPodPeer(flow.to)) {
                // "From anywhere": a pod with nothing special stands for any client.
                rows.push({ id, expect: "open", from: { namespace: "default" }, to: flow.to, port: ISTIO.gatewayStatusPort, why: flow.why });
            } else {
                skipped.push({
                    id,
                    why: flow.why,
                    reason: `the source is ${flow.from.what}, not a pod: proven by the webhook answering (every object the stack made was admitted)`,
                });
            }
            continue;
        }
        const to = isPodPeer(flow.to) ? flow.to : "api-server";
        rows.push({ id, expect: "open", from: flow.from, to, port: tcpPort(flow.ports), why: flow.why });
    }
    return { rows, skipped };
}

/** The lab's flow table (the inputs only change the gateway's and the API server's addresses, which rows resolve live). */
export function truthTable(withArgoCd: boolean): { rows: TruthRow[]; skipped: SkippedRow[] } {
    const flows = labFlows({ gatewayPorts: [], apiServer: { cidr: "0.0.0.0/32", ports: [] }, webhookCallers: [] }).filter(
        (f) => withArgoCd || (!f.name.startsWith("argocd") && !f.name.endsWith("-argocd")),
    );
    const allowed = allowedRows(flows);
    return { rows: [...allowed.rows, ...deniedRows(withArgoCd)], skipped: allowed.skipped };
}

/** One connection a probe pod tries: `id host port mode` (mode `tcp`, or `plain-http` for the mTLS row). */
export interface ProbeLine {
    id: string;
    host: string;
    port: number;
    mode: "tcp" | "plain-http";
}

/** A source of rows: the namespace and labels a probe pod carries. */
export const sourceKey = (from: PodPeer): string => `${from.namespace}|${JSON.stringify(Object.entries(from.pods ?? {}).sort())}`;

/**
 * The probe's script: each line of $PROBES is tried once, bounded (3 s connect, 4 s request); one RESULT line each.
 * bash's /dev/tcp and curl are in Istio's proxyv2 image (the smoke Job relies on the same).
 */
export const PROBE_SCRIPT = [
    // A pipe, not a here-string: the root filesystem is read-only, and bash may write a here-string to /tmp.
    'printf "%s\\n" "$PROBES" | while read -r id host port mode; do',
    '  [ -n "$id" ] || continue',
    '  if [ "$mode" = plain-http ]; then',
    '    code=$(curl -s -o /dev/null -m 4 -w "%{http_code}" "http://$host:$port/")',
    '    echo "RESULT $id http $code $?"',
    '  elif timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then',
    '    echo "RESULT $id open"',
    "  else",
    '    echo "RESULT $id blocked"',
    "  fi",
    "done",
].join("\n");

/** A probe pod: restricted, no token, no sidecar, never Ready, gone after 120 s at most. */
export function probePod(name: string, from: PodPeer, lines: ProbeLine[]): ProbePod {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
            name,
            namespace: from.namespace,
            labels: { ...(from.pods ?? {}), [PROBE_LABEL.key]: PROBE_LABEL.value },
            // Out of the mesh: the probe is a plain client, and a sidecar would keep it running.
            annotations: { "sidecar.istio.io/inject": "false" },
        },
        spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            activeDeadlineSeconds: 120,
            terminationGracePeriodSeconds: 0,
            securityContext: { runAsNonRoot: true, runAsUser: SMOKE_JOB.uid, runAsGroup: SMOKE_JOB.uid, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
                {
                    name: "probe",
                    image: ISTIO_PROXY_IMAGE,
                    command: ["bash", "-c", PROBE_SCRIPT],
                    env: [{ name: "PROBES", value: lines.map((l) => `${l.id} ${l.host} ${l.port} ${l.mode}`).join("\n") }],
                    resources: resourceRequirements(SMOKE_JOB.resources),
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                    // Never Ready: a probe carrying a workload's labels must never be one of its Service's endpoints.
                    readinessProbe: { exec: { command: ["false"] }, periodSeconds: 60 },
                },
            ],
        },
    };
}

export interface ProbePod {
    apiVersion: "v1";
    kind: "Pod";
    metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
    spec: {
        restartPolicy: "Never";
        automountServiceAccountToken: false;
        activeDeadlineSeconds: number;
        terminationGracePeriodSeconds: number;
        securityContext: { runAsNonRoot: true; runAsUser: number; runAsGroup: number; seccompProfile: { type: "RuntimeDefault" } };
        containers: {
            name: string;
            image: string;
            command: string[];
            env: { name: string; value: string }[];
            resources: ReturnType<typeof resourceRequirements>;
            securityContext: { allowPrivilegeEscalation: false; readOnlyRootFilesystem: true; capabilities: { drop: string[] } };
            readinessProbe: { exec: { command: string[] }; periodSeconds: number };
        }[];
    };
}

/** What a probe saw for one row. */
export type ProbeResult = { kind: "open" } | { kind: "blocked" } | { kind: "http"; code: string; exit: number } | { kind: "error"; message: string };

/** Every row's result, by row id. */
export type ProbeResults = Map<string, ProbeResult>;

/** The RESULT lines of a probe's log. */
export function parseProbeLog(log: string): Map<string, ProbeResult> {
    const out = new Map<string, ProbeResult>();
    for (const line of log.split("\n")) {
        const m = /^RESULT (\S+) (open|blocked|http)(?: (\S+) (\d+))?$/.exec(line.trim());
        if (m === null) continue;
        out.set(m[1], m[2] === "http" ? { kind: "http", code: m[3] ?? "000", exit: Number(m[4] ?? 0) } : { kind: m[2] as "open" | "blocked" });
    }
    return out;
}

/** The mTLS row: plaintext HTTP from a pod out of the mesh, allowed by the policies (the gateway's labels), to Shlink. */
export const STRICT_MTLS_ROW = "mesh.strict-mtls";
