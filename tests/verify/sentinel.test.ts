// data.sentinels-agree against real Redis Sentinels: three redis-sentinel processes on 127.0.0.1 watching a real
// redis-server; the check's own redis-cli command runs for real (the fake exec only points it at the local port).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { POD_PORTS, REDIS_ROTATION } from "../../components/data/facts";
import { CHECKS } from "../../programs/verify/catalog";
import { nativeTool } from "../helpers/tools";
import { fakeContext, startFakeLab, type FakeLab, type Reply } from "./fakeLab";
import { healthyExecs, healthyRoutes } from "./world";

const sentinel = nativeTool("redis-sentinel", "redis-sentinel", ["--version"]);
const cli = nativeTool("redis-cli", "redis-tools", ["--version"]);
const server = nativeTool("redis-server", "redis-server", ["--version"]);
const run = promisify(execFile);

const freePort = () =>
    new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });

async function waitFor(probe: () => Promise<boolean>, what: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
        if (await probe().catch(() => false)) return;
        await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${what} did not come up`);
}

const SENTINEL_PODS = ["rfs-shlink-redis-abc", "rfs-shlink-redis-def", "rfs-shlink-redis-ghi"];

// Skipped with a note when one of the three is missing (the first missing one names its package); fails under CI.
([sentinel, cli, server].find((t) => !t.available) ?? sentinel).describe("data.sentinels-agree against real redis-sentinel", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-sentinel-"));
    const children: ChildProcess[] = [];
    const masters = { lab: { host: "127.0.0.1", port: 0 }, other: { host: "127.0.0.2", port: 0 } };
    const sentinelPorts: number[] = [];
    let lab: FakeLab;

    const redisCli = async (port: number, ...args: string[]) => (await run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args])).stdout;
    const monitor = async (port: number, master: { host: string; port: number }) => {
        await redisCli(port, "SENTINEL", "REMOVE", REDIS_ROTATION.sentinelMasterName).catch(() => undefined);
        await redisCli(port, "SENTINEL", "MONITOR", REDIS_ROTATION.sentinelMasterName, master.host, String(master.port), "2");
    };

    beforeAll(async () => {
        for (const m of Object.values(masters)) {
            m.port = await freePort();
            children.push(
                spawn("redis-server", ["--bind", m.host, "--port", String(m.port), "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" }),
            );
            await waitFor(
                async () => (await run("redis-cli", ["-h", m.host, "-p", String(m.port), "PING"])).stdout.trim() === "PONG",
                `redis-server on ${m.host}`,
            );
        }
        for (let i = 0; i < 3; i++) {
            const port = await freePort();
            const conf = path.join(dir, `sentinel-${i}.conf`);
            fs.writeFileSync(
                conf,
                `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor ${REDIS_ROTATION.sentinelMasterName} ${masters.lab.host} ${masters.lab.port} 2\n`,
            );
            children.push(spawn("redis-sentinel", [conf], { stdio: "ignore" }));
            sentinelPorts.push(port);
            await waitFor(async () => (await redisCli(port, "PING")).trim() === "PONG", `redis-sentinel ${i}`);
        }
    });

    afterAll(() => {
        children.forEach((c) => c.kill());
        fs.rmSync(dir, { recursive: true, force: true });
    });

    beforeEach(async () => {
        lab = await startFakeLab();
        lab.routes = healthyRoutes(lab);
        lab.execs = healthyExecs();
        // The pod the operator labels master is the local redis-server's address; each sentinel pod is a real sentinel.
        const pods = (lab.routes["GET /k8s/pods"] as Reply).body as { metadata: { name: string }; status: { podIP: string } }[];
        pods.find((p) => p.metadata.name === "rfr-shlink-redis-0")!.status.podIP = masters.lab.host;
        SENTINEL_PODS.forEach((pod, i) => {
            lab.execs[`redis/${pod}/sentinel`] = async (command) => {
                expect(command.slice(0, 3)).toEqual(["redis-cli", "-p", String(POD_PORTS.sentinel)]);
                return (await run(command[0], ["-h", "127.0.0.1", "-p", String(sentinelPorts[i]), ...command.slice(3)])).stdout;
            };
        });
        for (const port of sentinelPorts) await monitor(port, masters.lab);
        return async () => lab.close();
    });

    const check = CHECKS.find((c) => c.id === "data.sentinels-agree")!;

    it("passes when every sentinel names the labelled master", async () => {
        const outcome = await check.run(fakeContext(lab));
        expect(outcome).toMatchObject({ status: "pass", evidence: expect.stringContaining(`rfs-shlink-redis-abc → ${masters.lab.host}`) });
    });

    it("fails when one sentinel watches another master", async () => {
        await monitor(sentinelPorts[2], masters.other);
        const outcome = await check.run(fakeContext(lab));
        expect(outcome).toMatchObject({ status: "fail", cause: "the sentinels disagree on the master" });
        expect(outcome.evidence).toContain(`rfs-shlink-redis-ghi → ${masters.other.host}`);
    });

    it("fails when the sentinels agree on a pod that is not labelled master", async () => {
        for (const port of sentinelPorts) await monitor(port, masters.other);
        expect(await check.run(fakeContext(lab))).toMatchObject({ status: "fail", cause: "the sentinels' master is not the pod labelled master" });
    });

    it("fails when a sentinel knows no such master", async () => {
        await redisCli(sentinelPorts[1], "SENTINEL", "REMOVE", REDIS_ROTATION.sentinelMasterName);
        const outcome = await check.run(fakeContext(lab));
        expect(outcome).toMatchObject({ status: "fail", cause: "the sentinels disagree on the master" });
    });
});
