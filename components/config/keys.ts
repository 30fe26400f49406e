// The `homelab:*` keys the loader knows, and the refusal of any other (a typo would silently be ignored).
import { CONFIG_DEFAULTS } from "./defaults";
import { configRm, configSet } from "./fix";

/** Keys without a default: required ones, ones derived from others, and optional ones. */
export const KEYS_WITHOUT_DEFAULT = {
    required: ["proxmoxNode", "subnet", "nodes", "sshPublicKey", "sshPrivateKey"],
    derived: ["gateway", "dnsServers"],
    optional: [
        "dockerHubUsername",
        "dockerHubToken",
        "alertWebhookUrl",
        "vip",
        "servicesVip",
        "gitopsRepoUrl",
        "domain",
        "istioCniPlatform",
        "offsiteBackupEndpoint",
        "offsiteBackupBucket",
        "offsiteBackupRegion",
        "offsiteBackupAccessKey",
        "offsiteBackupSecretKey",
        "offsiteBackupCipherKey",
        "offsiteRestore",
        "shlinkApiKey",
    ],
    /** Cluster mode's keys: required there, refused or unused with homelab:nodes. */
    cluster: ["kubeconfig", "publicAddress", "nodeCount"],
} as const;

export const KNOWN_KEYS: readonly string[] = [...Object.keys(CONFIG_DEFAULTS), ...Object.values(KEYS_WITHOUT_DEFAULT).flat()];

/** One problem per key the loader does not know, with the closest known key when one is near. */
export function unknownKeyProblems(keys: string[]): string[] {
    return keys
        .filter((key) => !KNOWN_KEYS.includes(key))
        .map((key) => {
            const near = closestKey(key);
            return near
                ? `homelab:${key} is not a homelab setting: did you mean homelab:${near}? ` +
                      `${configRm(`homelab:${key}`)} && ${configSet(`homelab:${near}`, "<value>")}`
                : `homelab:${key} is not a homelab setting (Pulumi.yaml lists them all): ${configRm(`homelab:${key}`)}`;
        });
}

/** The known key equal but for case, else the one within a few edits. */
export function closestKey(key: string): string | undefined {
    const sameButCase = KNOWN_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
    if (sameButCase) {
        return sameButCase;
    }
    const ranked = KNOWN_KEYS.map((k) => ({ k, d: editDistance(k.toLowerCase(), key.toLowerCase()) })).sort((a, b) => a.d - b.d);
    const best = ranked[0];
    return best && best.d <= Math.min(3, Math.floor(key.length / 3)) ? best.k : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}

/** The keys the loader reads as secrets (requireSecret): set with `--secret`, checked offline for presence only. */
export const SECRET_KEYS = ["proxmoxve:apiToken", "homelab:sshPrivateKey", "homelab:kubeconfig", "homelab:dockerHubToken", "homelab:alertWebhookUrl"] as const;
