import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { K3S_API_PORT, K3S_DISABLED_COMPONENTS } from "../defaults";
import {
    guestAgentScript,
    installK3sScript,
    readKubeconfigScript,
    rewriteKubeconfig,
    shq,
    uninstallK3sScript,
    waitForApiScript,
    waitForBootScript,
} from "./scripts";

export interface ClusterServer {
    /** Node name (VM name and K3s node name). */
    name: string;
    /** The node's static IPv4. */
    ip: string;
    /** The same address as an Output that resolves once the VM exists; SSH connects to it. */
    address: pulumi.Input<string>;
    /** The Proxmox VM's id: a replaced VM gets a new one, which re-runs every step on the blank machine. */
    vmId: pulumi.Input<string>;
}

export interface ClusterArgs {
    /** Servers in join order; the first one runs `cluster-init`. An odd count (etcd quorum). */
    servers: ClusterServer[];
    /** K3s release tag, e.g. v1.34.9+k3s1. */
    k3sVersion: string;
    /** How long each node may take to report Ready. */
    readyTimeoutSeconds: number;
    /** SSH login (passwordless sudo, from cloud-init). */
    sshUser: string;
    /** SSH private key (secret). */
    sshPrivateKey: pulumi.Input<string>;
}

/**
 * An HA K3s cluster with embedded etcd, installed over SSH: the first server initialises etcd, the others
 * join one at a time. Exposes the kubeconfig (secret) and a Kubernetes provider built from it.
 */
export class Cluster extends pulumi.ComponentResource {
    /** Admin kubeconfig pointing at the first server's address (secret). */
    public readonly kubeconfig: pulumi.Output<string>;
    /** The provider every Kubernetes resource of the stack must use. */
    public readonly provider: k8s.Provider;
    public readonly apiServerUrl: pulumi.Output<string>;
    public readonly nodeAddresses: pulumi.Output<Record<string, string>>;
    public readonly k3sVersion: pulumi.Output<string>;
    /** The install step of every server, in join order. */
    public readonly installs: command.remote.Command[];

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:k3s:Cluster", name, {}, opts);
        if (args.servers.length === 0 || args.servers.length % 2 === 0) {
            throw new Error(`homelab:k3s:Cluster needs an odd number of servers, got ${args.servers.length}.`);
        }

        // Kept in state: a rebuilt node with another token could never rejoin (k3s-io/k3s#3888).
        const token = new random.RandomPassword(`${name}-token`, { length: 48, special: false }, { parent: this });

        const first = args.servers[0];
        const serverUrl = `https://${first.ip}:${K3S_API_PORT}`;
        const tlsSans = args.servers.map((s) => s.ip);

        this.installs = [];
        args.servers.forEach((server, index) => {
            const connection: command.types.input.remote.ConnectionArgs = {
                host: server.address,
                user: args.sshUser,
                privateKey: args.sshPrivateKey,
                // The VM boots for a minute or two before sshd answers: retry forever, 10 s per dial.
                dialErrorLimit: -1,
                perDialTimeout: 10,
            };

            const boot = new command.remote.Command(
                `${name}-${server.name}-boot`,
                { connection, create: "sudo bash -s", stdin: forVm(waitForBootScript(), server.vmId), addPreviousOutputInEnv: false },
                { parent: this },
            );
            // The VMs enable the QEMU agent; Ubuntu's cloud image lacks it. K3s does not need it, so nothing waits on it.
            new command.remote.Command(
                `${name}-${server.name}-guest-agent`,
                { connection, create: "sudo bash -s", stdin: forVm(guestAgentScript(), server.vmId), addPreviousOutputInEnv: false },
                // apt must not race cloud-init's own package work.
                { parent: this, dependsOn: [boot] },
            );

            const waits: pulumi.Resource[] = [boot];
            if (index > 0) {
                // Joins go one at a time, each after the first server answers (k3s-io/k3s#4335).
                const previous = this.installs[index - 1];
                const apiReady = new command.remote.Command(
                    `${name}-${server.name}-wait-api`,
                    {
                        connection,
                        create: "bash -s",
                        stdin: waitForApiScript(first.ip, args.readyTimeoutSeconds),
                        addPreviousOutputInEnv: false,
                    },
                    { parent: this, dependsOn: [boot, this.installs[0], previous] },
                );
                waits.push(apiReady, previous);
            }

            const script = token.result.apply((secretToken) =>
                installK3sScript({
                    k3sVersion: args.k3sVersion,
                    readyTimeoutSeconds: args.readyTimeoutSeconds,
                    config: {
                        nodeName: server.name,
                        nodeIp: server.ip,
                        tlsSans,
                        token: secretToken,
                        clusterInit: index === 0,
                        serverUrl: index === 0 ? undefined : serverUrl,
                        disable: K3S_DISABLED_COMPONENTS,
                    },
                }),
            );
            const install = new command.remote.Command(
                `${name}-${server.name}-install`,
                {
                    connection,
                    // The script (with the token) goes over stdin, never on a command line.
                    create: "sudo bash -s",
                    update: "sudo bash -s",
                    stdin: pulumi.secret(forVm(script, server.vmId)),
                    delete: `sudo bash -c ${shq(uninstallK3sScript(server.name))}`,
                    // No `triggers`: @pulumi/command replaces on a trigger change (pulumi-command#855), and the
                    // replacement's delete would uninstall K3s. Version and config live in stdin, whose change
                    // runs `update` in place.
                    addPreviousOutputInEnv: false,
                },
                // Boot must be done (cloud-init) and, for joins, the previous server must be in (side effects).
                { parent: this, dependsOn: waits },
            );
            this.installs.push(install);
        });

        const lastInstall = this.installs[this.installs.length - 1];
        const firstConnection: command.types.input.remote.ConnectionArgs = {
            host: first.address,
            user: args.sshUser,
            privateKey: args.sshPrivateKey,
            dialErrorLimit: -1,
            perDialTimeout: 10,
        };
        const readKubeconfig = new command.remote.Command(
            `${name}-kubeconfig`,
            {
                connection: firstConnection,
                create: "sudo bash -s",
                stdin: readKubeconfigScript(),
                logging: "none",
                addPreviousOutputInEnv: false,
                // Re-read when the first server is reinstalled (upgrade, config change).
                triggers: [this.installs[0].id, args.k3sVersion],
            },
            // Later layers receive the provider built from this: they must wait for every server.
            { parent: this, dependsOn: [lastInstall], additionalSecretOutputs: ["stdout"] },
        );

        this.kubeconfig = pulumi.secret(readKubeconfig.stdout.apply((raw) => rewriteKubeconfig(raw, first.ip)));
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: this.kubeconfig, enableServerSideApply: true },
            { parent: this },
        );
        this.apiServerUrl = pulumi.output(serverUrl);
        this.nodeAddresses = pulumi.output(Object.fromEntries(args.servers.map((s) => [s.name, s.ip])));
        this.k3sVersion = pulumi.output(args.k3sVersion);

        this.registerOutputs({
            kubeconfig: this.kubeconfig,
            apiServerUrl: this.apiServerUrl,
            nodeAddresses: this.nodeAddresses,
            k3sVersion: this.k3sVersion,
        });
    }
}

/**
 * Appends the VM's id to a step's script as a comment: a replaced VM changes the step's input, so the step
 * runs again (update, in place) on the new, blank machine.
 */
function forVm(script: pulumi.Input<string>, vmId: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`${script}# Proxmox VM ${vmId}: a new VM re-runs this step.\n`;
}
