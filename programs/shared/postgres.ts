// What the programs know of the operator-run PostgreSQL (Crunchy PGO) beyond the data part's CRD: how to find the
// primary, which a drill kills or backs up and `npm run verify` checks.

/** The primary pod of a PostgresCluster: PGO's role label (internal/naming/labels.go at v6.0.3). */
export function primarySelector(clusterName: string): string {
    return `postgres-operator.crunchydata.com/cluster=${clusterName},postgres-operator.crunchydata.com/role=master`;
}
