// The platform's resource budget: every CPU and memory request the program sets, computed from the same
// builders the layers use, so the config loader can refuse VMs too small for it before anything exists.
// tests/budget.test.ts proves these lines equal what the program actually sends.
import { shlinkDeploymentSpec } from "./apps/shlinkSpec";
import { postgresClusterSpec } from "./data/postgresSpec";
import { redisFailoverSpec } from "./data/redisSpec";
import { NODE_RESERVE, POSTGRES, REDIS } from "./defaults";
import { cpuMillicores, memoryMiB, podRequests } from "./kubernetes/resources";
import type { PostgresClusterSpec } from "./data/crds";
import { argoCdValues } from "./gitops/values";
import { cniValues, gatewayValues, istiodValues } from "./mesh/values";
import { resourceRequests } from "./observability/resources";
import { operatorValues } from "./load/manifests";
import { certManagerValues, externalSecretsValues, postgresOperatorValues, redisOperatorValues, reloaderValues } from "./operators/operatorValues";
import { openbaoValues } from "./secrets/openbaoValues";

/** One kind of pod, what the scheduler reserves for one, and how many of it run. */
export interface BudgetLine {
    what: string;
    cpu: number;
    memory: number;
    count: number;
}

/** What the budget depends on. */
export interface BudgetPlan {
    shlinkReplicas: number;
    /** Nodes running the DaemonSets (node exporter). */
    nodeCount: number;
    /** Argo CD installed (homelab:argocd). */
    argocd: boolean;
    /** The off-site repository on (homelab:offsiteBackup*): its backup Jobs beside repo1's. */
    offsiteBackup?: boolean;
}

/**
 * Backup Job pods that can exist at once: one per repository with schedules. pgBackRest runs one backup of a stanza
 * at a time; a repo2 Job that starts while repo1's runs fails on the lock and is retried, its pod holding its requests.
 */
export function backupJobPods(plan: Pick<BudgetPlan, "offsiteBackup">): number {
    return plan.offsiteBackup ? 2 : 1;
}

type Requests = { requests?: { cpu?: unknown; memory?: unknown } } | undefined;

/** A container's requests as numbers; refuses a container without them (it would escape the budget). */
export function containerRequests(what: string, resources: unknown): { cpu: number; memory: number } {
    const requests = (resources as Requests)?.requests;
    if (typeof requests?.cpu !== "string" || typeof requests.memory !== "string") {
        throw new Error(`${what}: sets no CPU and memory requests`);
    }
    return { cpu: cpuMillicores(requests.cpu), memory: memoryMiB(requests.memory) };
}

/** A pod's containers' resources, and its init containers' in order (a native sidecar marked). */
export interface PodResources {
    containers: readonly { name: string; resources: unknown }[];
    initContainers?: readonly { name: string; resources: unknown; sidecar?: boolean }[];
}

/** A line from one kind of pod: what the scheduler reserves for it (podRequests), every container with requests. */
export function podLine(what: string, pod: PodResources, count: number): BudgetLine {
    const requests = (c: { name: string; resources: unknown }) => containerRequests(`${what}/${c.name}`, c.resources);
    const reserved = podRequests({
        containers: pod.containers.map(requests),
        initContainers: (pod.initContainers ?? []).map((c) => ({ ...requests(c), sidecar: c.sidecar === true })),
    });
    return { what, cpu: reserved.cpu, memory: reserved.memory, count };
}

/** A line from a pod of one container. */
export function budgetLine(what: string, resources: unknown, count: number): BudgetLine {
    return podLine(what, { containers: [{ name: what.split("/").pop() as string, resources }] }, count);
}

/**
 * A meshed pod as Istio 1.30.3 injects it with the CNI agent and native sidecars (every kubelet ≥ 1.33, K3s v1.34):
 * `istio-validation` first, then `istio-proxy` as a restartable init container, both sized by global.proxy.resources
 * (istio-discovery files/injection-template.yaml:1-26, 80-83, 154-155, 187-193, 421-422). Without native
 * sidecars `istio-proxy` is a plain container: the same reservation.
 */
