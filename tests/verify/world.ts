// The healthy lab as the fake APIs answer it: every check passes against these routes. Each test breaks one thing.
import { POSTGRES_CLUSTER, REDIS_FAILOVER } from "../../components/data/crds";
import { podSecurityLevels } from "../../stacks/placement";
import { POSTGRES, REDIS } from "../../components/data/facts";
import { K3S_VERSION, POD_SECURITY_VERSION, type PodSecurityLevel } from "../../components/defaults";
import { SHLINK_RATE_LIMIT } from "../../components/mesh/facts";
import { catalogEntries, readerNamespaces } from "../../components/secrets/catalog";
import { LAB_VAULT_ENTRIES } from "../../stacks/vault";
import { SMOKE_LONG_URL } from "../../components/smoke/script";
import { ETCD_VOTER_CONDITION } from "../../programs/verify/checks/cluster";
import { EXPECTED_DASHBOARDS } from "../../programs/verify/checks/observability";
import { LAB_NAMESPACES, pinnedReleases } from "../../programs/verify/checks/releases";
import { helmSecret, livePods, type FakeLab, type Routes } from "./fakeLab";
import { LAB_PODS } from "../security/labPods";

const ready = (extra: object = {}) => ({ conditions: [{ type: "Ready", status: "True" }], ...extra });
const obj = (namespace: string, name: string, status: object = ready()) => ({ metadata: { name, namespace }, status });
const list = (...items: object[]) => ({ body: { items } });
const q = (s: string) => encodeURIComponent(s);

const RANK: Record<PodSecurityLevel, number> = { privileged: 0, baseline: 1, restricted: 2 };

/** The strictest level each namespace's live pods pass (what the fake admission judges a dry run by). */
export const PASSES: Record<string, PodSecurityLevel> = { ...podSecurityLevels(), "external-secrets": "restricted", reloader: "restricted" };

/** What the fake OpenBao lets a role do: read what the catalog gives its namespace. */
function capabilities(role: string, paths: string[]): Record<string, string[]> {
    const ns = role.replace(/^reader-/, "");
    return Object.fromEntries(
        paths.map((p) => [
            p,
            catalogEntries(LAB_VAULT_ENTRIES)
                .map(([, e]) => e)
                .some((e) => `secret/data/${e.path}` === p && (e.readers as readonly string[]).includes(ns))
                ? ["read"]
                : ["deny"],
        ]),
    );
}

