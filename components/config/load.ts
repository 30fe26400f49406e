import * as pulumi from "@pulumi/pulumi";
import { CONFIG_DEFAULTS } from "../defaults";
import { ConfigError } from "./ConfigError";
import type { HomelabConfig, RawConfig } from "./types";
import { validateConfig } from "./validate";

/** Keys of the `homelab` namespace that hold JSON (lists and objects) rather than scalars. */
const OBJECT_KEYS = ["nodes", "dnsServers"];
const SECRET_KEYS = { homelab: ["sshPrivateKey"], proxmoxve: ["apiToken"] };

/**
 * Reads every config key once (secrets included, to check presence and shape without printing them),
 * validates, and throws one ConfigError listing every problem before any resource exists.
 */
export function loadConfig(): HomelabConfig {
    const raw: RawConfig = { homelab: {}, proxmoxve: {} };
    const problems: string[] = [];
    const scalarKeys = [...Object.keys(CONFIG_DEFAULTS), "sshPublicKey", ...SECRET_KEYS.homelab];
    for (const key of scalarKeys) {
        raw.homelab[key] = pulumi.runtime.getConfig(`homelab:${key}`);
    }
    for (const key of OBJECT_KEYS) {
        const text = pulumi.runtime.getConfig(`homelab:${key}`);
        if (text !== undefined) {
            try {
                raw.homelab[key] = JSON.parse(text);
            } catch {
                problems.push(`homelab:${key} is not valid YAML/JSON structured config.`);
            }
        }
    }
    for (const key of ["endpoint", "insecure", ...SECRET_KEYS.proxmoxve]) {
        raw.proxmoxve[key] = pulumi.runtime.getConfig(`proxmoxve:${key}`);
    }
    const result = validateConfig(raw);
    problems.push(...result.problems);
    if (problems.length > 0 || !result.config) {
        throw new ConfigError(problems);
    }
    return {
        ...result.config,
        secrets: {
            proxmoxApiToken: new pulumi.Config("proxmoxve").requireSecret("apiToken"),
            sshPrivateKey: new pulumi.Config("homelab").requireSecret("sshPrivateKey"),
        },
    };
}
