// The fault drills: how each one takes its part away, gives it back, and tells that it is healthy again.
import { SHLINK } from "../../components/apps/facts";
import { POSTGRES, REDIS } from "../../components/data/facts";
import { DRILLS } from "../shared/facts";
import type { DrillRepo } from "./catalog";
import type { DrillLab, PodInfo } from "./cluster";
import { primarySelector } from "../shared/postgres";

/** Ctrl-C while a drill waits: it restores, cleans up and exits 2. */
export class Interrupted extends Error {}

/** What the runner hands a drill: the lab, a poll that returns false on timeout (and throws on Ctrl-C), a wait. */
export interface DrillContext {
    lab: DrillLab;
    out(line: string): void;
    /** Asks `check` every few seconds until true (true) or `timeoutSeconds` (false), printing progress. */
    poll(check: () => Promise<boolean>, timeoutSeconds: number, what: string): Promise<boolean>;
    /** Waits `seconds`, printing progress; throws on Ctrl-C. */
    wait(seconds: number, what: string): Promise<void>;
    /** node-loss, etcd-member: the node the user asked for. */
    node?: string;
    /** backup-restore: the repository to back up into and restore from (`--repo`; local by default). */
    repo?: DrillRepo;
}

/**
 * What a drill will take away, known before it does: the runner keeps the load off `awayNodes`, and can undo an
 * injection that failed half-way (an SSH session dropped after k3s stopped) as well as a whole one.
 */
export interface Preparation {
    awayNodes: string[];
    undo?: {
        restore(): Promise<void>;
        /** What stays broken when `restore` fails, and the command that fixes it. */
        leftBroken: string;
    };
}

/** What an injection took away: the runner restores it on every path, then waits for the part to heal. */
export interface Fault {
    target: string;
    /** Seconds to keep it away before the restore (the node drills). */
    holdSeconds: number;
    /** A new primary/master/istiod is serving (undefined for drills without a promotion). */
    promoted?: () => Promise<boolean>;
    healthy: () => Promise<boolean>;
}

export interface FaultDrill {
    /** Throws, with the reason, when the drill cannot run in this lab; else what it will take away. */
    prepare(ctx: DrillContext): Promise<Preparation>;
    inject(ctx: DrillContext, prepared: Preparation): Promise<Fault>;
}

const nothingToUndo: Preparation = { awayNodes: [] };

/** The one ready pod `selector` matches; refuses (`missing`) when there is none. */
async function onePod(ctx: DrillContext, namespace: string, selector: string, missing: string): Promise<PodInfo> {
    const pods = (await ctx.lab.cluster.pods(namespace, selector)).filter((p) => p.ready);
    if (pods.length !== 1) {
        throw new Error(pods.length === 0 ? missing : `${pods.length} pods match ${selector} in ${namespace}; expected one`);
    }
    return pods[0];
}

const allReady = async (ctx: DrillContext, namespaces: readonly string[]): Promise<boolean> => (await ctx.lab.cluster.notReady(namespaces)).length === 0;

/** A drill that kills the one pod `selector` matches; healthy once another ready pod matches and all is ready. */
function killLeader(namespace: string, selector: string, missing: string, healthNamespaces: readonly string[]): FaultDrill {
    return {
        prepare: async (ctx) => {
            await onePod(ctx, namespace, selector, missing);
            return nothingToUndo;
        },
        inject: async (ctx) => {
            const victim = await onePod(ctx, namespace, selector, missing);
            await ctx.lab.cluster.deletePod(namespace, victim.name, DRILLS.killGraceSeconds);
            const promoted = async () => (await ctx.lab.cluster.pods(namespace, selector)).some((p) => p.ready && p.uid !== victim.uid);
            return {
                target: `pod ${namespace}/${victim.name} on ${victim.node ?? "?"}`,
                holdSeconds: 0,
                promoted,
                healthy: async () => (await promoted()) && (await allReady(ctx, healthNamespaces)),
            };
        },
    };
}

