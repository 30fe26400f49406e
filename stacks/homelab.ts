import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { Shlink } from "../components/apps/Shlink";
import type { HomelabConfig } from "../components/config";
import { Postgres } from "../components/data/Postgres";
import { Redis } from "../components/data/Redis";
import { Cluster } from "../components/k3s/Cluster";
import { Operators } from "../components/platform/Operators";
import { ServerVms } from "../components/proxmox/ServerVms";

/** What the stack exports; index.ts turns these into stack outputs. */
export interface HomelabOutputs {
    kubeconfig: pulumi.Output<string>;
    apiServerUrl: pulumi.Output<string>;
    nodeAddresses: pulumi.Output<Record<string, string>>;
    k3sVersion: pulumi.Output<string>;
    /** Shlink's first API key (secret). */
    shlinkApiKey: pulumi.Output<string>;
    /** Shlink's in-cluster URL. */
    shlinkServiceAddress: pulumi.Output<string>;
}

/**
 * Composes the layers in dependency order: Proxmox VMs, K3s on them, the operators, the data stores and
 * Shlink. Later layers receive `cluster.provider` (through `providers`) and nothing else from the cluster.
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

    // Every Kubernetes resource below reaches the cluster through this provider, never an ambient kubeconfig.
    const onCluster: pulumi.ComponentResourceOptions = { providers: [cluster.provider] };
    const operators = new Operators("operators", {}, onCluster);

    const postgres = new Postgres(
        "shlink-db",
        {
            sizing: {
                volumeGiB: config.platform.postgresVolumeGiB,
                backupVolumeGiB: config.platform.postgresBackupVolumeGiB,
                backupRetentionFull: config.platform.postgresBackupRetentionFull,
            },
            operator: operators.postgresOperator,
        },
        onCluster,
    );
    const redis = new Redis(
        "shlink-redis",
        { volumeGiB: config.platform.redisVolumeGiB, operator: operators.redisOperator },
        onCluster,
    );

    const shlink = new Shlink(
        "shlink",
        { replicas: config.platform.shlinkReplicas, database: postgres.connection, redis: redis.connection },
        onCluster,
    );

    return {
        kubeconfig: cluster.kubeconfig,
        apiServerUrl: cluster.apiServerUrl,
        nodeAddresses: cluster.nodeAddresses,
        k3sVersion: cluster.k3sVersion,
        shlinkApiKey: shlink.apiKey,
        shlinkServiceAddress: shlink.serviceAddress,
    };
}
