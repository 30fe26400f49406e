// The whole config: one validator per section, then the checks that span sections.
import { capacityProblems, validateHost } from "./host";
import { validateImage } from "./image";
import { validateK3s } from "./k3s";
import { validateMesh } from "./mesh";
import { validateNetwork } from "./network";
import { validateNodes } from "./nodes";
import { validatePlatform, volumeProblems } from "./platform";
import { validateProxmox } from "./proxmox";
import { validateSsh } from "./ssh";
import type { PlainConfig, RawConfig } from "./types";

/**
 * Validates raw config and applies defaults. Pure: tests call it without Pulumi. Returns every problem
 * found, each naming the key and what to set, so one `pulumi up` shows the whole list; a check that needs
 * an unusable value is skipped, so each mistake is reported once.
 */
export function validateConfig(raw: RawConfig): { config?: PlainConfig; problems: string[] } {
    const h = raw.homelab;
    const proxmox = validateProxmox(raw.proxmoxve);
    const network = validateNetwork(h);
    const nodes = validateNodes(h, network.lan);
    const k3s = validateK3s(h);
    const ssh = validateSsh(h);
    const image = validateImage(h);
    const host = validateHost(h);
    const platform = validatePlatform(h);
    const mesh = validateMesh(h);
    const problems = [proxmox, network, nodes, k3s, ssh, image, host, platform, mesh].flatMap((s) => s.problems);
    if (nodes.value && host.value) {
        problems.push(...capacityProblems(nodes.value, host.value));
    }
    if (nodes.value && platform.value) {
        problems.push(...volumeProblems(nodes.value, platform.value));
    }
    if (problems.length > 0) {
        return { problems };
    }
    // No problem means every section returned its value.
    return {
        problems,
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
        },
    };
}
