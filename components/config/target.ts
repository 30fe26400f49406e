// Where the platform runs: the VMs this program makes (Proxmox mode, homelab:nodes) or a cluster the user
// already has (cluster mode, homelab:kubeconfig), and what the platform assumes of it in either case.
import { parse } from "yaml";
import { DNS_LABEL_PATTERN, HA_MIN_NODES, ISTIO_CNI } from "./defaults";
import { parseIpv4 } from "./ipv4";
import { Reader, intValue, UNREAD_SECRET } from "./read";
import type { Checked, NodeSpec, PlatformTarget } from "./types";
import { configRm, configSet, configSetSecret, PULUMI_CLI } from "./fix";

export type StackMode = "proxmox" | "cluster";

const NODE_COUNT_MAX = 1000;
const KUBECONFIG_HINT = configSetSecret("homelab:kubeconfig", "~/.kube/config");

/** Proxmox mode with homelab:nodes, cluster mode with homelab:kubeconfig; both or neither is refused. */
export function stackMode(h: Record<string, unknown>): { mode?: StackMode; problems: string[] } {
    const hasNodes = h.nodes !== undefined;
    const hasKubeconfig = h.kubeconfig !== undefined && h.kubeconfig !== "";
    if (hasNodes && hasKubeconfig) {
        return {
            problems: [
                "homelab:nodes and homelab:kubeconfig are both set: set homelab:nodes to build the K3s VMs on Proxmox, " +
                    "or homelab:kubeconfig to deploy the platform onto a cluster you have, not both.",
            ],
        };
    }
    if (!hasNodes && !hasKubeconfig) {
        return {
            problems: [
                `Neither homelab:nodes nor homelab:kubeconfig is set: list the K3s VMs (${PULUMI_CLI} config set --path "homelab:nodes[0].name" k3s-node-01 ...) ` +
                    `or point the stack at an existing cluster (${KUBECONFIG_HINT}).`,
            ],
        };
    }
    return { mode: hasNodes ? "proxmox" : "cluster", problems: [] };
}

/** Proxmox mode: the URLs use the services VIP or the first node (ServiceLB answers on every node); every node counts. */
export function proxmoxTarget(h: Record<string, unknown>, nodes: NodeSpec[] | undefined): Checked<PlatformTarget> {
    const read = new Reader(h);
    const storageClass = storageClassOf(read);
    const problems = read.problems;
    for (const key of ["publicAddress", "nodeCount", "istioCniPlatform"]) {
        if (h[key] !== undefined) {
            problems.push(`homelab:${key} is for a stack on an existing cluster; with homelab:nodes it follows from the nodes: ${configRm(`homelab:${key}`)}`);
        }
    }
    if (problems.length > 0 || nodes === undefined || nodes.length === 0 || storageClass === undefined) {
        return { problems };
    }
    // The services VIP (kube-vip, checked with the network) when set; else ServiceLB answers on every node.
    const publicAddress = typeof h.servicesVip === "string" && h.servicesVip !== "" ? h.servicesVip : nodes[0].ip;
    return { problems, value: { storageClass, publicAddress, nodeCount: nodes.length, cniPlatform: ISTIO_CNI.platform } };
}

/**
 * Cluster mode: a kubeconfig (secret, checked for shape without printing it), the address the cluster's
 * LoadBalancer implementation gives the Services, the node count and the StorageClass.
 */
