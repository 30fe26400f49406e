// Every default and pinned version of the homelab lives here; Pulumi.yaml repeats the scalar defaults
// for `pulumi config` users and tests/config/pulumi-yaml.test.ts keeps the two equal.

/** K3s release installed on every server (https://github.com/k3s-io/k3s/releases). */
// renovate: datasource=github-releases depName=k3s-io/k3s versioning=regex:^v(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)(-(?<prerelease>[0-9A-Za-z.]+))?\+k3s(?<build>\d+)$
export const K3S_VERSION = "v1.34.9+k3s1";

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

/** The Proxmox content type a datastore must allow to keep the cloud image for `importFrom`. */
export const IMAGE_CONTENT_TYPE = "import";

/** The Proxmox content type a datastore must allow to keep VM disks and cloud-init drives. */
export const VM_DISK_CONTENT_TYPE = "images";

/** Oldest Proxmox VE with the `import` content type the image download and `importFrom` rely on. */
export const PROXMOX_MIN_VERSION = { major: 8, minor: 4 } as const;

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
    storageClass: "local-path",
    // The off-site pgBackRest repository (repo2), off until its endpoint, bucket, region and keys are set.
    offsiteBackupPath: "/homelab/shlink-db",
    offsiteBackupUriStyle: "host",
    // Two hours after repo1's 01:00 run: pgBackRest takes one backup of a stanza at a time.
    offsiteBackupFullSchedule: "0 3 * * 0",
    offsiteBackupDifferentialSchedule: "0 3 * * 1-6",
    offsiteBackupRetentionFull: 4,
} as const;

/** SSH on the nodes. */
export const SSH_PORT = 22;

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

/** K3s server minimums (K3s requirements: 2 cores, 2 GB RAM) and room for the OS, images and etcd on disk. */
export const K3S_SERVER_MINIMUMS = { cores: 2, memoryMiB: 2048, diskGiB: 20 } as const;

/** The Proxmox CPU type that exposes x86-64-v2 and AES-NI (the default qemu64 is slow). */
export const VM_CPU_TYPE = "x86-64-v2-AES";

/** What K3s (server, embedded etcd, containerd) and Ubuntu keep on each node, outside pod requests. */
export const NODE_RESERVE = { cpuMillicores: 1000, memoryMiB: 2048 } as const;

/**
 * How long an upgrade's `kubectl drain` may wait for evictions (PodDisruptionBudgets) on one server before the
 * upgrade of that server stops with the blocking budgets named.
 */
export const K3S_DRAIN_TIMEOUT_SECONDS = 300;

/** K3s API server port. */
export const K3S_API_PORT = 6443;

/** Port of the Proxmox VE API (and web UI) when proxmoxve:endpoint names none. */
export const PROXMOX_API_PORT = 8006;

// ---------------------------------------------------------------------------------------------------------------
// Platform: operators, data layer and Shlink.

/** The StorageClass K3s ships (rancher local-path-provisioner): node-local volumes; homelab:storageClass on another cluster. */
export const STORAGE_CLASS = CONFIG_DEFAULTS.storageClass;

/**
 * Fewest nodes the HA promises hold on: 3 Shlink pods and 3 PostgreSQL instances each keep 2 up through a
 * drain, and Redis Sentinel's quorum is 3, all spread one per node.
 */
export const HA_MIN_NODES = 3;

/** Length of every generated password and key; alphanumeric only, so URIs and env stay unescaped. */
export const GENERATED_SECRET_LENGTH = 40;

/**
 * How long Helm may take per release before the install fails (and, being atomic, is rolled back): a first
 * install pulls every image over a home uplink.
 */
export const HELM_TIMEOUT_SECONDS = 900;

/** A pinned Helm chart: `repo` for classic repositories, an `oci://` chart URL without `repo` otherwise. */
export interface ChartPin {
    /** Helm release name (fixed, so the objects the chart names after it keep their names). */
    release: string;
    chart: string;
    version: string;
    repo?: string;
    /** Namespace the release goes into (created by us, never by Helm). */
    namespace: string;
}

/** The operators' charts, each in its own namespace. */
export const OPERATOR_CHARTS = {
    certManager: {
        release: "cert-manager",
        chart: "cert-manager",
        // renovate: datasource=helm depName=cert-manager registryUrl=https://charts.jetstack.io
        version: "v1.19.6",
        repo: "https://charts.jetstack.io",
        namespace: "cert-manager",
    },
    // Crunchy PGO ships its chart only as an OCI artifact.
    postgresOperator: {
        release: "pgo",
        chart: "oci://registry.developers.crunchydata.com/crunchydata/pgo",
        // renovate: datasource=docker depName=registry.developers.crunchydata.com/crunchydata/pgo
        version: "6.0.3",
        namespace: "postgres-operator",
    },
    // 3.3.0 ships a CRD with template code in crds/ and does not install (spotahome/redis-operator#654, #679).
    redisOperator: {
        release: "redis-operator",
        chart: "redis-operator",
        // renovate: datasource=helm depName=redis-operator registryUrl=https://spotahome.github.io/redis-operator
        version: "3.2.9",
        repo: "https://spotahome.github.io/redis-operator",
        namespace: "redis-operator",
    },
} as const satisfies Record<string, ChartPin>;

/**
 * Requests of the operators' pods (the charts set none, which would leave them BestEffort and out of the
 * resource budget): cert-manager's controller, webhook, cainjector and start-up check, PGO, redis-operator.
 */
