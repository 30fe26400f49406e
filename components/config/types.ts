import type * as pulumi from "@pulumi/pulumi";
import type { ShlinkRateLimits } from "../contracts/rateLimits";

/** One K3s server VM, after defaults are applied. */
export interface NodeSpec {
    name: string;
    ip: string;
    cores: number;
    memoryMiB: number;
    diskGiB: number;
    /** The Proxmox node the VM runs on. */
    proxmoxNode: string;
    /** Fixed Proxmox VM ID; Proxmox picks the next free one when unset. */
    vmId?: number;
}

/** What the platform layers assume of the cluster they run on, in either mode. */
export interface PlatformTarget {
    /** StorageClass of every volume (homelab:storageClass; K3s ships local-path). */
    storageClass: string;
    /** Address every URL names: the first node in Proxmox mode, homelab:publicAddress on an existing cluster. */
    publicAddress: string;
    /** Schedulable nodes: the budget's N-1 check and the node exporters. */
    nodeCount: number;
    /** Istio's CNI platform profile: "k3s" on our K3s, homelab:istioCniPlatform on another cluster (unset: the chart's paths). */
    cniPlatform?: string;
}

/** The settings of the layers above the cluster, in either mode. */
export interface PlatformSettings {
    platform: PlatformConfig;
    mesh: MeshConfig;
    gitops: GitopsConfig;
    target: PlatformTarget;
    /** The off-site pgBackRest repository (repo2); undefined when off (homelab:offsiteBackup* unset). */
    offsiteBackup?: OffsiteBackupConfig;
}

/** A stack on an existing cluster (homelab:kubeconfig): no Proxmox, no SSH, no K3s of ours. */
export type ClusterModeConfig = PlatformSettings;

/** Either mode's checked config, told apart by `mode`. */
export type StackConfig = ({ mode: "proxmox" } & PlainConfig) | ({ mode: "cluster" } & ClusterModeConfig);

/** Everything the config loader checked for a Proxmox-mode stack, with plain values only (secrets travel separately). */
export interface PlainConfig extends PlatformSettings {
    proxmox: { endpoint: string; insecure: boolean };
    network: NetworkConfig;
    image: { url: string; sha256: string; fileName: string; datastore: string };
    vmDatastore: string;
    nodes: NodeSpec[];
    k3s: K3sConfig;
    ssh: SshConfig;
    host: HostConfig;
}

/** Argo CD, and the user's repo its root Application syncs. */
export interface GitopsConfig {
    /** Install Argo CD (homelab:argocd); false creates nothing of it. */
    argocd: boolean;
    /** The user's repo (homelab:gitopsRepoUrl, path, revision); unset, no root Application. */
    repo?: { repoUrl: string; path: string; revision: string };
}

export interface NetworkConfig {
    subnet: string;
    prefixLength: number;
    gateway: string;
    dnsServers: string[];
    bridge: string;
    /** homelab:vip: the API server's address, held by kube-vip on whichever server leads; set with servicesVip. */
    vip?: string;
    /** homelab:servicesVip: every LoadBalancer Service's address (every URL of the lab). */
    servicesVip?: string;
}

export interface K3sConfig {
    version: string;
    readyTimeoutSeconds: number;
    /** Pull-through mirror for Docker Hub images; undefined pulls from Docker Hub directly. */
    dockerHubMirror: string | undefined;
    /** Docker Hub account for authenticated pulls (its token is in `secrets.dockerHubToken`). */
    dockerHubUsername?: string;
}

export interface SshConfig {
    user: string;
    publicKey: string;
    /** How long each SSH step keeps retrying to connect (a VM's first boot included). */
    connectTimeoutSeconds: number;
}

/** The size of each Proxmox host, for the overcommit preflight. */
export interface HostConfig {
    memoryGiB: number;
    threads: number;
    reservedMemoryGiB: number;
}

/** The URLs' ports (each a port of the ingress gateway's LoadBalancer), their host name, the mesh and observability settings. */
export interface MeshConfig {
    ports: {
        shlink: number;
        shlinkHttps: number;
        grafana: number;
        jaeger: number;
        kiali: number;
        alertmanager: number;
        argocd: number;
        argocdHttps: number;
        vault: number;
    };
    /** homelab:domain: the DNS name every URL uses instead of the lab's address (the certificate names both). */
    domain?: string;
    /** Share of requests traced, 0-100. */
    tracingSamplingPercent: number;
    kialiAuth: "anonymous" | "token";
    prometheusRetentionDays: number;
    smokeCheckTimeoutSeconds: number;
    /** Shlink's limits at the ingress gateway, per gateway pod. */
    rateLimits: ShlinkRateLimits;
}

