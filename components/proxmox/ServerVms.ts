import * as proxmoxve from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import type { NodeSpec, PlainConfig } from "../config";
import { IMAGE_CONTENT_TYPE, VM_CPU_TYPE } from "./facts";
import { preflight, type PreflightPlan, type ProxmoxFacts } from "./preflight";

export interface ServerVmsArgs {
    /** The K3s server VMs to create, validated by the config loader. */
    nodes: NodeSpec[];
    /** Where the cloud image comes from and which datastore (with the `import` content type) keeps it. */
    image: PlainConfig["image"];
    /** Datastore for the VMs' disks and cloud-init drives. */
    vmDatastore: string;
    /** Memory kept for Proxmox itself on every host, checked against the host's reported total. */
    reservedMemoryGiB: number;
    /** Static addressing handed to cloud-init. */
    network: PlainConfig["network"];
    /** Cloud-init login user and its authorized key. */
    ssh: PlainConfig["ssh"];
    /** Explicit Proxmox provider (endpoint and API token from config). */
    provider: proxmoxve.Provider;
}

/** A VM together with the address it was given, available only once the VM exists. */
export interface ServerVm {
    spec: NodeSpec;
    vm: proxmoxve.VmLegacy;
    /** The node's static IPv4, as an Output that resolves after the VM is created (carries the dependency). */
    address: pulumi.Output<string>;
}

/**
 * The K3s server VMs: a preflight against the Proxmox API, the Ubuntu cloud image downloaded once onto every
 * Proxmox node that hosts a VM, and one VM per configured node, booted by cloud-init with a static address and
 * the SSH key.
 */
export class ServerVms extends pulumi.ComponentResource {
    public readonly servers: ServerVm[];
    public readonly images: Record<string, proxmoxve.download.File>;
    /** What the Proxmox API reported; fails (and with it every VM) when the host cannot take the VMs. */
    public readonly facts: pulumi.Output<ProxmoxFacts>;

    constructor(name: string, args: ServerVmsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("homelab:proxmox:ServerVms", name, {}, opts);
        const childOpts = { parent: this, provider: args.provider };
        this.facts = preflight(preflightPlan(args), args.provider);
        // The VMs' and images' node names come through the preflight: nothing is created when it fails.
        const checkedNode = (proxmoxNode: string) => this.facts.apply(() => proxmoxNode);

        this.images = {};
        for (const proxmoxNode of new Set(args.nodes.map((n) => n.proxmoxNode))) {
            this.images[proxmoxNode] = new proxmoxve.download.File(`${name}-image-${proxmoxNode}`, imageArgs(args.image, checkedNode(proxmoxNode)), {
                ...childOpts,
                // FileLegacy is deprecated for File: same upstream resource and state, so no new download.
                aliases: [{ type: "proxmoxve:download/fileLegacy:FileLegacy" }],
                // The checksum pins the bits; a new address for the same image must not download it again.
                ignoreChanges: ["url"],
            });
        }

        const previousOnHost = new Map<string, proxmoxve.VmLegacy>();
        this.servers = args.nodes.map((spec) => {
            const previous = previousOnHost.get(spec.proxmoxNode);
            const vm = new proxmoxve.VmLegacy(
                `${name}-${spec.name}`,
                vmArgs(spec, args, { nodeName: checkedNode(spec.proxmoxNode), imageId: this.images[spec.proxmoxNode].id }),
                {
                    ...childOpts,
                    // One VM at a time per host: parallel imports on one node fail with `can't lock file` (bpg#995, #1521).
                    dependsOn: previous ? [previous] : [],
                    // Changing cloud-init keys would replace the VM and lose the node (pulumi-proxmoxve#513):
                    // rotate keys on the running VMs instead (docs/operating.md, day-2). The import source only matters
                    // at creation: a new image must not replace every server at once.
                    ignoreChanges: ["initialization.userAccount", "disks[0].importFrom"],
                },
            );
            previousOnHost.set(spec.proxmoxNode, vm);
            return { spec, vm, address: vm.id.apply(() => spec.ip) };
        });

        this.registerOutputs({ servers: this.servers.map((s) => s.vm.id) });
    }
}

/** What the preflight checks the hosts against. */
export function preflightPlan(args: ServerVmsArgs): PreflightPlan {
    return {
        vms: args.nodes,
        imageDatastore: args.image.datastore,
        vmDatastore: args.vmDatastore,
        reservedMemoryGiB: args.reservedMemoryGiB,
    };
}

/** The cloud image download onto one Proxmox node, verified against its SHA-256. */
export function imageArgs(image: PlainConfig["image"], nodeName: pulumi.Input<string>): proxmoxve.download.FileArgs {
    return {
        nodeName,
        datastoreId: image.datastore,
        contentType: IMAGE_CONTENT_TYPE,
        url: image.url,
        fileName: image.fileName,
        checksum: image.sha256,
        checksumAlgorithm: "sha256",
        // The cloud image is ~600 MB; home uplinks can be slow.
        uploadTimeout: 1800,
    };
}

/** Arguments of one server VM on `nodeName` (spec.proxmoxNode, once the preflight passed), booting `imageId`. */
export function vmArgs(
    spec: NodeSpec,
    args: ServerVmsArgs,
    { nodeName, imageId }: { nodeName: pulumi.Input<string>; imageId: pulumi.Input<string> },
): proxmoxve.VmLegacyArgs {
    return {
        nodeName,
        name: spec.name,
        vmId: spec.vmId,
        description: "K3s server of the homelab stack, managed by Pulumi.",
        tags: ["homelab", "k3s", "pulumi"],
        onBoot: true,
        started: true,
        // Proxmox's ACPI shutdown can hang a destroy; the VM is being deleted anyway.
        stopOnDestroy: true,
        operatingSystem: { type: "l26" },
        cpu: { cores: spec.cores, sockets: 1, type: VM_CPU_TYPE },
        memory: { dedicated: spec.memoryMiB, floating: 0 },
        // The agent is installed by the first SSH step; the address is static, so never wait for it.
        agent: { enabled: true, trim: true, waitForIp: { disabled: true } },
        scsiHardware: "virtio-scsi-single",
        disks: [
            {
                interface: "scsi0",
                datastoreId: args.vmDatastore,
                importFrom: imageId,
                size: spec.diskGiB,
                iothread: true,
                discard: "on",
                ssd: true,
            },
        ],
        bootOrders: ["scsi0"],
        networkDevices: [{ bridge: args.network.bridge, model: "virtio" }],
        // Ubuntu cloud images log to a serial console.
        serialDevices: [{ device: "socket" }],
        initialization: {
            datastoreId: args.vmDatastore,
            userAccount: { username: args.ssh.user, keys: [args.ssh.publicKey] },
            ipConfigs: [{ ipv4: { address: `${spec.ip}/${args.network.prefixLength}`, gateway: args.network.gateway } }],
            dns: { servers: args.network.dnsServers },
        },
    };
}
