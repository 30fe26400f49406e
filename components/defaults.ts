// What every part shares: the cluster's domain and storage class, the K3s release (its Pod Security version),
// the generated secrets' length, Helm's timeout and the pin and resource types. A part's own pins, upstream facts
// and lab policy live beside it (components/<part>/facts.ts), the config keys' defaults with their loader
// (components/config/defaults.ts). A shared room: it imports no part.

/** K3s release installed on every server (https://github.com/k3s-io/k3s/releases); homelab:k3sVersion defaults to it. */
// renovate: datasource=github-releases depName=k3s-io/k3s versioning=regex:^v(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)(-(?<prerelease>[0-9A-Za-z.]+))?\+k3s(?<build>\d+)$
export const K3S_VERSION = "v1.34.9+k3s1";

/** SSH on the nodes. */
export const SSH_PORT = 22;

/** The StorageClass K3s ships (rancher local-path-provisioner): node-local volumes; homelab:storageClass on another cluster. */
export const STORAGE_CLASS = "local-path";

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

/** Requests (what the scheduler reserves) and limits of one container, as Kubernetes quantities. */
export interface ContainerResources {
    requests: { cpu: string; memory: string };
    limits: { cpu?: string; memory: string };
}

/** Container resources that cap CPU too (the data layer and Shlink). */
export type ResourceSpec = ContainerResources & { limits: { cpu: string } };

/** Resources with a memory limit and no CPU limit (a CPU limit only throttles): requests and the memory cap. */
export const resources = (cpu: string, memory: string, memoryLimit: string): ContainerResources => ({
    requests: { cpu, memory },
    limits: { memory: memoryLimit },
});

/** DNS suffix of in-cluster Service names (K3s default cluster domain). */
export const CLUSTER_DOMAIN = "cluster.local";

/**
 * SSH dials of @pulumi/command: seconds per attempt, and the attempts of every SSH step (a new VM's slow first
 * boot is waited out before, by the port probe, for `homelab:sshConnectTimeoutSeconds`).
 */
export const SSH_DIAL = {
    perDialTimeoutSeconds: 10,
    attemptsAfterBoot: 6,
} as const;

/** A Pod Security Standards level (kubernetes.io/docs/concepts/security/pod-security-standards). */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/** The PSS version the labels pin: the K3s minor the lab runs, so a K3s upgrade does not tighten the rules unseen. */
export const POD_SECURITY_VERSION = K3S_VERSION.replace(/^(v\d+\.\d+)\..*$/, "$1");
