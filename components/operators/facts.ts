// The operators' pins and sizes: cert-manager, PGO, redis-operator, External Secrets and Reloader.
import { OPERATOR_NAMESPACES } from "../contracts/operators";
import type { ChartPin, ContainerResources } from "../defaults";

/** The operators' charts, each in its own namespace. */
export const OPERATOR_CHARTS = {
    certManager: {
        release: "cert-manager",
        chart: "cert-manager",
        // renovate: datasource=helm depName=cert-manager registryUrl=https://charts.jetstack.io
        version: "v1.19.6",
        repo: "https://charts.jetstack.io",
        namespace: OPERATOR_NAMESPACES.certManager,
    },
    // Crunchy PGO ships its chart only as an OCI artifact.
    postgresOperator: {
        release: "pgo",
        chart: "oci://registry.developers.crunchydata.com/crunchydata/pgo",
        // renovate: datasource=docker depName=registry.developers.crunchydata.com/crunchydata/pgo
        version: "6.0.3",
        namespace: OPERATOR_NAMESPACES.postgresOperator,
    },
    // 3.3.0 ships a CRD with template code in crds/ and does not install (spotahome/redis-operator#654, #679).
    redisOperator: {
        release: "redis-operator",
        chart: "redis-operator",
        // renovate: datasource=helm depName=redis-operator registryUrl=https://spotahome.github.io/redis-operator
        version: "3.2.9",
        repo: "https://spotahome.github.io/redis-operator",
        namespace: OPERATOR_NAMESPACES.redisOperator,
    },
} as const satisfies Record<string, ChartPin>;

/**
 * Requests of the operators' pods (the charts set none, which would leave them BestEffort and out of the
 * resource budget): cert-manager's controller, webhook, cainjector and start-up check, PGO, redis-operator.
 */
export const OPERATOR_RESOURCES = {
    certManager: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    certManagerWebhook: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
    certManagerCainjector: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    certManagerStartupCheck: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
    postgresOperator: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
    redisOperator: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
} as const satisfies Record<string, ContainerResources>;

/** The operator image chart 3.2.9 ships; set explicitly so the pin is visible here. */
// renovate: datasource=docker depName=quay.io/spotahome/redis-operator
export const REDIS_OPERATOR_IMAGE_TAG = "v1.2.4";

/** cert-manager's controller metrics (chart v1.19.6 `prometheus.enabled` is on by default; the port its PodMonitor uses). */
export const CERT_MANAGER_METRICS = {
    podLabels: { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" },
    port: "http-metrics",
} as const;

/** External Secrets Operator 2.9.0 (ExternalSecret/SecretStore v1, PushSecret v1alpha1). */
export const EXTERNAL_SECRETS_CHART = {
    release: "external-secrets",
    chart: "external-secrets",
    // renovate: datasource=helm depName=external-secrets registryUrl=https://charts.external-secrets.io
    version: "2.9.0",
    repo: "https://charts.external-secrets.io",
    namespace: OPERATOR_NAMESPACES.externalSecrets,
} as const satisfies ChartPin;

/** Stakater Reloader 2.2.16 (app v1.4.21): restarts exactly the workloads whose Secret changed. */
export const RELOADER_CHART = {
    release: "reloader",
    chart: "reloader",
    // renovate: datasource=helm depName=reloader registryUrl=https://stakater.github.io/stakater-charts
    version: "2.2.16",
    repo: "https://stakater.github.io/stakater-charts",
    namespace: "reloader",
} as const satisfies ChartPin;

/** The pods that deliver application secrets (ESO, Reloader); the delivery itself is components/contracts/vault.ts SECRET_DELIVERY. */
export const SECRET_DELIVERY = {
    /** The pods ESO runs (controller, webhook, cert controller) and Reloader's one pod. */
    resources: {
        externalSecrets: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        externalSecretsWebhook: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
        externalSecretsCertController: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
        reloader: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
    },
} as const satisfies { resources: Record<string, ContainerResources> } & Record<string, unknown>;

/** Ports of the operators' pods the NetworkPolicies name: cert-manager's and External Secrets' admission webhooks. */
export const POD_PORTS = {
    webhooks: 10250,
} as const;

/** The operators' alert thresholds. */
export const ALERTING = {
    /** Certificates are renewed 30 days ahead by default (cert-manager renewBefore); 14 days left means renewal failed. */
    certificateExpiryDays: 14,
} as const;
