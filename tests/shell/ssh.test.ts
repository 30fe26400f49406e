// The SSH port probe runs for real under Node, against a listener on 127.0.0.1 and against a closed port.
import { spawn } from "node:child_process";
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { sshConnection, sshPortProbeScript } from "../../components/shell/ssh";

function runProbe(script: string): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
    const started = Date.now();
    return new Promise((resolve) => {
        const child = spawn(process.execPath, ["-e", script]);
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (code) => resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
    });
}

/** A port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((r) => server.close(r));
    return port;
}

describe("the SSH port probe", () => {
    it("succeeds as soon as the port accepts, naming the login that comes next", async () => {
        const server = net.createServer((socket) => socket.end());
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const port = (server.address() as net.AddressInfo).port;
        try {
            const result = await runProbe(
                sshPortProbeScript({ node: "k3s-node-01", host: "127.0.0.1", user: "ubuntu", timeoutSeconds: 5, port, retrySeconds: 1 }),
            );
            expect(result.code).toBe(0);
            expect(result.stdout).toContain("k3s-node-01 (127.0.0.1) answers on port");
            expect(result.stdout).toContain("SSH as ubuntu");
        } finally {
            server.close();
        }
    });

    it("keeps trying until the deadline, then fails naming the node, its address and what to check", async () => {
        const port = await closedPort();
        const result = await runProbe(
            sshPortProbeScript({ node: "k3s-node-02", host: "127.0.0.1", user: "ubuntu", timeoutSeconds: 2, port, retrySeconds: 0.5 }),
        );
        expect(result.code).toBe(1);
        expect(result.seconds).toBeGreaterThanOrEqual(1.9);
        expect(result.seconds).toBeLessThan(5);
        expect(result.stderr).toContain(`ERROR: k3s-node-02 (127.0.0.1) did not answer SSH on port ${port} within 2 s.`);
        for (const hint of ["homelab:bridge", "homelab:gateway", "no other machine uses 127.0.0.1", "homelab:sshConnectTimeoutSeconds"]) {
            expect(result.stderr).toContain(hint);
        }
    });

    it("waits for a port that opens late", async () => {
        const port = await closedPort();
        const probe = runProbe(sshPortProbeScript({ node: "k3s-node-03", host: "127.0.0.1", user: "ubuntu", timeoutSeconds: 5, port, retrySeconds: 0.3 }));
        const server = net.createServer((socket) => socket.end());
        await new Promise((r) => setTimeout(r, 800));
        await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
        try {
            expect((await probe).code).toBe(0);
        } finally {
            server.close();
        }
    });

    it("embeds host names as data, never as code", () => {
        const script = sshPortProbeScript({ node: "n", host: "x'); process.exit(0); ('", user: "u", timeoutSeconds: 1 });
        expect(script).toContain(JSON.stringify("x'); process.exit(0); ('"));
    });

    it("bounds every SSH connection: never unlimited dials", () => {
        const connection = sshConnection("h", { user: "u", privateKey: "k" });
        expect(Number.isInteger(connection.dialErrorLimit) && (connection.dialErrorLimit as number) >= 1).toBe(true);
    });
});
