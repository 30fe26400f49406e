import { ANYWHERE, pods, tcp, type Flow } from "../contracts/flows";
import { ALWAYS, type OwnNamespace, type PartPlacement } from "../contracts/placement";
import { OPERATOR_NAMESPACES } from "../contracts/operators";
import { POD_PORTS, POSTGRES, REDIS } from "./facts";

/** A data store's namespace: out of the mesh (sidecars break Sentinel's pod-IP view and keep PGO's backup Jobs alive), egress restricted. */
const storeNamespace = (name: string): OwnNamespace => ({
    kind: "own",
    name,
    // PGO builds the instance, repo-host and backup pods, redis-operator the redis and sentinel pods (no seccomp
    // profile, no dropped capabilities): their securityContext is the operator's, not ours.
    podSecurity: "baseline",
    egress: "restricted",
    mesh: "none",
    ingress: "flows",
    createdWhen: ALWAYS,
});

export const POSTGRES_NAMESPACE = storeNamespace(POSTGRES.namespace);
export const REDIS_NAMESPACE = storeNamespace(REDIS.namespace);

/** PostgreSQL and Redis: reached by Shlink, their operators, Prometheus and their own peers; PostgreSQL also calls out. */
export const dataPlacement: PartPlacement = {
    namespaces: [POSTGRES_NAMESPACE, REDIS_NAMESPACE],
    flows: ({ peers, apiServer, offsiteBackupPort }): Flow[] => [
        { name: "shlink-to-postgres", from: peers.shlink, to: pods(POSTGRES.namespace), ports: tcp(POSTGRES.port), why: "Shlink's database" },
        { name: "shlink-to-redis", from: peers.shlink, to: pods(REDIS.namespace, { "app.kubernetes.io/component": "redis" }), ports: tcp(REDIS.port), why: "Shlink's cache and locks (the master, through our Service)" },
        { name: "postgres-peers", from: pods(POSTGRES.namespace), to: pods(POSTGRES.namespace), ports: tcp(POSTGRES.port, POD_PORTS.patroni, POD_PORTS.pgbackrest), why: "replication, Patroni between instances, pgBackRest to its repo host and back" },
        { name: "postgres-operator", from: pods(OPERATOR_NAMESPACES.postgresOperator), to: pods(POSTGRES.namespace), ports: tcp(POSTGRES.port, POD_PORTS.patroni), why: "PGO managing its clusters" },
        { name: "postgres-api-server", from: pods(POSTGRES.namespace), to: apiServer.peer, ports: tcp(...apiServer.ports), why: "Patroni keeps its leader lock in the Kubernetes API" },
        // An S3 endpoint is a DNS name whose addresses change: the port is all a NetworkPolicy can hold it to.
        ...(offsiteBackupPort === undefined
            ? []
            : [{ name: "postgres-to-offsite-backup", from: pods(POSTGRES.namespace), to: ANYWHERE, ports: tcp(offsiteBackupPort), why: "pgBackRest to the off-site bucket (repo2): WAL from the instances, backups and restores from PGO's Jobs" }]),
        { name: "redis-peers", from: pods(REDIS.namespace), to: pods(REDIS.namespace), ports: tcp(REDIS.port, POD_PORTS.sentinel), why: "replication, Sentinel watching Redis and each other" },
        { name: "redis-operator", from: pods(OPERATOR_NAMESPACES.redisOperator), to: pods(REDIS.namespace), ports: tcp(REDIS.port, POD_PORTS.sentinel), why: "redis-operator checking and configuring its failover" },
        { name: "scrape-postgres", from: peers.prometheus, to: pods(POSTGRES.namespace), ports: tcp(POD_PORTS.postgresExporter), why: "PGO's postgres_exporter" },
        { name: "scrape-redis", from: peers.prometheus, to: pods(REDIS.namespace), ports: tcp(POD_PORTS.redisExporter, POD_PORTS.sentinelExporter), why: "the redis and sentinel exporters" },
    ],
    doors: () => [],
};