const readyPods = async (ctx: DrillContext, namespace: string, selector: string): Promise<PodInfo[]> =>
    (await ctx.lab.cluster.pods(namespace, selector)).filter((p) => p.ready);

/** Kills every Shlink pod in turn, each once the Deployment is whole again, so at most one is ever missing. */
const shlinkPods: FaultDrill = {
    prepare: async (ctx) => {
        const ready = await readyPods(ctx, DRILLS.shlinkPods.namespace, DRILLS.shlinkPods.selector);
        if (ready.length <= SHLINK.minAvailable) {
            throw new Error(`only ${ready.length} Shlink pods are ready: killing one would break the PodDisruptionBudget (${SHLINK.minAvailable})`);
        }
        return nothingToUndo;
    },
    inject: async (ctx) => {
        const { namespace, selector } = DRILLS.shlinkPods;
        const originals = await ctx.lab.cluster.pods(namespace, selector);
        const whole = async () => (await readyPods(ctx, namespace, selector)).length >= originals.length;
        for (const [i, pod] of originals.entries()) {
            if (i > 0 && !(await ctx.poll(whole, DRILLS.recoverySeconds, `${originals.length} ready Shlink pods`))) {
                break;
            }
            await ctx.lab.cluster.deletePod(namespace, pod.name, DRILLS.killGraceSeconds);
            ctx.out(`killed ${namespace}/${pod.name} (${i + 1}/${originals.length})`);
        }
        return {
            target: `pods ${originals.map((p) => p.name).join(", ")}`,
            holdSeconds: 0,
            healthy: async () => (await whole()) && (await allReady(ctx, [namespace])),
        };
    },
};

/** Kills every istiod pod at once: the sidecars and the gateway keep serving on the configuration they last received. */
const istiod: FaultDrill = {
    prepare: async (ctx) => {
        const { namespace, selector } = DRILLS.istiodPods;
        if ((await readyPods(ctx, namespace, selector)).length === 0) {
            throw new Error(`no ready istiod pod (${selector}) in ${namespace}: is the mesh up? kubectl -n ${namespace} get pods`);
        }
        return nothingToUndo;
    },
    inject: async (ctx) => {
        const { namespace, selector } = DRILLS.istiodPods;
        const victims = await ctx.lab.cluster.pods(namespace, selector);
        for (const pod of victims) {
            await ctx.lab.cluster.deletePod(namespace, pod.name, DRILLS.killGraceSeconds);
        }
        const fresh = async () => (await readyPods(ctx, namespace, selector)).filter((p) => !victims.some((v) => v.uid === p.uid));
        return {
            target: `every istiod pod: ${victims.map((p) => `${namespace}/${p.name}`).join(", ")}`,
            holdSeconds: 0,
            promoted: async () => (await fresh()).length > 0,
            healthy: async () => (await fresh()).length >= victims.length && (await allReady(ctx, [namespace])),
        };
    },
};

/** Kills one of the ingress gateway's pods: the other one keeps serving every door. */
const ingressGateway: FaultDrill = {
    prepare: async (ctx) => {
        const { namespace, selector } = DRILLS.gatewayPods;
        const ready = await readyPods(ctx, namespace, selector);
        if (ready.length < 2) {
            throw new Error(
                `only ${ready.length} ready ingress gateway pod(s) (${selector}) in ${namespace}: killing one would take the lab's front door away`,
            );
        }
        return nothingToUndo;
    },
    inject: async (ctx) => {
        const { namespace, selector } = DRILLS.gatewayPods;
        const before = await readyPods(ctx, namespace, selector);
        const victim = before[0];
        await ctx.lab.cluster.deletePod(namespace, victim.name, DRILLS.killGraceSeconds);
        return {
            target: `pod ${namespace}/${victim.name} on ${victim.node ?? "?"} (one of ${before.length} gateway pods)`,
            holdSeconds: 0,
            healthy: async () => (await readyPods(ctx, namespace, selector)).length >= before.length && (await allReady(ctx, [namespace])),
        };
    },
};

