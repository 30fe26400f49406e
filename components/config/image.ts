// The cloud image the VMs boot from, and the datastores Proxmox keeps it and the VM disks on.
import { IMPORT_FILE_NAME_PATTERN, SHA256_PATTERN } from "./patterns";
import { isHttpsUrl, Reader } from "./read";
import type { Checked, PlainConfig } from "./types";

export function validateImage(h: Record<string, unknown>): Checked<Pick<PlainConfig, "image" | "vmDatastore">> {
    const read = new Reader(h);
    const problems = read.problems;
    const url = read.str("imageUrl");
    if (!isHttpsUrl(url) && !/^http:\/\//.test(url)) {
        problems.push(`homelab:imageUrl must be an http(s) URL (got "${url}").`);
    }
    const sha256 = read.str("imageSha256");
    if (!SHA256_PATTERN.test(sha256)) {
        problems.push("homelab:imageSha256 must be the image's SHA-256 as 64 lowercase hex digits.");
    }
    const fileName = read.str("imageFileName");
    if (!IMPORT_FILE_NAME_PATTERN.test(fileName)) {
        problems.push(`homelab:imageFileName must end in .qcow2, .raw or .vmdk: Proxmox's import storage accepts no other (got "${fileName}").`);
    }
    const image = { url, sha256, fileName, datastore: read.str("imageDatastore") };
    return problems.length > 0 ? { problems } : { problems, value: { image, vmDatastore: read.str("vmDatastore") } };
}
