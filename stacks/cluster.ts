// The cluster the platform goes onto: Proxmox VMs with K3s on them, or the user's own cluster (homelab:kubeconfig).
import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { kubeconfigServer, type ClusterHomelabConfig, type HomelabConfig, type ProxmoxHomelabConfig } from "../components/config";
import { Cluster } from "../components/k3s/Cluster";
import { ServerVms } from "../components/proxmox/ServerVms";

/** What the stack exports of the cluster. */
export interface ClusterOutputs {
    kubeconfig: pulumi.Output<string>;
    apiServerUrl: pulumi.Output<string>;
    /** Proxmox mode only: the K3s servers' addresses. */
    nodeAddresses?: pulumi.Output<Record<string, string>>;
    /** Proxmox mode only: the K3s release the servers run. */
    k3sVersion?: pulumi.Output<string>;
}

/** The cluster of the config's mode. */
export function targetCluster(config: HomelabConfig): TargetCluster {
    return config.mode === "proxmox" ? k3sOnProxmox(config) : existingCluster(config);
}

/** The cluster the platform goes onto: its provider, its outputs, and in Proxmox mode the node the smoke check runs on. */
export interface TargetCluster {
    provider: k8s.Provider;
    outputs: ClusterOutputs;
    firstNode?: pulumi.Output<string>;
    /** What every LoadBalancer Service carries: kube-vip's address with a services VIP, else nothing. */
    loadBalancerAnnotations: Record<string, string>;
}

/** Proxmox mode: the VMs and K3s on them. */
function k3sOnProxmox(config: ProxmoxHomelabConfig): TargetCluster {
    const vms = serverVms(config);
    const cluster = k3sCluster(config, vms);
    const outputs = {
        kubeconfig: cluster.kubeconfig,
        apiServerUrl: cluster.apiServerUrl,
        nodeAddresses: cluster.nodeAddresses,
        k3sVersion: cluster.k3sVersion,
    };
    return { provider: cluster.provider, outputs, firstNode: vms.servers[0].address, loadBalancerAnnotations: cluster.loadBalancerAnnotations };
}

/** Cluster mode: a provider built from homelab:kubeconfig; no Proxmox, no SSH, no K3s of ours. */
function existingCluster(config: ClusterHomelabConfig): TargetCluster {
    const kubeconfig = config.secrets.kubeconfig;
    const provider = new k8s.Provider("cluster-k8s", { kubeconfig, enableServerSideApply: true });
    // The loader checked the kubeconfig names an https:// server; the URL itself is no secret.
    const apiServerUrl = pulumi.unsecret(kubeconfig.apply((text) => kubeconfigServer(text) ?? ""));
    // The cluster's own LoadBalancer implementation gives the Services their addresses.
    return { provider, outputs: { kubeconfig, apiServerUrl }, loadBalancerAnnotations: {} };
}

/** The K3s servers' VMs on Proxmox, through an explicit provider built from the provider's own config keys. */
function serverVms(config: ProxmoxHomelabConfig): ServerVms {
    const proxmox = new proxmoxve.Provider("proxmox", {
        endpoint: config.proxmox.endpoint,
        apiToken: config.secrets.proxmoxApiToken,
        insecure: config.proxmox.insecure,
    });
    return new ServerVms(
        "vms",
        {
            nodes: config.nodes,
            image: config.image,
            vmDatastore: config.vmDatastore,
            reservedMemoryGiB: config.host.reservedMemoryGiB,
            network: config.network,
            ssh: config.ssh,
            provider: proxmox,
        },
        // Named `k3s-vms` until the stutter in its children's names (`k3s-vms-k3s-node-01`) was dropped.
        { aliases: [{ name: "k3s-vms" }] },
    );
}

/** HA K3s over SSH on the VMs, in the order the config lists them. */
function k3sCluster(config: ProxmoxHomelabConfig, vms: ServerVms): Cluster {
    return new Cluster("k3s", {
        servers: vms.servers.map((s) => ({ name: s.spec.name, ip: s.spec.ip, address: s.address, vmId: s.vm.id })),
        k3sVersion: config.k3s.version,
        readyTimeoutSeconds: config.k3s.readyTimeoutSeconds,
        sshUser: config.ssh.user,
        sshPrivateKey: config.secrets.sshPrivateKey,
        sshConnectTimeoutSeconds: config.ssh.connectTimeoutSeconds,
        registries: {
            dockerHubMirror: config.k3s.dockerHubMirror,
            dockerHubUsername: config.k3s.dockerHubUsername,
            dockerHubToken: config.secrets.dockerHubToken,
        },
        vip: config.network.vip ? { apiServer: config.network.vip, services: config.network.servicesVip! } : undefined,
    });
}
