import type { PartOperations } from "../contracts/operations";
import { budgetLine, podLine, type BudgetLine, type PodResources } from "../contracts/budget";
import { argoCdValues } from "./values";

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

export const gitopsOperations: PartOperations = { vaultEntries: {}, budget: (plan) => (plan.argocd ? argoCdBudget() : []) };
