// The loader reads an SSH private key's public half as ssh-keygen does (ssh-keygen itself, where installed).
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect } from "vitest";
import { ed25519Pair } from "../helpers/sshKeys";
import { nativeTool } from "../helpers/tools";
import { problemsOf } from "./raw";

const sshKeygen = nativeTool("ssh-keygen", "openssh-client", ["-?"]);

const pair = ed25519Pair();
const withKeys = (keys: { publicKey: string; privateKey: string }, overrides: Record<string, string | undefined> = {}) =>
    problemsOf({ "homelab:sshPublicKey": keys.publicKey, "homelab:sshPrivateKey": keys.privateKey, ...overrides });

describe("the SSH key pair, against ssh-keygen", () => {
    sshKeygen.it("reads the public half of unencrypted PEM keys (RSA, ECDSA) and OpenSSH keys as ssh-keygen does", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-keys-"));
        try {
            const keys = {
                rsa: crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "pem", type: "pkcs1" }),
                ecdsa: crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "sec1" }),
                openssh: pair.privateKey,
            };
            for (const [name, privateKey] of Object.entries(keys)) {
                const file = path.join(dir, name);
                fs.writeFileSync(file, privateKey as string, { mode: 0o600 });
                const derived = spawnSync("ssh-keygen", ["-y", "-f", file], { encoding: "utf8" });
                expect(derived.status, `${name}: ${derived.stderr}`).toBe(0);
                const publicKey = derived.stdout.trim();
                expect(withKeys({ publicKey, privateKey: privateKey as string }), name).toEqual([]);
                expect(withKeys({ publicKey: ed25519Pair().publicKey, privateKey: privateKey as string }), name).toHaveLength(1);
            }
            const opensshPublic = spawnSync("ssh-keygen", ["-y", "-f", path.join(dir, "openssh")], { encoding: "utf8" }).stdout;
            expect(opensshPublic.split(" ").slice(0, 2)).toEqual(pair.publicKey.split(" ").slice(0, 2));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
