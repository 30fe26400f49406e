// The one way the stack opens SSH to a node: every dial bounded, the key a secret.
import type * as command from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import { SSH_DIAL } from "../defaults";

export interface SshLogin {
    /** Login with passwordless sudo (cloud-init). */
    user: string;
    /** Private key (secret). */
    privateKey: pulumi.Input<string>;
}

/**
 * A remote.Command connection. @pulumi/command retries every failed dial (refused, timed out, and a rejected
 * key alike) until `dialErrorLimit` attempts failed, pausing up to 5 s between two attempts.
 */
export function sshConnection(
    host: pulumi.Input<string>,
    login: SshLogin,
    dialErrorLimit: number = SSH_DIAL.attemptsAfterBoot,
): command.types.input.remote.ConnectionArgs {
    if (!Number.isInteger(dialErrorLimit) || dialErrorLimit < 1) {
        throw new Error(`dialErrorLimit must be a positive integer (never -1, unlimited), got ${dialErrorLimit}`);
    }
    return { host, user: login.user, privateKey: login.privateKey, dialErrorLimit, perDialTimeout: SSH_DIAL.perDialTimeoutSeconds };
}

/** Dial attempts that span `timeoutSeconds`, counting one attempt as one per-dial timeout. */
export function dialAttemptsWithin(timeoutSeconds: number): number {
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < SSH_DIAL.perDialTimeoutSeconds) {
        throw new Error(
            `the SSH connect timeout must be a whole number of seconds, at least ${SSH_DIAL.perDialTimeoutSeconds}, got ${timeoutSeconds}`,
        );
    }
    return Math.ceil(timeoutSeconds / SSH_DIAL.perDialTimeoutSeconds);
}
