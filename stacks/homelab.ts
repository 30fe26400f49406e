import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import type { HomelabConfig } from "../components/config";
import { Cluster } from "../components/k3s/Cluster";
import { ServerVms } from "../components/proxmox/ServerVms";

/** What the stack exports; index.ts turns these into stack outputs. */
export interface HomelabOutputs {
    kubeconfig: pulumi.Output<string>;
    apiServerUrl: pulumi.Output<string>;
    nodeAddresses: pulumi.Output<Record<string, string>>;
    k3sVersion: pulumi.Output<string>;
}

/**
 * Composes the layers in dependency order: Proxmox VMs, then K3s on them. Later layers receive
 * `cluster.provider` and nothing else from the cluster.
 */
export function homelab(config: HomelabConfig): HomelabOutputs {
    const proxmox = new proxmoxve.Provider("proxmox", {
        endpoint: config.proxmox.endpoint,
        apiToken: config.secrets.proxmoxApiToken,
        insecure: config.proxmox.insecure,
    });

    const vms = new ServerVms("k3s-vms", {
        nodes: config.nodes,
        image: config.image,
        vmDatastore: config.vmDatastore,
        network: config.network,
        ssh: config.ssh,
        provider: proxmox,
    });

    const cluster = new Cluster("k3s", {
        servers: vms.servers.map((s) => ({ name: s.spec.name, ip: s.spec.ip, address: s.address })),
        k3sVersion: config.k3s.version,
        readyTimeoutSeconds: config.k3s.readyTimeoutSeconds,
        sshUser: config.ssh.user,
        sshPrivateKey: config.secrets.sshPrivateKey,
    });

    return {
        kubeconfig: cluster.kubeconfig,
        apiServerUrl: cluster.apiServerUrl,
        nodeAddresses: cluster.nodeAddresses,
        k3sVersion: cluster.k3sVersion,
    };
}