export function healthyRoutes(lab: FakeLab, now = Date.parse("2026-12-07T12:00:00Z")): Routes {
    const hoursAgo = (h: number) => new Date(now - h * 3_600_000).toISOString();
    const node = (name: string) => ({
        metadata: { name },
        status: {
            conditions: [
                { type: "Ready", status: "True" },
                { type: ETCD_VOTER_CONDITION, status: "True", reason: "MemberNotLearner" },
            ],
            nodeInfo: { kubeletVersion: K3S_VERSION },
        },
    });
    const routes: Routes = {
        "GET /k8s/pods": { body: livePods() },
        "GET /k8s/version": { body: { gitVersion: K3S_VERSION } },
        "GET /k8s/readyz?verbose": { body: "[+]ping ok\n[+]etcd ok\nreadyz check passed" },
        "GET /k8s/api/v1/nodes": list(node("k3s-node-01"), node("k3s-node-02"), node("k3s-node-03")),
        "GET /k8s/api/v1/namespaces/istio-ingress/services/istio-ingressgateway": {
            body: {
                spec: {
                    ports: [
                        { name: "http-shlink", port: lab.port },
                        { name: "https-shlink", port: lab.port },
                    ],
                },
                status: { loadBalancer: { ingress: [{ ip: "127.0.0.1" }] } },
            },
        },
        "GET /k8s/apis/coordination.k8s.io/v1/namespaces/load/leases/drill-lock": { status: 404, body: {} },
        "GET /k8s/api/v1/namespaces/default/endpoints/kubernetes": { body: { subsets: [{ addresses: [{ ip: "192.168.2.242" }], ports: [{ port: 6443 }] }] } },
        // Releases and objects.
        "GET /k8s/apis/cert-manager.io/v1/certificates": list(obj("cert-manager", "homelab-ca"), obj("istio-ingress", "homelab-edge")),
        "GET /k8s/apis/external-secrets.io/v1alpha1/namespaces/vault/pushsecrets": list(obj("vault", "seed-shlink")),
        [`GET /k8s/apis/${POSTGRES_CLUSTER.apiVersion}/namespaces/postgres/postgresclusters/shlink-db`]: {
            body: {
                metadata: { name: "shlink-db", namespace: "postgres", creationTimestamp: hoursAgo(24 * 10) },
                spec: { backups: { pgbackrest: { repos: [{ name: "repo1", schedules: { ...POSTGRES.backupSchedules } }] } } },
                status: {
                    instances: [{ name: "pgha1", replicas: 3, readyReplicas: 3 }],
                    pgbackrest: {
                        repos: [{ name: "repo1", stanzaCreated: true, replicaCreateBackupComplete: true }],
                        scheduledBackups: [{ repo: "repo1", type: "diff", succeeded: 1, completionTime: hoursAgo(11) }],
                    },
                },
            },
        },
        [`GET /k8s/apis/${REDIS_FAILOVER.apiVersion}/namespaces/redis/redisfailovers/shlink-redis`]: { body: { metadata: { name: "shlink-redis" } } },
        "GET /k8s/apis/apps/v1/namespaces/redis/statefulsets/rfr-shlink-redis": {
            body: { metadata: { name: "rfr-shlink-redis" }, status: { readyReplicas: 3 } },
        },
        "GET /k8s/apis/apps/v1/namespaces/redis/deployments/rfs-shlink-redis": {
            body: { metadata: { name: "rfs-shlink-redis" }, status: { readyReplicas: 3 } },
        },
        "GET /k8s/apis/kiali.io/v1alpha1/namespaces/istio-system/kialis": list(
            obj("istio-system", "kiali", { conditions: [{ type: "Successful", status: "True", reason: "Successful" }] }),
        ),
        "GET /k8s/apis/argoproj.io/v1alpha1/namespaces/argocd/applications": list({
            metadata: { name: "user-apps" },
            status: { sync: { status: "Synced" }, health: { status: "Healthy" } },
        }),
        // Data.
        [`GET /k8s/api/v1/namespaces/redis/endpoints/${REDIS.name}-master`]: { body: { subsets: [{ addresses: [{ ip: LAB_PODS.redisMaster.ip }] }] } },
        "POST /bao/v1/auth/userpass/login/admin": { body: { auth: { client_token: "admin-token" } } },
        "POST /bao/v1/auth/token/revoke-self": { status: 204, body: "" },
        "GET /bao/v1/sys/storage/raft/configuration": {
            body: { data: { config: { servers: ["openbao-0", "openbao-1", "openbao-2"].map((n, i) => ({ node_id: n, leader: i === 0, voter: true })) } } },
        },
        "GET /web/vault/v1/sys/health": { body: { initialized: true, sealed: false, standby: false } },
        "POST /k8s/api/v1/namespaces/*": (req) => {
            const ns = /namespaces\/([^/]+)\/serviceaccounts\/vault-client\/token$/.exec(req.path)?.[1];
            return ns === undefined ? { status: 404 } : { status: 201, body: { status: { token: `jwt-${ns}` } } };
        },
        "POST /bao/v1/auth/kubernetes/login": (req) => {
            const { role, jwt } = JSON.parse(req.body) as { role: string; jwt: string };
            return jwt === `jwt-${role.replace(/^reader-/, "")}`
                ? { body: { auth: { client_token: `token-${role}` } } }
                : { status: 403, body: { errors: ["permission denied"] } };
        },
        "POST /bao/v1/sys/capabilities-self": (req) => {
            const role = String(req.headers["x-vault-token"]).replace(/^token-/, "");
            return { body: capabilities(role, (JSON.parse(req.body) as { paths: string[] }).paths) };
        },
        // Mesh and edge.
        "GET /web/shlink/rest/health": (req) => {
            lastTraceparent = String(req.headers.traceparent ?? "");
            return { body: { status: "pass", version: "4.6.0" } };
        },
        "GET /web/shlink": { body: "Shlink" },
        "GET /web/grafana": { body: "Grafana" },
        "GET /web/kiali/kiali": { body: "Kiali" },
        "GET /web/jaeger": { body: "Jaeger" },
        "GET /web/alertmanager": { body: "Alertmanager" },
        "GET /web/vault": { status: 307, body: "" },
        "GET /web/argocd": { body: "Argo CD" },
        "POST /web/argocd/api/v1/session": (req) =>
            JSON.parse(req.body).password === "argocd-pw" ? { body: { token: "jwt" } } : { status: 401, body: { error: "Invalid username or password" } },
        "GET /rest/health": { status: 301, headers: { location: "https://192.168.2.242/rest/health" }, body: "" },
        "POST /web/shlink/rest/v3/short-urls": (req) =>
            req.headers["x-api-key"] === "test-api-key" ? { body: { shortCode: "abc12" } } : { status: 403, body: "RBAC: access denied" },
        "GET /web/shlink/abc12": { status: 302, headers: { location: SMOKE_LONG_URL }, body: "" },
        "GET /web/shlink/rest/v3/short-urls/shorten?*": () =>
            ++shortenCalls > 6
                ? { status: 429, headers: { [SHLINK_RATE_LIMIT.header]: SHLINK_RATE_LIMIT.routes.create.name }, body: "local_rate_limited" }
                : { status: 403, body: "RBAC: access denied" },
        "GET /jaeger/api/traces/*": (req) =>
            lastTraceparent.includes(req.path.split("/").pop()!) ? { body: { data: [{ spans: [{}, {}, {}] }] } } : { status: 404, body: { data: null } },
        // Observability.
        "GET /prom/api/v1/targets?state=active": {
            body: {
                data: {
                    activeTargets: [
                        { labels: {}, scrapePool: "serviceMonitor/shlink/envoy", health: "up", scrapeUrl: "http://10.42.1.10:15090/stats/prometheus" },
                    ],
                },
            },
        },
        "GET /am/api/v2/alerts?active=true&silenced=false&inhibited=false": { body: [{ labels: { alertname: "Watchdog", severity: "none" } }] },
        // Every query answers 0, but the webhook's notifications: a healthy lab with a receiver has sent some.
        "GET /prom/api/v1/query?*": (req) => ({
            body: {
                status: "success",
                data: { result: [{ metric: {}, value: [0, decodeURIComponent(req.path).includes("alertmanager_notifications_total") ? "3" : "0"] }] },
            },
        }),
        "GET /grafana/api/search?type=dash-db&limit=5000": {
            body: [
                ...Object.entries(EXPECTED_DASHBOARDS.folders).flatMap(([folder, n]) =>
                    Array.from({ length: n }, (_, i) => ({ uid: `${folder}-${i}`, title: `${folder} ${i}`, folderTitle: folder })),
                ),
                ...EXPECTED_DASHBOARDS.uids.map((uid) => ({ uid, title: uid })),
            ],
        },
        "GET /am/api/v2/status": {
            body: { config: { original: 'receivers:\n- name: "null"\n- name: webhook\n  webhook_configs:\n  - url_file: /etc/alertmanager/secrets/x/url\n' } },
        },
        "GET /web/grafana/api/health": { body: { database: "ok", version: "12" } },
        "GET /web/kiali/kiali/healthz": { body: "" },
        "GET /web/jaeger/": { body: "<html>" },
    };
    let lastTraceparent = "";
    let shortenCalls = 0;
    for (const pin of pinnedReleases(true)) {
        routes[`GET /k8s/api/v1/namespaces/${pin.namespace}/secrets?labelSelector=${q(`owner=helm,name=${pin.release},status=deployed`)}`] = list(
            helmSecret(pin.release, pin.namespace, pin.version),
        );
    }
    for (const ns of LAB_NAMESPACES) {
        for (const kind of ["deployments", "statefulsets", "daemonsets"]) routes[`GET /k8s/apis/apps/v1/namespaces/${ns}/${kind}`] = list();
        const level = podSecurityLevels()[ns];
        routes[`GET /k8s/api/v1/namespaces/${ns}`] = {
            body: {
                metadata: {
                    name: ns,
                    labels: { "pod-security.kubernetes.io/enforce": level, "pod-security.kubernetes.io/enforce-version": POD_SECURITY_VERSION },
                },
            },
        };
        routes[`PATCH /k8s/api/v1/namespaces/${ns}?dryRun=All&fieldManager=homelab-verify`] = (req) => {
            const wanted = (JSON.parse(req.body) as { metadata: { labels: Record<string, string> } }).metadata.labels[
                "pod-security.kubernetes.io/enforce"
            ] as PodSecurityLevel;
            return RANK[wanted] <= RANK[PASSES[ns]]
                ? { body: { metadata: { name: ns } } }
                : {
                      body: { metadata: { name: ns } },
                      headers: {
                          warning: `299 - "existing pods in namespace \\"${ns}\\" violate the new PodSecurity enforce level \\"${wanted}:latest\\"", 299 - "pod-x: allowPrivilegeEscalation != false"`,
                      },
                  };
        };
    }
    routes["GET /k8s/apis/apps/v1/namespaces/shlink/deployments"] = list({
        metadata: { name: "shlink", namespace: "shlink" },
        spec: { replicas: 3 },
        status: { readyReplicas: 3 },
    });
    routes["GET /k8s/apis/apps/v1/namespaces/monitoring/daemonsets"] = list({
        metadata: { name: "node-exporter", namespace: "monitoring" },
        status: { desiredNumberScheduled: 3, numberReady: 3 },
    });
    for (const ns of readerNamespaces(LAB_VAULT_ENTRIES)) {
        routes[`GET /k8s/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets`] = list(obj(ns, `${ns}-secret`));
        routes[`GET /k8s/apis/external-secrets.io/v1/namespaces/${ns}/secretstores`] = list(obj(ns, "vault"));
    }
    routes["GET /k8s/apis/external-secrets.io/v1/namespaces/vault/secretstores"] = list(obj("vault", "vault"));
    return routes;
}

/** The containers' answers to the checks' commands. */
export function healthyExecs(): FakeLab["execs"] {
    const sentinelAnswer = `${LAB_PODS.redisMaster.ip}\n${REDIS.port}\n`;
    return {
        [`postgres/${LAB_PODS.postgresPrimary.name}/database`]: "shlink-db-pgha1-1|streaming|0\nshlink-db-pgha1-2|streaming|1\n",
        "shlink/shlink/shlink": "homelab-verify: created and rolled back\n",
        "shlink/shlink-2/shlink": "homelab-verify: created and rolled back\n",
        "redis/rfs-shlink-redis-abc/sentinel": sentinelAnswer,
        "redis/rfs-shlink-redis-def/sentinel": sentinelAnswer,
        "redis/rfs-shlink-redis-ghi/sentinel": sentinelAnswer,
        "istio-system/istiod/discovery": JSON.stringify([
            { proxy: "shlink-abc.shlink", cluster_sent: "n1", cluster_acked: "n1", listener_sent: "n2", listener_acked: "n2" },
            { proxy: "istio-ingressgateway-x.istio-ingress", cluster_sent: "n3", cluster_acked: "n3" },
        ]),
    };
}

export { POSTGRES };
