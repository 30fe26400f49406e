// OpenBao (Vault) and what reaches it: External Secrets, Prometheus, the gateway (its UI and API) and its own peers;
// its server pods' budget, its metrics and the alerts on a sealed or unscraped Vault.
import type { Part } from "../contracts/part";
import { serviceFqdn } from "../kubernetes/serviceNames";
import { ESO_API } from "../kubernetes/externalSecrets";
import { pods, tcp } from "../contracts/flows";
import { ALWAYS, type OwnNamespace } from "../contracts/placement";
import { OPERATOR_NAMESPACES } from "../contracts/operators";
import { type BudgetLine } from "../contracts/budget";
import { budgetLine } from "../kubernetes/requests";
import { DATA_SCRAPE_INTERVAL, platformRuleSet, type RuleSet } from "../contracts/telemetry";
import { VAULT } from "./facts";
import { openbaoValues } from "./openbaoValues";

export const VAULT_NAMESPACE: OwnNamespace = {
    kind: "own",
    name: VAULT.namespace,
    // Our OpenBao values: non-root uid 100, seccomp RuntimeDefault, drop ALL, no privilege escalation, only secret,
    // configMap, emptyDir and PVC volumes (tests/secrets/vault.test.ts checks them against the restricted rules).
    podSecurity: "restricted",
    egress: "open",
    mesh: "none",
    ingress: "flows",
    createdWhen: ALWAYS,
};

/** Scrape jobs of a Vault or OpenBao (the job label follows the Service name). */
export const VAULT_JOB_REGEX = ".*(openbao|vault).*";

/** OpenBao's server pods (injector off, so not counted). */
function vaultBudget(): BudgetLine[] {
    const placeholder = "placeholder";
    const values = openbaoValues({ sealKeySecret: placeholder, adminSecret: placeholder, selfInitConfigMap: placeholder });
    return [budgetLine("vault/openbao", values.server.resources, values.server.ha.replicas)];
}

const VAULT_RUNBOOK =
    "kubectl -n vault get pods; a sealed pod means its static seal key file is missing or wrong (Secret openbao-seal-keys, VAULT.sealKeyIds): never unseal by hand; pod logs.";

/** A sealed Vault, an unscraped Vault: silent while no such target exists (no series, no absent()). */
function vaultRules(): RuleSet {
    return platformRuleSet([
        {
            alert: "HomelabVaultSealed",
            expr: "vault_core_unsealed == 0",
            for: "5m",
            labels: { severity: "critical" },
            annotations: {
                summary: "Vault is sealed.",
                description: "{{ $labels.pod }} has been sealed for 5 minutes: secrets cannot be read.",
                runbook: VAULT_RUNBOOK,
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
                runbook: VAULT_RUNBOOK,
            },
        },
    ]);
}

export const secretsPart: Part = {
    name: "secrets",
    namespaces: [VAULT_NAMESPACE],
    flows: ({ peers }) => [
        {
            name: "gateway-to-vault",
            from: peers.gateway,
            to: pods(VAULT.namespace),
            ports: tcp(VAULT.apiPort),
            why: "OpenBao's UI and API through the gateway",
        },
        {
            name: "scrape-vault",
            from: peers.prometheus,
            to: pods(VAULT.namespace, { ...VAULT.podLabels }),
            ports: tcp(VAULT.apiPort),
            why: "OpenBao's /v1/sys/metrics (no token: nothing else reaches 8200 but ESO and the gateway)",
        },
        {
            name: "external-secrets-to-vault",
            from: pods(OPERATOR_NAMESPACES.externalSecrets),
            to: pods(VAULT.namespace),
            ports: tcp(VAULT.apiPort),
            why: "External Secrets reading and pushing secrets",
        },
        {
            name: "vault-peers",
            from: pods(VAULT.namespace),
            to: pods(VAULT.namespace),
            ports: tcp(VAULT.apiPort, VAULT.clusterPort),
            why: "Raft and request forwarding between OpenBao pods",
        },
    ],
    // HTTPS on homelab:vaultPort to OpenBao's UI Service (API and UI, plain HTTP in-cluster).
    doors: (config) => [
        {
            door: {
                name: "vault",
                httpsPort: config.mesh.ports.vault,
                destination: { host: serviceFqdn(VAULT.uiService, VAULT.namespace), port: VAULT.apiPort },
            },
            routing: "edge",
            order: 5,
        },
    ],
    vaultEntries: {},
    vaultReads: [],
    budget: vaultBudget,
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
    rules: () => [vaultRules()],
    dashboards: [],
    // OpenBao healthy (unsealed, active) through its door, every ExternalSecret synced; its active pod killed.
    probes: (ports) => [
        { check: "vault", door: { scheme: "https", port: ports.vault } },
        { check: "external_secrets", apiVersion: ESO_API.externalSecret.apiVersion },
    ],
    drills: ["vault-pod"],
};
