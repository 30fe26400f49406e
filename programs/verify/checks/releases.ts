// Releases and objects: every Helm release at its pin, every custom resource the stack made reporting Ready.
import { gunzipSync } from "node:zlib";
import { POSTGRES_CLUSTER, REDIS_FAILOVER } from "../../../components/data/crds";
import { podSecurityLevels } from "../../../stacks/placement";
import { POSTGRES, REDIS } from "../../../components/data/facts";
import type { ChartPin } from "../../../components/defaults";
import { ARGO_CD, ARGO_CD_CHART } from "../../../components/gitops/facts";
import { K6_OPERATOR_CHART } from "../../../components/load/facts";
import { ISTIO, ISTIO_CHARTS } from "../../../components/mesh/facts";
import { JAEGER, KIALI, KUBE_PROMETHEUS_STACK } from "../../../components/observability/facts";
import { EXTERNAL_SECRETS_CHART, OPERATOR_CHARTS, RELOADER_CHART } from "../../../components/operators/facts";
import { SECRET_DELIVERY } from "../../../components/contracts/vault";
import { OPENBAO_CHART, VAULT } from "../../../components/secrets/facts";
import { KIALI_API_VERSION } from "../../../components/observability/kialiCrd";
import { ESO_API } from "../../../components/kubernetes/externalSecrets";
import { readerNamespaces } from "../../../components/secrets/catalog";
import { LAB_VAULT_ENTRIES } from "../../../stacks/vault";
import { EXTERNAL_SECRETS_PROMISE } from "../../../components/smoke/promises";
import { condition, fail, isReady, items, nameOf, names, pass, skip, type Check, type KubeObject, type VerifyContext } from "../check";

/** Every chart the stack installs (Argo CD's only when homelab:argocd is on). */
export function pinnedReleases(withArgoCd: boolean): ChartPin[] {
    return [
        ...Object.values(OPERATOR_CHARTS),
        ...Object.values(ISTIO_CHARTS),
        KUBE_PROMETHEUS_STACK,
        JAEGER,
        KIALI,
        K6_OPERATOR_CHART,
        OPENBAO_CHART,
        EXTERNAL_SECRETS_CHART,
        RELOADER_CHART,
        ...(withArgoCd ? [ARGO_CD_CHART] : []),
    ];
}

/** Helm 3's release record in its storage Secret: base64 (Helm's) of gzip of JSON, inside the Secret's base64. */
export function decodeHelmRelease(data: string): { name: string; info: { status: string }; chart: { metadata: { name: string; version: string } } } {
    const helmEncoded = Buffer.from(data, "base64").toString("utf8");
    return JSON.parse(gunzipSync(Buffer.from(helmEncoded, "base64")).toString("utf8"));
}

/** The lab's namespaces: every one with a Pod Security level of ours. */
export const LAB_NAMESPACES = Object.keys(podSecurityLevels());

