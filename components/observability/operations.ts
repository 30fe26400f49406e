import type { PartOperations } from "../contracts/operations";
import { MESH } from "../contracts/mesh";
import { KUBE_PROMETHEUS_STACK } from "./facts";
import { resourceRequests } from "./resources";

export const observabilityOperations: PartOperations = {
    // Grafana's admin login: Grafana itself, and Kiali, whose CR lives in Istio's namespace, logging into it.
    vaultEntries: { grafanaAdmin: { path: "monitoring/grafana-admin", properties: ["user", "password"], readers: [KUBE_PROMETHEUS_STACK.namespace, MESH.namespace] } },
    budget: (plan) => resourceRequests(plan.nodeCount).map((r) => ({ what: r.name, cpu: r.cpuMillicores, memory: r.memoryMiB, count: r.replicas })),
};
