// K3s: the release installed on every server, how long a node may take to become Ready, and where the
// nodes pull Docker Hub images from.
import { CONFIG_DEFAULTS, K3S_VERSION_PATTERN } from "./defaults";
import { DOCKER_HUB_USER_PATTERN } from "./patterns";
import { Reader } from "./read";
import type { Checked, K3sConfig } from "./types";
import { configSet, configSetSecret } from "./fix";

/** The homelab:registryMirror value that pulls from Docker Hub itself. */
export const NO_REGISTRY_MIRROR = "none";

export function validateK3s(h: Record<string, unknown>): Checked<K3sConfig> {
    const read = new Reader(h);
    const problems = read.problems;
    const version = read.str("k3sVersion");
    if (!K3S_VERSION_PATTERN.test(version)) {
        problems.push(`homelab:k3sVersion must be a K3s release tag such as v1.34.9+k3s1 (got "${version}").`);
    }
    const readyTimeoutSeconds = read.int("nodeReadyTimeoutSeconds", 30, 3600);
    const mirror = read.str("registryMirror");
    if (mirror !== NO_REGISTRY_MIRROR && !isMirrorUrl(mirror)) {
        problems.push(
            `homelab:registryMirror must be an https:// registry URL such as ${CONFIG_DEFAULTS.registryMirror}, ` +
                `or "${NO_REGISTRY_MIRROR}" to pull from Docker Hub directly (got "${mirror}").`,
        );
    }
    const dockerHubUsername = read.optional("dockerHubUsername");
    const tokenSet = typeof h.dockerHubToken === "string" && h.dockerHubToken !== "";
    if ((dockerHubUsername !== undefined) !== tokenSet) {
        problems.push(
            "homelab:dockerHubUsername and homelab:dockerHubToken go together, set both or neither: " +
                `${configSet("homelab:dockerHubUsername", "<user>")} && ${configSetSecret("homelab:dockerHubToken")} (paste the access token when Pulumi asks)`,
        );
    } else if (dockerHubUsername !== undefined && !DOCKER_HUB_USER_PATTERN.test(dockerHubUsername)) {
        problems.push(`homelab:dockerHubUsername must be a Docker Hub user name (got "${dockerHubUsername}").`);
    }
    if (problems.length > 0 || readyTimeoutSeconds === undefined) {
        return { problems };
    }
    const dockerHubMirror = mirror === NO_REGISTRY_MIRROR ? undefined : mirror;
    return { problems, value: { version, readyTimeoutSeconds, dockerHubMirror, ...(dockerHubUsername ? { dockerHubUsername } : {}) } };
}

/** An https URL of a registry: a host, maybe a port and path, no credentials, query or fragment. */
function isMirrorUrl(text: string): boolean {
    try {
        const url = new URL(text);
        return url.protocol === "https:" && url.hostname !== "" && !url.username && !url.password && !url.search && !url.hash;
    } catch {
        return false;
    }
}
