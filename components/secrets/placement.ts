import { serviceFqdn } from "../kubernetes/serviceNames";
import { pods, tcp } from "../contracts/flows";
import { ALWAYS, type OwnNamespace, type PartPlacement } from "../contracts/placement";
import { OPERATOR_NAMESPACES } from "../contracts/operators";
import { VAULT } from "./facts";

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

/** OpenBao: reached by External Secrets, Prometheus, the gateway (its UI and API) and its own peers. */
export const secretsPlacement: PartPlacement = {
    namespaces: [VAULT_NAMESPACE],
    flows: ({ peers }) => [
        { name: "gateway-to-vault", from: peers.gateway, to: pods(VAULT.namespace), ports: tcp(VAULT.apiPort), why: "OpenBao's UI and API through the gateway" },
        { name: "scrape-vault", from: peers.prometheus, to: pods(VAULT.namespace, { ...VAULT.podLabels }), ports: tcp(VAULT.apiPort), why: "OpenBao's /v1/sys/metrics (no token: nothing else reaches 8200 but ESO and the gateway)" },
        { name: "external-secrets-to-vault", from: pods(OPERATOR_NAMESPACES.externalSecrets), to: pods(VAULT.namespace), ports: tcp(VAULT.apiPort), why: "External Secrets reading and pushing secrets" },
        { name: "vault-peers", from: pods(VAULT.namespace), to: pods(VAULT.namespace), ports: tcp(VAULT.apiPort, VAULT.clusterPort), why: "Raft and request forwarding between OpenBao pods" },
    ],
    // HTTPS on homelab:vaultPort to OpenBao's UI Service (API and UI, plain HTTP in-cluster).
    doors: (config) => [{ door: { name: "vault", httpsPort: config.mesh.ports.vault, destination: { host: serviceFqdn(VAULT.uiService, VAULT.namespace), port: VAULT.apiPort } }, routing: "edge", order: 5 }],
};
