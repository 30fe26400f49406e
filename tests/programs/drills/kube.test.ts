// The real DrillCluster (@kubernetes/client-node, kubeconfig in memory) against a fake Kubernetes API on
// 127.0.0.1: the paths, verbs and bodies of the lock, readiness, pod kills, the backup patch and the scratch cluster.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DRILLS } from "../../../programs/shared/facts";
import { kubeDrillCluster } from "../../../programs/drills/kube";
import { backupAnnotationPatch, DEFAULT_DATA_VOLUME, scratchPostgresCluster } from "../../../programs/drills/objects";
import { drillLease } from "../../../programs/shared/lease";
import { runDrill } from "../../../programs/drills/runner";
import { EXIT } from "../../../programs/shared/exit";
import { fakeLab, T0 } from "./fakeLab";
import { fakeKubeconfig, silentKubeServer } from "../../helpers/fakeKube";

type Seen = { method: string; url: string; type?: string; body: string };
const seen: Seen[] = [];
/** The Lease the fake API holds (undefined: none). */
let stored: Record<string, any> | undefined;
let server: http.Server;
let kubeconfig: string;

beforeAll(async () => {
    server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString("utf8")));
        req.on("end", () => {
            const url = req.url ?? "";
            seen.push({ method: req.method ?? "", url, type: req.headers["content-type"], body });
            const send = (status: number, payload: unknown) => {
                res.writeHead(status, { "Content-Type": "application/json" });
                res.end(JSON.stringify(payload));
            };
            const status = (code: number, reason: string) => send(code, { kind: "Status", apiVersion: "v1", status: "Failure", reason, code });
            if (url === "/version") {
                return send(200, { major: "1", minor: "34" });
            }
            if (url.startsWith("/apis/coordination.k8s.io/v1/namespaces/load/leases")) {
                if (req.method === "POST") {
                    return stored !== undefined
                        ? status(409, "AlreadyExists")
                        : send(201, (stored = { ...JSON.parse(body), metadata: { ...JSON.parse(body).metadata, resourceVersion: "7" } }));
                }
                if (req.method === "GET") {
                    return stored === undefined ? status(404, "NotFound") : send(200, stored);
                }
                if (req.method === "PUT") {
                    return send(200, (stored = JSON.parse(body)));
                }
                stored = undefined;
                return send(200, {});
            }
            if (url.startsWith("/apis/apps/v1/namespaces/shlink/deployments")) {
                return send(200, { items: [{ metadata: { name: "shlink" }, spec: { replicas: 3 }, status: { readyReplicas: 2 } }] });
            }
            if (url.startsWith("/apis/apps/v1/namespaces/shlink/statefulsets")) {
                return send(200, { items: [] });
            }
            if (url.startsWith("/api/v1/namespaces/redis/pods?")) {
                return send(200, {
                    items: [
                        { metadata: { name: "rfr-0", uid: "u0" }, spec: { nodeName: "k3s-2" }, status: { conditions: [{ type: "Ready", status: "True" }] } },
                        { metadata: { name: "rfr-1", uid: "u1", deletionTimestamp: "2026-11-22T03:00:00Z" }, spec: { nodeName: "k3s-3" }, status: {} },
                    ],
                });
            }
            if (url.includes("/postgresclusters/drill-restore") && req.method === "GET") {
                return status(404, "NotFound");
            }
            send(200, body === "" ? { status: { pgbackrest: { manualBackup: { id: "x", finished: true } } } } : JSON.parse(body));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    kubeconfig = fakeKubeconfig(port);
});

