// The K3s part's pins, upstream facts and lab policy: kube-vip, the registries, the cluster's addresses and ports.

/** K3s components the cluster runs without (Istio's gateway replaces Traefik). */
export const K3S_DISABLED_COMPONENTS = ["traefik"];

/**
 * kube-vip (ARP mode, leader election) holds homelab:vip for the API server and homelab:servicesVip for the
 * LoadBalancer Services. K3s deploys its manifest from the auto-deploy directory, so it runs before any join.
 * The two addresses must differ: kube-vip cannot share one VIP between the control plane and a Service
 * (kube-vip/kube-vip#464: two nodes end up answering ARP for it).
 */
export const KUBE_VIP = {
    // renovate: datasource=docker depName=ghcr.io/kube-vip/kube-vip
    image: "ghcr.io/kube-vip/kube-vip:v1.2.3",
    // renovate: datasource=docker depName=ghcr.io/kube-vip/kube-vip
    version: "v1.2.3",
    name: "kube-vip",
    namespace: "kube-system",
    clusterRole: "system:kube-vip-role",
    clusterRoleBinding: "system:kube-vip-binding",
    /** K3s applies every file here at start and on change (auto-deploying manifests). */
    manifestDir: "/var/lib/rancher/k3s/server/manifests",
    manifestFile: "kube-vip.yaml",
    /** A LoadBalancer Service's address, announced by kube-vip without a cloud provider. */
    loadBalancerIpsAnnotation: "kube-vip.io/loadbalancerIPs",
    /** Seconds: lease duration, renew deadline, retry period (kube-vip's defaults). */
    lease: { durationSeconds: 5, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 },
    /** K3s' ServiceLB would bind LoadBalancer ports on every node beside kube-vip. */
    disabledK3sComponents: ["servicelb"],
} as const;

/** What K3s (server, embedded etcd, containerd) and Ubuntu keep on each node, outside pod requests. */
export const NODE_RESERVE = { cpuMillicores: 1000, memoryMiB: 2048 } as const;

/**
 * How long an upgrade's `kubectl drain` may wait for evictions (PodDisruptionBudgets) on one server before the
 * upgrade of that server stops with the blocking budgets named.
 */
export const K3S_DRAIN_TIMEOUT_SECONDS = 300;

/** K3s API server port. */
export const K3S_API_PORT = 6443;

/**
 * Registries in every node's /etc/rancher/k3s/registries.yaml. K3s' embedded mirror (Spegel) shares their
 * images between the nodes; Docker Hub pulls try a pull-through cache first (Docker Hub allows 10 anonymous
 * pulls an hour per address), then Docker Hub itself.
 */
export const REGISTRY_MIRRORS = {
    dockerHub: "docker.io",
    /** The host K3s looks up Docker Hub credentials under: they go to Docker Hub only, never to the cache. */
    dockerHubHost: "registry-1.docker.io",
    shared: ["docker.io", "quay.io", "ghcr.io", "registry.k8s.io", "registry.developers.crunchydata.com"],
} as const;

/** Namespaces Kubernetes and K3s run their own system in: never the user's apps' destination either. */
export const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"] as const;

/**
 * K3s' default cluster-cidr (every node's podCIDR is a /24 of it). The API server runs on the host network of
 * every server: its calls to a webhook on another node arrive over flannel from that node's tunnel address,
 * the first IP of its podCIDR (facts-next §7).
 */
export const K3S_CLUSTER_CIDR = "10.42.0.0/16";

/** K3s' default node-cidr-mask-size: each node's podCIDR is a /24 of the cluster CIDR. */
export const K3S_NODE_CIDR_MASK_BITS = 24;

/** K3s' CoreDNS: its pods' label in kube-system and the port it answers on (UDP and TCP). */
export const CLUSTER_DNS = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, port: 53 } as const;

/** Where an existing cluster's API server may answer (kubeadm and most distributions 6443, managed ones 443). */
export const API_SERVER_PORTS = [443, K3S_API_PORT] as const;
