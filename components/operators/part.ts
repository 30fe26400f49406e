// The cluster's operators: cert-manager, PGO, the Redis operator, External Secrets and Reloader, each in its own
// namespace; their admission webhooks, cert-manager's metrics and its certificate-renewal alert.
import type { Part } from "../contracts/part";
import { tcp, pods } from "../contracts/flows";
import { openNamespace, type OwnNamespace } from "../contracts/placement";
import { type BudgetLine } from "../contracts/budget";
import { budgetLine } from "../kubernetes/requests";
import { DATA_SCRAPE_INTERVAL, platformRuleSet, type RuleSet } from "../contracts/telemetry";
import { ALERTING, CERT_MANAGER_METRICS, EXTERNAL_SECRETS_CHART, OPERATOR_CHARTS, POD_PORTS, RELOADER_CHART } from "./facts";
import { certManagerValues, externalSecretsValues, postgresOperatorValues, redisOperatorValues, reloaderValues } from "./operatorValues";

/** The operators' namespaces, in the order the stack has always listed them: out of the mesh, egress open (they talk to the API server and pull from the world). */
export const OPERATORS_NAMESPACES: readonly OwnNamespace[] = [
    // The chart's defaults set runAsNonRoot, seccomp RuntimeDefault, drop ALL, no privilege escalation on every pod.
    openNamespace(OPERATOR_CHARTS.certManager.namespace, "restricted", "flows"),
    // PGO's chart: non-root, seccomp RuntimeDefault, drop ALL, no privilege escalation, no volumes (helm/install
    // templates/manager.yaml; tests/security/chartPods.ts checks it against the restricted rules). It only calls out.
    openNamespace(OPERATOR_CHARTS.postgresOperator.namespace, "restricted", "none"),
    // The chart sets runAsNonRoot only (no seccomp profile, no dropped capabilities). It only calls out.
    openNamespace(OPERATOR_CHARTS.redisOperator.namespace, "baseline", "none"),
    // The chart's defaults set runAsNonRoot, seccomp RuntimeDefault, drop ALL, no privilege escalation on every pod.
    openNamespace(EXTERNAL_SECRETS_CHART.namespace, "restricted", "flows"),
    // Reloader's chart defaults are not checked here. It only watches the API server.
    openNamespace(RELOADER_CHART.namespace, "baseline", "none"),
];

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

const CERTIFICATE_RUNBOOK = "kubectl -n {{ $labels.namespace }} describe certificate {{ $labels.name }}; kubectl -n cert-manager logs deploy/cert-manager.";

/** The alert on a certificate cert-manager failed to renew. */
function certificateRules(): RuleSet {
    return platformRuleSet([
        {
            alert: "HomelabCertificateExpiring",
            // Scraped from cert-manager's pod, the certificate's namespace is exported_namespace (`namespace` is
            // cert-manager's): the alert names the certificate's, which Alertmanager groups and inhibits by.
            expr:
                `label_replace(certmanager_certificate_expiration_timestamp_seconds, "namespace", "$1", "exported_namespace", "(.+)")` +
                ` - time() < ${ALERTING.certificateExpiryDays} * 86400`,
            for: "1h",
            labels: { severity: "warning" },
            annotations: {
                summary: `A certificate expires within ${ALERTING.certificateExpiryDays} days.`,
                description: "{{ $labels.namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }}: cert-manager did not renew it.",
                runbook: CERTIFICATE_RUNBOOK,
            },
        },
    ]);
}

export const operatorsPart: Part = {
    name: "operators",
    namespaces: OPERATORS_NAMESPACES,
    // The operators' webhooks (called by the API server) and cert-manager's metrics.
    flows: ({ webhookCallers, peers }) => [
        {
            name: "cert-manager-webhook",
            from: webhookCallers,
            to: pods(OPERATOR_CHARTS.certManager.namespace),
            ports: tcp(POD_PORTS.webhooks),
            why: "cert-manager's admission webhook",
        },
        {
            name: "external-secrets-webhook",
            from: webhookCallers,
            to: pods(EXTERNAL_SECRETS_CHART.namespace),
            ports: tcp(POD_PORTS.webhooks),
            why: "External Secrets' admission webhook",
        },
        {
            name: "scrape-cert-manager",
            from: peers.prometheus,
            to: pods(OPERATOR_CHARTS.certManager.namespace),
            ports: tcp(CERT_MANAGER_METRICS.port),
            why: "cert-manager's controller",
        },
    ],
    doors: () => [],
    vaultEntries: {},
    vaultReads: [],
    budget: operatorsBudget,
    monitors: [
        {
            role: "cert-manager-monitor",
            kind: "PodMonitor",
            name: "cert-manager",
            spec: {
                selector: { matchLabels: { ...CERT_MANAGER_METRICS.podLabels } },
                namespaceSelector: { matchNames: [OPERATOR_CHARTS.certManager.namespace] },
                podMetricsEndpoints: [{ port: CERT_MANAGER_METRICS.port, path: "/metrics", interval: DATA_SCRAPE_INTERVAL }],
            },
        },
    ],
    rules: () => [certificateRules()],
    dashboards: [],
    // Proven by no smoke check and taken away by no drill of its own.
    probes: () => [],
    drills: [],
};
