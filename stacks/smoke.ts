// The end-to-end check at the end of `pulumi up`: every part's probes, called through the lab's doors.
import * as pulumi from "@pulumi/pulumi";
import type { HomelabConfig } from "../components/config";
import type { ProbeDoor } from "../components/contracts/checks";
import { httpsUrl, httpUrl } from "../components/contracts/doors";
import { SHLINK } from "../components/apps/facts";
import { ISTIO, ISTIO_PROXY_IMAGE } from "../components/mesh/facts";
import { readerNamespaces } from "../components/secrets/catalog";
import { sshConnection } from "../components/shell/ssh";
import { smokeTargets } from "../components/smoke/probes";
import { SmokeCheck } from "../components/smoke/SmokeCheck";
import type { TargetCluster } from "./cluster";
import { PARTS } from "./parts";
import { LAB_VAULT_ENTRIES } from "./vault";

/** What the end-to-end check needs beyond the config: the API key, the CA it verifies against, what it waits for. */
export interface CheckedUrls {
    apiKey: pulumi.Output<string>;
    caCertificate: pulumi.Output<string>;
    waitFor: pulumi.Resource[];
}

/**
 * The end-to-end check, last: over SSH on the first node in Proxmox mode (inside the lab's network), as a
 * Kubernetes Job on a cluster not of ours (no node to SSH into). It calls the lab's address, not homelab:domain
 * (which the node may not resolve): the certificate names both.
 */
export function smokeCheck(
    config: HomelabConfig,
    cluster: TargetCluster,
    urls: CheckedUrls,
    onCluster: pulumi.ComponentResourceOptions,
): pulumi.Output<string> {
    const proxmox = config.mode === "proxmox" ? config : undefined;
    const address = config.target.publicAddress;
    // The parts' probes name their doors; only the stack knows the address they answer on.
    const door = (d: ProbeDoor) => (d.scheme === "https" ? httpsUrl(address, d.port, d.path) : httpUrl(address, d.port));
    const smoke = new SmokeCheck(
        "smoke-check",
        {
            ...(proxmox ? { connection: sshConnection(cluster.firstNode!, { user: proxmox.ssh.user, privateKey: proxmox.secrets.sshPrivateKey }) } : {}),
            ...smokeTargets(PARTS, config.mesh.ports, door, readerNamespaces(LAB_VAULT_ENTRIES)),
            caCertificate: urls.caCertificate,
            apiKey: urls.apiKey,
            timeoutSeconds: config.mesh.smokeCheckTimeoutSeconds,
            jobImage: ISTIO_PROXY_IMAGE,
            waitFor: urls.waitFor,
            // Re-run whenever a version or the mesh settings change.
            triggers: [...(proxmox ? [proxmox.k3s.version] : []), ISTIO.version, SHLINK.image, JSON.stringify(config.mesh), config.platform.shlinkReplicas],
        },
        // Proxmox mode's check is an SSH command: no Kubernetes provider, as before.
        proxmox ? {} : onCluster,
    );
    return smoke.report;
}