export function meshedPod(containers: PodResources["containers"], proxy: unknown): PodResources {
    return {
        containers,
        initContainers: [
            { name: "istio-validation", resources: proxy },
            { name: "istio-proxy", resources: proxy, sidecar: true },
        ],
    };
}

/**
 * PGO v6.0.3's pods of a PostgresCluster spec: each instance (database, replication-cert-copy, pgbackrest,
 * pgbackrest-config, exporter; postgres-startup and nss-wrapper-init copy the database's resources), the volume
 * repository's host (pgbackrest, pgbackrest-config; its init containers copy pgbackrest's) and a backup Job.
 */
export function postgresPods(spec: PostgresClusterSpec, backupJobs = 1): BudgetLine[] {
    const pgbackrest = spec.backups?.pgbackrest;
    const config = { name: "pgbackrest-config", resources: pgbackrest?.sidecars?.pgbackrestConfig?.resources };
    const instances = spec.instances.map((set) => {
        const database = { name: "database", resources: set.resources };
        return podLine(
            `postgres/${set.name}`,
            {
                containers: [
                    database,
                    { name: "replication-cert-copy", resources: set.sidecars?.replicaCertCopy?.resources },
                    { name: "pgbackrest", resources: pgbackrest?.sidecars?.pgbackrest?.resources },
                    config,
                    { name: "exporter", resources: spec.monitoring?.pgmonitor.exporter.resources },
                ],
                initContainers: [
                    { ...database, name: "postgres-startup" },
                    { ...database, name: "nss-wrapper-init" },
                ],
            },
            set.replicas,
        );
    });
    if (pgbackrest === undefined) {
        return instances;
    }
    const repo = { name: "pgbackrest", resources: pgbackrest.repoHost?.resources };
    return [
        ...instances,
        podLine("postgres/repo-host", { containers: [repo, config], initContainers: [{ ...repo, name: "pgbackrest-log-dir" }, { ...repo, name: "nss-wrapper-init" }] }, 1),
        // Scheduled and on-demand backups run one at a time per repository (backupJobPods).
        podLine("postgres/backup-job", { containers: [{ name: "pgbackrest", resources: pgbackrest.jobs?.resources }] }, backupJobs),
    ];
}

/** Every request of the platform, one line per kind of pod, from the values and specs the layers build. */
export function platformBudget(plan: BudgetPlan): BudgetLine[] {
    const placeholder = "placeholder";
    const istiod = istiodValues({ service: placeholder, port: 1 });
    const shlink = shlinkDeploymentSpec(plan.shlinkReplicas, {
        database: { host: placeholder, port: 1, name: placeholder, user: placeholder },
        secretName: placeholder,
    }) as unknown as { template: { spec: { containers: { name: string; resources: unknown }[] } } };
    const postgres = postgresClusterSpec({
        clusterName: POSTGRES.clusterName,
        sizing: { volumeGiB: 1, backupVolumeGiB: 1, backupRetentionFull: 1 },
        initSql: { configMapName: placeholder, key: placeholder },
    });
    const redis = redisFailoverSpec({ failoverName: REDIS.name, volumeGiB: 1, passwordSecretName: placeholder });
    const certManager = certManagerValues() as Record<string, Record<string, unknown>>;
    const gateway = gatewayValues([]);
    return [
        // Shlink's namespace is meshed: every pod carries a sidecar.
        podLine("shlink/shlink", meshedPod(shlink.template.spec.containers, istiod.global.proxy.resources), plan.shlinkReplicas),
        ...postgresPods(postgres, backupJobPods(plan)),
        redisPod("redis/redis", redis.redis, redis.redis.replicas),
        redisPod("redis/sentinel", redis.sentinel, redis.sentinel.replicas),
        budgetLine("cert-manager/controller", certManager.resources, 1),
        budgetLine("cert-manager/webhook", certManager.webhook.resources, 1),
        budgetLine("cert-manager/cainjector", certManager.cainjector.resources, 1),
        // A post-install hook Job Helm waits for: reserved while an install or upgrade runs.
        budgetLine("cert-manager/startupapicheck", certManager.startupapicheck.resources, 1),
        budgetLine("postgres-operator/controller", (postgresOperatorValues().resources as Record<string, unknown>).controller, 1),
        budgetLine("redis-operator/operator", redisOperatorValues().resources, 1),
        // Only the operator: a run's k6 pod (K6.runnerResources) exists while `npm run load` runs.
        budgetLine("load/k6-operator", (operatorValues().manager as Record<string, unknown>).resources, 1),
        budgetLine("istio-system/istiod", istiod.resources, istiod.replicaCount),
        budgetLine("istio-ingress/gateway", gateway.resources, gateway.replicaCount),
        // A DaemonSet: one node agent on every node.
        budgetLine("istio-system/istio-cni", cniValues().resources, plan.nodeCount),
        ...resourceRequests(plan.nodeCount).map((r) => ({ what: r.name, cpu: r.cpuMillicores, memory: r.memoryMiB, count: r.replicas })),
        ...(plan.argocd ? argoCdBudget() : []),
        ...vaultBudget(),
        ...secretDeliveryBudget(),
    ];
}

