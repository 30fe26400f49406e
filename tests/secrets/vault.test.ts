// OpenBao (Vault): the chart values, the server configuration every pod loads and the self-init only pod 0 loads,
// each HCL file parsed with HashiCorp's own parser (@cdktn/hcl2json), the shell expression that picks pod 0 run
// for real, and the secrets (seal key, admin password) kept secret wherever they go.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../../components/config/defaults";
import { VAULT } from "../../components/secrets/facts";
import { catalogEntries, readerNamespaces } from "../../components/secrets/catalog";
import { VAULT_CLIENT_SERVICE_ACCOUNT } from "../../components/contracts/vault";
import { LAB_VAULT_ENTRIES } from "../../stacks/vault";
import { SELF_INIT_GUARD_FILE, SELF_INIT_NAME, SELF_INIT_PENDING_FILE, serverConfig } from "../../components/secrets/openbaoConfig";
import { Vault } from "../../components/secrets/Vault";
import type { HomelabOutputs } from "../../stacks/homelab";
import { problemsOf } from "../config/raw";
import { GENERATED, runHomelab } from "../helpers/platform";
import { runUnderMocks, valueOf, type Ledger, type Recorded } from "../helpers/pulumi";
import { nativeTool } from "../helpers/tools";
import { pssLabels } from "../helpers/podSecurity";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const hcl2json = require("@cdktn/hcl2json") as { parse(file: string, text: string): Promise<Record<string, any>> };

/** The chart's last line of the server's `sh -ec` (templates/_helpers.tpl `openbao.args`, openbao-0.29.2 line 249). */
const CHART_ARGS_LINE = "/usr/local/bin/docker-entrypoint.sh bao server -config=/tmp/storageconfig.hcl {{ .Values.server.extraArgs }}";

/** Tokens the chart's `sh -ec` rewrites in the shared config with sed before OpenBao reads it (same helper, lines 242-248). */
const SED_TOKENS = ["HOST_IP", "POD_IP", "HOSTNAME", "API_ADDR", "TRANSIT_ADDR", "RAFT_ADDR"];

/**
 * Every value path we set, with the template line of chart openbao-0.29.2 that reads it. Paths marked raw are
 * rendered whole with toYaml, so what is under them is Kubernetes' schema, not the chart's.
 */
const CHART_READS: Record<string, string> = {
    "global.tlsDisable": "_helpers.tpl:1136 openbao.scheme",
    "injector.enabled": "_helpers.tpl:74 openbao.injectorEnabled",
    "server.image.registry": "server-statefulset.yaml:78",
    "server.image.repository": "server-statefulset.yaml:78",
    "server.image.tag": "server-statefulset.yaml:78",
    "server.resources": "raw: _helpers.tpl:945 openbao.resources",
    "server.updateStrategyType": "server-statefulset.yaml:26",
    "server.podManagementPolicy": "server-statefulset.yaml:23",
    "server.configAnnotation": "_helpers.tpl:513 openbao.annotations, server-config-configmap.yaml:17",
    "server.dataStorage.enabled": "_helpers.tpl:278, 305",
    "server.dataStorage.size": "_helpers.tpl:317",
    "server.dataStorage.mountPath": "_helpers.tpl:280",
    "server.dataStorage.storageClass": "_helpers.tpl:318-319",
    "server.ha.enabled": "_helpers.tpl:182 openbao.mode",
    "server.ha.replicas": "_helpers.tpl:198-199 openbao.replicas, 147-152 pdb",
    "server.ha.raft.enabled": "_helpers.tpl:1206, server-statefulset.yaml:124",
    "server.ha.raft.setNodeId": "server-statefulset.yaml:124",
    "server.ha.raft.config": "_helpers.tpl:1207 openbao.config (tpl, then server-config-configmap.yaml)",
    "server.ha.disruptionBudget.enabled": "server-disruptionbudget.yaml:9",
    "server.ha.disruptionBudget.maxUnavailable": "_helpers.tpl:149-150 openbao.pdb.maxUnavailable",
    "server.extraArgs": "_helpers.tpl:249 openbao.args",
    "server.volumes": "raw: _helpers.tpl:229-230 openbao.volumes",
    "server.volumeMounts": "raw: _helpers.tpl:292-293 openbao.mounts",
    "server.statefulSet.securityContext.pod": "raw: _helpers.tpl:593-599",
    "server.statefulSet.securityContext.container": "raw: _helpers.tpl:616-622",
    "ui.enabled": "_helpers.tpl:137 openbao.uiEnabled",
    "ui.serviceType": "ui-service.yaml:47",
    "ui.externalPort": "ui-service.yaml:42",
    "ui.targetPort": "ui-service.yaml:43",
    "ui.activeOpenbaoPodOnly": "ui-service.yaml:36",
};