export const OPERATOR_RESOURCES = {
    certManager: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    certManagerWebhook: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
    certManagerCainjector: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    certManagerStartupCheck: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
    postgresOperator: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
    redisOperator: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
} as const satisfies Record<string, ContainerResources>;

/** The operator image chart 3.2.9 ships; set explicitly so the pin is visible here. */
// renovate: datasource=docker depName=quay.io/spotahome/redis-operator
export const REDIS_OPERATOR_IMAGE_TAG = "v1.2.4";

/** Requests (what the scheduler reserves) and limits of one container, as Kubernetes quantities. */
export interface ContainerResources {
    requests: { cpu: string; memory: string };
    limits: { cpu?: string; memory: string };
}

/** Container resources that cap CPU too (the data layer and Shlink). */
export type ResourceSpec = ContainerResources & { limits: { cpu: string } };

/**
 * The PostgreSQL cluster Shlink uses (Crunchy PGO). Sized for three 4 vCPU / 10 GiB nodes: each instance
 * asks for a quarter core and 512 MiB and may burst to one core and 1 GiB.
 */
export const POSTGRES = {
    namespace: "postgres",
    clusterName: "shlink-db",
    /** PGO names pods `<cluster>-<set>-<hash>-0`; cluster and set together must stay within 46 characters. */
    instanceSet: "pgha1",
    postgresVersion: 17,
    /** One primary and two replicas; Patroni promotes a replica when the primary fails. */
    instances: 3,
    /** Voluntary disruptions (drains) may take one instance at a time. */
    minAvailable: 2,
    port: 5432,
    database: "shlink",
    user: "shlink",
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    /** pgBackRest schedules (cron, UTC): a full backup on Sundays, a differential one the other nights. */
    backupSchedules: { full: "0 1 * * 0", differential: "0 1 * * 1-6" },
} as const satisfies { resources: ResourceSpec } & Record<string, unknown>;

/** The Redis Sentinel failover Shlink uses for cache and locks (Spotahome redis-operator). */
export const REDIS = {
    namespace: "redis",
    name: "shlink-redis",
    // The operator's built-in default is redis:6.2.6-alpine (end of life); 7.2 runs with operator 1.2.x
    // by swapping the image (maintainers in spotahome/redis-operator#652).
    // renovate: datasource=docker depName=redis
    image: "redis:7.2.8-alpine",
    redisReplicas: 3,
    sentinelReplicas: 3,
    port: 6379,
    redisResources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    sentinelResources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
} as const satisfies { redisResources: ResourceSpec; sentinelResources: ResourceSpec } & Record<string, unknown>;

