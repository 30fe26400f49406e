// What the drill and verify programs share of the drills: what `npm run drill` injects into, waits for, judges against.
import { SHLINK } from "../../components/apps/facts";
import { POSTGRES, REDIS } from "../../components/data/facts";
import { K6 } from "../../components/load/facts";
import { ISTIO } from "../../components/mesh/facts";

/** What `npm run drill` injects into, waits for and judges against. */
export const DRILLS = {
    /** One drill at a time: a coordination.k8s.io Lease; a lock older than its expiry is taken over. */
    lock: { namespace: K6.namespace, name: "drill-lock", leaseSeconds: 3600 },
    /** Every Deployment and StatefulSet here must be ready before a drill starts and after it ends. */
    healthNamespaces: [SHLINK.namespace, POSTGRES.namespace, REDIS.namespace],
    /** The steady load each drill runs under (a scenario of components/load/scenarios/catalog.ts). */
    scenario: "baseline",
    /** Seconds of load without a failed request before the fault is injected. */
    steadySeconds: 30,
    /** Longest wait for the load to become steady (image pull and seeding included). */
    steadyTimeoutSeconds: 300,
    pollSeconds: 2,
    /** Longest wait for the failed part to be healthy again; past it the drill fails (and still restores). */
    recoverySeconds: 600,
    /** Load kept running after recovery, so late failures are still seen. */
    tailSeconds: 30,
    /** How long node-loss keeps a K3s server away. */
    nodeAwaySeconds: 120,
    /** The share of a month's error budget one drill may spend and still pass: 1 % is ~2 min of total outage. */
    maxBudgetShare: 0.01,
    /** The SLO window the budget is counted over. */
    sloWindowDays: 30,
    /** Pods killed with no grace period: a crash, not a polite handover (redis' preStop would fail over first). */
    killGraceSeconds: 0,
    /** The master redis pod; the operator moves the label to the promoted one. */
    redisMaster: { namespace: REDIS.namespace, selector: `app.kubernetes.io/name=${REDIS.name},app.kubernetes.io/component=redis,redisfailovers-role=master` },
    shlinkPods: { namespace: SHLINK.namespace, selector: `app.kubernetes.io/name=${SHLINK.name}` },
    /** The active OpenBao pod (the chart's service-registration labels). */
    vaultActive: { namespace: "vault", selector: "app.kubernetes.io/name=openbao,openbao-active=true" },
    /** The PostgresCluster backup-restore restores into, and deletes. */
    scratchCluster: "drill-restore",
    /** Shlink 4.6's table of short URLs (Doctrine mapping ShortUrl). */
    shortUrlsTable: "short_urls",
    /** node-loss over SSH: K3s' own script stops k3s and kills every container; systemd brings it back. */
    nodeStop: "sudo /usr/local/bin/k3s-killall.sh",
    nodeStart: "sudo systemctl start k3s",
    reportsDir: "reports",
    /** etcd-member over SSH: stops the k3s service only; K3s leaves its containers running when it stops. */
    nodeStopService: "sudo systemctl stop k3s",
    /** The load generator must beat at least this often through the fault window, or the verdict is INCONCLUSIVE. */
    heartbeatGapSeconds: 5,
    /** Requests sent + dropped may differ from the schedule's plan by this share (or plannedSlack requests) at most. */
    plannedTolerance: 0.05,
    plannedSlack: 5,
    /** A progress line at least this often while a drill waits. */
    progressSeconds: 10,
    /** Longest wait for one Kubernetes API call (the exec of psql: execSeconds) before the drill gives up on it. */
    /** The pinned Pulumi CLI's `config get` (the node drills' SSH key): it decrypts locally, so seconds. */
    cliTimeoutSeconds: 60,
    apiTimeoutSeconds: 30,
    execTimeoutSeconds: 120,
    /** Longest wait for one SSH command (stopping k3s takes seconds; its container kills, tens). */
    sshTimeoutSeconds: 120,
    /** The istiod pods (the istiod chart's `istio: pilot` label, as the network flows select them) and the ingress gateway's. */
    istiodPods: { namespace: ISTIO.namespace, selector: "istio=pilot" },
    gatewayPods: { namespace: ISTIO.gatewayNamespace, selector: `istio=${ISTIO.gatewayLabel}` },
    /** `npm run drill -- --all`: from the least to the most disruptive; backups proven first, before anything breaks. */
    gameDayOrder: ["backup-restore", "shlink-pod", "ingress-gateway", "istiod", "vault-pod", "redis-master", "postgres-primary", "etcd-member", "node-loss"],
} as const;
