import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { K3S_API_PORT, K3S_DISABLED_COMPONENTS, KUBE_VIP } from "./facts";
import { childName } from "../kubernetes/names";
import { shq } from "../shell/quote";
import { sshConnection, type SshLogin, sshPortProbeScript } from "../shell/ssh";
import { kubeVipManifest, kubeVipServiceAnnotations, type VipAddresses } from "./kubeVip";
import {
    guestAgentScript,
    installK3sScript,
    readKubeconfigScript,
    rewriteKubeconfig,
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
    /**
     * How long a new VM may take before it accepts the SSH login (first boot): then its boot step fails.
     * Later steps retry a few dials only.
     */
    sshConnectTimeoutSeconds: number;
    /** Where the nodes pull Docker Hub images from; every node also shares its images with the others. */
    registries: ClusterRegistries;
    /** homelab:vip and homelab:servicesVip: kube-vip holds them; undefined: the first server's address serves all. */
    vip?: VipAddresses;
}

export interface ClusterRegistries {
    /** Pull-through cache for docker.io, tried before Docker Hub itself; undefined: Docker Hub only. */
    dockerHubMirror: string | undefined;
    /** Docker Hub login: 100 pulls an hour instead of 10 per address. Needs dockerHubToken. */
    dockerHubUsername?: string;
    /** Docker Hub access token (secret); written only into registries.yaml (0600), never on a command line. */
    dockerHubToken?: pulumi.Input<string>;
}

/**
 * An HA K3s cluster with embedded etcd, installed over SSH: the first server initialises etcd, the others
 * join one at a time. Exposes the kubeconfig (secret) and a Kubernetes provider built from it.
 */
export class Cluster extends pulumi.ComponentResource {
    /** Admin kubeconfig pointing at the API address: the VIP when set, else the first server's (secret). */
    public readonly kubeconfig: pulumi.Output<string>;
    /** The provider every Kubernetes resource of the stack must use. */
    public readonly provider: k8s.Provider;
    public readonly apiServerUrl: pulumi.Output<string>;
    public readonly nodeAddresses: pulumi.Output<Record<string, string>>;
    public readonly k3sVersion: pulumi.Output<string>;
    /** The install step of every server, in join order. */
    public readonly installs: command.remote.Command[];
    /** What every LoadBalancer Service must carry to get the services VIP; empty without a VIP (ServiceLB). */
    public readonly loadBalancerAnnotations: Record<string, string>;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:k3s:Cluster", name, {}, opts);
        requireOddServerCount(args.servers);
        // Kept in state: a rebuilt node with another token could never rejoin (k3s-io/k3s#3888).
        const token = new random.RandomPassword(`${name}-token`, { length: 48, special: false }, { parent: this });

        const login: SshLogin = { user: args.sshUser, privateKey: args.sshPrivateKey };
        this.installs = [];
        args.servers.forEach((server, index) => {
            const step: Step = { cluster: this, name, server, login };
            const boot = prepareServer(step, args.sshConnectTimeoutSeconds);
            const waits = index === 0 ? [boot] : [boot, waitForApi(step, args, boot, this.installs), this.installs[index - 1]];
            this.installs.push(installServer(step, args, index, token.result, waits));
        });