beforeEach(() => {
    seen.length = 0;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("kubeDrillCluster", () => {
    it("takes the lock by creating the Lease; a held, unexpired one is returned, not replaced; a lapsed one is replaced at its resourceVersion", async () => {
        const cluster = kubeDrillCluster(kubeconfig);
        stored = undefined;
        expect(await cluster.lock(drillLease("me@a", T0), T0)).toBeUndefined();
        expect(JSON.parse(seen[0].body).spec).toEqual({
            holderIdentity: "me@a",
            leaseDurationSeconds: DRILLS.lock.leaseSeconds,
            acquireTime: "2026-11-22T03:00:00.000000Z",
            renewTime: "2026-11-22T03:00:00.000000Z",
        });
        const held = await cluster.lock(drillLease("you@b", T0 + 1000), T0 + 1000);
        expect(held?.spec.holderIdentity).toBe("me@a");
        expect(seen.filter((r) => r.method === "PUT")).toEqual([]);
        const later = T0 + DRILLS.lock.leaseSeconds * 1000 + 1;
        expect(await cluster.lock(drillLease("you@b", later), later)).toBeUndefined();
        const put = seen.find((r) => r.method === "PUT")!;
        expect(put.url).toBe("/apis/coordination.k8s.io/v1/namespaces/load/leases/drill-lock");
        expect(JSON.parse(put.body).metadata.resourceVersion).toBe("7");
        expect((stored as Record<string, any> | undefined)?.spec.holderIdentity).toBe("you@b");
    });

    it("releases only its own lock", async () => {
        const cluster = kubeDrillCluster(kubeconfig);
        await cluster.unlock("me@a");
        expect(seen.some((r) => r.method === "DELETE")).toBe(false);
        await cluster.unlock("you@b");
        expect(seen.filter((r) => r.method === "DELETE").map((r) => r.url)).toEqual(["/apis/coordination.k8s.io/v1/namespaces/load/leases/drill-lock"]);
    });

    it("reports workloads below their replicas, and lists pods by label without those already terminating", async () => {
        const cluster = kubeDrillCluster(kubeconfig);
        expect(await cluster.notReady(["shlink"])).toEqual(["Deployment shlink/shlink 2/3"]);
        expect(await cluster.pods("redis", "redisfailovers-role=master")).toEqual([{ name: "rfr-0", uid: "u0", node: "k3s-2", ready: true }]);
        expect(seen.at(-1)!.url).toBe("/api/v1/namespaces/redis/pods?labelSelector=redisfailovers-role%3Dmaster");
    });

    it("kills a pod with gracePeriodSeconds=0", async () => {
        await kubeDrillCluster(kubeconfig).deletePod("postgres", "shlink-db-pgha1-abc-0", 0);
        expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(["DELETE /api/v1/namespaces/postgres/pods/shlink-db-pgha1-abc-0?gracePeriodSeconds=0"]);
    });

    it("merge-patches the backup annotation, creates, reads and deletes the scratch PostgresCluster", async () => {
        const cluster = kubeDrillCluster(kubeconfig);
        await cluster.patchPostgresCluster("postgres", "shlink-db", backupAnnotationPatch("drill-1"));
        expect(seen[0]).toMatchObject({
            method: "PATCH",
            url: "/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/postgres/postgresclusters/shlink-db",
            type: "application/merge-patch+json",
        });
        expect(JSON.parse(seen[0].body)).toEqual(backupAnnotationPatch("drill-1"));
        expect(await cluster.postgresCluster("postgres", "shlink-db")).toEqual({ pgbackrest: { manualBackup: { id: "x", finished: true } } });
        expect(await cluster.postgresCluster("postgres", "drill-restore")).toBeNull();
        await cluster.createPostgresCluster(scratchPostgresCluster());
        await cluster.deletePostgresCluster("postgres", "drill-restore");
        expect(seen.slice(3).map((r) => `${r.method} ${r.url}`)).toEqual([
            "POST /apis/postgres-operator.crunchydata.com/v1beta1/namespaces/postgres/postgresclusters",
            "DELETE /apis/postgres-operator.crunchydata.com/v1beta1/namespaces/postgres/postgresclusters/drill-restore",
        ]);
        expect(JSON.parse(seen[3].body)).toEqual(scratchPostgresCluster());
    });

    it("reads the live cluster's data volume, falling back to the lab's defaults where its spec is silent", async () => {
        const cluster = kubeDrillCluster(kubeconfig);
        expect(await cluster.postgresVolume("postgres", "shlink-db")).toEqual(DEFAULT_DATA_VOLUME);
        expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
            "GET /apis/postgres-operator.crunchydata.com/v1beta1/namespaces/postgres/postgresclusters/shlink-db",
        ]);
    });
});

