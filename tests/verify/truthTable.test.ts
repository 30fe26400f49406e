// The network-policy truth table and the Pod Security rows against the fake lab: the probe pods are judged by the
// NetworkPolicy evaluator over the policies the stack generates, so every row connects (or is blocked) for the
// same reason it would on the lab, and fails when its policy is taken away (or a wide one added).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Pod } from "kubernetes-models/v1";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { podSecurityLevels } from "../../stacks/placement";
import { CHECKS } from "../../programs/verify/catalog";
import { parseWarnings } from "../../programs/verify/checks/podSecurity";
import { controlRows } from "../../programs/verify/checks/netpol";
import { parseProbeLog, PROBE_LABEL, PROBE_SCRIPT, probePod, truthTable, type TruthRow } from "../../programs/verify/probes";
import { nativeTool } from "../helpers/tools";
import { violations, type PodSpec } from "../security/podSecurity";
import type { NetworkPolicy } from "../security/evaluator";
import { fakeContext, startFakeLab, type FakeLab } from "./fakeLab";
import { healthyExecs, healthyRoutes, PASSES } from "./world";

let lab: FakeLab;
beforeEach(async () => {
    lab = await startFakeLab();
    lab.routes = healthyRoutes(lab);
    lab.execs = healthyExecs();
});
afterEach(async () => lab.close());

const table = truthTable(true);
const check = (id: string) => CHECKS.find((c) => c.id === id)!;
const flowName = (row: TruthRow) => row.id.replace(/^netpol\.allow\./, "");

const openEverything = (ns: string): NetworkPolicy => ({
    metadata: { name: "allow-everything", namespace: ns },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}], egress: [{}] },
});

