// The resource budget: every CPU and memory request the program sets, read from what it actually sends
// (resource inputs and Helm values in the ledger), summed and checked against the three VMs with headroom.
import { beforeAll, describe, expect, it } from "vitest";
import { type BudgetLine } from "../components/contracts/budget";
import { budgetLine as line, meshedPod, podLine } from "../components/kubernetes/requests";
import { backupJobPods, postgresPods, redisPod } from "../components/data/budget";
import { budgetTotals, platformBudget, podCapacity } from "../stacks/budget";
import { requestsFromValues } from "../components/observability/resources";
import { podRequests } from "../components/kubernetes/resources";
import type { Ledger, Recorded } from "./helpers/pulumi";
import { validateConfig } from "../components/config";
import { capacityPlan, drainedCapacityProblems } from "../stacks/capacity";
import { runHomelab } from "./helpers/platform";
import { problemsOf, raw } from "./config/raw";

type Line = BudgetLine;

/** Requests may use at most this share of what is left: room for limits bursts, rollouts (maxSurge) and a failover. */
const HEADROOM = 0.7;

const release = (ledger: Ledger, name: string) => ledger.byName(name).inputs.values;
const customResource = (ledger: Ledger, kind: string) => ledger.resources.find((r) => r.inputs.kind === kind) as Recorded;

/** Every request of the stack, one line per kind of pod: what the scheduler reserves for it. */
function budgetLines(ledger: Ledger, nodeCount: number): Line[] {
    const lines: Line[] = [];
    const istiod = release(ledger, "istio-istiod");
    const sidecar = istiod.global.proxy.resources;

    // Workloads of ours; a meshed namespace's pods get istio-validation and the istio-proxy sidecar.
    for (const deployment of ledger.ofType("kubernetes:apps/v1:Deployment")) {
        const { name, namespace } = deployment.inputs.metadata;
        const spec = deployment.inputs.spec;
        const ns = ledger.resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === namespace);
        const meshed = ns?.inputs.metadata.labels?.["istio-injection"] === "enabled";
        const pod = meshed ? meshedPod(spec.template.spec.containers, sidecar) : { containers: spec.template.spec.containers };
        expect(spec.template.spec.initContainers).toBeUndefined();
        lines.push(podLine(`${namespace}/${name}`, pod, spec.replicas));
    }
    lines.push(...postgresPods(customResource(ledger, "PostgresCluster").inputs.spec));
    const redis = customResource(ledger, "RedisFailover").inputs.spec;
    lines.push(redisPod("redis/redis", redis.redis, redis.redis.replicas));
    lines.push(redisPod("redis/sentinel", redis.sentinel, redis.sentinel.replicas));

    // Operators.
    const certManager = release(ledger, "operators-cert-manager");
    lines.push(line("cert-manager/controller", certManager.resources, 1));
    lines.push(line("cert-manager/webhook", certManager.webhook.resources, 1));
    lines.push(line("cert-manager/cainjector", certManager.cainjector.resources, 1));
    lines.push(line("cert-manager/startupapicheck", certManager.startupapicheck.resources, 1));
    lines.push(line("postgres-operator/controller", release(ledger, "operators-pgo").resources.controller, 1));
    lines.push(line("redis-operator/operator", release(ledger, "operators-redis-operator").resources, 1));
    lines.push(line("load/k6-operator", release(ledger, "load-operator").manager.resources, 1));
    const eso = release(ledger, "operators-external-secrets");
    lines.push(line("external-secrets/controller", eso.resources, 1));
    lines.push(line("external-secrets/webhook", eso.webhook.resources, 1));
    lines.push(line("external-secrets/cert-controller", eso.certController.resources, 1));
    lines.push(line("reloader/reloader", release(ledger, "operators-reloader").reloader.deployment.resources, 1));

    // Mesh.
    lines.push(line("istio-system/istiod", istiod.resources, istiod.replicaCount));
    const gateway = release(ledger, "istio-gateway");
    lines.push(line("istio-ingress/gateway", gateway.resources, gateway.replicaCount));
    // Istio's CNI node agent: a DaemonSet, one pod per node.
    lines.push(line("istio-system/istio-cni", release(ledger, "istio-cni").resources, nodeCount));

    // Argo CD, from the values the ledger recorded: every pod the chart runs with them (argo-cd 10.1.1 rendered).
    const argocd = ledger.resources.find((r) => r.name === "argocd-release")?.inputs.values;
    if (argocd !== undefined) {
        expect(argocd.dex.enabled).toBe(false);
        expect(argocd.notifications.enabled).toBe(false);
        lines.push(line("argocd/server", argocd.server.resources, argocd.server.replicas));
        const repoServer = {
            containers: [{ name: "repo-server", resources: argocd.repoServer.resources }],
            initContainers: [{ name: "copyutil", resources: argocd.repoServer.copyutil.resources }],
        };
        lines.push(podLine("argocd/repo-server", repoServer, argocd.repoServer.replicas));
        lines.push(line("argocd/application-controller", argocd.controller.resources, argocd.controller.replicas));
        lines.push(line("argocd/applicationset-controller", argocd.applicationSet.resources, argocd.applicationSet.replicas));
        lines.push(line("argocd/redis", argocd.redis.resources, 1));
        lines.push(line("argocd/redis-secret-init", argocd.redisSecretInit.resources, 1));
    }

    // OpenBao: the chart's server pods only (the injector is off).
    const openbao = release(ledger, "vault-release");
    expect(openbao.injector.enabled).toBe(false);
    lines.push(line("vault/openbao", openbao.server.resources, openbao.server.ha.replicas));

    // Observability, from the values the ledger recorded.
    for (const r of requestsFromValues(
        {
            kubePrometheusStack: release(ledger, "observability-kube-prometheus-stack"),
            jaeger: release(ledger, "observability-jaeger"),
            kialiOperator: release(ledger, "observability-kiali-operator"),
            kiali: customResource(ledger, "Kiali").inputs.spec,
        },
        nodeCount,
    )) {
        lines.push({ what: r.name, cpu: r.cpuMillicores, memory: r.memoryMiB, count: r.replicas });
    }
    return lines;
}

