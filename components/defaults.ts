// Every default and pinned version of the homelab lives here; Pulumi.yaml repeats the scalar defaults
// for `pulumi config` users and tests/config.test.ts keeps the two equal.

/** K3s release installed on every server (https://github.com/k3s-io/k3s/releases). */
export const K3S_VERSION = "v1.34.9+k3s1";

/**
 * Ubuntu 24.04 (noble) cloud image, pinned to a dated release on Canonical's permanent archive with its
 * published SHA-256, so every rebuild boots the same bits.
 */
export const UBUNTU_IMAGE = {
    url: "https://cloud-images-archive.ubuntu.com/releases/noble/release-20250516/ubuntu-24.04-server-cloudimg-amd64.img",
    sha256: "8d6161defd323d24d66f85dda40e64e2b9021aefa4ca879dcbc4ec775ad1bbc5",
    // Proxmox's `import` content type only accepts known disk extensions; the .img is a qcow2.
    fileName: "ubuntu-24.04-server-cloudimg-amd64-20250516.qcow2",
} as const;

/** Scalar defaults of the `homelab:*` config keys (Pulumi.yaml declares the same values). */
export const CONFIG_DEFAULTS = {
    proxmoxNode: "um790",
    vmDatastore: "local-lvm",
    imageDatastore: "local",
    bridge: "vmbr0",
    subnet: "192.168.2.0/24",
    gateway: "192.168.2.1",
    vmCores: 4,
    vmMemoryMiB: 10240,
    vmDiskGiB: 100,
    imageUrl: UBUNTU_IMAGE.url,
    imageSha256: UBUNTU_IMAGE.sha256,
    imageFileName: UBUNTU_IMAGE.fileName,
    k3sVersion: K3S_VERSION,
    sshUser: "ubuntu",
    nodeReadyTimeoutSeconds: 600,
    hostMemoryGiB: 64,
    hostThreads: 16,
    hostReservedMemoryGiB: 4,
} as const;

/** DNS servers handed to the VMs by cloud-init when `homelab:dnsServers` is not set. */
export const DEFAULT_DNS_SERVERS = ["192.168.2.1"];

/** K3s components the cluster runs without (Istio's gateway replaces Traefik). */
export const K3S_DISABLED_COMPONENTS = ["traefik"];

/** K3s server minimums (K3s requirements: 2 cores, 2 GB RAM) and room for the OS, images and etcd on disk. */
export const K3S_SERVER_MINIMUMS = { cores: 2, memoryMiB: 2048, diskGiB: 20 } as const;

/** The Proxmox CPU type that exposes x86-64-v2 and AES-NI (the default qemu64 is slow). */
export const VM_CPU_TYPE = "x86-64-v2-AES";

/** K3s API server port. */
export const K3S_API_PORT = 6443;