describe("the cluster's clock and the game day's lock", () => {
    it("reads the API server's time from the Date header of GET /version (whole seconds)", async () => {
        const before = Math.floor(Date.now() / 1000) * 1000;
        const time = await kubeDrillCluster(kubeconfig).serverTime();
        expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(["GET /version"]);
        expect(time % 1000).toBe(0);
        expect(time).toBeGreaterThanOrEqual(before);
        expect(time).toBeLessThanOrEqual(Date.now());
    });

    it("renews a lock its own holder still holds (the game day, before each drill) instead of reporting it as held", async () => {
        const cluster = kubeDrillCluster(kubeconfig);
        stored = undefined;
        expect(await cluster.lock(drillLease("me@a", T0), T0)).toBeUndefined();
        expect(await cluster.lock(drillLease("me@a", T0 + 60_000), T0 + 60_000)).toBeUndefined();
        expect((stored as Record<string, any> | undefined)?.spec.renewTime).toBe("2026-11-22T03:01:00.000000Z");
        expect((await cluster.lock(drillLease("you@b", T0 + 61_000), T0 + 61_000))?.spec.holderIdentity).toBe("me@a");
    });
});

describe("an API server that accepts connections and never answers", () => {
    let silentConfig: string;
    let close: () => Promise<void>;

    beforeAll(async () => {
        ({ kubeconfig: silentConfig, close } = await silentKubeServer());
    });

    afterAll(() => close());

    it("bounds every call of the drill's client, each expiry naming the call", async () => {
        const cluster = kubeDrillCluster(silentConfig, 100);
        const expiry = (what: string) => new RegExp(`did not answer within 0\\.1 s \\(${what.replace(/[()]/g, "\\$&")}\\): is it reachable\\?$`);
        await expect(cluster.notReady(["shlink"])).rejects.toThrow(expiry("listing Deployments in shlink"));
        await expect(cluster.lock(drillLease("me@a", T0), T0)).rejects.toThrow(expiry("creating the drill lock"));
        await expect(cluster.pods("redis", "a=b")).rejects.toThrow(expiry("listing pods a=b in redis"));
        await expect(cluster.deletePod("redis", "p", 0)).rejects.toThrow(expiry("deleting pod redis/p"));
        await expect(cluster.nodes()).rejects.toThrow(expiry("listing nodes"));
        await expect(cluster.postgresCluster("postgres", "shlink-db")).rejects.toThrow(expiry("reading PostgresCluster postgres/shlink-db"));
        await expect(cluster.serverTime()).rejects.toThrow(expiry("reading the API server's clock (GET /version)"));
        await expect(cluster.load.runnerLogs("load", "x")).rejects.toThrow(expiry("listing the runner pods of load/x"));
    });

    it("npm run drill ends with exit 2 and that message instead of hanging", async () => {
        const lab = fakeLab({});
        const lines: string[] = [];
        const code = await runDrill(["postgres-primary"], {
            ...lab.deps,
            connect: () => Promise.resolve({ ...lab.lab, cluster: kubeDrillCluster(silentConfig, 100) }),
            out: (line) => lines.push(line),
        });
        expect(code).toBe(EXIT.error);
        expect(lines).toEqual([
            expect.stringMatching(/^error: the Kubernetes API at http:\/\/127\.0\.0\.1:\d+ did not answer within 0\.1 s \(reading the API server's clock/),
        ]);
    });

    it("waits DRILLS.apiTimeoutSeconds by default, the exec of psql execTimeoutSeconds", () => {
        expect(DRILLS.apiTimeoutSeconds).toBeLessThanOrEqual(30);
        expect(DRILLS.execTimeoutSeconds).toBeGreaterThan(DRILLS.apiTimeoutSeconds);
    });
});
