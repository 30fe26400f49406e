// /etc/rancher/k3s/registries.yaml: where every node pulls images from (k3s-io/docs private-registry.md).
import { REGISTRY_MIRRORS } from "./facts";
import { yamlString } from "../shell/quote";

export interface RegistriesConfig {
    /** Pull-through cache tried first for docker.io images (K3s falls back to Docker Hub); none: Docker Hub only. */
    dockerHubMirror: string | undefined;
    /** Docker Hub login (both or neither): only sent to Docker Hub, never to the cache. */
    dockerHubUsername?: string;
    /** Docker Hub access token (secret). */
    dockerHubToken?: string;
}

/**
 * The file's content: every shared registry under `mirrors` (K3s' embedded mirror, Spegel, serves only
 * registries listed there), docker.io with the pull-through cache as its endpoint, and Docker Hub
 * credentials when given. Deterministic, pure ASCII.
 */
export function registriesYaml(cfg: RegistriesConfig): string {
    if (cfg.dockerHubMirror !== undefined && !/^https?:\/\/[^\s"'\\]+$/.test(cfg.dockerHubMirror)) {
        throw new Error(`the Docker Hub mirror must be an http(s) URL, got ${JSON.stringify(cfg.dockerHubMirror)}`);
    }
    const username = cfg.dockerHubUsername ?? "";
    const token = cfg.dockerHubToken ?? "";
    if ((username === "") !== (token === "")) {
        throw new Error("Docker Hub credentials need both a username and a token (or neither)");
    }
    const mirrors = REGISTRY_MIRRORS.shared.flatMap((registry) =>
        registry === REGISTRY_MIRRORS.dockerHub && cfg.dockerHubMirror !== undefined
            ? [`  ${yamlString(registry)}:`, "    endpoint:", `      - ${yamlString(cfg.dockerHubMirror)}`]
            : [`  ${yamlString(registry)}: {}`],
    );
    const configs =
        username === ""
            ? []
            : [
                  "configs:",
                  `  ${yamlString(REGISTRY_MIRRORS.dockerHubHost)}:`,
                  "    auth:",
                  `      username: ${yamlString(username)}`,
                  `      password: ${yamlString(token)}`,
              ];
    return ["# Managed by Pulumi (homelab k3s); manual edits are overwritten on the next `pulumi up`.", "mirrors:", ...mirrors, ...configs, ""].join("\n");
}
