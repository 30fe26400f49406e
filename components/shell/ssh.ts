// The one way the stack opens SSH to a node: every dial bounded, the key a secret.
import type * as command from "@pulumi/command";
import type * as pulumi from "@pulumi/pulumi";
import { SSH_DIAL, SSH_PORT } from "../defaults";

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
export function sshConnection(host: pulumi.Input<string>, login: SshLogin): command.types.input.remote.ConnectionArgs {
    return {
        host,
        user: login.user,
        privateKey: login.privateKey,
        // Never -1 (unlimited): the port probe before the first step waits for a slow boot instead.
        dialErrorLimit: SSH_DIAL.attemptsAfterBoot,
        perDialTimeout: SSH_DIAL.perDialTimeoutSeconds,
    };
}

export interface SshPortProbe {
    /** Node name, for the message. */
    node: string;
    host: string;
    /** The login that comes next, for the message. */
    user: string;
    timeoutSeconds: number;
    port?: number;
    /** Pause between two attempts (and the longest one attempt may take). */
    retrySeconds?: number;
}

/**
 * A Node.js program (run on the machine running Pulumi, which has Node) that waits until `host:port` accepts a
 * TCP connection, for at most `timeoutSeconds`, then fails with a message naming the node, its address and what
 * to check. It separates "the VM is not on the network" (this message) from "SSH refuses our key" (the SSH
 * step after it, which fails within a few dials with the provider's `unable to authenticate`).
 */
export function sshPortProbeScript(probe: SshPortProbe): string {
    const port = probe.port ?? SSH_PORT;
    const retry = probe.retrySeconds ?? 5;
    if (!Number.isInteger(probe.timeoutSeconds) || probe.timeoutSeconds <= 0) {
        throw new Error(`the probe's timeout must be a positive whole number of seconds, got ${probe.timeoutSeconds}`);
    }
    const failure =
        `${probe.node} (${probe.host}) did not answer SSH on port ${port} within ${probe.timeoutSeconds} s. ` +
        "Check that homelab:bridge is on your LAN, that homelab:subnet and homelab:gateway are right, that no other " +
        `machine uses ${probe.host}, and the VM's console in Proxmox (cloud-init prints its network setup there); ` +
        "for a slow first boot raise homelab:sshConnectTimeoutSeconds.";
    const success = `${probe.node} (${probe.host}) answers on port ${port}; next: SSH as ${probe.user} with homelab:sshPrivateKey`;
    return [
        "const net = require('net');",
        `const host = ${JSON.stringify(probe.host)}, port = ${port}, retryMs = ${retry * 1000};`,
        `const deadline = Date.now() + ${probe.timeoutSeconds * 1000};`,
        "function attempt() {",
        "  const socket = net.connect({ host, port, timeout: retryMs });",
        `  socket.once('connect', () => { socket.destroy(); console.log(${JSON.stringify(success)}); });`,
        "  let settled = false;",
        "  const again = () => {",
        "    if (settled) return;",
        "    settled = true;",
        "    socket.destroy();",
        `    if (Date.now() >= deadline) { console.error(${JSON.stringify(`ERROR: ${failure}`)}); process.exit(1); }`,
        "    setTimeout(attempt, Math.min(retryMs, Math.max(0, deadline - Date.now())));",
        "  };",
        "  socket.once('timeout', again);",
        "  socket.once('error', again);",
        "}",
        "attempt();",
    ].join("\n");
}
