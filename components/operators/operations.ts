import type { PartOperations } from "../contracts/operations";
import { budgetLine, type BudgetLine } from "../contracts/budget";
import { certManagerValues, externalSecretsValues, postgresOperatorValues, redisOperatorValues, reloaderValues } from "./operatorValues";

/** The operators' pods with the values the layer sends: cert-manager, PGO, the Redis operator, External Secrets, Reloader. */
function operatorsBudget(): BudgetLine[] {
    const certManager = certManagerValues() as Record<string, Record<string, unknown>>;
    const eso = externalSecretsValues() as Record<string, Record<string, unknown>>;
    const reloader = (reloaderValues().reloader as Record<string, Record<string, unknown>>).deployment;
    return [
        budgetLine("cert-manager/controller", certManager.resources, 1),
        budgetLine("cert-manager/webhook", certManager.webhook.resources, 1),
        budgetLine("cert-manager/cainjector", certManager.cainjector.resources, 1),
        // A post-install hook Job Helm waits for: reserved while an install or upgrade runs.
        budgetLine("cert-manager/startupapicheck", certManager.startupapicheck.resources, 1),
        budgetLine("postgres-operator/controller", (postgresOperatorValues().resources as Record<string, unknown>).controller, 1),
        budgetLine("redis-operator/operator", redisOperatorValues().resources, 1),
        budgetLine("external-secrets/controller", eso.resources, 1),
        budgetLine("external-secrets/webhook", eso.webhook.resources, 1),
        budgetLine("external-secrets/cert-controller", eso.certController.resources, 1),
        budgetLine("reloader/reloader", reloader.resources, 1),
    ];
}

export const operatorsOperations: PartOperations = { vaultEntries: {}, budget: operatorsBudget };