        const first = args.servers[0];
        const admin = readKubeconfig({ cluster: this, name, server: first, login }, args.k3sVersion, this.installs);
        this.kubeconfig = pointedAt(admin, apiAddress(args));
        // Pulumi's own channel stays on the first server, VIP or not: the provider replaces itself, and with it
        // every Kubernetes resource of the stack, when its kubeconfig's server changes (pulumi-kubernetes DiffConfig).
        this.provider = new k8s.Provider(childName(name, "k8s"), { kubeconfig: pointedAt(admin, first.ip), enableServerSideApply: true }, { parent: this });
        this.apiServerUrl = pulumi.output(apiServerUrl(apiAddress(args)));
        this.loadBalancerAnnotations = args.vip ? kubeVipServiceAnnotations(args.vip.services) : {};
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

/** What every per-server step needs: its parent, the component's name, the server and how to log in. */
interface Step {
    cluster: Cluster;
    name: string;
    server: ClusterServer;
    login: SshLogin;
}

function requireOddServerCount(servers: ClusterServer[]): void {
    if (servers.length === 0 || servers.length % 2 === 0) {
        throw new Error(`homelab:k3s:Cluster needs an odd number of servers, got ${servers.length}.`);
    }
}

/** Where joins, the kubeconfig and the outputs reach the API: the VIP when set (any server), else the first server. */
function apiAddress(args: ClusterArgs): string {
    return args.vip?.apiServer ?? args.servers[0].ip;
}

function apiServerUrl(address: string): string {
    return `https://${address}:${K3S_API_PORT}`;
}

/** A server's step: `<node>-<step>` (e.g. k3s-node-02-install), aliased to its name before the rename. */
function serverStep(step: Step, role: string, args: command.remote.CommandArgs, dependsOn: pulumi.Resource[]): command.remote.Command {
    const resourceName = childName(step.name, `${step.server.name}-${role}`);
    // `k3s-k3s-node-02-install` before: the alias keeps the existing resource (a new install step would replace
    // the old one, whose delete uninstalls K3s).
    const previous = `${step.name}-${step.server.name}-${role}`;
    const aliases = previous === resourceName ? [] : [{ name: previous }];
    return new command.remote.Command(resourceName, args, { parent: step.cluster, aliases, dependsOn });
}

/**
 * Waits until the new VM answers on port 22 (at most `connectTimeoutSeconds`: a first boot takes a minute or
 * two), then for cloud-init over SSH, and installs the QEMU guest agent; returns the boot step. Once the port
 * answers, the SSH steps retry only a few dials, so a rejected key fails in a minute, not after the timeout.
 */
function prepareServer(step: Step, connectTimeoutSeconds: number): command.remote.Command {
    const reachable = new command.local.Command(
        childName(step.name, `${step.server.name}-ssh-port`),
        {
            // Node runs Pulumi here, so the probe works on any machine that does (no nc, no GNU timeout).
            interpreter: ["node", "-e"],
            create: pulumi.interpolate`${pulumi
                .output(step.server.address)
                .apply((host) =>
                    sshPortProbeScript({ node: step.server.name, host, user: step.login.user, timeoutSeconds: connectTimeoutSeconds }),
                )}\n// Proxmox VM ${step.server.vmId}: a new VM probes again.\n`,
            addPreviousOutputInEnv: false,
        },
        { parent: step.cluster },
    );
    const boot = serverStep(
        step,
        "boot",
        {
            connection: sshConnection(step.server.address, step.login),
            create: "sudo bash -s",
            stdin: forVm(waitForBootScript(), step.server.vmId),
            addPreviousOutputInEnv: false,
        },
        [reachable] /* the port answers: the login comes next. */,
    );
    // The VMs enable the QEMU agent; Ubuntu's cloud image lacks it. K3s does not need it, so nothing waits on it.
    serverStep(
        step,
        "guest-agent",
        {
            connection: sshConnection(step.server.address, step.login),
            create: "sudo bash -s",
            stdin: forVm(guestAgentScript(), step.server.vmId),
            addPreviousOutputInEnv: false,
        },
        [boot] /* apt must not race cloud-init's own package work. */,
    );
    return boot;
}

/**
 * A joining server waits until the API answers at the address it joins through, and for the join before it
 * (k3s-io/k3s#4335). With a VIP that is kube-vip on the first server, which K3s deploys from its manifest.
 */
function waitForApi(step: Step, args: ClusterArgs, boot: pulumi.Resource, installs: command.remote.Command[]): command.remote.Command {
    return serverStep(
        step,
        "wait-api",
        {
            connection: sshConnection(step.server.address, step.login),
            create: "bash -s",
            stdin: waitForApiScript(apiAddress(args), args.readyTimeoutSeconds),
            addPreviousOutputInEnv: false,
        },
        [boot, installs[0], installs[installs.length - 1]] /* side effects: joins go one at a time, through the first server. */,
    );
}

/** Installs (or upgrades, or reconfigures) K3s on one server; deleting the step uninstalls it. */
function installServer(step: Step, args: ClusterArgs, index: number, token: pulumi.Output<string>, waits: pulumi.Resource[]): command.remote.Command {
    const registries = args.registries;
    const script = pulumi.all([token, registries.dockerHubToken]).apply(([secretToken, dockerHubToken]) =>
        installK3sScript({
            k3sVersion: args.k3sVersion,
            readyTimeoutSeconds: args.readyTimeoutSeconds,
            config: {
                nodeName: step.server.name,
                nodeIp: step.server.ip,
                tlsSans: [...args.servers.map((s) => s.ip), ...(args.vip ? [args.vip.apiServer] : [])],
                token: secretToken,
                clusterInit: index === 0,
                serverUrl: index === 0 ? undefined : apiServerUrl(apiAddress(args)),
                disable: [...K3S_DISABLED_COMPONENTS, ...(args.vip ? KUBE_VIP.disabledK3sComponents : [])],
            },
            // On every server, so any of them re-creates kube-vip after a rebuild.
            kubeVipManifest: args.vip ? kubeVipManifest(args.vip) : undefined,
            registries: {
                dockerHubMirror: registries.dockerHubMirror,
                dockerHubUsername: registries.dockerHubUsername,
                dockerHubToken,
            },
        }),
    );
    return serverStep(
        step,
        "install",
        {
            connection: sshConnection(step.server.address, step.login),
            // The script (with the tokens) goes over stdin, never on a command line.
            create: "sudo bash -s",
            update: "sudo bash -s",
            stdin: pulumi.secret(forVm(script, step.server.vmId)),
            delete: `sudo bash -c ${shq(uninstallK3sScript(step.server.name))}`,
            // No `triggers`: @pulumi/command replaces on a trigger change (pulumi-command#855), and the
            // replacement's delete would uninstall K3s. Version and config live in stdin, whose change
            // runs `update` in place.
            addPreviousOutputInEnv: false,
        },
        waits /* boot must be done (cloud-init) and, for joins, the previous server must be in (side effects). */,
    );
}

/** Reads the admin kubeconfig off the first server once every server is in (secret; its server is 127.0.0.1). */
function readKubeconfig(first: Step, k3sVersion: string, installs: command.remote.Command[]): pulumi.Output<string> {
    const read = new command.remote.Command(
        childName(first.name, "kubeconfig"),
        {
            connection: sshConnection(first.server.address, first.login),
            create: "sudo bash -s",
            stdin: readKubeconfigScript(),
            logging: "none",
            addPreviousOutputInEnv: false,
            // Re-read when the first server is reinstalled (upgrade, config change).
            triggers: [installs[0].id, k3sVersion],
        },
        // Later layers receive the provider built from this: they must wait for every server.
        { parent: first.cluster, dependsOn: [installs[installs.length - 1]], additionalSecretOutputs: ["stdout"] },
    );
    return pulumi.secret(read.stdout);
}

/** The admin kubeconfig pointed at `address` (secret). */
function pointedAt(kubeconfig: pulumi.Output<string>, address: string): pulumi.Output<string> {
    return pulumi.secret(kubeconfig.apply((raw) => rewriteKubeconfig(raw, address)));
}

/**
 * Appends the VM's id to a step's script as a comment: a replaced VM changes the step's input, so the step
 * runs again (update, in place) on the new, blank machine.
 */
function forVm(script: pulumi.Input<string>, vmId: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`${script}# Proxmox VM ${vmId}: a new VM re-runs this step.\n`;
}