/** Shlink, the URL shortener the lab runs. */
export const SHLINK = {
    namespace: "shlink",
    name: "shlink",
    // 4.6.0 (last 4.x) resolves visitor addresses without TRUSTED_PROXIES; 5.x needs the proxy count right.
    // renovate: datasource=docker depName=shlinkio/shlink
    image: "shlinkio/shlink:4.6.0",
    /** USER of the image's Dockerfile (numeric, so runAsNonRoot can verify it). */
    uid: 1001,
    port: 8080,
    healthPath: "/rest/health",
    /** The PodDisruptionBudget keeps this many pods up. */
    minAvailable: 2,
    /** RoadRunner PHP workers per pod (0 would mean one per node CPU): fixed so memory stays predictable. */
    webWorkers: 4,
    taskWorkers: 2,
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "768Mi" } },
    probes: {
        /** Up to 10 minutes for the first start: the three pods take turns (a Redis lock) creating the schema. */
        startup: { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 60 },
        readiness: { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        /** Two minutes: /rest/health fails while PostgreSQL fails over (seconds), and a restart would not help. */
        liveness: { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
    },
} as const satisfies { resources: ResourceSpec } & Record<string, unknown>;

/** Istio: charts base, istiod and gateway at one version, and the mesh's lab-sized control plane and proxies. */
export const ISTIO = {
    /** Charts base, istiod and gateway from the official repository, one version for all three. */
    repo: "https://istio-release.storage.googleapis.com/charts",
    // renovate: datasource=helm depName=istiod registryUrl=https://istio-release.storage.googleapis.com/charts
    version: "1.30.3",
    hub: "docker.io/istio",
    namespace: "istio-system",
    gatewayNamespace: "istio-ingress",
    /** Release name `istio-ingressgateway`: the chart derives the pods' `istio:` label and service account from it. */
    gatewayRelease: "istio-ingressgateway",
    gatewayLabel: "ingressgateway",
    gatewayStatusPort: 15021,
    istiodReplicas: 2,
    gatewayReplicas: 2,
    istiodResources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { memory: "1Gi" } },
    gatewayResources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    sidecarResources: { requests: { cpu: "50m", memory: "96Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    /** Istio's CNI node agent, one per node (the chart asks 100m/100Mi; it idles far below). */
    cniResources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    /** The cni chart's node agent DaemonSet: `{{ template "name" . }}-node` (istio-cni 1.30.3 templates/daemonset.yaml). */
    cniDaemonSet: "istio-cni-node",
    /** Istio's platform profile for K3s: its CNI config and binary directories (istio-cni files/profile-platform-k3s.yaml). */
    cniPlatform: "k3s",
    /** The istio-cni chart's platform profiles at 1.30.3 (files/profile-platform-*.yaml), for a cluster not of ours. */
    cniPlatforms: ["gke", "k3d", "k3s", "microk8s", "minikube", "openshift"],
} as const;

/** Istio's charts, one version: CRDs (base), the CNI node agent, the control plane (istiod) and the ingress gateway. */
export const ISTIO_CHARTS = {
    base: { release: "istio-base", chart: "base", version: ISTIO.version, repo: ISTIO.repo, namespace: ISTIO.namespace },
    // Sets up each meshed pod's traffic redirection from the node, so injected pods need no NET_ADMIN istio-init.
    cni: { release: "istio-cni", chart: "cni", version: ISTIO.version, repo: ISTIO.repo, namespace: ISTIO.namespace },
    istiod: { release: "istiod", chart: "istiod", version: ISTIO.version, repo: ISTIO.repo, namespace: ISTIO.namespace },
    gateway: {
        release: ISTIO.gatewayRelease,
        chart: "gateway",
        version: ISTIO.version,
        repo: ISTIO.repo,
        namespace: ISTIO.gatewayNamespace,
    },
} as const satisfies Record<string, ChartPin>;

// --- Observability: kube-prometheus-stack, Grafana, Jaeger, Kiali ---------------------------------------------------

const resources = (cpu: string, memory: string, memoryLimit: string): ContainerResources => ({
    requests: { cpu, memory },
    limits: { memory: memoryLimit },
});

/** DNS suffix of in-cluster Service names (K3s default cluster domain). */
export const CLUSTER_DOMAIN = "cluster.local";

/** Every volume of the observability layer: K3s's local-path provisioner. */
export const OBSERVABILITY_STORAGE = {
    className: STORAGE_CLASS,
    // `local` PVs (not the default hostPath) make the kubelet report kubelet_volume_stats_* (local-path-provisioner#44).
    pvcAnnotations: { volumeType: "local" },
} as const;

/** Scrape interval of the Istio monitors: Istio's dashboards use 1m rate windows. */
export const ISTIO_SCRAPE_INTERVAL = "15s";

export const KUBE_PROMETHEUS_STACK = {
    chart: "kube-prometheus-stack",
    // renovate: datasource=helm depName=kube-prometheus-stack registryUrl=https://prometheus-community.github.io/helm-charts
    version: "88.5.3",
    repo: "https://prometheus-community.github.io/helm-charts",
    release: "kube-prometheus-stack",
    namespace: "monitoring",
    /** Prefix of every object the chart names (the chart cuts it to 26 characters). */
    fullnameOverride: "kps",
    prometheusPort: 9090,
    prometheusStorageGi: 20,
    /** Size cap below the volume, so a longer retention never fills the disk. */
    prometheusRetentionSize: "18GiB",
    alertmanagerStorageGi: 2,
    alertmanagerRetention: "120h",
    resources: {
        prometheus: resources("250m", "1Gi", "3Gi"),
        alertmanager: resources("20m", "64Mi", "256Mi"),
        configReloader: resources("10m", "32Mi", "64Mi"),
        operator: resources("50m", "128Mi", "512Mi"),
        admissionPatchJob: resources("10m", "32Mi", "128Mi"),
        kubeStateMetrics: resources("20m", "96Mi", "256Mi"),
        nodeExporter: resources("20m", "32Mi", "128Mi"),
    },
} as const satisfies ChartPin & Record<string, unknown>;

export const GRAFANA = {
    adminUser: "admin",
    /** The Prometheus datasource kube-prometheus-stack provisions; dashboards and Kiali refer to it. */
    datasource: { name: "Prometheus", uid: "prometheus" },
    jaegerDatasource: { name: "Jaeger", uid: "jaeger" },
    storageGi: 5,
    dashboardProvider: { name: "istio", folder: "Istio" },
    resources: {
        grafana: resources("100m", "256Mi", "512Mi"),
        sidecar: resources("20m", "96Mi", "192Mi"),
        initChownData: resources("10m", "16Mi", "64Mi"),
        downloadDashboards: resources("10m", "32Mi", "64Mi"),
    },
} as const;

/**
 * Istio's dashboards on grafana.com, pinned: Istio's release tooling uploads a revision of each on every
 * release, so an unpinned download changes under us. Revision 300 of all five is what canton-network/splice
 * runs with Istio 1.29.2 (cluster/pulumi/infra/src/istio.ts).
 */
export const ISTIO_DASHBOARDS = {
    "istio-mesh": { gnetId: 7639, revision: 300 },
    "istio-service": { gnetId: 7636, revision: 300 },
    "istio-workload": { gnetId: 7630, revision: 300 },
    "istio-control-plane": { gnetId: 7645, revision: 300 },
    "istio-performance": { gnetId: 11829, revision: 300 },
} as const;

export const JAEGER = {
    chart: "jaeger",
    // renovate: datasource=helm depName=jaeger registryUrl=https://jaegertracing.github.io/helm-charts
    version: "4.11.1",
    repo: "https://jaegertracing.github.io/helm-charts",
    release: "jaeger",
    namespace: "observability",
    /** nameOverride and fullnameOverride: the Service and the pods' name label. */
    name: "jaeger",
    /** The chart's appVersion, pinned so a chart default never moves the image. */
    // renovate: datasource=docker depName=jaegertracing/jaeger
    imageTag: "2.19.0",
    storageGi: 10,
    dataMountPath: "/badger",
    spanTtl: "168h",
    ports: { otlpGrpc: 4317, otlpHttp: 4318, queryHttp: 16686, queryGrpc: 16685, health: 13133, metrics: 8888 },
    resources: resources("100m", "256Mi", "1Gi"),
} as const satisfies ChartPin & Record<string, unknown>;

export const KIALI = {
    chart: "kiali-operator",
    // renovate: datasource=helm depName=kiali-operator registryUrl=https://kiali.org/helm-charts
    version: "2.29.0",
    repo: "https://kiali.org/helm-charts",
    release: "kiali-operator",
    namespace: "kiali-operator",
    crName: "kiali",
    /** Kiali's default context root on Kubernetes (CRD `server.web_root`), set explicitly. */
    webRoot: "/kiali",
    /** The port Kiali's Service and its non-root server share (the operator uses one number): in-cluster only. */
    serverPort: 20001,
    /** The Service the operator names after `deployment.instance_name` (default "kiali"), in the CR's namespace. */
    serviceName: "kiali",
    grafanaCredentialsSecret: "kiali-grafana",
    grafanaPasswordKey: "password",
    resources: {
        operator: resources("20m", "128Mi", "512Mi"),
        server: resources("20m", "96Mi", "1Gi"),
    },
} as const satisfies ChartPin & Record<string, unknown>;

/** Objectives of the SLO rules (Google SRE workbook's multiwindow, multi-burn-rate alerts). */
export const SLO_DEFAULTS = {
    availability: 0.995,
    latency: 0.99,
    latencyThresholdMs: 500,
} as const;

// ---------------------------------------------------------------------------------------------------------------
// SSH from Pulumi to the nodes, and where the nodes pull images from.

/**
 * SSH dials of @pulumi/command: seconds per attempt, and the attempts of every SSH step (a new VM's slow first
 * boot is waited out before, by the port probe, for `homelab:sshConnectTimeoutSeconds`).
 */
export const SSH_DIAL = {
    perDialTimeoutSeconds: 10,
    attemptsAfterBoot: 6,
} as const;

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

/**
 * Below this average rate (requests per minute over the alert's long window) a burn-rate page stays silent: at 0.1
 * requests/min a single 503 is a 16% error ratio and paged. The same rate over the past day is "traffic we
 * expect": a service that had it and then gets nothing for an hour raises the no-traffic alert.
 */
export const SLO_MIN_REQUESTS_PER_MINUTE = 1;


/** Alert delivery: the Secret holding the webhook URL (mounted, never in the config) and the routing pace. */
export const ALERTING = {
    webhookSecret: { name: "alertmanager-webhook", key: "url" },
    /** The operator mounts `alertmanagerSpec.secrets` here (CRD alertmanagers `spec.secrets`). */
    secretsMountPath: "/etc/alertmanager/secrets",
    /** Critical alerts page at once and again every hour; warnings are batched and repeat twice a day. */
    critical: { groupWait: "10s", groupInterval: "5m", repeatInterval: "1h" },
    warning: { groupWait: "5m", groupInterval: "30m", repeatInterval: "12h" },
    /** Certificates are renewed 30 days ahead by default (cert-manager renewBefore); 14 days left means renewal failed. */
    certificateExpiryDays: 14,
    /** Replica byte lag (ccp_replication_lag_size_bytes) above which replication is behind. */
    replicationLagBytes: 64 * 1024 * 1024,
} as const;

/** cert-manager's controller metrics (chart v1.19.6 `prometheus.enabled` is on by default; the port its PodMonitor uses). */
export const CERT_MANAGER_METRICS = {
    podLabels: { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" },
    port: "http-metrics",
} as const;

/** Scrape interval of the data-layer exporters. */
export const DATA_SCRAPE_INTERVAL = "30s";

/**
 * oliver006/redis_exporter for the redis and sentinel pods; redis-operator 1.2.4 defaults to v1.43.0 (2022).
 * One container per redis pod and one per sentinel pod.
 */
export const REDIS_EXPORTER = {
    // renovate: datasource=docker depName=quay.io/oliver006/redis_exporter
    image: "quay.io/oliver006/redis_exporter:v1.88.0",
    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
} as const satisfies { resources: ResourceSpec } & Record<string, unknown>;

/** The pgMonitor exporter PGO adds to each PostgreSQL pod (image pinned by the operator's RELATED_IMAGE_PGEXPORTER). */
export const POSTGRES_EXPORTER = {
    resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
} as const satisfies { resources: ResourceSpec };

/**
 * PGO's other containers and pods, which run with no requests unless the PostgresCluster sets them (PGO v6.0.3
 * internal/postgres/reconcile.go:189-193, internal/pgbackrest/reconcile.go:373 and 422,
 * internal/controller/postgrescluster/pgbackrest.go:839). Its init containers copy a main container's resources.
 */
export const POSTGRES_PGO_CONTAINERS = {
    /** `replication-cert-copy` on every instance: copies the replication certificate when it changes (a shell loop). */
    replicaCertCopy: { requests: { cpu: "5m", memory: "16Mi" }, limits: { memory: "64Mi" } },
    /** `pgbackrest` on every instance: the TLS server the repo host and backups reach PostgreSQL's files through. */
    pgbackrest: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "256Mi" } },
    /** `pgbackrest-config` on every instance and the repo host: reloads pgBackRest's configuration when it changes. */
    pgbackrestConfig: { requests: { cpu: "5m", memory: "16Mi" }, limits: { memory: "64Mi" } },
    /** The repo host's `pgbackrest`: takes the WAL archive and the backups into the repository volume. */
    repoHost: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "512Mi" } },
    /** A backup Job's `pgbackrest` (scheduled, on demand, the first one after the cluster starts). */
    backupJob: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
} as const satisfies Record<string, ContainerResources>;