/** A RedisFailover pod: redis (or sentinel) and its exporter. */
export function redisPod(what: string, settings: { resources?: unknown; exporter?: { resources?: unknown } }, count: number): BudgetLine {
    const name = what.split("/").pop() as string;
    return podLine(what, { containers: [{ name, resources: settings.resources }, { name: `${name}-exporter`, resources: settings.exporter?.resources }] }, count);
}

/** External Secrets' three pods and Reloader's, with the values the Operators layer sends. */
export function secretDeliveryBudget(): BudgetLine[] {
    const eso = externalSecretsValues() as Record<string, Record<string, unknown>>;
    const reloader = (reloaderValues().reloader as Record<string, Record<string, unknown>>).deployment;
    return [
        budgetLine("external-secrets/controller", eso.resources, 1),
        budgetLine("external-secrets/webhook", eso.webhook.resources, 1),
        budgetLine("external-secrets/cert-controller", eso.certController.resources, 1),
        budgetLine("reloader/reloader", reloader.resources, 1),
    ];
}

/**
 * Argo CD's pods with the values the layer sends (dex and notifications off, so not counted), as argo-cd 10.1.1
 * renders them: repo-server's init container copyutil, and the redis-secret-init pre-install hook Job.
 */
export function argoCdBudget(): BudgetLine[] {
    const values = argoCdValues({ url: "https://placeholder" });
    const repoServer: PodResources = {
        containers: [{ name: "repo-server", resources: values.repoServer.resources }],
        initContainers: [{ name: "copyutil", resources: values.repoServer.copyutil.resources }],
    };
    return [
        budgetLine("argocd/server", values.server.resources, values.server.replicas),
        podLine("argocd/repo-server", repoServer, values.repoServer.replicas),
        budgetLine("argocd/application-controller", values.controller.resources, values.controller.replicas),
        budgetLine("argocd/applicationset-controller", values.applicationSet.resources, values.applicationSet.replicas),
        budgetLine("argocd/redis", values.redis.resources, 1),
        // Helm waits for this pre-install Job, like cert-manager's start-up check.
        budgetLine("argocd/redis-secret-init", values.redisSecretInit.resources, 1),
    ];
}

/** OpenBao's server pods (injector off, so not counted). */
export function vaultBudget(): BudgetLine[] {
    const placeholder = "placeholder";
    const values = openbaoValues({ sealKeySecret: placeholder, adminSecret: placeholder, selfInitConfigMap: placeholder });
    return [budgetLine("vault/openbao", values.server.resources, values.server.ha.replicas)];
}

/** Total CPU (millicores) and memory (MiB) of the lines. */
export function budgetTotals(lines: BudgetLine[]): { cpu: number; memory: number } {
    return {
        cpu: lines.reduce((sum, l) => sum + l.cpu * l.count, 0),
        memory: lines.reduce((sum, l) => sum + l.memory * l.count, 0),
    };
}

/** What the pods of one node may request: the VM less what K3s and Ubuntu keep. */
export function podCapacity(node: { cores: number; memoryMiB: number }): { cpu: number; memory: number } {
    return { cpu: node.cores * 1000 - NODE_RESERVE.cpuMillicores, memory: node.memoryMiB - NODE_RESERVE.memoryMiB };
}
