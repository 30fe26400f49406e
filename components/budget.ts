// The platform's resource budget: every CPU and memory request the program sets, computed from the same
// builders the layers use, so the config loader can refuse VMs too small for it before anything exists.
// tests/budget.test.ts proves these lines equal what the program actually sends.
import { shlinkDeploymentSpec } from "./apps/shlinkSpec";
import { postgresClusterSpec } from "./data/postgresSpec";
import { redisFailoverSpec } from "./data/redisSpec";
import { NODE_RESERVE, POSTGRES, REDIS } from "./defaults";
import { cpuMillicores, memoryMiB } from "./kubernetes/resources";
import { argoCdValues } from "./gitops/values";
import { cniValues, gatewayValues, istiodValues } from "./mesh/values";
import { resourceRequests } from "./observability/resources";
import { operatorValues } from "./load/manifests";
import { certManagerValues, externalSecretsValues, postgresOperatorValues, redisOperatorValues, reloaderValues } from "./operators/operatorValues";
import { openbaoValues } from "./secrets/openbaoValues";

/** One kind of container (or pod) and how many of it run. */
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

/** A line from a container's resources; refuses a container without requests (it would escape the budget). */
export function budgetLine(what: string, resources: unknown, count: number): BudgetLine {
    const requests = (resources as Requests)?.requests;
    if (typeof requests?.cpu !== "string" || typeof requests.memory !== "string") {
        throw new Error(`${what}: sets no CPU and memory requests`);
    }
    return { what, cpu: cpuMillicores(requests.cpu), memory: memoryMiB(requests.memory), count };
}

/** Every request of the platform, one line per container kind, from the values and specs the layers build. */
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
        ...shlink.template.spec.containers.map((c) => budgetLine(`shlink/${c.name}`, c.resources, plan.shlinkReplicas)),
        // Shlink's namespace is meshed: every pod carries a sidecar.
        budgetLine("shlink/istio-proxy", istiod.global.proxy.resources, plan.shlinkReplicas),
        ...postgres.instances.map((set) => budgetLine(`postgres/${set.name}`, set.resources, set.replicas)),
        ...postgres.instances.map((set) =>
            budgetLine(`postgres/${set.name}/exporter`, postgres.monitoring?.pgmonitor.exporter.resources, set.replicas),
        ),
        budgetLine("redis/redis", redis.redis.resources, redis.redis.replicas),
        budgetLine("redis/redis-exporter", redis.redis.exporter?.resources, redis.redis.replicas),
        budgetLine("redis/sentinel", redis.sentinel.resources, redis.sentinel.replicas),
        budgetLine("redis/sentinel-exporter", redis.sentinel.exporter?.resources, redis.sentinel.replicas),
        budgetLine("cert-manager/controller", certManager.resources, 1),
        budgetLine("cert-manager/webhook", certManager.webhook.resources, 1),
        budgetLine("cert-manager/cainjector", certManager.cainjector.resources, 1),
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

/** Argo CD's containers with the values the layer sends (dex and notifications off, so not counted). */
export function argoCdBudget(): BudgetLine[] {
    const values = argoCdValues({ url: "https://placeholder" });
    return [
        budgetLine("argocd/server", values.server.resources, values.server.replicas),
        budgetLine("argocd/repo-server", values.repoServer.resources, values.repoServer.replicas),
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
