// Runs the truth table's probe pods on the live cluster: resolve each row's target, one pod per source, wait for
// them to finish, read their logs, delete them. Every call goes through the bounded Kubernetes client.
import { SHLINK } from "../../components/apps/facts";
import { SHLINK_SELECTOR } from "../../components/apps/shlinkSpec";
import { ISTIO } from "../../components/mesh/facts";
import type { HttpApi } from "./http";
import { parseProbeLog, PROBE_LABEL, probePod, sourceKey, STRICT_MTLS_ROW, type ProbeLine, type ProbeResults, type TruthRow } from "./probes";
import type { PodPeer } from "../../components/contracts/flows";

interface LivePod {
    metadata: { name: string; namespace: string; labels?: Record<string, string>; deletionTimestamp?: string };
    spec?: { containers?: { ports?: { name?: string; containerPort: number; protocol?: string }[] }[] };
    status?: {
        phase?: string;
        podIP?: string;
        reason?: string;
        message?: string;
        containerStatuses?: { state?: { waiting?: { reason?: string; message?: string } } }[];
    };
}

/** Seconds a probe pod may take from creation to done (image pull included). */
export const PROBE_DEADLINE_SECONDS = 90;

const labelSelector = (peer: PodPeer) => encodeURIComponent([...Object.entries(peer.pods ?? {}).map(([k, v]) => `${k}=${v}`), `!${PROBE_LABEL.key}`].join(","));

/** A target pod's address and the port to try. */
export async function resolveTarget(kube: HttpApi, to: TruthRow["to"], port: TruthRow["port"]): Promise<{ host: string; port: number } | { error: string }> {
    if (to === "api-server") {
        const ep = await kube.json<{ subsets?: { addresses?: { ip: string }[]; ports?: { port: number }[] }[] }>(
            "/api/v1/namespaces/default/endpoints/kubernetes",
        );
        const s = ep.subsets?.[0];
        const host = s?.addresses?.[0]?.ip;
        const p = s?.ports?.[0]?.port;
        return host === undefined || p === undefined ? { error: "the kubernetes Service has no endpoint" } : { host, port: p };
    }
    const pods = ((await kube.json<{ items?: LivePod[] }>(`/api/v1/namespaces/${to.namespace}/pods?labelSelector=${labelSelector(to)}`)).items ?? []).filter(
        (p) => p.status?.phase === "Running" && p.status.podIP !== undefined && p.metadata.deletionTimestamp === undefined,
    );
    const declared = (p: LivePod) => (p.spec?.containers ?? []).flatMap((c) => c.ports ?? []).filter((x) => (x.protocol ?? "TCP") === "TCP");
    for (const pod of pods) {
        const ports = declared(pod);
        if (typeof port === "number") {
            if (ports.some((x) => x.containerPort === port) || pods.length === 1) return { host: pod.status!.podIP!, port };
        } else if (typeof port === "string") {
            const named = ports.find((x) => x.name === port);
            if (named !== undefined) return { host: pod.status!.podIP!, port: named.containerPort };
        } else if (ports.length > 0) {
            return { host: pod.status!.podIP!, port: ports[0].containerPort };
        }
    }
    if (typeof port === "number" && pods.length > 0) {
        return { host: pods[0].status!.podIP!, port };
    }
    const who = `${to.namespace}${
        to.pods === undefined
            ? ""
            : ` (${Object.entries(to.pods)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(",")})`
    }`;
    return { error: pods.length === 0 ? `no running pod in ${who}` : `no pod in ${who} declares port ${String(port ?? "(any)")}` };
}

/** The strict-mTLS row: from the gateway's labels (the policies let it through), plaintext to a Shlink pod. */
export const STRICT_MTLS_SOURCE: PodPeer = { namespace: ISTIO.gatewayNamespace, pods: { istio: ISTIO.gatewayLabel } };
export const STRICT_MTLS_TARGET: PodPeer = { namespace: SHLINK.namespace, pods: { ...SHLINK_SELECTOR } };

export interface ProbeRunDeps {
    kube: HttpApi;
    /** A DNS-label-safe stamp shared by this run's pods. */
    runStamp: string;
    sleep(ms: number): Promise<void>;
    now(): number;
    out(line: string): void;
    /** Ctrl-C: no pod is created after it, and the wait ends (the pods made are still deleted). */
    signal?: AbortSignal;
}