/** The data layer's dashboards: a provider folder for downloads, and the Redis exporter's grafana.com dashboard. */
export const DATA_DASHBOARDS = {
    provider: { name: "data", folder: "Data" },
    /** "Redis Dashboard for Prometheus Redis Exporter 1.x"; revision 4 as public configs pin it (UNVERIFIED here). */
    redis: { gnetId: 763, revision: 4, datasourceInputs: ["DS_PROM", "DS_PROMETHEUS"] },
    /** Label the Grafana sidecar loads dashboard ConfigMaps by (kube-prometheus-stack 88.5.3 `grafana.sidecar.dashboards`). */
    sidecarLabel: { grafana_dashboard: "1" },
} as const;

// --- Load testing: k6 in the cluster ------------------------------------------------------------------------------

/** The k6-operator's version: chart 4.6.0's appVersion (grafana/k6-operator charts/k6-operator/Chart.yaml). */
// renovate: datasource=github-releases depName=grafana/k6-operator extractVersion=^v(?<version>.+)$
export const K6_OPERATOR_VERSION = "1.6.0";

/** The k6-operator chart (app K6_OPERATOR_VERSION): it runs a TestRun's k6 pods. Its namespace is the load tests' own. */
export const K6_OPERATOR_CHART = {
    release: "k6-operator",
    chart: "k6-operator",
    // renovate: datasource=helm depName=k6-operator registryUrl=https://grafana.github.io/helm-charts
    version: "4.6.0",
    repo: "https://grafana.github.io/helm-charts",
    namespace: "load",
} as const satisfies ChartPin;

