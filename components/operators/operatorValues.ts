// Helm values of the operators: pure, so tests read exactly what Helm receives.
import { OPERATOR_RESOURCES, REDIS_OPERATOR_IMAGE_TAG, SECRET_DELIVERY } from "./facts";

/** cert-manager: the chart installs and upgrades its CRDs (`installCRDs` is deprecated). */
export function certManagerValues(): Record<string, unknown> {
    return {
        crds: { enabled: true },
        resources: OPERATOR_RESOURCES.certManager,
        webhook: { resources: OPERATOR_RESOURCES.certManagerWebhook },
        cainjector: { resources: OPERATOR_RESOURCES.certManagerCainjector },
        startupapicheck: { resources: OPERATOR_RESOURCES.certManagerStartupCheck },
    };
}

/** PGO: watch every namespace, since the PostgresCluster lives outside the operator's namespace. */
export function postgresOperatorValues(): Record<string, unknown> {
    // `resources.controller` is the path of PGO's 5.x chart (postgres-operator-examples); the 6.0.3 chart's
    // source is not published in a repository we could read, and Helm ignores an unknown key.
    return { singleNamespace: false, resources: { controller: OPERATOR_RESOURCES.postgresOperator } };
}

/** redis-operator: the image the chart pins, written out so a chart bump cannot change it silently. */
export function redisOperatorValues(): Record<string, unknown> {
    return { image: { tag: REDIS_OPERATOR_IMAGE_TAG }, resources: OPERATOR_RESOURCES.redisOperator };
}

/** External Secrets Operator: the chart installs its CRDs (v1 stores and ExternalSecrets, v1alpha1 PushSecret). */
export function externalSecretsValues(): Record<string, unknown> {
    const r = SECRET_DELIVERY.resources;
    return {
        installCRDs: true,
        resources: r.externalSecrets,
        webhook: { resources: r.externalSecretsWebhook },
        certController: { resources: r.externalSecretsCertController },
    };
}

/**
 * Reloader: restarts only workloads that name their Secrets (autoReloadAll off), by a pod-template annotation
 * rather than an env var (less drift for IaC). It watches every namespace: the chart's scoped mode makes a Role
 * in each listed namespace at install, so they would all have to exist before this release.
 */
export function reloaderValues(): Record<string, unknown> {
    return {
        reloader: {
            autoReloadAll: false,
            reloadStrategy: "annotations",
            watchGlobally: true,
            deployment: { resources: SECRET_DELIVERY.resources.reloader },
        },
    };
}