/** Sizes of the data layer and Shlink that a user may tune. */
export interface PlatformConfig {
    /** Shlink pods, spread over the nodes. */
    shlinkReplicas: number;
    /** Size of each PostgreSQL instance's data volume. */
    postgresVolumeGiB: number;
    /** Size of the pgBackRest repository volume. */
    postgresBackupVolumeGiB: number;
    /** Full backups pgBackRest keeps (with the differential backups that depend on them). */
    postgresBackupRetentionFull: number;
    /** Size of each Redis pod's volume. */
    redisVolumeGiB: number;
    /** Which Redis password is current: raising it by one rotates the password without breaking Shlink. */
    redisPasswordGeneration: number;
}

/** The off-site pgBackRest repository: an S3-compatible bucket, its schedules and retention, and a restore on create. */
export interface OffsiteBackupConfig {
    /** The store's host name (with `:port` when not 443), e.g. s3.eu-central-003.backblazeb2.com. */
    endpoint: string;
    bucket: string;
    region: string;
    /** Absolute path in the bucket (pgBackRest `repo2-path`). */
    path: string;
    /** `host`: bucket.endpoint (AWS, B2); `path`: endpoint/bucket (MinIO, Garage). */
    uriStyle: "host" | "path";
    /** Cron schedules (UTC) of repo2's own backups. */
    schedules: { full: string; differential: string };
    /** Full backups kept in repo2 (type count), with the differentials that depend on them. */
    retentionFull: number;
    /** homelab:offsiteRestore: the PostgresCluster is created from repo2 (PGO's cloud data source). */
    restore?: OffsiteRestore;
}

/** Where a restore from repo2 stops: every WAL segment in the bucket, or a point in time (with its UTC offset). */
export type OffsiteRestore = { kind: "latest" } | { kind: "time"; time: string };

/** The off-site repository's credentials (homelab:offsiteBackupAccessKey, SecretKey) and an inherited cipher key. */
export interface OffsiteBackupSecrets {
    accessKey: pulumi.Output<string>;
    secretKey: pulumi.Output<string>;
    /** homelab:offsiteBackupCipherKey: the old lab's key, for a new stack reading its repository; unset, one is generated. */
    cipherKey?: pulumi.Output<string>;
}

/** Secrets of either mode. */
interface CommonSecrets {
    /** Where Alertmanager sends alerts (ntfy or any endpoint taking its webhook JSON); unset: UI only. */
    alertWebhookUrl?: pulumi.Output<string>;
    /** Set exactly when `offsiteBackup` is. */
    offsiteBackup?: OffsiteBackupSecrets;
    /** homelab:shlinkApiKey: the old lab's Shlink API key, for a lab restored from its backups. */
    shlinkApiKey?: pulumi.Output<string>;
}

/** A checked config with its secrets: Proxmox mode or cluster mode. */
export type HomelabConfig = ProxmoxHomelabConfig | ClusterHomelabConfig;

export interface ClusterHomelabConfig extends ClusterModeConfig {
    mode: "cluster";
    secrets: CommonSecrets & {
        /** The existing cluster's kubeconfig: every Kubernetes object goes through a provider built from it. */
        kubeconfig: pulumi.Output<string>;
    };
}

export interface ProxmoxHomelabConfig extends PlainConfig {
    mode: "proxmox";
    secrets: CommonSecrets & {
        proxmoxApiToken: pulumi.Output<string>;
        sshPrivateKey: pulumi.Output<string>;
        /** Docker Hub access token, set together with `k3s.dockerHubUsername`. */
        dockerHubToken?: pulumi.Output<string>;
    };
}

/** Raw config as read: every value is a string (or parsed JSON for objects) or undefined. */
export interface RawConfig {
    homelab: Record<string, unknown>;
    proxmoxve: Record<string, unknown>;
}

/** One section's result: its typed slice (undefined when a value is unusable) and the problems found. */
export interface Checked<T> {
    value?: T;
    problems: string[];
    /** What the loader took the liberty to normalise, for the user to see. */
    notes?: string[];
}

/**
 * Whether the platform fits the nodes with one drained: planned above the loader (stacks/capacity.ts sums what
 * every part requests), handed to it, so parsing config imports no part and still refuses a platform that
 * cannot fit before any resource exists.
 */
export interface CapacityPlan {
    /**
     * Proxmox mode: what is missing on VMs that cannot hold the platform with one of them drained (none: it fits);
     * `offsiteBackup`: the off-site repository is on (its backup Jobs count).
     */
    drainedProblems(nodes: NodeSpec[], platform: PlatformConfig, gitops: Pick<GitopsConfig, "argocd">, offsiteBackup?: boolean): string[];
    /** Cluster mode, where node sizes are unknown: what the other nodes must leave free, as a note. */
    drainedNote(nodeCount: number, platform: PlatformConfig, gitops: Pick<GitopsConfig, "argocd">, offsiteBackup?: boolean): string;
}