/** Every row's result (and the strict-mTLS row's); rows whose probe could not run carry an error. */
export async function runProbes(rows: TruthRow[], deps: ProbeRunDeps): Promise<ProbeResults> {
    const results: ProbeResults = new Map();
    const bySource = new Map<string, { from: PodPeer; lines: ProbeLine[] }>();
    const add = (from: PodPeer, line: ProbeLine) => {
        const key = sourceKey(from);
        if (!bySource.has(key)) bySource.set(key, { from, lines: [] });
        bySource.get(key)!.lines.push(line);
    };
    for (const row of rows) {
        const target = await resolveTarget(deps.kube, row.to, row.port);
        if ("error" in target) {
            results.set(row.id, { kind: "error", message: target.error });
        } else {
            add(row.from, { id: row.id, host: target.host, port: target.port, mode: "tcp" });
        }
    }
    const mtls = await resolveTarget(deps.kube, STRICT_MTLS_TARGET, SHLINK.port);
    if ("error" in mtls) {
        results.set(STRICT_MTLS_ROW, { kind: "error", message: mtls.error });
    } else {
        add(STRICT_MTLS_SOURCE, { id: STRICT_MTLS_ROW, host: mtls.host, port: mtls.port, mode: "plain-http" });
    }
    const pods = [...bySource.values()].map((s, i) => probePod(`homelab-verify-${i}-${deps.runStamp}`, s.from, s.lines));
    deps.out(
        `  ... truth table: ${pods.length} probe pods for ${pods.reduce((n, p) => n + p.spec.containers[0].env[0].value.split("\n").length, 0)} connections`,
    );
    const created: typeof pods = [];
    try {
        for (const pod of pods) {
            if (deps.signal?.aborted) {
                rowsOf(pod).forEach((id) => results.set(id, { kind: "error", message: "interrupted" }));
                continue;
            }
            const res = await deps.kube.request(`/api/v1/namespaces/${pod.metadata.namespace}/pods`, {
                method: "POST",
                headers: { "Content-Type": "application/json" },
                body: JSON.stringify(pod),
            });
            if (res.status === 201 || res.status === 200) {
                created.push(pod);
            } else {
                const message = `probe pod in ${pod.metadata.namespace} refused (${res.status}): ${(JSON.parse(res.body || "{}") as { message?: string }).message ?? res.body.slice(0, 200)}`;
                rowsOf(pod).forEach((id) => results.set(id, { kind: "error", message }));
            }
        }
        const until = deps.now() + PROBE_DEADLINE_SECONDS * 1000;
        const pending = new Set(created);
        while (pending.size > 0) {
            for (const pod of [...pending]) {
                const live = await deps.kube.json<LivePod>(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`);
                const phase = live.status?.phase;
                if (phase === "Succeeded" || phase === "Failed") {
                    pending.delete(pod);
                    const log = await deps.kube.request(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/log?container=probe`);
                    const seen = parseProbeLog(log.body);
                    for (const id of rowsOf(pod)) {
                        results.set(
                            id,
                            seen.get(id) ?? {
                                kind: "error",
                                message: `the probe in ${pod.metadata.namespace} did not report it (${phase}: ${log.body.slice(-160)})`,
                            },
                        );
                    }
                } else if (deps.signal?.aborted) {
                    pending.delete(pod);
                    rowsOf(pod).forEach((id) => results.set(id, { kind: "error", message: "interrupted" }));
                } else if (deps.now() >= until) {
                    pending.delete(pod);
                    const waiting = live.status?.containerStatuses?.[0]?.state?.waiting;
                    const why = waiting?.reason ?? live.status?.reason ?? phase ?? "unknown";
                    rowsOf(pod).forEach((id) =>
                        results.set(id, {
                            kind: "error",
                            message: `the probe pod in ${pod.metadata.namespace} did not finish within ${PROBE_DEADLINE_SECONDS} s (${why}${waiting?.message ? `: ${waiting.message.slice(0, 120)}` : ""})`,
                        }),
                    );
                }
            }
            if (pending.size > 0) await deps.sleep(2000);
        }
    } finally {
        await Promise.all(created.map((pod) => deletePod(deps.kube, pod.metadata.namespace, pod.metadata.name)));
    }
    return results;
}

const rowsOf = (pod: { spec: { containers: { env: { value: string }[] }[] } }) => pod.spec.containers[0].env[0].value.split("\n").map((l) => l.split(" ")[0]);

async function deletePod(kube: HttpApi, namespace: string, name: string): Promise<void> {
    await kube.request(`/api/v1/namespaces/${namespace}/pods/${name}?gracePeriodSeconds=0`, { method: "DELETE" }).catch(() => undefined);
}

/** Deletes every object carrying the probe label, wherever it is (leftovers of an interrupted run included). */
export async function cleanupProbes(kube: HttpApi): Promise<string[]> {
    const left =
        (await kube.json<{ items?: LivePod[] }>(`/api/v1/pods?labelSelector=${encodeURIComponent(`${PROBE_LABEL.key}=${PROBE_LABEL.value}`)}`)).items ?? [];
    await Promise.all(left.map((p) => deletePod(kube, p.metadata.namespace, p.metadata.name)));
    return left.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
}
