// Argo CD on or off, and the user's Git repo its root Application syncs.
import { Reader } from "./read";
import type { Checked, GitopsConfig } from "./types";
import { configRm, configSet } from "./fix";

/** What Argo CD clones: https://, ssh:// or scp-like git@host:path. */
const GIT_URL = /^(https:\/\/[^\s/]+\/\S+|ssh:\/\/\S+@[^\s/]+\/\S+|[\w.-]+@[\w.-]+:\S+)$/;

export function validateGitops(h: Record<string, unknown>): Checked<GitopsConfig> {
    const read = new Reader(h);
    const argocd = read.bool("argocd");
    const repoUrl = read.optional("gitopsRepoUrl");
    const path = read.str("gitopsPath");
    const revision = read.str("gitopsRevision");
    const problems = read.problems;
    if (repoUrl !== undefined && !GIT_URL.test(repoUrl)) {
        problems.push(`homelab:gitopsRepoUrl must be a Git URL Argo CD can clone (https://, ssh:// or git@host:path; got "${repoUrl}").`);
    }
    if (repoUrl !== undefined && !argocd) {
        problems.push(`homelab:gitopsRepoUrl needs Argo CD: ${configSet("homelab:argocd", "true")}, or ${configRm("homelab:gitopsRepoUrl")}`);
    }
    if (path.startsWith("/") || path.split("/").includes("..")) {
        problems.push(`homelab:gitopsPath must be a path inside the repo, such as apps or "." (got "${path}").`);
    }
    if (problems.length > 0) {
        return { problems };
    }
    return { problems, value: { argocd, ...(repoUrl === undefined ? {} : { repo: { repoUrl, path, revision } }) } };
}
