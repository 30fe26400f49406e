// cert-manager's controller metrics, and the alert on a certificate it failed to renew.
import { ALERTING, CERT_MANAGER_METRICS, OPERATOR_CHARTS } from "./facts";
import { DATA_SCRAPE_INTERVAL, platformRuleSet, type PartTelemetry } from "../contracts/telemetry";

const RUNBOOK = "kubectl -n {{ $labels.namespace }} describe certificate {{ $labels.name }}; kubectl -n cert-manager logs deploy/cert-manager.";

export const operatorsTelemetry: PartTelemetry = {
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
    rules: () => [
        platformRuleSet([
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
                    runbook: RUNBOOK,
                },
            },
        ]),
    ],
    dashboards: [],
};
