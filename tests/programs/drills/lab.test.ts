// The pure parts of the real lab: which servers node-loss may stop, the ssh command
// line, and Grafana's annotation body. (The SSH, the Pulumi CLI and Grafana themselves only a real lab runs.)
import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { DRILLS } from "../../../programs/shared/facts";
import { annotationBody, grafanaAnnotate, nodeCandidates, runSsh, sshArgs, sshNodes } from "../../../programs/drills/lab";

const ADDRESSES = { "k3s-1": "192.168.1.21", "k3s-2": "192.168.1.22", "k3s-3": "192.168.1.23" };

describe("the real lab's pure parts", () => {
    it("never offers the server the kubeconfig talks to for node-loss, nor the first server behind a VIP", () => {
        expect(nodeCandidates(ADDRESSES, "https://192.168.1.21:6443")).toEqual(["k3s-2", "k3s-3"]);
        expect(nodeCandidates(ADDRESSES, "https://192.168.1.240:6443")).toEqual(["k3s-2", "k3s-3"]);
        expect(nodeCandidates({}, "https://k3d:6443")).toEqual([]);
    });

    it("runs ssh with the stack's key only, no prompt, a throw-away known_hosts, and K3s' own stop/start commands", () => {
        const args = sshArgs("/tmp/d/key", "/tmp/d/known_hosts", "ubuntu", "192.168.1.22", DRILLS.nodeStop);
        expect(args).toEqual([
            "-i",
            "/tmp/d/key",
            "-o",
            "BatchMode=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "StrictHostKeyChecking=accept-new",
            "-o",
            "UserKnownHostsFile=/tmp/d/known_hosts",
            "-o",
            "ConnectTimeout=10",
            "ubuntu@192.168.1.22",
            "sudo /usr/local/bin/k3s-killall.sh",
        ]);
        expect(DRILLS.nodeStart).toBe("sudo systemctl start k3s");
    });

    it("marks the fault window as a Grafana region annotation (time and timeEnd in ms) tagged drill", () => {
        expect(annotationBody("drill x", 1000, 5000, ["drill", "x"])).toEqual({ time: 1000, timeEnd: 5000, tags: ["drill", "x"], text: "drill x" });
    });
});

describe("the node control over SSH", () => {
    const commands = { stop: DRILLS.nodeStop, stopService: DRILLS.nodeStopService, start: DRILLS.nodeStart };

    it("fails as a rejected promise, never a synchronous throw, when the stack's key cannot be read (the runner's restore then runs)", async () => {
        const nodes = sshNodes(ADDRESSES, "https://192.168.1.21:6443", commands, {
            config: () => {
                throw new Error("pulumi config get: no stack");
            },
            ssh: () => Promise.resolve(),
        });
        let result: Promise<void> | undefined;
        expect(() => (result = nodes.stop("k3s-2"))).not.toThrow();
        await expect(result).rejects.toThrow("no stack");
        await expect(nodes.start("k3s-2")).rejects.toThrow("no stack");
    });

    it("runs K3s' commands with the stack's user and a bounded SSH, and names the command to start k3s by hand", async () => {
        const seen: { args: string[]; timeoutMs: number }[] = [];
        const nodes = sshNodes(ADDRESSES, "https://192.168.1.21:6443", commands, {
            config: (key) => (key === "homelab:sshUser" ? "lab" : "KEY"),
            ssh: (args, timeoutMs) => {
                seen.push({ args, timeoutMs });
                return Promise.resolve();
            },
        });
        await nodes.stopService("k3s-3");
        await nodes.start("k3s-3");
        expect(seen.map((s) => s.args.slice(-2))).toEqual([
            ["lab@192.168.1.23", "sudo systemctl stop k3s"],
            ["lab@192.168.1.23", "sudo systemctl start k3s"],
        ]);
        expect(seen.every((s) => s.timeoutMs === DRILLS.sshTimeoutSeconds * 1000)).toBe(true);
        expect(nodes.startByHand("k3s-3")).toBe("ssh lab@192.168.1.23 sudo systemctl start k3s");
    });

    it("an ssh that cannot even start is a rejection naming the host and the command", async () => {
        const original = process.env.PATH;
        process.env.PATH = "/nonexistent";
        try {
            await expect(runSsh(["-o", "BatchMode=yes", "lab@192.0.2.1", "true"], 1000)).rejects.toThrow("ssh lab@192.0.2.1 'true'");
        } finally {
            process.env.PATH = original;
        }
    });
});

describe("the Grafana annotation", () => {
    it("gives up, with a message naming the call, on a Grafana that accepts the connection and never answers", async () => {
        const sockets: net.Socket[] = [];
        const server = net.createServer((socket) => sockets.push(socket));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as net.AddressInfo;
        try {
            const started = Date.now();
            const annotate = grafanaAnnotate({ url: `https://127.0.0.1:${port}/`, password: "pw" }, 300);
            await expect(annotate("drill x", 0, 1, ["drill"])).rejects.toThrow(
                `Grafana did not answer POST https://127.0.0.1:${port}/api/annotations within 0.3 s`,
            );
            expect(Date.now() - started).toBeLessThan(5000);
        } finally {
            sockets.forEach((s) => s.destroy());
            server.close();
        }
    });
});