describe("the truth table", () => {
    it("has a row for every flow of the table and the chosen denials, each one check of the catalog", () => {
        const ids = CHECKS.filter((c) => c.group === "netpol").map((c) => c.id);
        expect(ids).toEqual([...table.rows, ...table.skipped].map((r) => r.id));
        expect(table.rows.filter((r) => r.expect === "blocked").map((r) => r.id)).toEqual(
            expect.arrayContaining([
                "netpol.deny.default-to-postgres",
                "netpol.deny.shlink-to-vault",
                "netpol.deny.default-to-grafana",
                "netpol.deny.default-to-kiali",
                "netpol.deny.default-to-vault",
            ]),
        );
    });

    it("skips only the flows whose source is the API server, saying why", async () => {
        expect(table.skipped.map((s) => s.id)).toEqual([
            "netpol.allow.cert-manager-webhook",
            "netpol.allow.external-secrets-webhook",
            "netpol.allow.istiod-webhooks",
            "netpol.allow.prometheus-operator-webhook",
        ]);
        const outcome = await check(table.skipped[0].id).run(fakeContext(lab));
        expect(outcome).toMatchObject({ status: "skip", evidence: expect.stringMatching(/the API server \(webhook calls\), not a pod/) });
    });

    it("runs every row at once with probe pods that are all deleted afterwards, each valid and restricted", async () => {
        const ctx = fakeContext(lab);
        const results = await ctx.probes();
        expect([...results.values()].filter((r) => r.kind === "error")).toEqual([]);
        expect(lab.probePods.size).toBe(0);
        const created = lab.calls.filter((c) => c.method === "POST" && /\/pods$/.test(c.path)).map((c) => JSON.parse(c.body));
        expect(created.length).toBeGreaterThan(10);
        for (const pod of created) {
            expect(() => new Pod(pod).validate()).not.toThrow();
            expect(violations("restricted", pod.spec as PodSpec), pod.metadata.namespace).toEqual([]);
            expect(violations(podSecurityLevels()[pod.metadata.namespace] ?? "restricted", pod.spec as PodSpec)).toEqual([]);
            expect(pod.metadata.labels[PROBE_LABEL.key]).toBe(PROBE_LABEL.value);
            expect(pod.metadata.annotations["sidecar.istio.io/inject"]).toBe("false");
        }
        const deleted = lab.calls.filter((c) => c.method === "DELETE").length;
        expect(deleted).toBe(created.length);
    });

    it("builds a probe that is never Ready, carries no token and gives up within two minutes", () => {
        const pod = probePod("p", { namespace: "shlink", pods: { "app.kubernetes.io/name": "shlink" } }, [
            { id: "x", host: "10.42.0.1", port: 5432, mode: "tcp" },
        ]);
        expect(pod.spec.containers[0].readinessProbe.exec.command).toEqual(["false"]);
        expect(pod.spec.automountServiceAccountToken).toBe(false);
        expect(pod.spec.activeDeadlineSeconds).toBeLessThanOrEqual(120);
        expect(pod.metadata.labels).toEqual({ "app.kubernetes.io/name": "shlink", [PROBE_LABEL.key]: PROBE_LABEL.value });
    });

    for (const row of table.rows) {
        // A denied row is judged beside the allowed rows to the same port (they show the port listens).
        const probed = [row, ...(row.expect === "blocked" ? controlRows(row) : [])];
        describe(row.id, () => {
            it(`${row.expect === "open" ? "connects" : "is blocked"} on the lab's policies`, async () => {
                const outcome = await check(row.id).run(fakeContext(lab, {}, probed));
                expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: "pass" });
            });
            it(row.expect === "open" ? "fails when its policies are taken away" : "fails when a wide policy lets it through", async () => {
                if (row.expect === "open") {
                    lab.policies = lab.policies.filter((p) => p.metadata.name !== `allow-${flowName(row)}` && p.metadata.name !== `egress-${flowName(row)}`);
                } else {
                    lab.policies = [
                        ...lab.policies,
                        openEverything(row.from.namespace),
                        ...(row.to === "api-server" ? [] : [openEverything(row.to.namespace)]),
                    ];
                }
                const outcome = await check(row.id).run(fakeContext(lab, {}, probed));
                expect(outcome.status, JSON.stringify(outcome)).toBe("fail");
                expect(outcome.status === "fail" && outcome.cause).toMatch(
                    row.expect === "open" ? /the flow table allows it but the connection did not open/ : /the table does not allow it, yet it opened/,
                );
            });
        });
    }

    it("a row whose target has no pod could not run (an error, never a pass)", async () => {
        const row = table.rows.find((r) => r.id === "netpol.allow.shlink-to-postgres")!;
        (lab.routes["GET /k8s/pods"] as { body: any[] }).body = (lab.routes["GET /k8s/pods"] as { body: any[] }).body.filter(
            (p) => p.metadata.namespace !== "postgres",
        );
        await expect(check(row.id).run(fakeContext(lab, {}, [row]))).rejects.toThrow(/no running pod in postgres/);
    });

    it("a probe pod refused by admission makes its rows errors naming the refusal", async () => {
        lab.routes["POST /k8s/api/v1/namespaces/shlink/pods"] = {
            status: 403,
            body: { message: 'pods "x" is forbidden: violates PodSecurity "restricted:v1.34"' },
        };
        const row = table.rows.find((r) => r.id === "netpol.allow.shlink-to-postgres")!;
        await expect(check(row.id).run(fakeContext(lab, {}, [row]))).rejects.toThrow(
            /probe pod in shlink refused \(403\): pods "x" is forbidden: violates PodSecurity/,
        );
    });
});

describe("Pod Security, per namespace", () => {
    for (const [ns, level] of Object.entries(podSecurityLevels())) {
        it(`${ns} passes ${level} with no warning, and fails when its pods would warn`, async () => {
            const ok = await check(`pod-security.${ns}`).run(fakeContext(lab));
            expect(ok, JSON.stringify(ok)).toMatchObject({ status: "pass" });
            if (level === "privileged") {
                // Nothing warns at privileged: the dry run can only say whether baseline would pass.
                expect(ok).toMatchObject({ evidence: "privileged: no warning; baseline would warn" });
                return;
            }
            PASSES[ns] = level === "restricted" ? "baseline" : "privileged";
            try {
                const broken = await check(`pod-security.${ns}`).run(fakeContext(lab));
                expect(broken.status).toBe("fail");
                expect(broken.status === "fail" && broken.cause).toMatch(
                    new RegExp(`existing pods in namespace "${ns}" violate the new PodSecurity enforce level`),
                );
            } finally {
                PASSES[ns] = ns === "reloader" || ns === "external-secrets" ? "restricted" : level;
            }
        });
    }

    it("reports a namespace whose pods would pass a stricter level", async () => {
        expect(await check("pod-security.reloader").run(fakeContext(lab))).toMatchObject({
            status: "pass",
            evidence: "baseline: no warning; would also pass restricted: could be raised",
        });
        expect(await check("pod-security.postgres").run(fakeContext(lab))).toMatchObject({
            status: "pass",
            evidence: "baseline: no warning; restricted would warn",
        });
    });

    it("skips a namespace this lab does not have, and fails one that lost its label", async () => {
        delete lab.routes["GET /k8s/api/v1/namespaces/argocd"];
        expect(await check("pod-security.argocd").run(fakeContext(lab))).toMatchObject({ status: "skip" });
        (lab.routes["GET /k8s/api/v1/namespaces/vault"] as { body: any }).body.metadata.labels = {};
        expect(await check("pod-security.vault").run(fakeContext(lab))).toMatchObject({
            status: "fail",
            cause: "the namespace does not carry its level restricted",
        });
    });

    it("reads several Warning headers", () => {
        expect(parseWarnings('299 - "existing pods in namespace \\"x\\" violate", 299 - "pod-a: runAsNonRoot != true"')).toEqual([
            'existing pods in namespace "x" violate',
            "pod-a: runAsNonRoot != true",
        ]);
    });
});

