import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./ConfigError";
import type { CapacityPlan, HomelabConfig, OffsiteBackupSecrets, RawConfig } from "./types";
import { validateStack } from "./validate";

/** Keys of the `homelab` namespace that hold JSON (lists and objects) rather than scalars. */
const OBJECT_KEYS = ["nodes", "dnsServers"];
const PROXMOX_KEYS = ["endpoint", "insecure", "apiToken"];

/**
 * Reads every `homelab:*` key the stack sets (secrets included, to check presence and shape without
 * printing them) and the provider's keys, validates, and throws one ConfigError listing every problem
 * before any resource exists. `plan` sizes the platform against the nodes (stacks/capacity.ts).
 */
export function loadConfig(plan: CapacityPlan): HomelabConfig {
    const { raw, result, problems } = checkConfig(plan);
    if (problems.length > 0 || !result.config) {
        throw new ConfigError(problems);
    }
    for (const note of result.notes) {
        void pulumi.log.info(note);
    }
    const homelab = new pulumi.Config("homelab");
    const common = {
        ...(raw.homelab.alertWebhookUrl ? { alertWebhookUrl: homelab.requireSecret("alertWebhookUrl") } : {}),
        ...(result.config.offsiteBackup ? { offsiteBackup: offsiteSecrets(homelab, raw) } : {}),
        ...(raw.homelab.shlinkApiKey ? { shlinkApiKey: homelab.requireSecret("shlinkApiKey") } : {}),
    };
    if (result.config.mode === "cluster") {
        return { ...result.config, mode: "cluster", secrets: { ...common, kubeconfig: homelab.requireSecret("kubeconfig") } };
    }
    return {
        ...result.config,
        mode: "proxmox",
        secrets: {
            ...common,
            proxmoxApiToken: new pulumi.Config("proxmoxve").requireSecret("apiToken"),
            sshPrivateKey: homelab.requireSecret("sshPrivateKey"),
            ...(raw.homelab.dockerHubToken ? { dockerHubToken: homelab.requireSecret("dockerHubToken") } : {}),
        },
    };
}

/**
 * What loadConfig checks, without making any Output: every problem and note of the config Pulumi's runtime holds
 * (the engine's, or what `npm run check` set from the stack file).
 */
export function checkConfig(plan: CapacityPlan): { raw: RawConfig; result: ReturnType<typeof validateStack>; problems: string[] } {
    const { raw, problems } = readRawConfig();
    const result = validateStack(raw, plan);
    return { raw, result, problems: [...problems, ...result.problems] };
}

/** The off-site repository's keys, and the old lab's cipher key when given: secrets from the moment they are read. */
function offsiteSecrets(homelab: pulumi.Config, raw: RawConfig): OffsiteBackupSecrets {
    return {
        accessKey: homelab.requireSecret("offsiteBackupAccessKey"),
        secretKey: homelab.requireSecret("offsiteBackupSecretKey"),
        ...(raw.homelab.offsiteBackupCipherKey ? { cipherKey: homelab.requireSecret("offsiteBackupCipherKey") } : {}),
    };
}

/** Every `homelab:*` key as set (JSON keys parsed), and the Proxmox provider's keys the program uses. */
function readRawConfig(): { raw: RawConfig; problems: string[] } {
    const raw: RawConfig = { homelab: {}, proxmoxve: {} };
    const problems: string[] = [];
    for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
        if (!fullKey.startsWith("homelab:")) {
            continue;
        }
        const key = fullKey.slice("homelab:".length);
        if (!OBJECT_KEYS.includes(key)) {
            raw.homelab[key] = text;
            continue;
        }
        try {
            raw.homelab[key] = JSON.parse(text);
        } catch {
            problems.push(`homelab:${key} is not valid YAML/JSON structured config.`);
        }
    }
    for (const key of PROXMOX_KEYS) {
        raw.proxmoxve[key] = pulumi.runtime.getConfig(`proxmoxve:${key}`);
    }
    return { raw, problems };
}
