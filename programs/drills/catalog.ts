// The drills as data: what each takes away, what it proves, what upstream defaults let us expect. Offline:
// `npm run drill -- --list` prints this without the stack or the cluster.
import { SHLINK } from "../../components/apps/facts";
import { POSTGRES, REDIS } from "../../components/data/facts";
import { ISTIO } from "../../components/mesh/facts";
import { DRILLS } from "../shared/facts";

export interface DrillInfo {
    /** What the drill takes away and how. */
    description: string;
    /** The promise it checks. */
    proves: string;
    /** What upstream defaults let us expect (a real lab's numbers are in its report). */
    expected: string;
    /** Whether it runs under load (backup-restore does not: its counts must match exactly). */
}

export const DRILL_CATALOG = {
    "postgres-primary": {
        description: `kill the PGO primary pod of ${POSTGRES.clusterName} (no grace period: a crash)`,
        proves: "Patroni promotes a replica, the primary Service follows it, Shlink reconnects",
        expected: "a new primary within about Patroni's 30 s leader lease (ttl); failed requests only inside that window",
    },
    "redis-master": {
        description: `kill the master pod of ${REDIS.name} (no grace period, so its preStop cannot hand over)`,
        proves: "Sentinel promotes a replica, the operator moves the role label, our master Service follows it",
        expected: "promotion about 5.4 s after the kill (down-after-milliseconds 5000 + election); the label moves on the operator's next resync (≤ 30 s)",
    },
    "shlink-pod": {
        description: `kill the ${SHLINK.name} pods one after another, each time down to the PodDisruptionBudget (${SHLINK.minAvailable})`,
        proves: "the remaining replicas serve while one is gone; the gateway stops routing to a dead pod",
        expected: "no or a handful of failed requests per kill (connections in flight on the killed pod)",
    },
    "vault-pod": {
        description: `kill the active OpenBao pod in ${DRILLS.vaultActive.namespace}`,
        proves: "a standby takes over as active, the killed pod comes back unsealed (HA Raft)",
        expected: "Shlink does not read Vault per request: no failed requests; a new active pod within seconds",
    },
    "node-loss": {
        description: `stop k3s and every container on one K3s server over SSH (k3s-killall.sh) for ${DRILLS.nodeAwaySeconds} s, then start k3s`,
        proves: "one server lost: etcd keeps quorum, Shlink keeps serving from the other nodes, the node and its pods come back",
        expected:
            "the node turns NotReady after node-monitor-grace-period (40 s; 50 s from Kubernetes 1.32); until then its pods stay in the " +
            "endpoints and requests routed to them fail; pods on local-path volumes wait for the node",
    },
    istiod: {
        description: `kill every istiod pod in ${ISTIO.namespace} at once (${ISTIO.istiodReplicas} replicas, no grace period)`,
        proves: "the data plane runs without its control plane: every sidecar and the gateway keep serving on the configuration they last received",
        expected:
            "no failed request; the Deployment starts new istiod pods and the proxies reconnect within about a minute; the chart's " +
            "PodDisruptionBudget (minAvailable 1) guards evictions, not deletes, so it does not stop this drill",
    },
    "ingress-gateway": {
        description: `kill one of the ${ISTIO.gatewayReplicas} ingress gateway pods in ${ISTIO.gatewayNamespace} (no grace period)`,
        proves: "the other gateway pod serves every door while the Deployment replaces the lost one",
        expected:
            "a handful of failed requests: those on keep-alive connections to the killed pod (no drain at grace 0; the gateway chart sets " +
            "no PodDisruptionBudget at these values); a new pod ready within seconds",
    },
    "etcd-member": {
        description: `stop the k3s service on one K3s server over SSH (systemctl stop k3s) for ${DRILLS.nodeAwaySeconds} s, leaving its containers running; then start it`,
        proves: "one etcd member, API server and kubelet lost while the VM and its pods live on: etcd keeps quorum (2 of 3), the API answers from the other servers",
        expected:
            "no failed request (the containers keep running); the node turns NotReady after node-monitor-grace-period and its pods leave " +
            "the endpoints (capacity, not errors); no eviction within the 300 s not-ready toleration; Ready again seconds after k3s starts",
    },
    "backup-restore": {
        description: `take a pgBackRest backup, restore it into a scratch PostgresCluster (${DRILLS.scratchCluster}), compare, delete it; --repo offsite: through the off-site bucket (repo2)`,
        proves: "the backups restore: the restored database holds as many short URLs as the live one",
        expected: "equal counts; backup and restore take minutes on a small database",
    },
} as const satisfies Record<string, DrillInfo>;

