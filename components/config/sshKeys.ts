// What the loader can tell about an SSH key pair without a passphrase or a tool: whether the private key is
// encrypted, and the public key it carries (OpenSSH keys hold it in clear, PEM keys derive it).
import * as crypto from "node:crypto";

const OPENSSH_MAGIC = "openssh-key-v1\0";
const OPENSSH_ARMOUR = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/;

export interface PrivateKeyFacts {
    encrypted: boolean;
    /** The public key blob (as in a `.pub` line, decoded); undefined when the key cannot be read that far. */
    publicKeyBlob?: Buffer;
}

export function privateKeyFacts(text: string): PrivateKeyFacts {
    if (/Proc-Type:\s*4,ENCRYPTED/.test(text) || text.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
        return { encrypted: true };
    }
    const openssh = OPENSSH_ARMOUR.exec(text);
    return openssh ? openSshFacts(Buffer.from(openssh[1].replace(/\s+/g, ""), "base64")) : { encrypted: false, publicKeyBlob: pemPublicBlob(text) };
}

/** The decoded blob of an OpenSSH public key line (`type base64 comment`). */
export function publicKeyLineBlob(line: string): Buffer {
    return Buffer.from(line.trim().split(/\s+/)[1] ?? "", "base64");
}

/** `SHA256:...` as `ssh-keygen -l` prints it: public, so safe to show in a message. */
export function fingerprint(blob: Buffer): string {
    return `SHA256:${crypto.createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** openssh-key-v1: magic, cipher name, kdf name, kdf options, number of keys, then each public key blob. */
function openSshFacts(body: Buffer): PrivateKeyFacts {
    if (body.subarray(0, OPENSSH_MAGIC.length).toString("latin1") !== OPENSSH_MAGIC) {
        return { encrypted: false };
    }
    const reader = sshReader(body, OPENSSH_MAGIC.length);
    const cipher = reader.string()?.toString("latin1");
    if (cipher === undefined) {
        return { encrypted: false };
    }
    reader.string(); // kdf name
    reader.string(); // kdf options
    const keys = reader.uint32();
    const publicKeyBlob = keys !== undefined && keys >= 1 ? reader.string() : undefined;
    return { encrypted: cipher !== "none", publicKeyBlob };
}

function sshReader(buffer: Buffer, start: number) {
    let offset = start;
    const uint32 = (): number | undefined => {
        if (offset + 4 > buffer.length) {
            return undefined;
        }
        offset += 4;
        return buffer.readUInt32BE(offset - 4);
    };
    const string = (): Buffer | undefined => {
        const length = uint32();
        if (length === undefined || offset + length > buffer.length) {
            offset = buffer.length;
            return undefined;
        }
        offset += length;
        return buffer.subarray(offset - length, offset);
    };
    return { uint32, string };
}

/** The SSH public blob of an unencrypted PEM key (PKCS#1, PKCS#8 or SEC1); undefined when Node cannot read it. */
function pemPublicBlob(text: string): Buffer | undefined {
    let jwk: crypto.JsonWebKey;
    try {
        jwk = crypto.createPublicKey(crypto.createPrivateKey(text)).export({ format: "jwk" });
    } catch {
        return undefined;
    }
    const b64 = (v?: string) => Buffer.from(v ?? "", "base64url");
    if (jwk.kty === "RSA") {
        return Buffer.concat([sshString("ssh-rsa"), sshString(mpint(b64(jwk.e))), sshString(mpint(b64(jwk.n)))]);
    }
    if (jwk.kty === "OKP" && jwk.crv === "Ed25519") {
        return Buffer.concat([sshString("ssh-ed25519"), sshString(b64(jwk.x))]);
    }
    const curve = { "P-256": "nistp256", "P-384": "nistp384", "P-521": "nistp521" }[jwk.crv ?? ""];
    if (jwk.kty === "EC" && curve) {
        const point = Buffer.concat([Buffer.from([4]), b64(jwk.x), b64(jwk.y)]);
        return Buffer.concat([sshString(`ecdsa-sha2-${curve}`), sshString(curve), sshString(point)]);
    }
    return undefined;
}

/** An SSH wire-format string: 32-bit big-endian length, then the bytes. */
export function sshString(value: string | Buffer): Buffer {
    const bytes = typeof value === "string" ? Buffer.from(value, "latin1") : value;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
}

/** An unsigned big integer as an SSH mpint: no leading zeros, one zero byte when the high bit is set. */
function mpint(bytes: Buffer): Buffer {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) {
        i++;
    }
    const trimmed = bytes.subarray(i);
    return trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
}
