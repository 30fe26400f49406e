// Every check of `npm run verify` against fakes of the APIs it reads: it passes on a healthy lab, and on a lab with
// one thing broken it fails with the cause a person acts on. A check without both cases fails the coverage test.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CHECKS } from "../../programs/verify/catalog";
import type { Check, Outcome, VerifyContext } from "../../programs/verify/check";
import { fakeContext, helmSecret, startFakeLab, type FakeLab, type Reply } from "./fakeLab";
import { healthyExecs, healthyRoutes } from "./world";
import { truthTable, type ProbeResult } from "../../programs/verify/probes";

/** One check's failing case: what breaks, the cause it must name; `ctx` applies to both cases. */
interface Case {
    id: string;
    breaks: string;
    break(lab: FakeLab): Partial<VerifyContext> | void;
    cause: RegExp;
    ctx?(lab: FakeLab): Partial<VerifyContext>;
}

const body = <T>(lab: FakeLab, key: string): T => (lab.routes[key] as Reply).body as T;
const setBody = (lab: FakeLab, key: string, b: unknown) => ((lab.routes[key] as Reply) = { ...(lab.routes[key] as Reply), body: b });
const items = (lab: FakeLab, key: string) => body<{ items: any[] }>(lab, key).items;
const pods = (lab: FakeLab) => body<any[]>(lab, "GET /k8s/pods");
const pod = (lab: FakeLab, name: string) => pods(lab).find((p) => p.metadata.name === name);
const notReady = (o: any, message = "failed"): void => void (o.status = { conditions: [{ type: "Ready", status: "False", message }] });
const PGC = "GET /k8s/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/postgres/postgresclusters/shlink-db";

