// SSH: the user cloud-init creates, the key it authorizes, and the private key the program connects with.
import { LINUX_USER_PATTERN, PRIVATE_KEY_ARMOUR_PATTERN, SSH_PUBLIC_KEY_PATTERN } from "./patterns";
import { Reader } from "./read";
import type { Checked, SshConfig } from "./types";

export function validateSsh(h: Record<string, unknown>): Checked<SshConfig> {
    const read = new Reader(h);
    const problems = read.problems;
    const user = read.str("sshUser");
    if (!LINUX_USER_PATTERN.test(user)) {
        problems.push(`homelab:sshUser must be a Linux user name (got "${user}").`);
    }
    const publicKey = typeof h.sshPublicKey === "string" ? h.sshPublicKey.trim() : "";
    if (publicKey === "") {
        problems.push('homelab:sshPublicKey is not set: pulumi config set homelab:sshPublicKey "$(cat ~/.ssh/id_ed25519.pub)"');
    } else if (!SSH_PUBLIC_KEY_PATTERN.test(publicKey)) {
        problems.push("homelab:sshPublicKey must be one OpenSSH public key line (ssh-ed25519 AAAA... comment).");
    }
    const privateKey = h.sshPrivateKey;
    if (typeof privateKey !== "string" || privateKey.trim() === "") {
        problems.push("homelab:sshPrivateKey is not set: pulumi config set --secret homelab:sshPrivateKey < ~/.ssh/id_ed25519");
    } else if (!PRIVATE_KEY_ARMOUR_PATTERN.test(privateKey)) {
        problems.push(
            "homelab:sshPrivateKey must be a PEM/OpenSSH private key (value not shown): " +
                "pulumi config set --secret homelab:sshPrivateKey < ~/.ssh/id_ed25519",
        );
    }
    return problems.length > 0 ? { problems } : { problems, value: { user, publicKey, connectTimeoutSeconds: 600 } };
}
