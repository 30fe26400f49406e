// Cluster: the nodes, etcd, the VIPs, the K3s version, the registry mirror.
import { ISTIO } from "../../../components/mesh/facts";
import { SMOKE_PROMISES } from "../../../components/smoke/promises";
import { condition, fail, items, isReady, names, pass, skip, type Check, type KubeObject } from "../check";

/** K3s' embedded registry mirror (Spegel) port between nodes (K3s docs: embedded registry, 5001/tcp). */
export const EMBEDDED_REGISTRY_PORT = 5001;
/** K3s' node condition for a voting etcd member (k3s pkg/etcd/etcd.go: `etcdStatusType = "EtcdIsVoter"`, reason a MemberStatus). */
export const ETCD_VOTER_CONDITION = "EtcdIsVoter";
/** The gateway's LoadBalancer Service: the chart names it after the release. */
export const GATEWAY_SERVICE = { namespace: ISTIO.gatewayNamespace, name: ISTIO.gatewayRelease } as const;

interface Node extends KubeObject {
    status?: KubeObject["status"] & { nodeInfo?: { kubeletVersion?: string }; addresses?: { type: string; address: string }[] };
}

const nodes = (ctx: Parameters<Check["run"]>[0]) => items<Node>(ctx, "/api/v1/nodes");