/** A node drill: takes one K3s server away over SSH (`how`), gives it back with `systemctl start k3s` after the hold. */
function nodeDrill(how: "stop" | "stopService"): FaultDrill {
    return {
        prepare: async (ctx) => {
            const node = await pickNode(ctx);
            return {
                awayNodes: [node],
                undo: {
                    restore: () => ctx.lab.nodes.start(node),
                    leftBroken: `k3s is stopped on ${node}: start it with \`${ctx.lab.nodes.startByHand(node)}\`, then check \`kubectl get nodes\``,
                },
            };
        },
        inject: async (ctx, prepared) => {
            const [node] = prepared.awayNodes;
            await (how === "stop" ? ctx.lab.nodes.stop(node) : ctx.lab.nodes.stopService(node));
            const nodeReady = async () => (await ctx.lab.cluster.nodes()).some((n) => n.name === node && n.ready);
            return {
                target: how === "stop" ? `node ${node}` : `k3s (etcd member, API server, kubelet) on ${node}, its containers left running`,
                holdSeconds: DRILLS.nodeAwaySeconds,
                healthy: async () => (await nodeReady()) && (await allReady(ctx, DRILLS.healthNamespaces)),
            };
        },
    };
}

/**
 * The node to take away: the one asked for, else a server that runs neither the PostgreSQL primary nor the
 * Redis master (their loss has its own drill; this one measures the node). Every node must be Ready.
 */
export async function pickNode(ctx: DrillContext): Promise<string> {
    const nodes = await ctx.lab.cluster.nodes();
    const notReady = nodes.filter((n) => !n.ready).map((n) => n.name);
    if (notReady.length > 0) {
        throw new Error(`node(s) not Ready: ${notReady.join(", ")}`);
    }
    const candidates = ctx.lab.nodes.candidates().filter((c) => nodes.some((n) => n.name === c));
    if (candidates.length === 0) {
        throw new Error("no server to take away: node-loss needs the lab's own K3s servers (the nodeAddresses output of a Proxmox stack)");
    }
    if (ctx.node !== undefined) {
        if (!candidates.includes(ctx.node)) {
            throw new Error(`--node ${ctx.node}: not one of ${candidates.join(", ")} (the server your kubeconfig talks to cannot be taken away)`);
        }
        return ctx.node;
    }
    const leaders = [
        ...(await ctx.lab.cluster.pods(POSTGRES.namespace, primarySelector(POSTGRES.clusterName))),
        ...(await ctx.lab.cluster.pods(DRILLS.redisMaster.namespace, DRILLS.redisMaster.selector)),
    ].map((p) => p.node);
    const quiet = candidates.find((c) => !leaders.includes(c));
    const chosen = quiet ?? candidates[0];
    if (chosen === undefined) {
        throw new Error("no K3s server can be taken away: the only one is the server your kubeconfig talks to");
    }
    return chosen;
}

export const FAULT_DRILLS = {
    "postgres-primary": killLeader(
        POSTGRES.namespace,
        primarySelector(POSTGRES.clusterName),
        `no ready primary pod of ${POSTGRES.clusterName} in ${POSTGRES.namespace}`,
        DRILLS.healthNamespaces,
    ),
    "redis-master": killLeader(
        DRILLS.redisMaster.namespace,
        DRILLS.redisMaster.selector,
        `no ready master pod of ${REDIS.name} in ${REDIS.namespace}`,
        DRILLS.healthNamespaces,
    ),
    "shlink-pod": shlinkPods,
    "vault-pod": killLeader(
        DRILLS.vaultActive.namespace,
        DRILLS.vaultActive.selector,
        "no active OpenBao pod (app.kubernetes.io/name=openbao, openbao-active=true) in namespace vault: is Vault up? kubectl -n vault get pods",
        [DRILLS.vaultActive.namespace, ...DRILLS.healthNamespaces],
    ),
    "node-loss": nodeDrill("stop"),
    istiod,
    "ingress-gateway": ingressGateway,
    "etcd-member": nodeDrill("stopService"),
} as const satisfies Record<string, FaultDrill>;
