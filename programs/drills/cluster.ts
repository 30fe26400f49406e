// What a drill does to the lab, as interfaces: tests drive the runner with stand-ins, kube.ts and ssh.ts are the real ones.
import type { LoadCluster } from "../shared/kube";
import type { LoadTarget } from "../../components/load/manifests";
import type { DrillLease } from "../shared/lease";
import type { DataVolume, ScratchPostgresCluster } from "./objects";

export interface PodInfo {
    name: string;
    uid: string;
    node: string | undefined;
    ready: boolean;
}

export interface NodeInfo {
    name: string;
    ready: boolean;
}

/** The status fields of a PostgresCluster a drill reads (PGO v6.0.3 CRD `status`). */
export interface PostgresClusterStatus {
    instances?: { name: string; readyReplicas?: number; replicas?: number }[];
    pgbackrest?: {
        manualBackup?: { id: string; finished: boolean; succeeded?: number; failed?: number };
        /** Each repository PGO has set up (`stanzaCreated` once pgBackRest's stanza exists in it). */
        repos?: { name: string; stanzaCreated?: boolean }[];
    };
}

export interface DrillCluster {
    /** The load machinery's side (TestRuns and their runner logs). */
    load: LoadCluster;
    /** Deployments and StatefulSets in `namespaces` that are not fully ready, as "kind namespace/name ready/wanted". */
    notReady(namespaces: readonly string[]): Promise<string[]>;
    /** Takes the lock: creates the Lease, or replaces one that lapsed. Returns the other holder's lease when held. */
    lock(lease: DrillLease, now: number): Promise<DrillLease | undefined>;
    /** Releases the lock if `holder` still holds it. */
    unlock(holder: string): Promise<void>;
    pods(namespace: string, selector: string): Promise<PodInfo[]>;
    deletePod(namespace: string, name: string, graceSeconds: number): Promise<void>;
    nodes(): Promise<NodeInfo[]>;
    /** Merge-patches the PostgresCluster (the backup annotation). */
    patchPostgresCluster(namespace: string, name: string, patch: object): Promise<void>;
    /** The PostgresCluster's status; null when it does not exist. */
    postgresCluster(namespace: string, name: string): Promise<PostgresClusterStatus | null>;
    createPostgresCluster(cluster: ScratchPostgresCluster): Promise<void>;
    /** The data volume of a PostgresCluster's first instance set (StorageClass and size), to restore into its like. */
    postgresVolume(namespace: string, name: string): Promise<DataVolume>;
    /** Deletes it; one already gone is not an error. */
    deletePostgresCluster(namespace: string, name: string): Promise<void>;
    /** Runs `command` in a container (the exec API) and returns its stdout; a non-zero exit is an error. */
    exec(namespace: string, pod: string, container: string, command: string[]): Promise<string>;
    /** The API server's clock: the `Date` header of one response (ms since the epoch, whole seconds). */
    serverTime(): Promise<number>;
}

/** Takes a K3s server away and gives it back (ssh.ts: over SSH with the stack's key). */
export interface NodeControl {
    /** Node names this control can reach, without the one the kubeconfig talks to. */
    candidates(): string[];
    /** Stops k3s and kills every container on it (k3s-killall.sh): the node is lost. */
    stop(node: string): Promise<void>;
    /** Stops the k3s service only (its etcd member, API server and kubelet); K3s leaves the containers running. */
    stopService(node: string): Promise<void>;
    start(node: string): Promise<void>;
    /** The command a person runs to start k3s on `node` again, when the drill could not. */
    startByHand(node: string): string;
}

/** Marks the fault window on the dashboards (Grafana's annotation API). */
export type Annotate = (text: string, from: number, to: number, tags: string[]) => Promise<void>;

export interface DrillLab {
    target: LoadTarget;
    cluster: DrillCluster;
    nodes: NodeControl;
    annotate: Annotate | undefined;
}

/** What `npm run drill` gets from its entry script: the lab, the clock, the output, Ctrl-C. */
export interface DrillDeps {
    /** Reads the stack outputs and builds the clients (not called for --list). */
    connect(): Promise<DrillLab>;
    out(line: string): void;
    now(): number;
    /** Resolves after `ms`, or early when `signal` aborts. */
    sleep(ms: number, signal: AbortSignal): Promise<void>;
    /** Aborted on Ctrl-C. */
    signal: AbortSignal;
    /** Who holds the lock (user@host), shown to anyone refused by it. */
    holder: string;
    /** Writes a report file (the path is under reports/). */
    write(path: string, text: string): void;
}
