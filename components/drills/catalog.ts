// The drills as data: what each takes away, what it proves, what upstream defaults let us expect. Offline:
// `npm run drill -- --list` prints this without the stack or the cluster.
import { DRILLS, POSTGRES, REDIS, SHLINK } from "../defaults";

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
        expected: "the node turns NotReady after ~40 s (node-monitor-grace-period); pods on local-path volumes wait for it; failures only for requests in flight on its pods",
    },
    "backup-restore": {
        description: `take a pgBackRest backup, restore it into a scratch PostgresCluster (${DRILLS.scratchCluster}), compare, delete it; --repo offsite: through the off-site bucket (repo2)`,
        proves: "the backups restore: the restored database holds as many short URLs as the live one",
        expected: "equal counts; backup and restore take minutes on a small database",
    },
} as const satisfies Record<string, DrillInfo>;

export type DrillName = keyof typeof DRILL_CATALOG;

export const DRILL_USAGE = "usage: npm run drill -- <drill> [--node <name>] [--repo local|offsite] | --list";

/** backup-restore's repositories: `--repo offsite` backs up into the off-site bucket (repo2) and restores from it. */
export const DRILL_REPO_OPTIONS = ["local", "offsite"] as const;
export type DrillRepo = (typeof DRILL_REPO_OPTIONS)[number];

export function drillListText(): string[] {
    return [
        "drills:",
        ...Object.entries(DRILL_CATALOG).flatMap(([name, d]) => [`  ${name.padEnd(16)} ${d.description}`, `  ${"".padEnd(16)} proves: ${d.proves}`]),
        `verdict: PASS when the part is healthy again within ${DRILLS.recoverySeconds} s and the event spent at most ` +
            `${DRILLS.maxBudgetShare * 100} % of the month's error budget (99.5 % over ${DRILLS.sloWindowDays} days)`,
    ];
}

export type DrillCommand = { kind: "list" } | { kind: "help" } | { kind: "run"; drill: DrillName; node?: string; repo?: DrillRepo };

export function parseDrillArgs(argv: string[]): DrillCommand {
    if (argv.includes("--help") || argv.includes("-h")) {
        return { kind: "help" };
    }
    if (argv.length === 1 && argv[0] === "--list") {
        return { kind: "list" };
    }
    const [drill, ...rest] = argv;
    if (drill === undefined || !(drill in DRILL_CATALOG)) {
        throw new Error(`unknown drill ${JSON.stringify(drill ?? "")}; ${DRILL_USAGE}`);
    }
    if (rest.length === 0) {
        return { kind: "run", drill: drill as DrillName };
    }
    if (drill === "node-loss" && rest.length === 2 && rest[0] === "--node" && rest[1] !== "") {
        return { kind: "run", drill, node: rest[1] };
    }
    if (drill === "backup-restore" && rest.length === 2 && rest[0] === "--repo" && (DRILL_REPO_OPTIONS as readonly string[]).includes(rest[1])) {
        return { kind: "run", drill, repo: rest[1] as DrillRepo };
    }
    throw new Error(DRILL_USAGE);
}
