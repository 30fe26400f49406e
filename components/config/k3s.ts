// K3s: the release installed on every server and how long a node may take to become Ready.
import { K3S_VERSION_PATTERN } from "../defaults";
import { Reader } from "./read";
import type { Checked, K3sConfig } from "./types";

export function validateK3s(h: Record<string, unknown>): Checked<K3sConfig> {
    const read = new Reader(h);
    const problems = read.problems;
    const version = read.str("k3sVersion");
    if (!K3S_VERSION_PATTERN.test(version)) {
        problems.push(`homelab:k3sVersion must be a K3s release tag such as v1.34.9+k3s1 (got "${version}").`);
    }
    const readyTimeoutSeconds = read.int("nodeReadyTimeoutSeconds", 30, 3600);
    if (problems.length > 0 || readyTimeoutSeconds === undefined) {
        return { problems };
    }
    return { problems, value: { version, readyTimeoutSeconds, dockerHubMirror: undefined } };
}