const api = (apiVersion: string) => (apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`);

/** Every object of a kind across the namespaces given; a namespace that does not exist holds none. */
async function inNamespaces(ctx: VerifyContext, apiVersion: string, plural: string, namespaces: readonly string[]): Promise<KubeObject[]> {
    const lists = await Promise.all(namespaces.map((ns) => items(ctx, `${api(apiVersion)}/namespaces/${ns}/${plural}`)));
    return lists.flat();
}

/** "every X reports Ready": the objects, at least one per namespace in `perNamespace`. */
function allReady(what: string, objects: KubeObject[], perNamespace: readonly string[], lookAt: string) {
    const notReady = objects
        .filter((o) => !isReady(o))
        .map((o) => `${nameOf(o)}${condition(o, "Ready")?.message ? ` (${condition(o, "Ready")?.message?.slice(0, 120)})` : ""}`);
    const empty = perNamespace.filter((ns) => !objects.some((o) => o.metadata.namespace === ns));
    const evidence = `${objects.length - notReady.length}/${objects.length} ${what} Ready`;
    if (notReady.length > 0 || empty.length > 0 || objects.length === 0) {
        return fail(
            evidence,
            [notReady.length > 0 ? `not Ready: ${names(notReady, 5)}` : "", empty.length > 0 ? `none in: ${names(empty)}` : ""].filter(Boolean).join("; ") ||
                `no ${what} at all`,
            lookAt,
        );
    }
    return pass(evidence);
}

interface Workload extends KubeObject {
    spec?: { replicas?: number };
    status?: KubeObject["status"] & { readyReplicas?: number; numberReady?: number; desiredNumberScheduled?: number };
}

export const RELEASE_CHECKS: Check[] = [
    {
        id: "releases.helm-pinned",
        group: "releases",
        proves: "every Helm release is deployed at its pinned chart version",
        timeoutSeconds: 30,
        async run(ctx) {
            const pins = pinnedReleases(ctx.lab.urls.argocd !== undefined);
            const problems: string[] = [];
            for (const pin of pins) {
                const secrets = await items<KubeObject & { data?: { release?: string } }>(
                    ctx,
                    `/api/v1/namespaces/${pin.namespace}/secrets?labelSelector=${encodeURIComponent(`owner=helm,name=${pin.release},status=deployed`)}`,
                );
                if (secrets.length !== 1 || secrets[0].data?.release === undefined) {
                    problems.push(`${pin.namespace}/${pin.release}: ${secrets.length === 0 ? "no deployed release" : `${secrets.length} deployed revisions`}`);
                    continue;
                }
                const release = decodeHelmRelease(secrets[0].data.release);
                if (release.chart.metadata.version !== pin.version) {
                    problems.push(`${pin.namespace}/${pin.release}: chart ${release.chart.metadata.version}, pinned ${pin.version}`);
                }
            }
            const evidence = `${pins.length - problems.length}/${pins.length} releases deployed at their pins`;
            return problems.length > 0
                ? fail(
                      evidence,
                      names(problems, 5),
                      "helm -n <ns> history <release>; components/<part>/facts.ts for the pins; `npm run up` (releases are atomic: a failed one rolled back)",
                  )
                : pass(evidence);
        },
    },
    {
        id: "releases.workloads-ready",
        group: "releases",
        proves: "every Deployment, StatefulSet and DaemonSet in the lab's namespaces has all its pods ready",
        timeoutSeconds: 30,
        async run(ctx) {
            const [deployments, statefulSets, daemonSets] = await Promise.all([
                inNamespaces(ctx, "apps/v1", "deployments", LAB_NAMESPACES),
                inNamespaces(ctx, "apps/v1", "statefulsets", LAB_NAMESPACES),
                inNamespaces(ctx, "apps/v1", "daemonsets", LAB_NAMESPACES),
            ]);
            const short: string[] = [];
            for (const w of [...deployments, ...statefulSets] as Workload[]) {
                const want = w.spec?.replicas ?? 1;
                const ready = w.status?.readyReplicas ?? 0;
                if (ready < want) short.push(`${nameOf(w)} ${ready}/${want}`);
            }
            for (const d of daemonSets as Workload[]) {
                const want = d.status?.desiredNumberScheduled ?? 0;
                const ready = d.status?.numberReady ?? 0;
                if (ready < want) short.push(`${nameOf(d)} ${ready}/${want}`);
            }
            const total = deployments.length + statefulSets.length + daemonSets.length;
            const evidence = `${total - short.length}/${total} workloads fully ready`;
            return short.length > 0 || total === 0
                ? fail(
                      evidence,
                      short.length > 0 ? `short of pods: ${names(short, 6)}` : "no workload found in the lab's namespaces",
                      "kubectl -n <ns> get pods; kubectl -n <ns> describe pod <pod> (image pulls, pending volumes, Pod Security refusals)",
                  )
                : pass(evidence);
        },
    },
    {
        id: "releases.certificates-ready",
        group: "releases",
        proves: "cert-manager issued the lab CA and the gateway's serving certificate (every Certificate Ready)",
        timeoutSeconds: 15,
        async run(ctx) {
            const certificates = await items(ctx, "/apis/cert-manager.io/v1/certificates");
            return allReady(
                "Certificates",
                certificates,
                [OPERATOR_CHARTS.certManager.namespace, ISTIO.gatewayNamespace],
                "kubectl describe certificate -A; kubectl -n cert-manager logs deploy/cert-manager",
            );
        },
    },
    {
        id: EXTERNAL_SECRETS_PROMISE.id,
        group: "releases",
        proves: EXTERNAL_SECRETS_PROMISE.proves(readerNamespaces(LAB_VAULT_ENTRIES)),
        timeoutSeconds: 15,
        fast: true,
        async run(ctx) {
            const objects = await inNamespaces(ctx, ESO_API.externalSecret.apiVersion, "externalsecrets", readerNamespaces(LAB_VAULT_ENTRIES));
            return allReady(
                "ExternalSecrets",
                objects,
                readerNamespaces(LAB_VAULT_ENTRIES),
                "kubectl -n <ns> describe externalsecret <name>; kubectl -n <ns> get secretstore vault",
            );
        },
    },
    {
        id: "releases.secret-stores-ready",
        group: "releases",
        proves: "every namespace that reads Vault has its SecretStore Ready (its role logs in)",
        timeoutSeconds: 15,
        async run(ctx) {
            const namespaces = [...readerNamespaces(LAB_VAULT_ENTRIES), VAULT.namespace];
            const objects = (await inNamespaces(ctx, ESO_API.externalSecret.apiVersion, "secretstores", namespaces)).filter(
                (o) => o.metadata.name === SECRET_DELIVERY.storeName,
            );
            return allReady(
                "SecretStores",
                objects,
                namespaces,
                "kubectl -n <ns> describe secretstore vault (permission denied: the role reader-<ns>); kubectl -n vault get pods",
            );
        },
    },
    {
        id: "releases.push-secrets-ready",
        group: "releases",
        proves: "every PushSecret seeding Vault reports Ready",
        timeoutSeconds: 15,
        async run(ctx) {
            const objects = await inNamespaces(ctx, ESO_API.pushSecret.apiVersion, "pushsecrets", [VAULT.namespace]);
            return allReady("PushSecrets", objects, [VAULT.namespace], "kubectl -n vault describe pushsecret <name>; kubectl -n vault get secretstore vault");
        },
    },
    {
        id: "releases.postgrescluster-ready",
        group: "releases",
        proves: `PGO reports the PostgresCluster ${POSTGRES.clusterName} with all ${POSTGRES.instances} instances ready`,
        timeoutSeconds: 15,
        async run(ctx) {
            const cluster = await ctx.kube.json<KubeObject & { status?: { instances?: { name: string; replicas?: number; readyReplicas?: number }[] } }>(
                `/apis/${POSTGRES_CLUSTER.apiVersion}/namespaces/${POSTGRES.namespace}/postgresclusters/${POSTGRES.clusterName}`,
            );
            const sets = cluster.status?.instances ?? [];
            const ready = sets.reduce((n, s) => n + (s.readyReplicas ?? 0), 0);
            const evidence = `${ready}/${POSTGRES.instances} instances ready (${names(sets.map((s) => `${s.name} ${s.readyReplicas ?? 0}/${s.replicas ?? 0}`))})`;
            return ready < POSTGRES.instances
                ? fail(
                      evidence,
                      "PGO has not brought every instance up",
                      `kubectl -n ${POSTGRES.namespace} get pods; kubectl -n postgres-operator logs deploy/pgo; the PostgresCluster's status`,
                  )
                : pass(evidence);
        },
    },
    {
        id: "releases.redisfailover-ready",
        group: "releases",
        proves: `redis-operator runs the RedisFailover ${REDIS.name}: ${REDIS.redisReplicas} redis and ${REDIS.sentinelReplicas} sentinel pods ready`,
        timeoutSeconds: 15,
        async run(ctx) {
            await ctx.kube.json(`/apis/${REDIS_FAILOVER.apiVersion}/namespaces/${REDIS.namespace}/redisfailovers/${REDIS.name}`);
            // The operator's names (service/names.go): rfr-<name> StatefulSet, rfs-<name> Deployment.
            const redis = await ctx.kube.json<Workload>(`/apis/apps/v1/namespaces/${REDIS.namespace}/statefulsets/rfr-${REDIS.name}`);
            const sentinel = await ctx.kube.json<Workload>(`/apis/apps/v1/namespaces/${REDIS.namespace}/deployments/rfs-${REDIS.name}`);
            const r = redis.status?.readyReplicas ?? 0;
            const s = sentinel.status?.readyReplicas ?? 0;
            const evidence = `redis ${r}/${REDIS.redisReplicas}, sentinel ${s}/${REDIS.sentinelReplicas} ready`;
            return r < REDIS.redisReplicas || s < REDIS.sentinelReplicas
                ? fail(
                      evidence,
                      "the failover is short of pods",
                      `kubectl -n ${REDIS.namespace} get pods; kubectl -n redis-operator logs deploy/redis-operator`,
                  )
                : pass(evidence);
        },
    },
    {
        id: "releases.kiali-ready",
        group: "releases",
        proves: "the Kiali operator reconciled the Kiali CR without failure",
        timeoutSeconds: 15,
        async run(ctx) {
            const [kiali] = await items(ctx, `/apis/${KIALI_API_VERSION}/namespaces/${ISTIO.namespace}/kialis`);
            if (kiali === undefined) {
                return fail("no Kiali CR", `the Kiali CR is missing from ${ISTIO.namespace}`, "kubectl -n istio-system get kiali; npm run up");
            }
            const failure = condition(kiali, "Failure");
            const done = condition(kiali, "Successful") ?? condition(kiali, "Running");
            const evidence = `conditions: ${names((kiali.status?.conditions ?? []).map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ""}`))}`;
            if (failure?.status === "True" || done?.status !== "True") {
                return fail(
                    evidence,
                    failure?.message?.slice(0, 200) ?? "the operator has not reconciled it successfully",
                    `kubectl -n ${KIALI.namespace} logs deploy/kiali-operator`,
                );
            }
            return pass(evidence);
        },
    },
    {
        id: "releases.argocd-admin-login",
        group: "releases",
        proves: "Argo CD accepts the admin password the stack generated (its bcrypt hash and fixed mtime took)",
        timeoutSeconds: 15,
        async run(ctx) {
            if (ctx.lab.urls.argocd === undefined || ctx.argocdAdminLogin === undefined) {
                return skip("Argo CD is not installed (homelab:argocd false)");
            }
            const res = await ctx.argocdAdminLogin();
            const token = res.status === 200 ? (JSON.parse(res.body) as { token?: string }).token : undefined;
            return token !== undefined && token !== ""
                ? pass(`POST ${ctx.lab.urls.argocd}/api/v1/session as admin: 200, a session token`)
                : fail(
                      `POST /api/v1/session as admin: ${res.status} ${res.body.slice(0, 120)}`,
                      res.status === 401
                          ? "Argo CD refuses the generated password: the bcrypt hash in argocd-secret was not taken (or admin.passwordMtime is later than the hash)"
                          : "Argo CD's API does not answer the login",
                      "kubectl -n argocd get secret argocd-secret -o jsonpath='{.data.admin\\.passwordMtime}' | base64 -d; kubectl -n argocd logs deploy/argocd-server",
                  );
        },
    },
    {
        id: "releases.argocd-apps",
        group: "releases",
        proves: "every Argo CD Application is Synced and Healthy",
        timeoutSeconds: 15,
        async run(ctx) {
            if (ctx.lab.urls.argocd === undefined) {
                return skip("Argo CD is not installed (homelab:argocd false)");
            }
            const apps = await items<KubeObject & { status?: { sync?: { status?: string }; health?: { status?: string } } }>(
                ctx,
                `/apis/argoproj.io/v1alpha1/namespaces/${ARGO_CD.namespace}/applications`,
            );
            const off = apps
                .filter((a) => a.status?.sync?.status !== "Synced" || a.status?.health?.status !== "Healthy")
                .map((a) => `${a.metadata.name} (${a.status?.sync?.status ?? "?"}, ${a.status?.health?.status ?? "?"})`);
            const evidence = `${apps.length - off.length}/${apps.length} Applications Synced and Healthy`;
            return off.length > 0 || apps.length === 0
                ? fail(
                      evidence,
                      apps.length === 0 ? "no Application (the root app is missing)" : names(off),
                      "the Argo CD UI, or kubectl -n argocd describe application <name>",
                  )
                : pass(evidence);
        },
    },
];
