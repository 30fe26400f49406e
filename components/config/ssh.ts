// SSH: the user cloud-init creates, the key it authorizes, and the private key the program connects with.
import { LINUX_USER_PATTERN, PRIVATE_KEY_ARMOUR_PATTERN, SSH_PUBLIC_KEY_PATTERN } from "./patterns";
import { Reader, UNREAD_SECRET } from "./read";
import { fingerprint, privateKeyFacts, publicKeyLineBlob } from "./sshKeys";
import type { Checked, SshConfig } from "./types";
import { configSet, configSetSecret, SSH_KEY_FILE } from "./fix";

const SET_PRIVATE_KEY = configSetSecret("homelab:sshPrivateKey", SSH_KEY_FILE);
const SET_PUBLIC_KEY = configSet("homelab:sshPublicKey", `"$(cat ${SSH_KEY_FILE}.pub)"`);
const DEPLOY_KEY = `use an unencrypted deploy key: ssh-keygen -t ed25519 -N "" -f ${SSH_KEY_FILE} && ${SET_PUBLIC_KEY} && ${SET_PRIVATE_KEY}`;

export function validateSsh(h: Record<string, unknown>): Checked<SshConfig> {
    const read = new Reader(h);
    const problems = read.problems;
    const user = read.str("sshUser");
    if (!LINUX_USER_PATTERN.test(user)) {
        problems.push(`homelab:sshUser must be a Linux user name (got "${user}").`);
    }
    const publicKey = typeof h.sshPublicKey === "string" ? h.sshPublicKey.trim() : "";
    const publicKeyValid = publicKey !== "" && SSH_PUBLIC_KEY_PATTERN.test(publicKey);
    if (publicKey === "") {
        problems.push(`homelab:sshPublicKey is not set: ${SET_PUBLIC_KEY}`);
    } else if (!publicKeyValid) {
        problems.push("homelab:sshPublicKey must be one OpenSSH public key line (ssh-ed25519 AAAA... comment).");
    }
    problems.push(...privateKeyProblems(h.sshPrivateKey, publicKeyValid ? publicKey : undefined));
    const connectTimeoutSeconds = read.int("sshConnectTimeoutSeconds", 60, 3600);
    if (problems.length > 0 || connectTimeoutSeconds === undefined) {
        return { problems };
    }
    return { problems, value: { user, publicKey, connectTimeoutSeconds } };
}

/** Presence, shape, no passphrase, and the pair: never a word of the key itself. */
export function privateKeyProblems(privateKey: unknown, publicKey: string | undefined): string[] {
    if (typeof privateKey !== "string" || privateKey.trim() === "") {
        return [`homelab:sshPrivateKey is not set: ${SET_PRIVATE_KEY}`];
    }
    if (privateKey === UNREAD_SECRET) {
        return [];
    }
    if (!PRIVATE_KEY_ARMOUR_PATTERN.test(privateKey)) {
        return [`homelab:sshPrivateKey must be a PEM/OpenSSH private key (value not shown): ${SET_PRIVATE_KEY}`];
    }
    const facts = privateKeyFacts(privateKey);
    if (facts.encrypted) {
        return [`homelab:sshPrivateKey is protected by a passphrase, which nothing can type during \`pulumi up\`: ${DEPLOY_KEY}`];
    }
    if (!facts.publicKeyBlob) {
        return [`homelab:sshPrivateKey cannot be read as an OpenSSH or PEM private key (value not shown): ${SET_PRIVATE_KEY}`];
    }
    if (publicKey !== undefined && !facts.publicKeyBlob.equals(publicKeyLineBlob(publicKey))) {
        return [
            `homelab:sshPrivateKey does not belong to homelab:sshPublicKey (the private key's public half is ` +
                `${fingerprint(facts.publicKeyBlob)}, homelab:sshPublicKey is ${fingerprint(publicKeyLineBlob(publicKey))}): ` +
                `set both from one key, e.g. ${configSet("homelab:sshPublicKey", `"$(ssh-keygen -y -f ${SSH_KEY_FILE})"`)}`,
        ];
    }
    return [];
}