/** Leaf paths of the values, stopping at the raw ones. */
function valuePaths(value: unknown, prefix = ""): string[] {
    if (CHART_READS[prefix]?.startsWith("raw:") || value === null || typeof value !== "object" || Array.isArray(value)) {
        return [prefix];
    }
    return Object.entries(value).flatMap(([k, v]) => valuePaths(v, prefix === "" ? k : `${prefix}.${k}`));
}

/**
 * A stand-in `bao` for `bao status`: against a peer (`-address=`) it exits as PEER_<ordinal> says (1, unreachable,
 * when unset); against the local server (no address) as the file SERVING holds (0 once it serves unsealed; 0 when
 * the file is gone, so a left-over loop ends). It logs each call with the client settings it ran with.
 */
const FAKE_BAO = `#!/bin/sh
addr=
for a in "$@"; do case "$a" in -address=*) addr="\${a#-address=}" ;; esac; done
echo "$1 \${addr:-local} $BAO_CLIENT_TIMEOUT $BAO_MAX_RETRIES" >>"$BAO_LOG"
case "$addr" in
http://openbao-1.openbao-internal:8200) exit "\${PEER_1:-1}" ;;
http://openbao-2.openbao-internal:8200) exit "\${PEER_2:-1}" ;;
"") exit "$(cat "$SERVING" 2>/dev/null || echo 0)" ;;
esac
exit 1
`;

/** The guard's poll interval is time, not logic: a stand-in `sleep` keeps the tests quick. */
const FAKE_SLEEP = `#!/bin/sh
exec /bin/sleep 0.05
`;

let fakeBin = "";
let podCount = 0;

/** What pod 0's data volume holds when the pod starts. */
type Volume = "empty" | "initialised" | "marked";

/** One start of a pod: the `bao server` arguments, the peer probes, what the guard logged, and the pod's files. */
interface PodStart {
    args: string[];
    probes: string[];
    stderr: string;
    /** The pod's filesystem root (the guard's absolute paths relocated under it). */
    root: string;
    /** Files left on the data volume, sorted. */
    volume(): string[];
    /** The local server starts serving unsealed: resolves once the guard's mark is gone (or throws after 10 s). */
    serve(): Promise<void>;
}

/**
 * Starts pod `hostname` as the chart's own `sh -ec` line does, the entrypoint stubbed, run by `shell`, with its peers
 * answering `bao status` with `peers`' exit codes. The self-init ConfigMap's files as sent are written under a
 * temporary root, and the one change to what is sent is that `/openbao/` is relocated under that root.
 */