export function clusterTarget(h: Record<string, unknown>): Checked<PlatformTarget> {
    const read = new Reader(h);
    const storageClass = storageClassOf(read);
    const publicAddress = read.optional("publicAddress");
    const problems = read.problems;
    problems.push(...kubeconfigProblems(h.kubeconfig));
    if (publicAddress === undefined) {
        problems.push(
            "homelab:publicAddress is not set: the address your cluster's LoadBalancer Services answer on, which every URL names " +
                `(${configSet("homelab:publicAddress", "192.168.1.50")}).`,
        );
    } else if (!isAddress(publicAddress)) {
        problems.push(`homelab:publicAddress must be an IPv4 address or a DNS name, without scheme or port (got "${publicAddress}").`);
    }
    let nodeCount: number | undefined;
    if (h.nodeCount === undefined) {
        problems.push(
            `homelab:nodeCount is not set: how many schedulable nodes the cluster has, at least ${HA_MIN_NODES} (${configSet("homelab:nodeCount", "3")}).`,
        );
    } else {
        nodeCount = intValue("homelab:nodeCount", h.nodeCount, 1, NODE_COUNT_MAX, problems);
        if (nodeCount !== undefined && nodeCount < HA_MIN_NODES) {
            problems.push(
                `homelab:nodeCount ${nodeCount} is below ${HA_MIN_NODES}: Shlink's and PostgreSQL's disruption budgets keep 2 of 3 pods up ` +
                    "and Redis Sentinel needs a quorum of 3, each spread one per node, so fewer nodes can neither hold them nor drain one.",
            );
        }
    }
    const cniPlatform = read.optional("istioCniPlatform");
    if (cniPlatform !== undefined && !(ISTIO_CNI.platforms as readonly string[]).includes(cniPlatform)) {
        problems.push(
            `homelab:istioCniPlatform must be one of Istio's platform profiles (${ISTIO_CNI.platforms.join(", ")}) or unset for a cluster ` +
                `with CNI files in /etc/cni/net.d and /opt/cni/bin (got "${cniPlatform}").`,
        );
    }
    if (problems.length > 0) {
        return { problems };
    }
    const cni = cniPlatform === undefined ? {} : { cniPlatform };
    return { problems, value: { storageClass: storageClass!, publicAddress: publicAddress!, nodeCount: nodeCount!, ...cni } };
}

function storageClassOf(read: Reader): string | undefined {
    const storageClass = read.str("storageClass");
    if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(storageClass)) {
        read.problems.push(`homelab:storageClass must be a StorageClass name such as local-path (got "${storageClass}").`);
        return undefined;
    }
    return storageClass;
}

/** A kubeconfig with a current context naming a cluster with a server; problems never quote the value. */
function kubeconfigProblems(value: unknown): string[] {
    const refuse = (why: string) => [`homelab:kubeconfig ${why} (value not shown): ${KUBECONFIG_HINT}`];
    if (typeof value !== "string") {
        return refuse("must be a kubeconfig file's text");
    }
    if (value === UNREAD_SECRET) {
        return [];
    }
    let doc: unknown;
    try {
        doc = parse(value);
    } catch {
        return refuse("is not YAML");
    }
    return kubeconfigServer(doc) === undefined ? refuse("must have a current-context whose cluster has an https:// server") : [];
}

/** The API server URL of a kubeconfig's current context (text or parsed), or undefined. */
export function kubeconfigServer(kubeconfig: unknown): string | undefined {
    const doc = (typeof kubeconfig === "string" ? parse(kubeconfig) : kubeconfig) as {
        "current-context"?: unknown;
        contexts?: unknown;
        clusters?: unknown;
    } | null;
    const contexts = Array.isArray(doc?.contexts) ? (doc.contexts as { name?: unknown; context?: { cluster?: unknown } }[]) : [];
    const clusters = Array.isArray(doc?.clusters) ? (doc.clusters as { name?: unknown; cluster?: { server?: unknown } }[]) : [];
    const context = contexts.find((c) => c.name === doc?.["current-context"]);
    const server = clusters.find((c) => c.name === context?.context?.cluster)?.cluster?.server;
    return typeof server === "string" && /^https:\/\/\S+$/.test(server) ? server : undefined;
}

function isAddress(text: string): boolean {
    if (parseIpv4(text) !== undefined) {
        return true;
    }
    const labels = text.split(".");
    return labels.every((label) => DNS_LABEL_PATTERN.test(label)) && !/^\d+$/.test(labels[labels.length - 1]);
}