describe("what else verify sends the API server", () => {
    it("the TokenRequest for a reader role is valid against its schema and stores nothing", async () => {
        const { TokenRequest } = await import("kubernetes-models/authentication.k8s.io/v1");
        const { readerTokenRequest } = await import("../../programs/verify/checks/data");
        expect(() => new TokenRequest(readerTokenRequest() as never).validate()).not.toThrow();
        expect(readerTokenRequest().spec.expirationSeconds).toBeLessThanOrEqual(600);
    });

    it("the Pod Security dry run is a merge patch of the namespace's two enforce labels, never persisted (dryRun=All)", async () => {
        // A baseline namespace: its own level, then restricted.
        await check("pod-security.reloader").run(fakeContext(lab));
        const patches = lab.calls.filter((c) => c.method === "PATCH");
        expect(patches.length).toBe(2);
        for (const p of patches) {
            expect(p.path).toMatch(/\?dryRun=All&/);
            expect(Object.keys(JSON.parse(p.body).metadata.labels).sort()).toEqual([
                "pod-security.kubernetes.io/enforce",
                "pod-security.kubernetes.io/enforce-version",
            ]);
        }
    });
});

describe("the probe's script, run for real (bash, timeout, curl) against listeners on 127.0.0.1", () => {
    const shellcheck = nativeTool("shellcheck");

    it("reports open, blocked, a plaintext answer and a refused plaintext request, and its log parses", async () => {
        const http = await import("node:http");
        const net = await import("node:net");
        const answering = http.createServer((_, res) => res.end("plaintext welcome")).listen(0, "127.0.0.1");
        // Like Envoy expecting TLS: the connection is dropped without an HTTP answer.
        const dropping = net.createServer((s) => s.destroy()).listen(0, "127.0.0.1");
        await Promise.all([answering, dropping].map((s) => new Promise((r) => s.once("listening", r))));
        const port = (s: { address(): unknown }) => (s.address() as { port: number }).port;
        const lines = [
            `netpol.allow.a 127.0.0.1 ${port(answering)} tcp`,
            "netpol.deny.b 127.0.0.1 1 tcp",
            `mesh.plain 127.0.0.1 ${port(answering)} plain-http`,
            `mesh.strict 127.0.0.1 ${port(dropping)} plain-http`,
        ].join("\n");
        const { execFile } = await import("node:child_process");
        const out = await new Promise<string>((resolve, reject) =>
            execFile("bash", ["-c", PROBE_SCRIPT], { env: { ...process.env, PROBES: lines }, timeout: 20_000 }, (e, stdout) =>
                e ? reject(e) : resolve(stdout),
            ),
        );
        answering.close();
        dropping.close();
        const results = parseProbeLog(out);
        expect(results.get("netpol.allow.a")).toEqual({ kind: "open" });
        expect(results.get("netpol.deny.b")).toEqual({ kind: "blocked" });
        expect(results.get("mesh.plain")).toEqual({ kind: "http", code: "200", exit: 0 });
        expect(results.get("mesh.strict")).toMatchObject({ kind: "http", code: "000" });
        expect((results.get("mesh.strict") as { exit: number }).exit).not.toBe(0);
    });

    shellcheck.it("passes shellcheck", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-probe-"));
        try {
            fs.writeFileSync(path.join(dir, "probe.sh"), `#!/usr/bin/env bash\nPROBES="\${PROBES:?}"\n${PROBE_SCRIPT}\n`);
            shellcheck.run(["probe.sh"], dir);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
