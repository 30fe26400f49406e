import { tcp, pods } from "../contracts/flows";
import { ALWAYS, type OwnNamespace, type PartPlacement } from "../contracts/placement";
import { CERT_MANAGER_METRICS, EXTERNAL_SECRETS_CHART, OPERATOR_CHARTS, POD_PORTS, RELOADER_CHART } from "./facts";

/** An operator's namespace: out of the mesh, egress open (they talk to the API server and pull from the world). */
const operatorNamespace = (name: string, podSecurity: OwnNamespace["podSecurity"], ingress: OwnNamespace["ingress"]): OwnNamespace => ({
    kind: "own",
    name,
    podSecurity,
    egress: "open",
    mesh: "none",
    ingress,
    createdWhen: ALWAYS,
});

/** The operators' namespaces, in the order the stack has always listed them. */
export const OPERATORS_NAMESPACES: readonly OwnNamespace[] = [
    // The chart's defaults set runAsNonRoot, seccomp RuntimeDefault, drop ALL, no privilege escalation on every pod.
    operatorNamespace(OPERATOR_CHARTS.certManager.namespace, "restricted", "flows"),
    // PGO's chart: non-root, seccomp RuntimeDefault, drop ALL, no privilege escalation, no volumes (helm/install
    // templates/manager.yaml; tests/security/chartPods.ts checks it against the restricted rules). It only calls out.
    operatorNamespace(OPERATOR_CHARTS.postgresOperator.namespace, "restricted", "none"),
    // The chart sets runAsNonRoot only (no seccomp profile, no dropped capabilities). It only calls out.
    operatorNamespace(OPERATOR_CHARTS.redisOperator.namespace, "baseline", "none"),
    // The chart's defaults set runAsNonRoot, seccomp RuntimeDefault, drop ALL, no privilege escalation on every pod.
    operatorNamespace(EXTERNAL_SECRETS_CHART.namespace, "restricted", "flows"),
    // Reloader's chart defaults are not checked here. It only watches the API server.
    operatorNamespace(RELOADER_CHART.namespace, "baseline", "none"),
];

/** The operators' webhooks (called by the API server) and cert-manager's metrics. */
export const operatorsPlacement: PartPlacement = {
    namespaces: OPERATORS_NAMESPACES,
    flows: ({ webhookCallers, peers }) => [
        { name: "cert-manager-webhook", from: webhookCallers, to: pods(OPERATOR_CHARTS.certManager.namespace), ports: tcp(POD_PORTS.webhooks), why: "cert-manager's admission webhook" },
        { name: "external-secrets-webhook", from: webhookCallers, to: pods(EXTERNAL_SECRETS_CHART.namespace), ports: tcp(POD_PORTS.webhooks), why: "External Secrets' admission webhook" },
        { name: "scrape-cert-manager", from: peers.prometheus, to: pods(OPERATOR_CHARTS.certManager.namespace), ports: tcp(CERT_MANAGER_METRICS.port), why: "cert-manager's controller" },
    ],
    doors: () => [],
};
