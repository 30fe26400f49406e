import type { PartOperations } from "../contracts/operations";
import { MESH } from "../contracts/mesh";
import { SHLINK } from "./facts";
import { meshedPod, podLine, type BudgetLine, type BudgetPlan } from "../contracts/budget";
import { shlinkDeploymentSpec } from "./shlinkSpec";

/** Shlink's pods: its namespace is meshed, so every pod carries the sidecar Istio injects (sized by MESH.sidecarResources). */
function appsBudget(plan: BudgetPlan): BudgetLine[] {
    const placeholder = "placeholder";
    const shlink = shlinkDeploymentSpec(plan.shlinkReplicas, {
        database: { host: placeholder, port: 1, name: placeholder, user: placeholder },
        secretName: placeholder,
    }) as unknown as { template: { spec: { containers: { name: string; resources: unknown }[] } } };
    return [podLine("shlink/shlink", meshedPod(shlink.template.spec.containers, MESH.sidecarResources), plan.shlinkReplicas)];
}

export const appsOperations: PartOperations = {
    // Shlink's first API key; the database user's and Redis' entries are the data part's (Shlink reads them too).
    vaultEntries: { shlinkApiKey: { path: "shlink/api-key", properties: ["apiKey"], readers: [SHLINK.namespace] } },
    budget: appsBudget,
};
