// The config keys' defaults and the patterns and limits the loader checks them against. Pulumi.yaml repeats the
// scalar defaults for `pulumi config` users and tests/config/pulumi-yaml.test.ts keeps the two equal.
import { K3S_VERSION, SSH_PORT, STORAGE_CLASS } from "../defaults";

/** A K3s release tag: `v1.34.9+k3s1`, or a pre-release such as `v1.35.0-rc1+k3s1`. */
export const K3S_VERSION_PATTERN = /^v1\.\d+\.\d+(-[0-9A-Za-z.]+)?\+k3s\d+$/;

/** A DNS label (RFC 1123): node names, Proxmox node names and Kubernetes object names. */
export const DNS_LABEL_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Ubuntu 24.04 (noble) cloud image, pinned to a dated release with its published SHA-256, so every rebuild
 * boots the same bits. Dated releases move to Canonical's archive bucket, whose own host answers only plain
 * http (https resets); the bucket's S3 REST endpoint serves the same files over https.
 */
export const UBUNTU_IMAGE = {
    // renovate: datasource=custom.ubuntu-cloud-images depName=ubuntu-24.04-cloud-image
    url: "https://s3.us-east-1.amazonaws.com/cloud-images-archive.ubuntu.com/releases/noble/release-20250516/ubuntu-24.04-server-cloudimg-amd64.img",
    // renovate: datasource=custom.ubuntu-cloud-images depName=ubuntu-24.04-cloud-image
    sha256: "8d6161defd323d24d66f85dda40e64e2b9021aefa4ca879dcbc4ec775ad1bbc5",
    // Proxmox's `import` content type only accepts known disk extensions; the .img is a qcow2.
    // renovate: datasource=custom.ubuntu-cloud-images depName=ubuntu-24.04-cloud-image
    fileName: "ubuntu-24.04-server-cloudimg-amd64-20250516.qcow2",
} as const;

/**
 * Scalar defaults of the `homelab:*` config keys (Pulumi.yaml declares the same values). The LAN and the
 * Proxmox node have none: homelab:subnet and homelab:proxmoxNode are required, homelab:gateway defaults
 * to the subnet's first host and homelab:dnsServers to the gateway.
 */
export const CONFIG_DEFAULTS = {
    vmDatastore: "local-lvm",
    imageDatastore: "local",
    bridge: "vmbr0",
    vmCores: 4,
    vmMemoryMiB: 10240,
    vmDiskGiB: 100,
    imageUrl: UBUNTU_IMAGE.url,
    imageSha256: UBUNTU_IMAGE.sha256,
    imageFileName: UBUNTU_IMAGE.fileName,
    k3sVersion: K3S_VERSION,
    sshUser: "ubuntu",
    sshConnectTimeoutSeconds: 600,
    nodeReadyTimeoutSeconds: 600,
    // Google's pull-through cache of Docker Hub: no anonymous pull limit ("none" pulls from Docker Hub).
    registryMirror: "https://mirror.gcr.io",
    hostMemoryGiB: 64,
    hostThreads: 16,
    hostReservedMemoryGiB: 4,
    shlinkReplicas: 3,
    postgresVolumeGiB: 20,
    postgresBackupVolumeGiB: 20,
    postgresBackupRetentionFull: 2,
    redisVolumeGiB: 8,
    // Raised by one to rotate the Redis password (components/data/redisRotation.ts); 0 is the first password.
    redisPasswordGeneration: 0,
    shlinkPort: 80,
    shlinkHttpsPort: 443,
    grafanaPort: 3000,
    jaegerPort: 16686,
    kialiPort: 20001,
    alertmanagerPort: 9093,
    tracingSamplingPercent: 100,
    // Per ingress gateway pod (Envoy's local rate limit): creations per minute, redirects and reads per second.
    shlinkCreateRatePerMinute: 900,
    shlinkRedirectRatePerSecond: 500,
    kialiAuth: "anonymous",
    prometheusRetentionDays: 10,
    smokeCheckTimeoutSeconds: 900,
    argocd: true,
    argocdPort: 8080,
    argocdHttpsPort: 8443,
    vaultPort: 8200,
    gitopsPath: ".",
    gitopsRevision: "HEAD",
    storageClass: STORAGE_CLASS,
    // The off-site pgBackRest repository (repo2), off until its endpoint, bucket, region and keys are set.
    offsiteBackupPath: "/homelab/shlink-db",
    offsiteBackupUriStyle: "host",
    // Two hours after repo1's 01:00 run: pgBackRest takes one backup of a stanza at a time.
    offsiteBackupFullSchedule: "0 3 * * 0",
    offsiteBackupDifferentialSchedule: "0 3 * * 1-6",
    offsiteBackupRetentionFull: 4,
} as const;

/**
 * Ports K3s' ServiceLB may not take for a LoadBalancer: it binds each one on every node, beside SSH, the
 * K3s API, kubelet, etcd, flannel's VXLAN, the embedded registry mirror and the ingress gateway's status port.
 */
export const RESERVED_NODE_PORTS: Record<number, string> = {
    [SSH_PORT]: "SSH",
    6443: "the K3s API server",
    10250: "the kubelet",
    2379: "etcd clients",
    2380: "etcd peers",
    8472: "flannel VXLAN",
    15021: "the ingress gateway's status port",
    5001: "K3s' embedded registry mirror (Spegel)",
};

/** K3s server minimums (K3s requirements: 2 cores, 2 GB RAM) and room for the OS, images and etcd on disk. */
export const K3S_SERVER_MINIMUMS = { cores: 2, memoryMiB: 2048, diskGiB: 20 } as const;

/** Port of the Proxmox VE API (and web UI) when proxmoxve:endpoint names none. */
export const PROXMOX_API_PORT = 8006;

/**
 * Fewest nodes the HA promises hold on: 3 Shlink pods and 3 PostgreSQL instances each keep 2 up through a
 * drain, and Redis Sentinel's quorum is 3, all spread one per node.
 */
export const HA_MIN_NODES = 3;

/** Highest limits homelab:shlinkCreateRatePerMinute and homelab:shlinkRedirectRatePerSecond accept. */
export const SHLINK_RATE_LIMIT_MAX = { createPerMinute: 60_000, redirectPerSecond: 100_000 } as const;

/** A DNS name with at least two labels (homelab:domain): lower case, no scheme, port or trailing dot. */
export const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Istio's CNI platform profiles (homelab:istioCniPlatform): K3s' for a lab of ours (its CNI config and binary
 * directories, istio-cni files/profile-platform-k3s.yaml), and the istio-cni chart's profiles at 1.30.3
 * (files/profile-platform-*.yaml) a cluster not of ours may name.
 */
export const ISTIO_CNI = {
    platform: "k3s",
    platforms: ["gke", "k3d", "k3s", "microk8s", "minikube", "openshift"],
} as const;
