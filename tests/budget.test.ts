// The resource budget: every CPU and memory request the program sets, read from what it actually sends
// (resource inputs and Helm values in the ledger), summed and checked against the three VMs with headroom.
import { beforeAll, describe, expect, it } from "vitest";
import { budgetLine as line, budgetTotals, platformBudget, podCapacity, type BudgetLine } from "../components/budget";
import { requestsFromValues } from "../components/observability/resources";
import type { Ledger, Recorded } from "./helpers/pulumi";
import { runHomelab } from "./helpers/platform";

type Line = BudgetLine;

/** Requests may use at most this share of what is left: room for limits bursts, rollouts (maxSurge) and a failover. */
const HEADROOM = 0.7;

const release = (ledger: Ledger, name: string) => ledger.byName(name).inputs.values;
const customResource = (ledger: Ledger, kind: string) => ledger.resources.find((r) => r.inputs.kind === kind) as Recorded;

/** Every request of the stack, one line per container (or pod) kind. */
function budgetLines(ledger: Ledger, nodeCount: number): Line[] {
    const lines: Line[] = [];
    const istiod = release(ledger, "istio-istiod");
    const sidecar = istiod.global.proxy.resources;

    // Workloads of ours.
    for (const deployment of ledger.ofType("kubernetes:apps/v1:Deployment")) {
        const spec = deployment.inputs.spec;
        for (const c of spec.template.spec.containers) {
            lines.push(line(`${deployment.inputs.metadata.name}/${c.name}`, c.resources, spec.replicas));
        }
        const namespace = ledger.resources.find(
            (r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === deployment.inputs.metadata.namespace,
        );
        if (namespace?.inputs.metadata.labels?.["istio-injection"] === "enabled") {
            lines.push(line(`${deployment.inputs.metadata.name}/istio-proxy`, sidecar, spec.replicas));
        }
    }
    const postgres = customResource(ledger, "PostgresCluster").inputs.spec;
    for (const set of postgres.instances) {
        lines.push(line(`postgres/${set.name}`, set.resources, set.replicas));
        // PGO adds its exporter container to every instance pod.
        lines.push(line(`postgres/${set.name}/exporter`, postgres.monitoring.pgmonitor.exporter.resources, set.replicas));
    }
    const redis = customResource(ledger, "RedisFailover").inputs.spec;
    lines.push(line("redis/redis", redis.redis.resources, redis.redis.replicas));
    lines.push(line("redis/redis-exporter", redis.redis.exporter.resources, redis.redis.replicas));
    lines.push(line("redis/sentinel", redis.sentinel.resources, redis.sentinel.replicas));
    lines.push(line("redis/sentinel-exporter", redis.sentinel.exporter.resources, redis.sentinel.replicas));

    // Operators.
    const certManager = release(ledger, "operators-cert-manager");
    lines.push(line("cert-manager/controller", certManager.resources, 1));
    lines.push(line("cert-manager/webhook", certManager.webhook.resources, 1));
    lines.push(line("cert-manager/cainjector", certManager.cainjector.resources, 1));
    lines.push(line("cert-manager/startupapicheck", certManager.startupapicheck.resources, 1));
    lines.push(line("postgres-operator/controller", release(ledger, "operators-pgo").resources.controller, 1));
    lines.push(line("redis-operator/operator", release(ledger, "operators-redis-operator").resources, 1));

    // Mesh.
    lines.push(line("istio-system/istiod", istiod.resources, istiod.replicaCount));
    const gateway = release(ledger, "istio-gateway");
    lines.push(line("istio-ingress/gateway", gateway.resources, gateway.replicaCount));

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
        const releases = ledger.ofType("kubernetes:helm.sh/v3:Release").map((r) => r.name).sort();
        expect(releases).toEqual(
            [
                "istio-base",
                "istio-gateway",
                "istio-istiod",
                "observability-jaeger",
                "observability-kiali-operator",
                "observability-kube-prometheus-stack",
                "operators-cert-manager",
                "operators-pgo",
                "operators-redis-operator",
            ].sort(),
        );
    });

    it("is computed by the program's own budget from the same builders: line for line what it sends", () => {
        expect(byWhat(budgetLines(ledger, 3))).toEqual(byWhat(platformBudget({ shlinkReplicas: 3, nodeCount: 3 })));
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
        // The README's budget table quotes these figures; keep them in step.
        expect({ cpu, memory, capacity }).toEqual({ cpu: 3210, memory: 7760, capacity: { cpu: 9000, memory: 24576 } });
        expect(cpu).toBeLessThanOrEqual(capacity.cpu * HEADROOM);
        expect(memory).toBeLessThanOrEqual(capacity.memory * HEADROOM);
    });

    it("would refuse a plan that does not fit", () => {
        const lines = budgetLines(ledger, 3);
        const small = podCapacity({ cores: 2, memoryMiB: 4096 });
        const smallVms = { cpu: 3 * small.cpu, memory: 3 * small.memory };
        expect(total(lines, "cpu") > smallVms.cpu * HEADROOM || total(lines, "memory") > smallVms.memory * HEADROOM).toBe(true);
    });
});