const CASES: Case[] = [
    {
        id: "cluster.nodes-ready",
        breaks: "a node NotReady",
        break: (lab) => void (items(lab, "GET /k8s/api/v1/nodes")[1].status.conditions[0] = { type: "Ready", status: "False", reason: "KubeletNotReady" }),
        cause: /not Ready: k3s-node-02 \(KubeletNotReady\)/,
    },
    {
        id: "cluster.etcd-voters",
        breaks: "a learner",
        break: (lab) =>
            void (items(lab, "GET /k8s/api/v1/nodes")[2].status.conditions[1] = { type: "EtcdIsVoter", status: "False", reason: "MemberIsLearner" }),
        cause: /not voting: k3s-node-03 \(MemberIsLearner\)/,
    },
    {
        id: "cluster.api-vip",
        breaks: "the VIP answering as something else",
        break: (lab) => void (lab.routes["GET /k8s/version"] = { status: 502, body: "bad gateway" }),
        cause: /not as the API server/,
    },
    {
        id: "cluster.services-vip-ports",
        breaks: "a closed port",
        break: (lab) =>
            void body<any>(lab, "GET /k8s/api/v1/namespaces/istio-ingress/services/istio-ingressgateway").spec.ports.push({ name: "https-grafana", port: 1 }),
        cause: /not answering from here: 1/,
    },
    {
        id: "cluster.k3s-version",
        breaks: "a node left on the old version",
        break: (lab) => void (items(lab, "GET /k8s/api/v1/nodes")[0].status.nodeInfo.kubeletVersion = "v1.33.1+k3s1"),
        cause: /upgrade stopped part-way/,
    },
    {
        id: "cluster.registry-mirror",
        breaks: "port 5001 closed",
        ctx: () => ({ tcp: (_h, port) => Promise.resolve(port === 5001) }),
        break: () => ({ tcp: () => Promise.resolve(false) }),
        cause: /not listening: k3s-node-01/,
    },
    {
        id: "releases.helm-pinned",
        breaks: "a chart off its pin",
        break: (lab) =>
            void (lab.routes[Object.keys(lab.routes).find((k) => k.includes("name%3Dkube-prometheus-stack%2C"))!] = {
                body: { items: [helmSecret("kube-prometheus-stack", "monitoring", "88.0.0")] },
            }),
        cause: /monitoring\/kube-prometheus-stack: chart 88\.0\.0, pinned 88\.5\.3/,
    },
    {
        id: "releases.workloads-ready",
        breaks: "Shlink short of pods",
        break: (lab) => void (items(lab, "GET /k8s/apis/apps/v1/namespaces/shlink/deployments")[0].status.readyReplicas = 1),
        cause: /shlink\/shlink 1\/3/,
    },
    {
        id: "releases.certificates-ready",
        breaks: "the serving certificate not issued",
        break: (lab) => notReady(items(lab, "GET /k8s/apis/cert-manager.io/v1/certificates")[1], "Issuing certificate as Secret does not exist"),
        cause: /not Ready: istio-ingress\/homelab-edge \(Issuing/,
    },
    {
        id: "releases.external-secrets-ready",
        breaks: "none in shlink",
        break: (lab) => void setBody(lab, "GET /k8s/apis/external-secrets.io/v1/namespaces/shlink/externalsecrets", { items: [] }),
        cause: /none in: shlink/,
    },
    {
        id: "releases.secret-stores-ready",
        breaks: "redis' store refused",
        break: (lab) => notReady(items(lab, "GET /k8s/apis/external-secrets.io/v1/namespaces/redis/secretstores")[0], "permission denied"),
        cause: /not Ready: redis\/vault \(permission denied\)/,
    },
    {
        id: "releases.push-secrets-ready",
        breaks: "a push failing",
        break: (lab) => notReady(items(lab, "GET /k8s/apis/external-secrets.io/v1alpha1/namespaces/vault/pushsecrets")[0]),
        cause: /not Ready: vault\/seed-shlink/,
    },
    {
        id: "releases.postgrescluster-ready",
        breaks: "an instance down",
        break: (lab) => void (body<any>(lab, PGC).status.instances[0].readyReplicas = 2),
        cause: /has not brought every instance up/,
    },
    {
        id: "releases.redisfailover-ready",
        breaks: "a sentinel down",
        break: (lab) => void (body<any>(lab, "GET /k8s/apis/apps/v1/namespaces/redis/deployments/rfs-shlink-redis").status.readyReplicas = 2),
        cause: /short of pods/,
    },
    {
        id: "releases.kiali-ready",
        breaks: "the operator failing",
        break: (lab) =>
            void (items(lab, "GET /k8s/apis/kiali.io/v1alpha1/namespaces/istio-system/kialis")[0].status.conditions = [
                { type: "Failure", status: "True", message: "ansible task failed" },
            ]),
        cause: /ansible task failed/,
    },
    {
        id: "releases.argocd-admin-login",
        breaks: "the password refused",
        break: (lab) => void (lab.routes["POST /web/argocd/api/v1/session"] = { status: 401, body: { error: "Invalid username or password" } }),
        cause: /the bcrypt hash in argocd-secret was not taken/,
    },
    {
        id: "releases.argocd-apps",
        breaks: "an app out of sync",
        break: (lab) => void (items(lab, "GET /k8s/apis/argoproj.io/v1alpha1/namespaces/argocd/applications")[0].status.sync.status = "OutOfSync"),
        cause: /user-apps \(OutOfSync, Healthy\)/,
    },
    {
        id: "data.postgres-topology",
        breaks: "two primaries",
        break: (lab) => void (pod(lab, "shlink-db-pgha1-2").metadata.labels["postgres-operator.crunchydata.com/role"] = "master"),
        cause: /2 pods labelled primary: Patroni has a split brain/,
    },
    {
        id: "data.postgres-replication",
        breaks: "one replica not streaming",
        break: (lab) => void (lab.execs["postgres/shlink-db-pgha1-0/database"] = "shlink-db-pgha1-1|streaming|0\nshlink-db-pgha1-2|catchup|0\n"),
        cause: /want 2 streaming replicas/,
    },
    {
        id: "data.backups-recent",
        breaks: "the newest backup 40 h old",
        break: (lab) => void (body<any>(lab, PGC).status.pgbackrest.scheduledBackups[0].completionTime = "2026-12-05T20:00:00Z"),
        cause: /repo1 has no backup within 27 h, what its schedules allow \(the newest is 40 h old\)/,
    },
    {
        id: "data.shlink-login",
        breaks: "the password refused",
        break: (lab) => void (lab.execs["shlink/shlink/shlink"] = new Error('SQLSTATE[08006] FATAL: password authentication failed for user "shlink"')),
        cause: /PGO did not adopt the user Secret's verifier/,
    },
    {
        id: "data.redis-topology",
        breaks: "no master",
        break: (lab) => void (pod(lab, "rfr-shlink-redis-0").metadata.labels["redisfailovers-role"] = "slave"),
        cause: /0 pods labelled master/,
    },
    {
        id: "data.sentinels-agree",
        breaks: "a sentinel naming another master",
        break: (lab) => void (lab.execs["redis/rfs-shlink-redis-ghi/sentinel"] = "10.42.1.201\n6379\n"),
        cause: /the sentinels disagree on the master/,
    },
    {
        id: "data.redis-master-service",
        breaks: "the Service on a replica",
        break: (lab) =>
            void setBody(lab, "GET /k8s/api/v1/namespaces/redis/endpoints/shlink-redis-master", { subsets: [{ addresses: [{ ip: "10.42.1.201" }] }] }),
        cause: /not the master \(writes fail READONLY\)/,
    },
    {
        id: "data.openbao-pods",
        breaks: "a sealed pod",
        break: (lab) => void (pod(lab, "openbao-1").metadata.labels["openbao-sealed"] = "true"),
        cause: /a pod is sealed/,
    },
    {
        id: "data.openbao-raft-peers",
        breaks: "a peer that never joined",
        break: (lab) => void body<any>(lab, "GET /bao/v1/sys/storage/raft/configuration").data.config.servers.pop(),
        cause: /want 3 voters: a pod did not join/,
    },
    {
        id: "data.openbao-health",
        breaks: "sealed",
        break: (lab) => void (lab.routes["GET /web/vault/v1/sys/health"] = { status: 503, body: { sealed: true } }),
        cause: /^sealed$/,
    },
    {
        id: "data.reader-roles",
        breaks: "a role reading another namespace's path",
        break: (lab) =>
            void (lab.routes["POST /bao/v1/sys/capabilities-self"] = (req) => ({
                body: Object.fromEntries((JSON.parse(req.body) as { paths: string[] }).paths.map((p) => [p, ["read"]])),
            })),
        cause: /reader-istio-system may read secret\/data\/shlink\/api-key/,
    },
    {
        id: "mesh.sidecars",
        breaks: "a pod without its sidecar",
        break: (lab) => void (pod(lab, "shlink-2").status.containerStatuses = [{ name: "shlink", ready: true }]),
        cause: /no ready sidecar: shlink-2/,
    },
    {
        id: "mesh.proxies-synced",
        breaks: "a proxy not acking",
        break: (lab) =>
            void (lab.execs["istio-system/istiod/discovery"] = JSON.stringify([{ proxy: "shlink-abc.shlink", cluster_sent: "n2", cluster_acked: "n1" }])),
        cause: /not acked: shlink-abc\.shlink/,
    },
    { id: "mesh.strict-mtls", breaks: "Shlink answering plaintext", break: (lab) => void (lab.plainHttp = "200 0"), cause: /Shlink accepts plaintext/ },
    {
        id: "edge.shlink-health",
        breaks: "no healthy upstream",
        break: (lab) => void (lab.routes["GET /web/shlink/rest/health"] = { status: 503, body: "no healthy upstream" }),
        cause: /the gateway has no healthy Shlink/,
    },
    {
        id: "edge.https-doors",
        breaks: "Kiali's door failing",
        break: (lab) => void (lab.routes["GET /web/kiali/kiali"] = { status: 503, body: "" }),
        cause: /not answering over verified HTTPS: kiali \(503\)/,
    },
    {
        id: "edge.http-redirects",
        breaks: "plain HTTP serving",
        break: (lab) => void (lab.routes["GET /rest/health"] = { body: { status: "pass" } }),
        cause: /http-shlink \(\d+\) answered 200/,
    },
    {
        id: "edge.api-needs-key",
        breaks: "no AuthorizationPolicy",
        break: (lab) => void (lab.routes["POST /web/shlink/rest/v3/short-urls"] = { body: { shortCode: "x" } }),
        cause: /does not guard the API/,
    },
    {
        id: "edge.short-url-redirects",
        breaks: "a redirect elsewhere",
        break: (lab) => void (lab.routes["GET /web/shlink/abc12"] = { status: 302, headers: { location: "https://example.com/" }, body: "" }),
        cause: /does not reach the long URL/,
    },
    {
        id: "edge.rate-limit",
        breaks: "a 429 without our header",
        break: (lab) => void (lab.routes["GET /web/shlink/rest/v3/short-urls/shorten?*"] = { status: 429, body: "" }),
        cause: /the 429 is not ours/,
    },
    {
        id: "edge.trace-in-jaeger",
        breaks: "spans never arriving",
        break: (lab) => void (lab.routes["GET /jaeger/api/traces/*"] = { status: 404, body: {} }),
        cause: /spans do not reach Jaeger/,
    },
    {
        id: "observability.targets-up",
        breaks: "a blocked scrape",
        break: (lab) =>
            void body<any>(lab, "GET /prom/api/v1/targets?state=active").data.activeTargets.push({
                labels: {},
                scrapePool: "serviceMonitor/istio-ingress/envoy",
                health: "down",
                lastError: "context deadline exceeded",
                scrapeUrl: "http://10.42.1.11:15090/stats/prometheus",
            }),
        cause: /down: serviceMonitor\/istio-ingress\/envoy .*context deadline exceeded/,
    },
    {
        id: "observability.no-alerts-firing",
        breaks: "an alert firing",
        break: (lab) =>
            void body<any[]>(lab, "GET /am/api/v2/alerts?active=true&silenced=false&inhibited=false").push({
                labels: { alertname: "HomelabPostgresNoPrimary", severity: "critical", namespace: "postgres" },
            }),
        cause: /HomelabPostgresNoPrimary in postgres \(critical\)/,
    },
    {
        id: "observability.slo-rules",
        breaks: "no recorded series",
        break: (lab) => void (lab.routes["GET /prom/api/v1/query?*"] = { body: { status: "success", data: { result: [] } } }),
        cause: /no data: slo:sli_error:ratio_rate/,
    },
    {
        id: "observability.dashboards",
        breaks: "Istio's downloads missing",
        break: (lab) =>
            void setBody(
                lab,
                "GET /grafana/api/search?type=dash-db&limit=5000",
                body<any[]>(lab, "GET /grafana/api/search?type=dash-db&limit=5000").filter((d) => d.folderTitle !== "Istio"),
            ),
        cause: /missing: Istio: 0\/5/,
    },
    {
        id: "observability.alert-webhook",
        breaks: "failed notifications",
        break: (lab) => void (lab.routes["GET /prom/api/v1/query?*"] = { body: { status: "success", data: { result: [{ metric: {}, value: [0, "2"] }] } } }),
        cause: /the webhook does not accept/,
    },
    {
        id: "observability.grafana-health",
        breaks: "Grafana's database down",
        break: (lab) => void (lab.routes["GET /web/grafana/api/health"] = { status: 503, body: { database: "failing" } }),
        cause: /does not answer healthy/,
    },
    {
        id: "observability.kiali-health",
        breaks: "Kiali down",
        break: (lab) => void (lab.routes["GET /web/kiali/kiali/healthz"] = { status: 503, body: "" }),
        cause: /does not answer healthy/,
    },
    {
        id: "observability.jaeger-ui",
        breaks: "Jaeger down",
        break: (lab) => void (lab.routes["GET /web/jaeger/"] = { status: 502, body: "" }),
        cause: /does not answer healthy/,
    },
    {
        id: "load.smoke-scenario",
        breaks: "a breached threshold",
        break: () => ({ loadSmoke: () => Promise.resolve({ code: 1, lines: ["http_req_duration p(95)<500  FAIL"] }) }),
        cause: /a threshold was breached/,
    },
];

const byId = (id: string): Check => {
    const check = CHECKS.find((c) => c.id === id);
    if (check === undefined) throw new Error(`no check ${id}`);
    return check;
};

let lab: FakeLab;
beforeEach(async () => {
    lab = await startFakeLab();
    lab.routes = healthyRoutes(lab);
    lab.execs = healthyExecs();
});
afterEach(async () => lab.close());

async function run(id: string, over: Partial<VerifyContext> = {}): Promise<Outcome> {
    return byId(id).run(fakeContext(lab, over));
}

describe("every check has a passing and a failing case", () => {
    it("covers every check of the catalog but the generated truth table and Pod Security rows (tested below)", () => {
        const covered = new Set(CASES.map((c) => c.id));
        const rest = CHECKS.filter((c) => c.group !== "netpol" && c.group !== "pod-security" && !covered.has(c.id)).map((c) => c.id);
        expect(rest).toEqual([]);
    });
});

for (const c of CASES) {
    describe(c.id, () => {
        it("passes on a healthy lab", async () => {
            const outcome = await run(c.id, c.ctx?.(lab));
            expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: "pass" });
        });
        it(`fails naming the cause: ${c.breaks}`, async () => {
            const over = c.break(lab) ?? {};
            const outcome = await run(c.id, { ...c.ctx?.(lab), ...over });
            expect(outcome.status, JSON.stringify(outcome)).toBe("fail");
            expect(outcome.status === "fail" && outcome.cause).toMatch(c.cause);
            expect(outcome.status === "fail" && outcome.lookAt.length).toBeGreaterThan(10);
        });
    });
}

