// The whole config: one validator per section, then the checks that span sections.
import { capacityProblems, validateHost } from "./host";
import { validateBackup } from "./backup";
import { validateGitops } from "./gitops";
import { validateImage } from "./image";
import { unknownKeyProblems } from "./keys";
import { validateK3s } from "./k3s";
import { validateMesh } from "./mesh";
import { validateNetwork } from "./network";
import { validateNodes } from "./nodes";
import { validatePlatform, volumeProblems } from "./platform";
import { validateProxmox } from "./proxmox";
import { validateSsh } from "./ssh";
import { clusterTarget, proxmoxTarget, stackMode } from "./target";
import type { CapacityPlan, Checked, OffsiteBackupConfig, PlainConfig, RawConfig, StackConfig } from "./types";

/**
 * Validates either mode's config: Proxmox mode (homelab:nodes) through validateConfig, cluster mode
 * (homelab:kubeconfig) through validateClusterConfig; both or neither set is refused. `plan` sizes the platform
 * against the nodes (stacks/capacity.ts: capacity planning lives above the loader).
 */
export function validateStack(raw: RawConfig, plan: CapacityPlan): { config?: StackConfig; problems: string[]; notes: string[] } {
    const { mode, problems } = stackMode(raw.homelab);
    if (mode === undefined) {
        return { problems, notes: [] };
    }
    if (mode === "cluster") {
        return validateClusterConfig(raw, plan);
    }
    const result = validateConfig(raw, plan);
    return { ...result, config: result.config && { mode, ...result.config } };
}

/**
 * A stack on an existing cluster: only the layers above the cluster are checked (Proxmox, LAN, VM, K3s and
 * SSH keys are not needed). Node sizes are unknown here, so the budget with one node drained is a note.
 */
export function validateClusterConfig(raw: RawConfig, plan: CapacityPlan): { config?: StackConfig; problems: string[]; notes: string[] } {
    const h = raw.homelab;
    const keys: Checked<never> = { problems: unknownKeyProblems(Object.keys(h).filter((key) => h[key] !== undefined)) };
    const platform = validatePlatform(h);
    const mesh = validateMesh(h);
    const gitops = validateGitops(h);
    const target = clusterTarget(h);
    const backup = validateBackup(h);
    const sections = [keys, platform, mesh, gitops, target, backup];
    const problems = sections.flatMap((s) => s.problems);
    const notes = sections.flatMap((s): string[] => s.notes ?? []);
    if (problems.length > 0) {
        return { problems, notes };
    }
    notes.push(plan.drainedNote(target.value!.nodeCount, platform.value!, gitops.value!, backup.value !== undefined));
    return {
        problems,
        notes,
        config: { mode: "cluster", platform: platform.value!, mesh: mesh.value!, gitops: gitops.value!, target: target.value!, ...offsite(backup) },
    };
}

/**
 * Validates raw config and applies defaults. Pure: tests call it without Pulumi. Returns every problem
 * found, each naming the key and what to set, so one `pulumi up` shows the whole list; a check that needs
 * an unusable value is skipped, so each mistake is reported once.
 */
export function validateConfig(raw: RawConfig, plan: CapacityPlan): { config?: PlainConfig; problems: string[]; notes: string[] } {
    const h = raw.homelab;
    const keys: Checked<never> = { problems: unknownKeyProblems(Object.keys(h).filter((key) => h[key] !== undefined)) };
    const proxmox = validateProxmox(raw.proxmoxve);
    const network = validateNetwork(h);
    const nodes = validateNodes(h, network.lan);
    const k3s = validateK3s(h);
    const ssh = validateSsh(h);
    const image = validateImage(h);
    const host = validateHost(h);
    const platform = validatePlatform(h);
    const mesh = validateMesh(h);
    const gitops = validateGitops(h);
    const target = proxmoxTarget(h, nodes.value);
    const backup = validateBackup(h);
    const sections = [keys, proxmox, network, nodes, k3s, ssh, image, host, platform, mesh, gitops, target, backup];
    const problems = sections.flatMap((s) => s.problems);
    const notes = sections.flatMap((s): string[] => s.notes ?? []);
    if (nodes.value && host.value) {
        problems.push(...capacityProblems(nodes.value, host.value));
    }
    if (nodes.value && platform.value) {
        problems.push(...volumeProblems(nodes.value, platform.value));
    }
    // Sized against a node list that is itself wrong (an even count, a bad size), it would only repeat that mistake.
    if (nodes.value && nodes.problems.length === 0 && platform.value && gitops.value) {
        problems.push(...plan.drainedProblems(nodes.value, platform.value, gitops.value, backup.value !== undefined));
    }
    if (problems.length > 0) {
        return { problems, notes };
    }
    // No problem means every section returned its value.
    return {
        problems,
        notes,
        config: {
            proxmox: proxmox.value!,
            network: network.value!,
            ...image.value!,
            nodes: nodes.value!,
            k3s: k3s.value!,
            ssh: ssh.value!,
            host: host.value!,
            platform: platform.value!,
            mesh: mesh.value!,
            gitops: gitops.value!,
            target: target.value!,
            ...offsite(backup),
        },
    };
}

/** The off-site repository's settings when it is on; nothing when off. */
function offsite(backup: Checked<OffsiteBackupConfig | undefined>): { offsiteBackup?: OffsiteBackupConfig } {
    return backup.value === undefined ? {} : { offsiteBackup: backup.value };
}