export const CLUSTER_CHECKS: Check[] = [
    {
        ...SMOKE_PROMISES.nodesReady,
        group: "cluster",
        timeoutSeconds: 15,
        fast: true,
        async run(ctx) {
            const all = await nodes(ctx);
            const notReady = all.filter((n) => !isReady(n)).map((n) => `${n.metadata.name} (${condition(n, "Ready")?.reason ?? "no Ready condition"})`);
            const missing = ctx.lab.mode === "proxmox" ? Object.keys(ctx.lab.nodeAddresses).filter((name) => !all.some((n) => n.metadata.name === name)) : [];
            const evidence = `${all.length - notReady.length}/${all.length} Ready: ${names(all.map((n) => n.metadata.name))}`;
            if (notReady.length > 0 || missing.length > 0 || all.length === 0) {
                return fail(
                    evidence,
                    [
                        notReady.length > 0 ? `not Ready: ${names(notReady)}` : "",
                        missing.length > 0 ? `not in the cluster: ${names(missing)}` : "",
                        all.length === 0 ? "no node at all" : "",
                    ]
                        .filter(Boolean)
                        .join("; "),
                    "kubectl describe node <name>; on the node: journalctl -u k3s -n 100",
                );
            }
            return pass(evidence);
        },
    },
    {
        id: "cluster.etcd-voters",
        group: "cluster",
        proves: "etcd has three healthy voting members (K3s' EtcdIsVoter condition) and the API server reports etcd ok",
        timeoutSeconds: 15,
        async run(ctx) {
            const readyz = await ctx.kube.request("/readyz?verbose");
            const all = await nodes(ctx);
            const voters = all.filter((n) => condition(n, ETCD_VOTER_CONDITION) !== undefined);
            if (ctx.lab.mode === "cluster" && voters.length === 0) {
                return skip("not K3s' embedded etcd (no node reports EtcdIsVoter): the cluster's own etcd is not ours to check");
            }
            const etcdOk = readyz.status === 200 && /\[\+\]etcd ok/.test(readyz.body);
            const healthy = voters.filter((n) => condition(n, ETCD_VOTER_CONDITION)?.status === "True" && isReady(n)).map((n) => n.metadata.name);
            const evidence = `${healthy.length} voting members on Ready nodes (${names(healthy)}); /readyz etcd ${etcdOk ? "ok" : "not ok"}`;
            if (healthy.length < 3 || !etcdOk) {
                const learners = voters
                    .filter((n) => condition(n, ETCD_VOTER_CONDITION)?.status !== "True")
                    .map((n) => `${n.metadata.name} (${condition(n, ETCD_VOTER_CONDITION)?.reason ?? "?"})`);
                return fail(
                    evidence,
                    `${!etcdOk ? "the API server's etcd readiness fails; " : ""}${healthy.length < 3 ? `three voters needed for a quorum that survives a node; not voting: ${names(learners)}` : ""}`.replace(
                        /; $/,
                        "",
                    ),
                    "kubectl get --raw '/readyz?verbose'; kubectl get nodes -o wide; on a node: journalctl -u k3s | grep etcd",
                );
            }
            return pass(evidence);
        },
    },
    {
        id: "cluster.api-vip",
        group: "cluster",
        proves: "the API server answers on its VIP (homelab:apiVip), the address the kubeconfig names",
        timeoutSeconds: 15,
        async run(ctx) {
            const host = new URL(ctx.lab.apiServerUrl).hostname;
            if (ctx.lab.mode === "cluster") {
                return skip("a cluster not of ours: no API VIP of the lab's");
            }
            if (Object.values(ctx.lab.nodeAddresses).includes(host)) {
                return skip(`no API VIP: the kubeconfig names node ${host} (homelab:apiVip unset)`);
            }
            const version = await ctx.kube.request("/version");
            if (version.status !== 200) {
                return fail(
                    `GET ${ctx.lab.apiServerUrl}/version: ${version.status}`,
                    "the VIP answers but not as the API server",
                    "kubectl -n kube-system get pods -l app.kubernetes.io/name=kube-vip; kube-vip's log on the leader",
                );
            }
            const git = (JSON.parse(version.body) as { gitVersion?: string }).gitVersion ?? "?";
            return pass(`${ctx.lab.apiServerUrl} answers /version (${git})`);
        },
    },
    {
        id: "cluster.services-vip-ports",
        group: "cluster",
        proves: "the gateway's LoadBalancer address carries every port of the gateway Service, reachable from here",
        timeoutSeconds: 30,
        async run(ctx) {
            const svc = await ctx.kube.json<
                KubeObject & { spec: { ports?: { port: number; name?: string }[] }; status: { loadBalancer?: { ingress?: { ip?: string }[] } } }
            >(`/api/v1/namespaces/${GATEWAY_SERVICE.namespace}/services/${GATEWAY_SERVICE.name}`);
            const ip = svc.status.loadBalancer?.ingress?.find((i) => i.ip !== undefined)?.ip;
            if (ip === undefined) {
                return fail(
                    "no address in status.loadBalancer",
                    "no LoadBalancer implementation handed out the address (kube-vip's services VIP, ServiceLB or the cluster's own)",
                    `kubectl -n ${GATEWAY_SERVICE.namespace} describe service ${GATEWAY_SERVICE.name}`,
                );
            }
            const ports = (svc.spec.ports ?? []).map((p) => p.port);
            const answers = await Promise.all(ports.map(async (port) => ({ port, ok: await ctx.tcp(ip, port, 5000) })));
            const closed = answers.filter((a) => !a.ok).map((a) => String(a.port));
            const evidence = `${ip}: ${ports.length - closed.length}/${ports.length} ports accept (${ports.join(", ")})`;
            if (closed.length > 0 || ports.length === 0) {
                return fail(
                    evidence,
                    `not answering from here: ${names(closed)}`,
                    "kube-vip's ARP announcements (kubectl -n kube-system logs -l app.kubernetes.io/name=kube-vip), or another host holding the address; kubectl -n istio-ingress get svc",
                );
            }
            return pass(evidence);
        },
    },
    {
        id: "cluster.k3s-version",
        group: "cluster",
        proves: "every node runs the pinned K3s version (homelab:k3sVersion)",
        timeoutSeconds: 15,
        async run(ctx) {
            if (ctx.lab.mode === "cluster" || ctx.lab.k3sVersion === undefined) {
                return skip("a cluster not of ours: its version is its owner's");
            }
            const all = await nodes(ctx);
            const off = all
                .filter((n) => n.status?.nodeInfo?.kubeletVersion !== ctx.lab.k3sVersion)
                .map((n) => `${n.metadata.name} (${n.status?.nodeInfo?.kubeletVersion ?? "?"})`);
            if (off.length > 0 || all.length === 0) {
                return fail(
                    `pinned ${ctx.lab.k3sVersion}; off: ${names(off)}`,
                    "an upgrade stopped part-way (a drain that did not finish leaves the node on its old version)",
                    "npm run up again; the install step's output for that node",
                );
            }
            return pass(`${all.length} nodes on ${ctx.lab.k3sVersion}`);
        },
    },
    {
        id: "cluster.registry-mirror",
        group: "cluster",
        proves: `every node's embedded registry mirror (Spegel) listens on ${EMBEDDED_REGISTRY_PORT}, so nodes share pulled images`,
        timeoutSeconds: 20,
        async run(ctx) {
            if (ctx.lab.mode === "cluster") {
                return skip("a cluster not of ours: K3s' embedded mirror is the lab's own setting");
            }
            const entries = Object.entries(ctx.lab.nodeAddresses);
            const answers = await Promise.all(entries.map(async ([name, ip]) => ({ name, ok: await ctx.tcp(ip, EMBEDDED_REGISTRY_PORT, 5000) })));
            const closed = answers.filter((a) => !a.ok).map((a) => a.name);
            const evidence = `${entries.length - closed.length}/${entries.length} nodes listen on ${EMBEDDED_REGISTRY_PORT}`;
            if (closed.length > 0) {
                return fail(
                    evidence,
                    `not listening: ${names(closed)} (embedded-registry off, or K3s not restarted after registries.yaml changed)`,
                    `on the node: sudo ss -tlnp | grep ${EMBEDDED_REGISTRY_PORT}; /etc/rancher/k3s/config.yaml embedded-registry`,
                );
            }
            return pass(evidence);
        },
    },
];
