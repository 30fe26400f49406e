// The one way the stack opens SSH to a node.
import type * as command from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import { SSH_DIAL } from "../defaults";

export interface SshLogin {
    /** Login with passwordless sudo (cloud-init). */
    user: string;
    /** Private key (secret). */
    privateKey: pulumi.Input<string>;
}

/** A remote.Command connection: @pulumi/command retries a failed dial until `dialErrorLimit` attempts failed. */
export function sshConnection(
    host: pulumi.Input<string>,
    login: SshLogin,
    dialErrorLimit: number,
): command.types.input.remote.ConnectionArgs {
    return { host, user: login.user, privateKey: login.privateKey, dialErrorLimit, perDialTimeout: SSH_DIAL.perDialTimeoutSeconds };
}
