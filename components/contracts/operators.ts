// Where the operators run, as the parts they serve name them: the operator that manages a data store reaches its
// pods (a flow of the data part), cert-manager reads a ClusterIssuer's CA Secret in its own namespace (the edge's
// CA), External Secrets reaches Vault (a flow of the secrets part). The operators part installs each chart into
// its namespace here (components/operators/facts.ts). A shared contract: it imports no part.

export const OPERATOR_NAMESPACES = {
    certManager: "cert-manager",
    postgresOperator: "postgres-operator",
    redisOperator: "redis-operator",
    externalSecrets: "external-secrets",
} as const;