function startPod(
    shell: string[],
    hostname: string,
    extraArgs: string,
    initFiles: Record<string, string>,
    options: { peers?: { 1?: number; 2?: number }; volume?: Volume } = {},
): PodStart {
    const root = path.join(fakeBin, `pod-${podCount++}`);
    const relocate = (text: string) => text.replaceAll("/openbao/", `${root}/openbao/`);
    const data = path.join(root, VAULT.dataPath);
    fs.mkdirSync(path.join(root, VAULT.selfInitDir), { recursive: true });
    fs.mkdirSync(path.join(data, "lost+found"), { recursive: true });
    for (const [file, text] of Object.entries(initFiles)) {
        fs.writeFileSync(path.join(root, VAULT.selfInitDir, file), relocate(text));
    }
    if (options.volume === "initialised" || options.volume === "marked") {
        fs.writeFileSync(path.join(data, "vault.db"), "fsm");
        fs.mkdirSync(path.join(data, "raft"));
        fs.writeFileSync(path.join(data, "raft", "raft.db"), "log");
        fs.writeFileSync(path.join(data, "node-id"), hostname);
    }
    if (options.volume === "marked") {
        fs.writeFileSync(path.join(data, SELF_INIT_PENDING_FILE), "");
    }
    const line = CHART_ARGS_LINE.replace("{{ .Values.server.extraArgs }}", relocate(extraArgs)).replace(
        "/usr/local/bin/docker-entrypoint.sh",
        "printf '%s\\n'",
    );
    const log = path.join(root, "bao.log");
    const serving = path.join(root, "serving");
    fs.writeFileSync(log, "");
    fs.writeFileSync(serving, "1");
    const env: Record<string, string> = { PATH: `${fakeBin}:${process.env.PATH}`, HOSTNAME: hostname, BAO_LOG: log, SERVING: serving };
    for (const [ordinal, code] of Object.entries(options.peers ?? {})) {
        env[`PEER_${ordinal}`] = String(code);
    }
    const r = spawnSync(shell[0], [...shell.slice(1), "-ec", line], { env, encoding: "utf8", timeout: 20_000 });
    expect(r.status, `${shell} on ${hostname}: ${r.stderr}`).toBe(0);
    const unroot = (text: string) => text.replaceAll(`${root}/openbao/`, "/openbao/");
    const volume = () => fs.readdirSync(data, { recursive: true }).map(String).sort();
    return {
        args: unroot(r.stdout).trim().split("\n"),
        probes: fs
            .readFileSync(log, "utf8")
            .split("\n")
            .filter((l) => l !== "" && !l.includes(" local ")),
        stderr: unroot(r.stderr),
        root,
        volume,
        async serve() {
            fs.writeFileSync(serving, "0");
            for (let waited = 0; volume().includes(SELF_INIT_PENDING_FILE); waited += 100) {
                if (waited > 10_000) {
                    throw new Error(`the mark on ${hostname}'s volume was not removed once it served`);
                }
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
        },
    };
}

/** The OpenBao image is Alpine: its /bin/sh is busybox ash. */
const busybox = nativeTool("busybox", "busybox", ["--help"]);

type Requests = Record<string, { operation: string; path: string; data: Record<string, any> }>;

describe("OpenBao (Vault)", () => {
    let ledger: Ledger;
    let outputs: HomelabOutputs;
    let values: Record<string, any>;
    let shared: Record<string, any>;
    let selfInitText: string;
    let selfInit: Record<string, any>;
    /** Every request of the self-init, by name. */
    let requests: Requests;
    /** Every policy the self-init writes, parsed: name → path → capabilities. */
    let policies: Record<string, Record<string, string[]>>;

    afterAll(() => fs.rmSync(fakeBin, { recursive: true, force: true }));

    beforeAll(async () => {
        fakeBin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-bao-"));
        fs.writeFileSync(path.join(fakeBin, "bao"), FAKE_BAO, { mode: 0o755 });
        fs.writeFileSync(path.join(fakeBin, "sleep"), FAKE_SLEEP, { mode: 0o755 });
        ({ ledger, result: outputs } = await runHomelab());
        values = ledger.byName("vault-release").inputs.values;
        shared = await hcl2json.parse("storageconfig.hcl", values.server.ha.raft.config);
        selfInitText = ledger.byName("vault-self-init").inputs.data[VAULT.selfInitFile];
        selfInit = await hcl2json.parse(VAULT.selfInitFile, selfInitText);
        requests = {};
        for (const blocks of Object.values(selfInit.initialize) as { request: Record<string, any[]> }[][]) {
            for (const [name, [request]] of Object.entries(blocks[0].request)) {
                requests[name] = request;
            }
        }
        policies = {};
        for (const [name, request] of Object.entries(requests).filter(([n]) => n.startsWith("policy-"))) {
            const parsed = await hcl2json.parse(`${name}.hcl`, request.data.policy);
            policies[request.path.replace("sys/policies/acl/", "")] = Object.fromEntries(
                Object.entries(parsed.path as Record<string, { capabilities: string[] }[]>).map(([p, [rule]]) => [p, rule.capabilities]),
            );
        }
    });

    it("installs the pinned openbao chart into namespace vault, outside the mesh, through the one release helper", () => {
        expect(ledger.byName("vault-release").inputs).toMatchObject({
            chart: "openbao",
            version: "0.29.2",
            namespace: "vault",
            repositoryOpts: { repo: "https://openbao.github.io/openbao-helm" },
            atomic: true,
            waitForJobs: true,
        });
        expect(ledger.byName("vault-namespace").inputs.metadata).toEqual({
            name: "vault",
            labels: { "istio-injection": "disabled", ...pssLabels("restricted") },
        });
        expect(values.injector).toEqual({ enabled: false });
        expect(values.server.image).toEqual({ registry: "quay.io", repository: "openbao/openbao", tag: "2.6.2" });
    });

    it("sets only value paths the 0.29.2 templates read", () => {
        const paths = valuePaths(values);
        expect(paths.filter((p) => !(p in CHART_READS))).toEqual([]);
        expect(Object.keys(CHART_READS).filter((p) => !paths.includes(p))).toEqual([]);
    });

    it("runs three HA pods on Raft with the node id set, one per node (the chart's required anti-affinity) and a PDB of one", () => {
        expect(values.server.ha).toMatchObject({
            enabled: true,
            replicas: 3,
            raft: { enabled: true, setNodeId: true },
            disruptionBudget: { enabled: true, maxUnavailable: 1 },
        });
        // Unset, so the chart's default applies: requiredDuringScheduling podAntiAffinity on kubernetes.io/hostname (values.yaml:734).
        expect(values.server.affinity).toBeUndefined();
        expect(values.server.dataStorage).toEqual({ enabled: true, size: "2Gi", mountPath: "/openbao/data", storageClass: "local-path" });
    });

    it("parses the shared config: UI on, a TCP listener on the API port without TLS (terminated at the gateway), Kubernetes service registration, metrics for Prometheus", () => {
        expect(shared.ui).toBe(true);
        expect(shared.listener).toEqual({
            tcp: [{ address: "[::]:8200", cluster_address: "[::]:8201", tls_disable: true, telemetry: [{ unauthenticated_metrics_access: true }] }],
        });
        expect(shared.service_registration).toEqual({ kubernetes: [{}] });
        // Prometheus' format needs a retention; one series set per pod, whatever its host name.
        expect(shared.telemetry).toEqual([{ prometheus_retention_time: "60s", disable_hostname: true }]);
        expect(Object.keys(shared).sort()).toEqual(["audit", "listener", "seal", "service_registration", "storage", "telemetry", "ui"]);
    });

    it("joins Raft with exactly one retry_join per replica, each pointing at its pod on the headless Service", () => {
        const raft = shared.storage.raft;
        expect(raft).toHaveLength(1);
        expect(raft[0].path).toBe(values.server.dataStorage.mountPath);
        const addresses = raft[0].retry_join.map((j: Record<string, string>) => {
            expect(Object.keys(j)).toEqual(["leader_api_addr"]);
            return j.leader_api_addr;
        });
        expect(addresses).toEqual(Array.from({ length: values.server.ha.replicas }, (_, i) => `http://openbao-${i}.openbao-internal:8200`));
    });

    it("audits every request to stdout, declared in the config every pod loads", () => {
        expect(shared.audit).toEqual({ file: { stdout: [{ description: expect.any(String), options: [{ file_path: "stdout" }] }] } });
    });

    it("gives the chart a config its sed and tpl leave alone", () => {
        const text: string = values.server.ha.raft.config;
        for (const token of SED_TOKENS) {
            expect(text, token).not.toContain(token);
        }
        expect(text).not.toContain("{{");
    });

    it("unseals with the static seal from a mounted file holding 44 base64 characters and no newline", () => {
        const seal = shared.seal.static;
        expect(seal).toHaveLength(1);
        expect(Object.keys(seal[0]).sort()).toEqual(["current_key", "current_key_id"]);
        const file: string = seal[0].current_key.replace(/^file:\/\//, "");
        expect(seal[0].current_key).toBe(`file://${file}`);
        const slash = file.lastIndexOf("/");
        const mount = values.server.volumeMounts.find((m: { mountPath: string }) => m.mountPath === file.slice(0, slash));
        expect(mount.readOnly).toBe(true);
        const volume = values.server.volumes.find((v: { name: string }) => v.name === mount.name);
        const secret = ledger.ofType("kubernetes:core/v1:Secret").find((s) => !s.read && s.inputs.metadata.name === volume.secret.secretName) as Recorded;
        expect(secret.inputs.metadata.namespace).toBe("vault");
        const key: string = secret.inputs.stringData[file.slice(slash + 1)];
        expect(key).toBe(GENERATED.vaultSealKey);
        expect(key).toHaveLength(44);
        expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
        expect(Buffer.from(key, "base64")).toHaveLength(32);
        expect(Object.keys(secret.inputs.stringData)).toEqual([`${seal[0].current_key_id}.key`]);
        expect(ledger.byName("vault-seal-key-seal-1").inputs).toEqual({ length: 32 });
    });

    it("rotates the seal key by appending an id: the new key current, the old one previous, each from its own file", async () => {
        const parsed = await hcl2json.parse("rotated.hcl", serverConfig(["seal-1", "seal-2"]));
        expect(parsed.seal.static).toEqual([
            {
                current_key_id: "seal-2",
                current_key: "file:///openbao/seal/seal-2.key",
                previous_key_id: "seal-1",
                previous_key: "file:///openbao/seal/seal-1.key",
            },
        ]);
        expect(() => serverConfig(["a", "b", "c"])).toThrow(/at most one previous/);
        expect(() => serverConfig(["a", "a"])).toThrow(/distinct ids/);
        expect(() => serverConfig([])).toThrow(/one current key/);
    });

    it("keeps the initialize stanzas out of the shared config: only the self-init file has them, and nothing else", () => {
        expect(shared.initialize).toBeUndefined();
        expect(Object.keys(selfInit)).toEqual(["initialize"]);
    });

    it("creates pods 1 and 2 only once pod 0 is Ready (OrderedReady, set explicitly): the self-init guard depends on it", () => {
        // Under Parallel, uninitialised peers answer `bao status` with 2 (openbao v2.6.2 command/status.go:93-94), so a
        // first pod 0 would never self-initialise, and a failed one would look like a cluster with peers.
        expect(values.server.podManagementPolicy).toBe("OrderedReady");
    });

    // busybox ash is the image's own /bin/sh; dash (sh here) and bash show the guard is plain POSIX.
    const shells: [string[], (name: string, fn: () => Promise<void>) => void][] = [
        [["busybox", "ash"], busybox.it],
        [["sh"], it],
        [["bash", "--norc"], it],
    ];
    const base = ["bao", "server", "-config=/tmp/storageconfig.hcl"];
    const withInit = [...base, `-config=${VAULT.selfInitDir}/${VAULT.selfInitFile}`];
    const raftFiles = ["node-id", "raft", path.join("raft", "raft.db"), "vault.db"];
    const initFiles = () => ledger.byName("vault-self-init").inputs.data as Record<string, string>;
    for (const [shell, test] of shells) {
        const start = (hostname: string, options?: Parameters<typeof startPod>[4]) => startPod(shell, hostname, values.server.extraArgs, initFiles(), options);

        test(`loads the self-init file on pod 0 only, as the chart's own sh -ec line runs it (${shell.join(" ")})`, async () => {
            expect(values.server.extraArgs).not.toMatch(/[\r\n]/);
            const selfInitMount = values.server.volumeMounts.find((m: { mountPath: string }) => m.mountPath === VAULT.selfInitDir);
            const volume = values.server.volumes.find((v: { name: string }) => v.name === selfInitMount.name);
            expect(volume.configMap.name).toBe(ledger.byName("vault-self-init").inputs.metadata.name);
            expect(Object.keys(initFiles()).sort()).toEqual([SELF_INIT_GUARD_FILE, VAULT.selfInitFile].sort());
            // First install: OrderedReady creates pod 0 alone, its peers do not answer.
            const first = start("openbao-0");
            expect(first.args).toEqual(withInit);
            expect(first.stderr).toBe("");
            expect(first.probes).toEqual(["status http://openbao-1.openbao-internal:8200 5s 0", "status http://openbao-2.openbao-internal:8200 5s 0"]);
            // Marked before OpenBao starts, unmarked once it serves: its self-init completed.
            expect(first.volume()).toEqual([SELF_INIT_PENDING_FILE, "lost+found"].sort());
            await first.serve();
            expect(first.volume()).toEqual(["lost+found"]);
            for (const hostname of ["openbao-1", "openbao-2", "openbao-10"]) {
                const peer = start(hostname);
                expect({ args: peer.args, probes: peer.probes, volume: peer.volume() }).toEqual({ args: base, probes: [], volume: ["lost+found"] });
            }
        });

        test(`lets a pod 0 with running peers join them instead of initialising a second cluster (${shell.join(" ")})`, async () => {
            // Unsealed (0) or sealed (2), a peer that answers means the cluster exists.
            for (const peers of [
                { 1: 0, 2: 0 },
                { 1: 2, 2: 1 },
                { 1: 1, 2: 0 },
                { 1: 1, 2: 2 },
            ]) {
                const rebuilt = start("openbao-0", { peers });
                expect({ args: rebuilt.args, volume: rebuilt.volume() }, JSON.stringify(peers)).toEqual({ args: base, volume: ["lost+found"] });
            }
        });

        test(`starts afresh on a volume whose self-init never completed, when no peer answers (${shell.join(" ")})`, async () => {
            // OpenBao's own "failed" marker would refuse every unseal of these files: they never served, so nothing is lost.
            const retry = start("openbao-0", { volume: "marked" });
            expect(retry.stderr).toMatch(/^homelab: the self-init begun on this volume never completed and no peer answers: removing .*vault\.db/);
            expect(retry.volume()).toEqual([SELF_INIT_PENDING_FILE, "lost+found"].sort());
            expect(retry.args).toEqual(withInit);
            await retry.serve();
            expect(retry.volume()).toEqual(["lost+found"]);
        });

        test(`leaves a volume that served alone, and a marked one beside answering peers (${shell.join(" ")})`, async () => {
            // A restart of an initialised cluster: OpenBao skips self-init on initialised storage (command/server.go:1753-1767).
            const restart = start("openbao-0", { volume: "initialised" });
            expect({ args: restart.args, stderr: restart.stderr, volume: restart.volume() }).toEqual({
                args: withInit,
                stderr: "",
                volume: [...raftFiles, "lost+found"].sort(),
            });
            // Peers exist only once pod 0 was Ready: its files are kept, and the mark goes once it serves.
            const beside = start("openbao-0", { volume: "marked", peers: { 1: 0, 2: 0 } });
            expect({ args: beside.args, stderr: beside.stderr }).toEqual({ args: base, stderr: "" });
            expect(beside.volume()).toEqual([...raftFiles, SELF_INIT_PENDING_FILE, "lost+found"].sort());
            await beside.serve();
            expect(beside.volume()).toEqual([...raftFiles, "lost+found"].sort());
        });
    }

    const shellcheck = nativeTool("shellcheck");
    shellcheck.it("ships a guard shellcheck passes as POSIX sh", async () => {
        const file = path.join(fakeBin, SELF_INIT_GUARD_FILE);
        fs.writeFileSync(file, initFiles()[SELF_INIT_GUARD_FILE]);
        shellcheck.run(["--shell=sh", file]);
    });

    it("self-initialises in order: KV v2 at secret/, Kubernetes auth from in-cluster, the policies, the roles, the admin login", () => {
        expect(requests["mount-kv"]).toEqual({ operation: "update", path: "sys/mounts/secret", data: { type: "kv", options: { version: "2" } } });
        expect(requests["enable-kubernetes-auth"]).toEqual({ operation: "update", path: "sys/auth/kubernetes", data: { type: "kubernetes" } });
        expect(requests["configure-kubernetes-auth"]).toEqual({
            operation: "update",
            path: "auth/kubernetes/config",
            data: { kubernetes_host: "https://kubernetes.default.svc" },
        });
        expect(requests["enable-userpass"]).toEqual({ operation: "update", path: "sys/auth/userpass", data: { type: "userpass" } });
        // Blocks run in file order: each request after what it needs.
        const at = (name: string) => selfInitText.indexOf(`request "${name}"`);
        const order = ["mount-kv", "enable-kubernetes-auth", "configure-kubernetes-auth", "policy-seeder", "role-seeder", "enable-userpass", "admin-user"];
        expect(order.map(at)).toEqual([...order.map(at)].sort((a, b) => a - b));
        expect(order.every((n) => at(n) >= 0)).toBe(true);
        for (const name of Object.keys(requests).filter((n) => n.startsWith("role-"))) {
            expect(at(`policy-${name.slice("role-".length)}`), name).toBeLessThan(at(name));
        }
    });

    it("names every block as OpenBao requires, none twice", () => {
        const names = [...selfInitText.matchAll(/^\s*(?:initialize|request) "([^"]+)"/gm)].map((m) => m[1]);
        expect(names.length).toBe(Object.keys(selfInit.initialize).length + Object.keys(requests).length);
        expect(new Set(names).size).toBe(names.length);
        for (const name of names) {
            expect(name).toMatch(SELF_INIT_NAME);
        }
    });

    it("gives each reading namespace a role bound to its vault-client ServiceAccount, with a policy reading exactly its entries", () => {
        expect(readerNamespaces(LAB_VAULT_ENTRIES)).toEqual(["istio-system", "monitoring", "postgres", "redis", "shlink"]);
        for (const ns of readerNamespaces(LAB_VAULT_ENTRIES)) {
            const expected = catalogEntries(LAB_VAULT_ENTRIES)
                .map(([, e]) => e)
                .filter((e) => (e.readers as readonly string[]).includes(ns))
                .map((e) => `secret/data/${e.path}`)
                .sort();
            expect(Object.keys(policies[`reader-${ns}`]).sort(), ns).toEqual(expected);
            for (const capabilities of Object.values(policies[`reader-${ns}`])) {
                expect(capabilities, ns).toEqual(["read"]);
            }
            expect(requests[`role-reader-${ns}`]).toEqual({
                operation: "update",
                path: `auth/kubernetes/role/reader-${ns}`,
                data: { bound_service_account_names: [VAULT_CLIENT_SERVICE_ACCOUNT], bound_service_account_namespaces: [ns], token_policies: [`reader-${ns}`] },
            });
        }
    });

    it("lets the seeder in vault create, read and update every entry's data and metadata (ESO's PushSecret), nothing more", () => {
        const expected = catalogEntries(LAB_VAULT_ENTRIES)
            .map(([, e]) => e)
            .flatMap((e) => [`secret/data/${e.path}`, `secret/metadata/${e.path}`]);
        expect(Object.keys(policies.seeder).sort()).toEqual(expected.sort());
        for (const capabilities of Object.values(policies.seeder)) {
            expect(capabilities).toEqual(["create", "read", "update"]);
        }
        expect(requests["role-seeder"].data).toEqual({
            bound_service_account_names: [VAULT_CLIENT_SERVICE_ACCOUNT],
            bound_service_account_namespaces: ["vault"],
            token_policies: ["seeder"],
        });
    });

    it("writes exactly the readers', the seeder's and admin's policies; nothing but admin grants sudo or a wildcard", () => {
        expect(Object.keys(policies).sort()).toEqual([...readerNamespaces(LAB_VAULT_ENTRIES).map((ns) => `reader-${ns}`), "admin", "seeder"].sort());
        for (const [name, rules] of Object.entries(policies).filter(([n]) => n !== "admin")) {
            for (const [path, capabilities] of Object.entries(rules)) {
                expect(path, name).not.toMatch(/[*+]/);
                expect(capabilities, `${name} ${path}`).not.toContain("sudo");
                expect(capabilities, `${name} ${path}`).not.toContain("*");
            }
        }
        expect(policies.admin).toEqual({ "*": ["create", "read", "update", "patch", "delete", "list", "sudo"] });
    });

    it("creates the userpass admin with the admin policy, its password read from the mounted Secret, never in the HCL or a ConfigMap", () => {
        const admin = requests["admin-user"];
        expect(admin.path).toBe(`auth/userpass/users/${VAULT.adminUser}`);
        expect(admin.data.token_policies).toEqual(["admin"]);
        expect(admin.data.password).toEqual({ eval_source: "file", eval_type: "string", path: expect.any(String) });
        const file: string = admin.data.password.path;
        const slash = file.lastIndexOf("/");
        const mount = values.server.volumeMounts.find((m: { mountPath: string }) => m.mountPath === file.slice(0, slash));
        const volume = values.server.volumes.find((v: { name: string }) => v.name === mount.name);
        const secret = ledger.byName("vault-admin");
        expect(volume.secret.secretName).toBe(secret.inputs.metadata.name);
        expect(secret.inputs.stringData).toEqual({ [file.slice(slash + 1)]: GENERATED.vaultAdminPassword });
        for (const r of ledger.ofType("kubernetes:core/v1:ConfigMap")) {
            expect(JSON.stringify(r.inputs), r.name).not.toContain(GENERATED.vaultAdminPassword);
        }
        expect(JSON.stringify(values)).not.toContain(GENERATED.vaultAdminPassword);
        expect(JSON.stringify(values)).not.toContain(GENERATED.vaultSealKey);
    });

    it("keeps the seal key, the admin password and everything holding them secret, and exports the password as a secret", async () => {
        expect(ledger.byName("vault-seal-keys").secretInputs).toContain("stringData");
        expect(ledger.byName("vault-admin").secretInputs).toContain("stringData");
        for (const r of ledger.resources) {
            for (const [key, input] of Object.entries(r.inputs)) {
                const text = JSON.stringify(input);
                if (text.includes(GENERATED.vaultSealKey) || text.includes(GENERATED.vaultAdminPassword)) {
                    expect(r.secretInputs, `${r.name}.${key}`).toContain(key);
                }
            }
        }
        expect(await pulumi.isSecret(outputs.vaultAdminPassword)).toBe(true);
        expect(await valueOf(outputs.vaultAdminPassword)).toBe(GENERATED.vaultAdminPassword);
    });

    it("runs pods that pass PSS restricted: non-root, RuntimeDefault seccomp, no privilege escalation, every capability dropped", () => {
        const { pod, container } = values.server.statefulSet.securityContext;
        expect(pod).toEqual({ runAsNonRoot: true, runAsUser: 100, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
        expect(container).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
        // Volume types restricted allows; the chart adds an emptyDir (home) and the data PVC.
        for (const volume of values.server.volumes) {
            expect(
                Object.keys(volume).filter((k) => k !== "name"),
                volume.name,
            ).toEqual([expect.stringMatching(/^(secret|configMap)$/)]);
        }
        expect(values.server.hostNetwork).toBeUndefined();
        expect(values.server.extraContainers).toBeUndefined();
        expect(values.server.extraInitContainers).toBeUndefined();
    });

    it("requests and limits the server container", () => {
        expect(values.server.resources).toEqual({ requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } });
    });

    it("rolls pods one at a time so Helm waits for every pod Ready, and rolls them when the config changes", () => {
        // Helm's wait skips a StatefulSet whose strategy is not RollingUpdate (the chart's default is OnDelete).
        expect(values.server.updateStrategyType).toBe("RollingUpdate");
        expect(values.server.configAnnotation).toBe(true);
        // The chart's readiness probe (`bao status`, exit 0 only unsealed) is kept.
        expect(values.server.readinessProbe).toBeUndefined();
        expect(ledger.byName("vault-release").inputs).toMatchObject({ atomic: true, timeout: 900 });
    });

    it("serves the UI and API on a ClusterIP Service that selects the leader, for the ingress gateway to route", () => {
        expect(values.ui).toEqual({ enabled: true, serviceType: "ClusterIP", externalPort: 8200, targetPort: 8200, activeOpenbaoPodOnly: true });
        expect(values.global).toEqual({ tlsDisable: true });
    });

    it("exports the Vault URL on the lab's address and homelab:vaultPort, not secret", async () => {
        expect(await valueOf(outputs.vaultUrl)).toBe("https://192.168.2.242:8200");
        expect(await pulumi.isSecret(outputs.vaultUrl)).toBe(false);
    });

    it("puts homelab:vaultPort (default 8200) in the port plan", () => {
        expect(CONFIG_DEFAULTS.vaultPort).toBe(8200);
        expect(problemsOf({ "homelab:vaultPort": "3000" })).toEqual([
            "homelab:vaultPort 3000 is already homelab:grafanaPort: each URL needs a port of its own.",
        ]);
        expect(problemsOf({ "homelab:vaultPort": "6443" })).toEqual([
            "homelab:vaultPort 6443 is taken on every node by the K3s API server: choose another port.",
        ]);
    });

    it("checks Vault's health through its URL in the smoke check, after the release", () => {
        const smoke = ledger.byName("smoke-check-run");
        expect(smoke.inputs.stdin).toContain("VAULT_URL='https://192.168.2.242:8200'");
        expect(smoke.inputs.stdin).toContain('"$VAULT_URL/v1/sys/health"');
        expect(ledger.waitsFor("smoke-check-run")).toContain("vault-release");
    });
});

describe("the Vault component alone", () => {
    it("exposes the release as what a SecretStore waits for, and the in-cluster UI Service for the gateway", async () => {
        const { result } = await runUnderMocks({}, () => new Vault("vault", { entries: LAB_VAULT_ENTRIES }));
        expect(result.ready).toBe(result.release);
        expect(result.uiService).toEqual({ name: "openbao-ui", namespace: "vault", port: 8200 });
    });
});
