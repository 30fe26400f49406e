// Real SSH key pairs for the loader's key checks, made with Node's crypto at test time: the OpenSSH
// container (openssh-key-v1, as PROTOCOL.key describes it) is assembled here, no tool needed.
import * as crypto from "node:crypto";

function sshString(value: string | Buffer): Buffer {
    const bytes = typeof value === "string" ? Buffer.from(value) : value;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
}

const uint32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
};

export interface TestKeyPair {
    /** The `.pub` line. */
    publicKey: string;
    /** The private key file, OpenSSH format. */
    privateKey: string;
}

/** A fresh ed25519 pair; `encrypted` gives it an aes256-ctr/bcrypt header (its body is random bytes). */
export function ed25519Pair(comment = "homelab@test", encrypted = false): TestKeyPair {
    const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
    const pub = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
    const seed = Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url");
    const blob = Buffer.concat([sshString("ssh-ed25519"), sshString(pub)]);
    const check = crypto.randomBytes(4);
    let secret = Buffer.concat([check, check, sshString("ssh-ed25519"), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
    const block = encrypted ? 16 : 8;
    for (let pad = 1; secret.length % block !== 0; pad++) {
        secret = Buffer.concat([secret, Buffer.from([pad])]);
    }
    const header = encrypted
        ? [sshString("aes256-ctr"), sshString("bcrypt"), sshString(Buffer.concat([sshString(crypto.randomBytes(16)), uint32(16)]))]
        : [sshString("none"), sshString("none"), sshString("")];
    const body = Buffer.concat([
        Buffer.from("openssh-key-v1\0", "latin1"),
        ...header,
        uint32(1),
        sshString(blob),
        sshString(encrypted ? crypto.randomBytes(secret.length) : secret),
    ]);
    const lines = body
        .toString("base64")
        .match(/.{1,70}/g)!
        .join("\n");
    return {
        publicKey: `ssh-ed25519 ${blob.toString("base64")} ${comment}`,
        privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines}\n-----END OPENSSH PRIVATE KEY-----\n`,
    };
}