export type DrillName = keyof typeof DRILL_CATALOG;

export const DRILL_USAGE = "usage: npm run drill -- <drill> [--node <name>] [--repo local|offsite] | --all | --list";

/** Drills that take a node away and accept --node. */
const NODE_DRILLS: readonly DrillName[] = ["node-loss", "etcd-member"];

/** backup-restore's repositories: `--repo offsite` backs up into the off-site bucket (repo2) and restores from it. */
export const DRILL_REPO_OPTIONS = ["local", "offsite"] as const;
export type DrillRepo = (typeof DRILL_REPO_OPTIONS)[number];

export function drillListText(): string[] {
    return [
        "drills:",
        ...Object.entries(DRILL_CATALOG).flatMap(([name, d]) => [`  ${name.padEnd(16)} ${d.description}`, `  ${"".padEnd(16)} proves: ${d.proves}`]),
        `verdict: PASS when the part is healthy again within ${DRILLS.recoverySeconds} s and the event spent at most ` +
            `${DRILLS.maxBudgetShare * 100} % of the month's error budget (99.5 % over ${DRILLS.sloWindowDays} days); ` +
            "INCONCLUSIVE (exit 3) when the load cannot vouch for the fault window",
        `--all: every drill in this order, the lab healthy between them: ${DRILLS.gameDayOrder.join(", ")}`,
    ];
}

export type DrillCommand = { kind: "list" } | { kind: "help" } | { kind: "all" } | { kind: "run"; drill: DrillName; node?: string; repo?: DrillRepo };

export function parseDrillArgs(argv: string[]): DrillCommand {
    if (argv.includes("--help") || argv.includes("-h")) {
        return { kind: "help" };
    }
    if (argv.length === 1 && argv[0] === "--list") {
        return { kind: "list" };
    }
    if (argv.length === 1 && argv[0] === "--all") {
        return { kind: "all" };
    }
    const [drill, ...rest] = argv;
    if (drill === undefined || !(drill in DRILL_CATALOG)) {
        throw new Error(`unknown drill ${JSON.stringify(drill ?? "")}; ${DRILL_USAGE}`);
    }
    if (rest.length === 0) {
        return { kind: "run", drill: drill as DrillName };
    }
    if (NODE_DRILLS.includes(drill as DrillName) && rest.length === 2 && rest[0] === "--node" && rest[1] !== "") {
        return { kind: "run", drill: drill as DrillName, node: rest[1] };
    }
    if (drill === "backup-restore" && rest.length === 2 && rest[0] === "--repo" && (DRILL_REPO_OPTIONS as readonly string[]).includes(rest[1])) {
        return { kind: "run", drill, repo: rest[1] as DrillRepo };
    }
    const why =
        rest[0] === "--repo"
            ? drill !== "backup-restore"
                ? `--repo is for backup-restore only, not ${drill}`
                : `--repo takes ${DRILL_REPO_OPTIONS.join(" or ")}`
            : rest[0] !== "--node"
              ? `unexpected argument ${JSON.stringify(rest[0])}`
              : !NODE_DRILLS.includes(drill as DrillName)
                ? `--node is for ${NODE_DRILLS.join(" and ")} only, not ${drill}`
                : "--node needs one node name";
    throw new Error(`${why}; ${DRILL_USAGE}`);
}