/** Where and how the load tests run (the k6 side of the scenarios lives in components/load/scenarios/catalog.ts). */
export const K6 = {
    namespace: K6_OPERATOR_CHART.namespace,
    /** The operator runs the floating "latest" k6 image unless told: pinned (k6 runs the TypeScript scenarios natively). */
    // renovate: datasource=docker depName=grafana/k6
    runnerImage: "grafana/k6:2.2.0",
    /**
     * The starter (it tells the runners to begin) defaults to the floating `latest-starter` (k6-operator v1.6.0
     * pkg/resources/jobs/starter.go:19): pinned to the image each release publishes, `starter-v<operator version>`
     * (.github/workflows/finalize-release.yaml:109).
     */
    starterImage: `ghcr.io/grafana/k6-operator:starter-v${K6_OPERATOR_VERSION}`,
    /** ConfigMap with every scenario file (mounted as the script directory, so sibling imports resolve). */
    scriptsConfigMap: "k6-scenarios",
    apiKeySecret: "shlink-api-key",
    apiKeySecretKey: "SHLINK_API_KEY",
    /** Path of Prometheus' remote-write receiver (kube-prometheus-stack: prometheusSpec.enableRemoteWriteReceiver). */
    prometheusWritePath: "/api/v1/write",
    /** Trend stats pushed to Prometheus: the k6 dashboard plots p95/p99 next to min/max/avg. */
    prometheusTrendStats: "p(95),p(99),min,max,avg",
    /** Official "k6 Prometheus" dashboard (grafana.com 19665); revision 1 is what Grafana takes when none is given. */
    dashboard: { gnetId: 19665, revision: 1 },
    operatorResources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    /** One runner pod: 200+ requests/s of small HTTP calls fit in one core. */
    runnerResources: { requests: { cpu: "500m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } },
    parallelism: 1,
    /** How often `npm run load` polls the TestRun, and prints a progress line. */
    pollSeconds: 2,
    progressSeconds: 10,
    /** Longest a run may take past its scenario's duration (image pull, setup seeding, teardown). */
    graceSeconds: 600,
    /** Longest wait for one Kubernetes API call before `npm run load` gives up on it. */
    apiTimeoutSeconds: 30,
} as const satisfies { operatorResources: ContainerResources; runnerResources: ResourceSpec } & Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------------
// Failure drills (`npm run drill`).

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

// --- Argo CD: GitOps for the user's own apps ---------------------------------------------------------------------

/** The argo-cd chart (appVersion v3.4.4), in a namespace of its own outside the mesh. */
export const ARGO_CD_CHART = {
    release: "argocd",
    chart: "argo-cd",
    // renovate: datasource=helm depName=argo-cd registryUrl=https://argoproj.github.io/argo-helm
    version: "10.1.1",
    repo: "https://argoproj.github.io/argo-helm",
    namespace: "argocd",
} as const satisfies ChartPin;

/** Argo CD's settings: what runs, what it requests, and the project the user's repo syncs through. */
export const ARGO_CD = {
    namespace: ARGO_CD_CHART.namespace,
    /** Fixed `admin.passwordMtime`: the chart's default (`now`) would change argocd-secret on every render. */
    adminPasswordMtime: "2026-01-01T00:00:00Z",
    /** The AppProject every Application from the user's repo belongs to, and the root Application's name. */
    project: "user-apps",
    rootProject: "user-apps-root",
    rootApplication: "user-apps",
    /** The project Argo CD creates itself and lets every Application use unless locked. */
    defaultProject: "default",
    /** The server's in-cluster Service (chart `nameOverride: argocd` → `<release>-server`) and its plain-HTTP port. */
    serverService: `${ARGO_CD_CHART.release}-server`,
    serverPort: 80,
    /** Argo CD's name for the cluster it runs in. */
    inClusterServer: "https://kubernetes.default.svc",
    resources: {
        server: resources("50m", "128Mi", "512Mi"),
        repoServer: resources("50m", "128Mi", "1Gi"),
        controller: resources("100m", "256Mi", "1Gi"),
        redis: resources("20m", "64Mi", "256Mi"),
        applicationSet: resources("20m", "64Mi", "256Mi"),
        /** The pre-install Job that writes Redis' password (Helm waits for it), and repo-server's init container. */
        redisSecretInit: resources("10m", "32Mi", "64Mi"),
        copyutil: resources("10m", "32Mi", "64Mi"),
    },
} as const;

/** Namespaces Kubernetes and K3s run their own system in: never the user's apps' destination either. */
export const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"] as const;

// --- The end-to-end check on an existing cluster ----------------------------------------------------------------

/**
 * The smoke check as a Kubernetes Job (cluster mode: no node of ours to SSH into), in a namespace of its own
 * outside the mesh (a sidecar would keep the Job from completing). Istio's proxyv2 image (Ubuntu-based, with
 * bash and curl; UNVERIFIED for 1.30 here) is pinned with the mesh and already on every node.
 */
export const SMOKE_JOB = {
    namespace: "smoke-check",
    image: `${ISTIO.hub}/proxyv2:${ISTIO.version}`,
    /** The image's `istio-proxy` user. */
    uid: 1337,
    /** The Secret holding the script; the Job itself is auto-named, so a changed one is created before the old goes. */
    scriptSecret: "smoke-check-script",
    scriptKey: "smoke-check.sh",
    mountPath: "/smoke",
    /** Room past the script's own deadline for the image pull and the pod's start. */
    graceSeconds: 300,
    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
    /** The Job's own ServiceAccount, and the ClusterRole and binding that let it list ExternalSecrets. */
    serviceAccount: "smoke-check",
    clusterRole: "homelab-smoke-check",
    /** The API server as every pod reaches it (no cluster domain assumed: another cluster's may not be cluster.local). */
    apiServerUrl: "https://kubernetes.default.svc",
    /** Where Kubernetes mounts the pod's ServiceAccount token and the API server's CA. */
    serviceAccountDir: "/var/run/secrets/kubernetes.io/serviceaccount",
} as const satisfies { resources: ResourceSpec } & Record<string, unknown>;

// --- Secrets: OpenBao (Vault), External Secrets, Reloader ---------------------------------------------------------

/** OpenBao 2.6.2 from its official chart: HA Raft, static seal, self-initialising (facts-next.md §1). */
export const OPENBAO_CHART = {
    release: "openbao",
    chart: "openbao",
    // renovate: datasource=helm depName=openbao registryUrl=https://openbao.github.io/openbao-helm
    version: "0.29.2",
    repo: "https://openbao.github.io/openbao-helm",
    namespace: "vault",
} as const satisfies ChartPin;

/** External Secrets Operator 2.9.0 (ExternalSecret/SecretStore v1, PushSecret v1alpha1). */
export const EXTERNAL_SECRETS_CHART = {
    release: "external-secrets",
    chart: "external-secrets",
    // renovate: datasource=helm depName=external-secrets registryUrl=https://charts.external-secrets.io
    version: "2.9.0",
    repo: "https://charts.external-secrets.io",
    namespace: "external-secrets",
} as const satisfies ChartPin;

/** Stakater Reloader 2.2.16 (app v1.4.21): restarts exactly the workloads whose Secret changed. */
export const RELOADER_CHART = {
    release: "reloader",
    chart: "reloader",
    // renovate: datasource=helm depName=reloader registryUrl=https://stakater.github.io/stakater-charts
    version: "2.2.16",
    repo: "https://stakater.github.io/stakater-charts",
    namespace: "reloader",
} as const satisfies ChartPin;

/** OpenBao in the lab: names the chart derives from the release, the KV mount and the API port. */
export const VAULT = {
    namespace: OPENBAO_CHART.namespace,
    // renovate: datasource=docker depName=quay.io/openbao/openbao
    image: "quay.io/openbao/openbao:2.6.2",
    replicas: 3,
    /** API and UI (the chart's `openbao-active` Service follows the leader). */
    apiPort: 8200,
    clusterPort: 8201,
    activeService: "openbao-active",
    /** `ui.enabled: true` adds this Service on apiPort (`ui.externalPort`), ClusterIP: the ingress gateway's door forwards to it. */
    uiService: "openbao-ui",
    /** KV version 2 mounted at `secret/`. */
    kvMount: "secret",
    /** Kubernetes auth mounted at `auth/kubernetes`. */
    kubernetesAuthPath: "kubernetes",
    /** The human login (userpass) the self-init creates; its password is generated by Pulumi. */
    adminUser: "admin",
    /** The chart's names for the release `openbao`: the UI Service and the headless one each pod is reachable on. */
    internalService: "openbao-internal",
    /** Raft's data (the chart's `server.dataStorage.mountPath` default) and its volume per pod. */
    dataPath: "/openbao/data",
    dataVolume: "2Gi",
    /**
     * Static seal keys, oldest first: the last is current, the one before it (if any) the previous. Rotating is
     * appending an id (a new 32-byte key is generated for it), then dropping the old id once every pod restarted.
     */
    sealKeyIds: ["seal-1"],
    /** Where the pods mount the seal keys, the admin password and the self-init file only pod 0 loads. */
    sealKeyDir: "/openbao/seal",
    adminPasswordDir: "/openbao/admin",
    selfInitDir: "/openbao/init",
    selfInitFile: "self-init.hcl",
    /** How long pod 0 waits for each peer's answer before it self-initialises (a peer on a dead node never answers). */
    peerProbeTimeout: "5s",
    /** Objects of ours the pods mount: the seal keys, the admin password, the self-init file. */
    sealKeySecret: "openbao-seal-keys",
    adminSecret: "openbao-admin",
    selfInitConfigMap: "openbao-self-init",
    /** How long OpenBao keeps metrics for Prometheus (`telemetry.prometheus_retention_time`): above the scrape interval. */
    metricsRetention: "60s",
    /** The chart's container port for the API (`openbao.scheme`: `http` with global.tlsDisable) and its pods' name label. */
    apiPortName: "http",
    podLabels: { "app.kubernetes.io/name": "openbao" },
    /** The image's `openbao` user and group (the chart's `server.uid`/`server.gid` defaults). */
    uid: 100,
    gid: 1000,
    resources: resources("50m", "128Mi", "512Mi"),
} as const;

// --- Rate limiting at the ingress gateway ------------------------------------------------------------------------

/**
 * Envoy's local rate limit on Shlink's routes at the ingress gateway (Istio 1.30.3 has no API of its own for it:
 * an EnvoyFilter, networking.istio.io/v1alpha3). Each named route of Shlink's VirtualService gets its own token
 * bucket per gateway pod; a request over the limit gets a 429 from the gateway and never reaches Shlink.
 */
export const SHLINK_RATE_LIMIT = {
    /** The EnvoyFilter's name, in the gateway's namespace. */
    name: "shlink-rate-limit",
    filter: "envoy.filters.http.local_ratelimit",
    typeUrl: "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
    connectionManager: "envoy.filters.network.http_connection_manager",
    connectionManagerType: "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
    router: "envoy.filters.http.router",
    /** Prefix of the listener-level filter's stats (it has no bucket: only the routes limit). */
    statPrefix: "shlink_rate_limit",
    /**
     * Shlink's API creates short URLs on POST /rest/v{n}/short-urls and GET /rest/v{n}/short-urls/shorten. One match
     * covers both, since Istio makes an Envoy route, with a bucket of its own, of every match: listing short URLs
     * (GET /rest/v{n}/short-urls) counts as a creation too.
     */
    createMatch: { methods: "GET|POST", path: "/rest/v[0-9]+/short-urls(/shorten)?/?" },
    /** Named routes of Shlink's VirtualService (Istio names the Envoy route after them) and their stats' prefixes. */
    routes: {
        create: { name: "shlink-create", statPrefix: "shlink_create", fillIntervalSeconds: 60 },
        redirect: { name: "shlink-redirect", statPrefix: "shlink_redirect", fillIntervalSeconds: 1 },
    },
    /** Header every 429 of the gateway carries: which limit refused it (the Retry-After header says when to retry). */
    header: "x-homelab-rate-limit",
} as const;

/** Highest limits homelab:shlinkCreateRatePerMinute and homelab:shlinkRedirectRatePerSecond accept. */
export const SHLINK_RATE_LIMIT_MAX = { createPerMinute: 60_000, redirectPerSecond: 100_000 } as const;

/**
 * The lab CA in the load namespace, mounted into every k6 runner: k6 is Go, whose crypto/x509 on Linux reads the
 * roots from SSL_CERT_FILE (besides the system's certificate directories), so the runner verifies the gateway.
 */
export const K6_LAB_CA = { configMap: "lab-ca", key: "ca.crt", volume: "lab-ca", mountPath: "/etc/homelab-ca" } as const;

/** How application secrets travel from Vault into the namespaces (ESO) and back into the pods (Reloader). */
export const SECRET_DELIVERY = {
    /** Name of the namespaced SecretStore in every namespace that talks to Vault (readers and the seeder's). */
    storeName: "vault",
    /** How often ESO re-reads Vault and re-pushes the seed: a rotation reaches the pods within minutes. */
    refreshInterval: "1m",
    /** The pods ESO runs (controller, webhook, cert controller) and Reloader's one pod. */
    resources: {
        externalSecrets: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        externalSecretsWebhook: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
        externalSecretsCertController: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
        reloader: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
    },
    /** Reloader's annotation: the listed Secrets (comma-separated) restart the workload carrying it. */
    reloadAnnotation: "secret.reloader.stakater.com/reload",
} as const satisfies { resources: Record<string, ContainerResources> } & Record<string, unknown>;

/** Grafana's admin login as External Secrets writes it in `monitoring` (the chart's `admin.existingSecret` keys). */
export const GRAFANA_ADMIN_SECRET = { name: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" } as const;

// --- The edge: TLS from the lab's own CA at the ingress gateway ----------------------------------------------

/**
 * The lab's CA (cert-manager: a selfSigned ClusterIssuer signs the CA Certificate, a CA ClusterIssuer signs from
 * its Secret) and the one serving Certificate the ingress gateway presents on every HTTPS port.
 */
export const LAB_TLS = {
    selfSignedIssuer: "homelab-selfsigned",
    caIssuer: "homelab-ca",
    /** The CA Certificate and its Secret live where a ClusterIssuer reads Secrets (cert-manager's namespace). */
    caCertificate: "homelab-ca",
    caSecret: "homelab-ca",
    caCommonName: "homelab lab CA",
    /** Ten years: users trust the CA once. */
    caDuration: "87600h",
    /**
     * Renewed a year before its end (cert-manager's default would be at two thirds of its life), with the same key
     * (rotationPolicy Never): what trusts the old certificate keeps trusting the lab until the old one ends.
     */
    caRenewBefore: "8760h",
    /** The serving Certificate and its Secret, in the gateway's namespace (Istio reads credentialName there). */
    servingCertificate: "homelab-edge",
    servingSecret: "homelab-edge-tls",
    /** One year, renewed a month ahead (macOS refuses serving certificates longer than 825 days, even from a CA the user trusts). */
    servingDuration: "8760h",
    servingRenewBefore: "720h",
    privateKey: { algorithm: "ECDSA", size: 256 },
    /** Key of the CA's PEM in a cert-manager Secret. */
    caKey: "ca.crt",
} as const;

/** A DNS name with at least two labels (homelab:domain): lower case, no scheme, port or trailing dot. */
export const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

// --- Zero trust inside the cluster: Pod Security Standards and NetworkPolicies ------------------------------------

/** A Pod Security Standards level (kubernetes.io/docs/concepts/security/pod-security-standards). */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/** The PSS version the labels pin: the K3s minor the lab runs, so a K3s upgrade does not tighten the rules unseen. */
export const POD_SECURITY_VERSION = K3S_VERSION.replace(/^(v\d+\.\d+)\..*$/, "$1");

/**
 * K3s' default cluster-cidr (every node's podCIDR is a /24 of it). The API server runs on the host network of
 * every server: its calls to a webhook on another node arrive over flannel from that node's tunnel address,
 * the first IP of its podCIDR (facts-next §7).
 */
export const K3S_CLUSTER_CIDR = "10.42.0.0/16";

/** K3s' default node-cidr-mask-size: each node's podCIDR is a /24 of the cluster CIDR. */
export const K3S_NODE_CIDR_MASK_BITS = 24;

/** Ports pods of the stack listen on that the NetworkPolicies name: container ports, whatever their Services publish. */
export const POD_PORTS = {
    /** Grafana's container (chart default), Alertmanager's web port, Argo CD's server (chart 10.1.1). */
    grafana: 3000,
    alertmanager: 9093,
    argocdServer: 8080,
    /** istiod: xDS and certificates over TLS, the injection and validation webhooks, its metrics (Kiali reads them too). */
    istiodXds: 15012,
    istiodWebhooks: 15017,
    istiodMonitoring: 15014,
    /** The k6 runner's REST API the operator's starter pod drives a run through. */
    k6RunnerApi: 6565,
    /** Patroni's REST API and pgBackRest's TLS server on PGO's pods; Redis Sentinel. */
    patroni: 8008,
    pgbackrest: 8432,
    sentinel: 26379,
    /** cert-manager's, External Secrets' and prometheus-operator's admission webhooks. */
    webhooks: 10250,
    /**
     * Metrics ports of containers Istio injects or an operator builds, by number: kube-router resolves a named port
     * only from spec.containers, and Istio 1.30 injects istio-proxy as a native sidecar (an init container) on
     * Kubernetes ≥ 1.33. Envoy's http-envoy-prom, PGO's exporter, redis-operator's redis and sentinel exporters.
     */
    envoyMetrics: 15090,
    postgresExporter: 9187,
    redisExporter: 9121,
    sentinelExporter: 9355,
} as const;

/** K3s' CoreDNS: its pods' label in kube-system and the port it answers on (UDP and TCP). */
export const CLUSTER_DNS = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, port: 53 } as const;

/** Where an existing cluster's API server may answer (kubeadm and most distributions 6443, managed ones 443). */
export const API_SERVER_PORTS = [443, K3S_API_PORT] as const;

/**
 * Redis password rotation (components/data/redisRotation.ts): where the rotation Job mounts the auth Secret, how long it
 * waits for External Secrets to deliver the new generation (two 1-minute refreshes and a kubelet sync, with room),
 * and the master name every sentinel of redis-operator 1.2.4 monitors (generator.go sentinelConfigTemplate).
 */
export const REDIS_ROTATION = {
    authMountPath: "/run/redis-auth",
    waitSeconds: 600,
    pollSeconds: 5,
    sentinelMasterName: "mymaster",
    /** Pod-template annotation carrying the generation on Shlink's and the redis pods: a new value restarts them. */
    generationAnnotation: "homelab/redis-password-generation",
    /** Key of a client's Secret saying which generation its Redis password is (the client-side Job waits for it). */
    clientGenerationKey: "redis-generation",
    /** The redis image's `redis` user (Dockerfile: adduser -u 999), so the Job runs as non-root. */
    uid: 999,
    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
} as const satisfies { resources: ResourceSpec } & Record<string, unknown>;
