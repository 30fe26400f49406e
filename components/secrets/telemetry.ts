// Every OpenBao pod's own metrics, and the alerts on a sealed or unscraped Vault.
import { VAULT } from "./facts";
import { DATA_SCRAPE_INTERVAL, platformRuleSet, type PartTelemetry } from "../contracts/telemetry";

/** Scrape jobs of a Vault or OpenBao (the job label follows the Service name). */
export const VAULT_JOB_REGEX = ".*(openbao|vault).*";

const RUNBOOK =
    "kubectl -n vault get pods; a sealed pod means its static seal key file is missing or wrong (Secret openbao-seal-keys, VAULT.sealKeyIds): never unseal by hand; pod logs.";

export const secretsTelemetry: PartTelemetry = {
    monitors: [
        // vault_core_unsealed per pod, without a token (the listener's telemetry stanza).
        {
            role: "vault-monitor",
            kind: "PodMonitor",
            name: "openbao",
            spec: {
                selector: { matchLabels: { ...VAULT.podLabels } },
                namespaceSelector: { matchNames: [VAULT.namespace] },
                podMetricsEndpoints: [{ port: VAULT.apiPortName, path: "/v1/sys/metrics", params: { format: ["prometheus"] }, interval: DATA_SCRAPE_INTERVAL }],
            },
        },
    ],
    // Silent while no such target exists (no series, no absent()).
    rules: () => [
        platformRuleSet([
            {
                alert: "HomelabVaultSealed",
                expr: "vault_core_unsealed == 0",
                for: "5m",
                labels: { severity: "critical" },
                annotations: {
                    summary: "Vault is sealed.",
                    description: "{{ $labels.pod }} has been sealed for 5 minutes: secrets cannot be read.",
                    runbook: RUNBOOK,
                },
            },
            {
                alert: "HomelabVaultDown",
                expr: `up{job=~"${VAULT_JOB_REGEX}"} == 0`,
                for: "5m",
                labels: { severity: "critical" },
                annotations: {
                    summary: "A Vault target is down.",
                    description: "Prometheus has not scraped {{ $labels.instance }} ({{ $labels.job }}) for 5 minutes.",
                    runbook: RUNBOOK,
                },
            },
        ]),
    ],
    dashboards: [],
};