const total = (lines: Line[], key: "cpu" | "memory") => budgetTotals(lines)[key];
const byWhat = (lines: Line[]) => [...lines].sort((a, b) => a.what.localeCompare(b.what));

describe("the resource budget", () => {
    let ledger: Ledger;

    beforeAll(async () => {
        ({ ledger } = await runHomelab());
    });

    it("accounts for every workload the program creates", () => {
        const podKinds = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet"];
        const ours = ledger.resources.filter((r) => r.type.startsWith("kubernetes:") && podKinds.includes(r.type.split(":")[2]));
        expect(ours.map((r) => r.inputs.metadata.name)).toEqual(["shlink"]);
        const releases = ledger
            .ofType("kubernetes:helm.sh/v3:Release")
            .map((r) => r.name)
            .sort();
        expect(releases).toEqual(
            [
                "argocd-release",
                "istio-base",
                "istio-cni",
                "istio-gateway",
                "istio-istiod",
                "load-operator",
                "observability-jaeger",
                "observability-kiali-operator",
                "observability-kube-prometheus-stack",
                "operators-cert-manager",
                "operators-pgo",
                "operators-redis-operator",
                "vault-release",
                "operators-external-secrets",
                "operators-reloader",
            ].sort(),
        );
    });

    it("is computed by the program's own budget from the same builders: line for line what it sends", () => {
        expect(byWhat(budgetLines(ledger, 3))).toEqual(byWhat(platformBudget({ shlinkReplicas: 3, nodeCount: 3, argocd: true })));
    });

    it("fits the three VMs with headroom", () => {
        const nodes = ledger.ofType("proxmoxve:index/vmLegacy:VmLegacy");
        const capacities = nodes.map((vm) => podCapacity({ cores: vm.inputs.cpu.cores, memoryMiB: vm.inputs.memory.dedicated }));
        const capacity = {
            cpu: capacities.reduce((sum, c) => sum + c.cpu, 0),
            memory: capacities.reduce((sum, c) => sum + c.memory, 0),
        };
        const lines = budgetLines(ledger, nodes.length);
        const cpu = total(lines, "cpu");
        const memory = total(lines, "memory");
        if (process.env.BUDGET_REPORT) {
            console.table(lines.map((l) => ({ ...l, cpuTotal: l.cpu * l.count, memoryTotal: l.memory * l.count })));
        }
        // docs/architecture.md's budget table quotes these figures (tests/docs.test.ts holds it to platformBudget).
        // Issue 11 added Istio's CNI agent (3 × 20m, 3 × 64Mi), issue 9 OpenBao, External Secrets and Reloader; issue 17
        // PGO's own containers, its repo host and backup Job (+185m, +400 MiB), counted pods as the scheduler does
        // (init containers overlap their pod: −50m, −112 MiB) and kube-prometheus-stack's admission-create Job (+10m, +32 MiB).
        expect({ cpu, memory, capacity }).toEqual({ cpu: 3925, memory: 9552, capacity: { cpu: 9000, memory: 24576 } });
        expect(cpu).toBeLessThanOrEqual(capacity.cpu * HEADROOM);
        expect(memory).toBeLessThanOrEqual(capacity.memory * HEADROOM);
    });

    it("counts Argo CD's containers only when homelab:argocd is on", () => {
        const on = platformBudget({ shlinkReplicas: 3, nodeCount: 3, argocd: true });
        const off = platformBudget({ shlinkReplicas: 3, nodeCount: 3, argocd: false });
        const argocd = on.filter((l) => l.what.startsWith("argocd/"));
        expect(argocd.map((l) => l.what).sort()).toEqual(
            ["application-controller", "applicationset-controller", "redis", "redis-secret-init", "repo-server", "server"].map((w) => `argocd/${w}`),
        );
        expect(off).toEqual(on.filter((l) => !l.what.startsWith("argocd/")));
        expect(budgetTotals(argocd)).toEqual({ cpu: 250, memory: 672 });
    });

    it("counts a pod as the scheduler reserves it: containers plus native sidecars, or the largest init container", () => {
        const c = (cpu: number, memory: number) => ({ cpu, memory });
        // CPU and memory each take their own maximum.
        expect(podRequests({ containers: [c(50, 128)], initContainers: [c(100, 32)] })).toEqual(c(100, 128));
        // A native sidecar runs beside the containers, and beside every init container after it.
        expect(podRequests({ containers: [c(50, 64)], initContainers: [{ ...c(10, 16), sidecar: true }, c(100, 100)] })).toEqual(c(110, 116));
        expect(podRequests({ containers: [c(50, 64)], initContainers: [c(100, 100), { ...c(10, 16), sidecar: true }] })).toEqual(c(100, 100));
        // Shlink: istio-validation asks what the sidecar does, before it starts: it adds nothing.
        const proxy = { requests: { cpu: "100m", memory: "128Mi" } };
        const shlink = podLine("s", meshedPod([{ name: "shlink", resources: { requests: { cpu: "50m", memory: "224Mi" } } }], proxy), 1);
        expect([shlink.cpu, shlink.memory]).toEqual([150, 352]);
    });

    it("counts PGO's own containers, its repo host and a backup Job, each with requests the PostgresCluster sets", () => {
        const spec = customResource(ledger, "PostgresCluster").inputs.spec;
        expect(postgresPods(spec).map((l) => [l.what, l.count])).toEqual([
            ["postgres/pgha1", 3],
            ["postgres/repo-host", 1],
            ["postgres/backup-job", 1],
        ]);
        // Without them PGO runs these with no requests at all (v6.0.3 internal/postgres/reconcile.go:189-193,
        // internal/pgbackrest/reconcile.go:373 and 422, internal/controller/postgrescluster/pgbackrest.go:839).
        const without = structuredClone(spec);
        delete without.backups.pgbackrest.jobs;
        expect(() => postgresPods(without)).toThrow("postgres/backup-job/pgbackrest: sets no CPU and memory requests");
        delete without.instances[0].sidecars;
        expect(() => postgresPods(without)).toThrow("postgres/pgha1/replication-cert-copy: sets no CPU and memory requests");
    });

    it("fits with one node drained: the loader's own check passes the lab", () => {
        expect(problemsOf({})).toEqual([]);
    });

    it("is enforced by the loader: VMs that cannot hold it with one node drained are refused, saying how much is missing", () => {
        // 3 × 5.5 GiB: with one drained, 2 × (5632 − 2048) = 7168 MiB for pods, against the requests of a
        // two-node platform (the drained node's DaemonSet pods gone).
        const need = budgetTotals(platformBudget({ shlinkReplicas: 3, nodeCount: 2, argocd: true })).memory;
        expect(need).toBeGreaterThan(7168);
        const problems = problemsOf({ "homelab:vmMemoryMiB": "5632" });
        expect(problems).toEqual([
            "With k3s-node-01 drained, the other 2 node(s) leave 7168 MiB of memory for pods (after 1000m CPU and 2048 MiB " +
                `per node for K3s and Ubuntu), but the platform requests ${need} MiB of memory: ${need - 7168} MiB of memory missing. ` +
                "Raise homelab:vmMemoryMiB (or a node's memoryMiB), or add two nodes.",
        ]);
        // The same VMs hold it with all three up: only the drained case refuses them.
        const all = budgetTotals(platformBudget({ shlinkReplicas: 3, nodeCount: 3, argocd: true }));
        expect(all.memory).toBeLessThanOrEqual(3 * podCapacity({ cores: 4, memoryMiB: 5632 }).memory);
    });

    it("counts the node the drain would cost most, and CPU on its own", () => {
        const lab = validateConfig(raw({}), capacityPlan).config!;
        const [big, ...small] = lab.nodes;
        const uneven = [{ ...big, cores: 8 }, ...small.map((n) => ({ ...n, cores: 2 }))];
        // Losing the 8-core node leaves 2 × (2000 − 1000) = 2000m for the two-node platform's requests.
        const cpu = budgetTotals(platformBudget({ shlinkReplicas: 3, nodeCount: 2, argocd: true })).cpu;
        expect(drainedCapacityProblems(uneven, lab.platform, lab.gitops)).toEqual([
            expect.stringMatching(
                new RegExp(
                    `^With k3s-node-01 drained, the other 2 node\\(s\\) leave 2000m CPU .* requests ${cpu}m CPU: ${cpu - 2000}m CPU missing\\. Raise homelab:vmCores`,
                ),
            ),
        ]);
        // One node holds everything or is refused; there is nothing to drain. With Vault and External Secrets, a
        // single node needs more than the default 10 GiB, Argo CD or not; 12 GiB hold it either way.
        expect(drainedCapacityProblems([{ ...big, cores: 8, memoryMiB: 12288 }], lab.platform, lab.gitops)).toEqual([]);
        expect(drainedCapacityProblems([{ ...big, cores: 8, memoryMiB: 12288 }], lab.platform, { argocd: false })).toEqual([]);
        expect(drainedCapacityProblems([{ ...big, cores: 8 }], lab.platform, { argocd: false })).toHaveLength(1);
        const alone = budgetTotals(platformBudget({ shlinkReplicas: 3, nodeCount: 1, argocd: true })).memory;
        expect(drainedCapacityProblems([{ ...big, cores: 8, memoryMiB: 8192 }], lab.platform, lab.gitops)).toEqual([
            expect.stringMatching(
                new RegExp(`^The single node k3s-node-01 leaves 6144 MiB of memory .* requests ${alone} MiB of memory: ${alone - 6144} MiB of memory missing`),
            ),
        ]);
    });
});

describe("backup Jobs in the budget", () => {
    it("counts one backup Job pod per repository with schedules: repo2's beside repo1's when the off-site repository is on", () => {
        expect(backupJobPods({})).toBe(1);
        expect(backupJobPods({ offsiteBackup: false })).toBe(1);
        expect(backupJobPods({ offsiteBackup: true })).toBe(2);
    });
});