describe("checks that do not apply to this lab skip, saying why", () => {
    const clusterMode = () => ({ lab: { ...fakeContext(lab).lab, mode: "cluster" as const, nodeAddresses: {}, k3sVersion: undefined } });

    it("on a cluster not of ours: the API VIP, the K3s version, the registry mirror, and etcd when no node reports EtcdIsVoter", async () => {
        for (const n of items(lab, "GET /k8s/api/v1/nodes")) n.status.conditions = n.status.conditions.filter((c: { type: string }) => c.type === "Ready");
        for (const id of ["cluster.api-vip", "cluster.k3s-version", "cluster.registry-mirror", "cluster.etcd-voters"]) {
            expect(await run(id, clusterMode()), id).toMatchObject({
                status: "skip",
                evidence: expect.stringMatching(/not (of )?ours|not K3s' embedded etcd/),
            });
        }
        expect(await run("cluster.nodes-ready", clusterMode())).toMatchObject({ status: "pass" });
    });

    it("without an API VIP (the kubeconfig names a node)", async () => {
        const ctx = fakeContext(lab);
        expect(await run("cluster.api-vip", { lab: { ...ctx.lab, apiServerUrl: "https://127.0.0.1:6443" } })).toMatchObject({
            status: "skip",
            evidence: "no API VIP: the kubeconfig names node 127.0.0.1 (homelab:apiVip unset)",
        });
    });

    it("without Argo CD: its apps, its login and the truth table's rows that touch it", async () => {
        const ctx = fakeContext(lab);
        const noArgo = { lab: { ...ctx.lab, urls: { ...ctx.lab.urls, argocd: undefined } } };
        for (const id of [
            "releases.argocd-apps",
            "releases.argocd-admin-login",
            "netpol.allow.gateway-to-argocd",
            "netpol.allow.argocd-internal",
            "netpol.deny.default-to-argocd",
        ]) {
            expect(await run(id, noArgo), id).toMatchObject({ status: "skip", evidence: expect.stringMatching(/Argo CD is not installed/) });
        }
    });

    it("STRICT mTLS: a probe rejected by a policy (kube-router answers icmp-port-unreachable) or timed out proves nothing, and says so", async () => {
        lab.plainHttp = "000 7";
        await expect(run("mesh.strict-mtls")).rejects.toThrow(
            /could not tell: curl exit 7 \(refused: a NetworkPolicy rejected the probe, or nothing listens\), not an mTLS refusal/,
        );
        lab.plainHttp = "000 28";
        await expect(run("mesh.strict-mtls")).rejects.toThrow(/could not tell: curl exit 28 \(timed out: dropped on the way\), not an mTLS refusal/);
    });

    it("a webhook receiver that was never sent anything is unproven (a skip), not a pass", async () => {
        lab.routes["GET /prom/api/v1/query?*"] = { body: { status: "success", data: { result: [] } } };
        expect(await run("observability.alert-webhook")).toMatchObject({
            status: "skip",
            evidence: expect.stringMatching(/0 notifications, 0 failed: unproven until/),
        });
    });

    it("a denied flow proves the policy only beside an allowed flow to the same port (kube-router refuses both a denial and a closed port)", async () => {
        const blockedAll = new Map(truthTable(true).rows.map((r) => [r.id, { kind: "blocked" as const }]));
        await expect(run("netpol.deny.default-to-postgres", { probes: () => Promise.resolve(blockedAll) })).rejects.toThrow(
            /could not tell: refused or timed out, but no allowed flow to the same port connected either \([^)]*netpol\.allow\.shlink-to-postgres[,)]/,
        );
        const withControl = new Map<string, ProbeResult>(blockedAll).set("netpol.allow.shlink-to-postgres", { kind: "open" });
        expect(await run("netpol.deny.default-to-postgres", { probes: () => Promise.resolve(withControl) })).toMatchObject({ status: "pass" });
        // The API server needs no control: the suite itself talks to it.
        expect(await run("netpol.deny.shlink-to-api-server", { probes: () => Promise.resolve(blockedAll) })).toMatchObject({ status: "pass" });
    });

    it("without a webhook receiver", async () => {
        lab.routes["GET /am/api/v2/status"] = { body: { config: { original: 'receivers:\n- name: "null"\n' } } };
        expect(await run("observability.alert-webhook")).toMatchObject({ status: "skip", evidence: expect.stringMatching(/no webhook receiver configured/) });
    });

    it("backups: repo2 absent is skipped with its reason; configured, it must hold a recent backup too", async () => {
        expect(await run("data.backups-recent")).toMatchObject({
            status: "pass",
            evidence: "repo1: diff backup 11 h ago; repo2: not configured (no off-site repository: skipped)",
        });
        const cluster = body<any>(lab, PGC);
        // repo2 backed up weekly only (homelab:offsiteBackup*Schedule): its limit is a week and the grace, as the alert's.
        cluster.spec.backups.pgbackrest.repos.push({ name: "repo2", schedules: { full: "0 3 * * 0" } });
        cluster.status.pgbackrest.repos.push({ name: "repo2", stanzaCreated: true });
        expect(await run("data.backups-recent")).toMatchObject({
            status: "fail",
            cause: "repo2 has no backup within 171 h, what its schedules allow (none completed)",
        });
        cluster.status.pgbackrest.scheduledBackups.push({ repo: "repo2", type: "full", succeeded: 1, completionTime: "2026-12-03T02:00:00Z" });
        expect(await run("data.backups-recent")).toMatchObject({ status: "pass", evidence: "repo1: diff backup 11 h ago; repo2: full backup 106 h ago" });
    });

    it("backups: a cluster younger than a night counts its first backup", async () => {
        const cluster = body<any>(lab, PGC);
        cluster.metadata.creationTimestamp = "2026-12-07T08:00:00Z";
        cluster.status.pgbackrest.scheduledBackups = [];
        expect(await run("data.backups-recent")).toMatchObject({ status: "pass", evidence: expect.stringContaining("repo1: first backup complete") });
        cluster.status.pgbackrest.repos[0].replicaCreateBackupComplete = false;
        expect(await run("data.backups-recent")).toMatchObject({ status: "fail" });
    });
});
