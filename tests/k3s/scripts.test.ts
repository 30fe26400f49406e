// Runs the generated k3s scripts for real (`sudo bash -s`, script on stdin) against stub binaries in a temp root.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as YAML from "yaml";
import {
    FsLayout,
    InstallArgs,
    K3sServerConfig,
    installK3sScript,
    k3sConfigYaml,
    readKubeconfigScript,
    rewriteKubeconfig,
    guestAgentScript,
    uninstallK3sScript,
    waitForApiScript,
    waitForBootScript,
} from "../../components/k3s/scripts";
import { registriesYaml, type RegistriesConfig } from "../../components/k3s/registries";
import { kubeVipManifest } from "../../components/k3s/kubeVip";
import { CONFIG_DEFAULTS } from "../../components/config/defaults";
import { nativeTool } from "../helpers/tools";
import { heredocLines } from "../../components/shell/script";

const STUBS = path.join(__dirname, "stubs");
const VERSION = "v1.34.9+k3s1";
const UPGRADE = "v1.35.1+k3s1";
// A marker that must never show up in any output or command line.
const SECRET_MARK = "5ecre7".repeat(6);
// Hostile on purpose: quotes, expansions, a command substitution that would create ./pwned, a tab and non-ASCII.
const TOKEN = `K10${SECRET_MARK}::server:it's "q" $HOME \`id\` $(touch pwned) \\ ; | & <>*?!#~{}[]\ttab ü 🚀`;

const INIT: K3sServerConfig = {
    nodeName: "k3s-node-01",
    nodeIp: "192.168.2.242",
    tlsSans: ["192.168.2.242", "192.168.2.243", "192.168.2.244"],
    token: TOKEN,
    clusterInit: true,
    disable: ["traefik"],
};

// A Docker Hub token as hostile as the cluster token, with its own marker.
const DOCKER_MARK = "d0cker".repeat(6);
const DOCKER_TOKEN = `dckr_pat_${DOCKER_MARK}'"$HOME \`id\` $(touch pwned) \\ ü`;
const REGISTRIES: RegistriesConfig = { dockerHubMirror: CONFIG_DEFAULTS.registryMirror };
const WITH_LOGIN: RegistriesConfig = { ...REGISTRIES, dockerHubUsername: "homelab", dockerHubToken: DOCKER_TOKEN };

const JOIN: K3sServerConfig = {
    ...INIT,
    nodeName: "k3s-node-02",
    nodeIp: "192.168.2.243",
    clusterInit: false,
    serverUrl: "https://192.168.2.242:6443",
};

interface RunResult {
    status: number | null;
    stdout: string;
    stderr: string;
}

interface Sandbox {
    root: string;
    layout: FsLayout;
    // "stdin" mirrors `sudo bash -s` (create/update); "arg" mirrors `sudo bash -c <script>` (the delete command).
    run(script: string, env?: Record<string, string>, via?: "stdin" | "arg"): RunResult;
    installerCalls(): string[];
    calls(): string;
    configPath: string;
    registriesPath: string;
}

function readIfExists(file: string): string {
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
}

function copyStubs(from: string, to: string): void {
    fs.mkdirSync(to, { recursive: true });
    for (const name of fs.readdirSync(from)) {
        fs.copyFileSync(path.join(from, name), path.join(to, name));
        // Copies keep the tests independent of the checkout's file modes.
        fs.chmodSync(path.join(to, name), 0o755);
    }
}

function makeSandbox(): Sandbox {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "k3s-scripts-"));
    copyStubs(path.join(STUBS, "commands"), path.join(root, "stub", "bin"));
    copyStubs(path.join(STUBS, "lib"), path.join(root, "stub", "lib"));
    fs.mkdirSync(path.join(root, "stub", "state"), { recursive: true });
    fs.mkdirSync(path.join(root, "tmp"));
    const sandbox: Sandbox = {
        root,
        layout: { root },
        configPath: path.join(root, "etc", "rancher", "k3s", "config.yaml"),
        registriesPath: path.join(root, "etc", "rancher", "k3s", "registries.yaml"),
        run(script, env = {}, via = "stdin") {
            const argv = via === "stdin" ? ["-c", "sudo bash -s"] : ["-c", 'sudo bash -c "$1"', "bash", script];
            const result = spawnSync("bash", argv, {
                input: via === "stdin" ? script : "",
                cwd: root,
                encoding: "utf8",
                timeout: 15_000,
                env: {
                    PATH: `${path.join(root, "stub", "bin")}:${process.env.PATH ?? "/usr/bin:/bin"}`,
                    HOME: root,
                    LANG: "C",
                    TMPDIR: path.join(root, "tmp"),
                    STUB_ROOT: root,
                    ...env,
                },
            });
            const out = { status: result.status, stdout: result.stdout, stderr: result.stderr };
            for (const text of [out.stdout, out.stderr, sandbox.calls()]) {
                expect(text).not.toContain(SECRET_MARK);
                expect(text).not.toContain(DOCKER_MARK);
            }
            return out;
        },
        installerCalls() {
            return readIfExists(path.join(root, "stub", "installer.log"))
                .split("\n")
                .filter((l) => l !== "");
        },
        calls() {
            return readIfExists(path.join(root, "stub", "calls.log"));
        },
    };
    return sandbox;
}

function installArgs(config: K3sServerConfig, overrides: Partial<InstallArgs> = {}): InstallArgs {
    return { k3sVersion: VERSION, config, registries: REGISTRIES, readyTimeoutSeconds: 5, pollSeconds: 0.05, ...overrides };
}

let sb: Sandbox;

beforeEach(() => {
    sb = makeSandbox();
});

afterEach(() => {
    fs.rmSync(sb.root, { recursive: true, force: true });
});

describe("k3sConfigYaml", () => {
    it("renders the first server with cluster-init and every flag", () => {
        const doc = YAML.parse(k3sConfigYaml(INIT));
        expect(doc).toEqual({
            "node-name": "k3s-node-01",
            "node-ip": "192.168.2.242",
            "node-external-ip": "192.168.2.242",
            "tls-san": ["192.168.2.242", "192.168.2.243", "192.168.2.244"],
            disable: ["traefik"],
            "write-kubeconfig-mode": "0600",
            "embedded-registry": true,
            token: TOKEN,
            "cluster-init": true,
        });
    });

    it("renders a joining server with server instead of cluster-init", () => {
        const doc = YAML.parse(k3sConfigYaml(JOIN));
        expect(doc.server).toBe("https://192.168.2.242:6443");
        expect(doc).not.toHaveProperty("cluster-init");
        expect(doc.token).toBe(TOKEN);
        expect(doc["node-name"]).toBe("k3s-node-02");
    });

    it("is deterministic, pure ASCII, and keeps any token intact", () => {
        expect(k3sConfigYaml(INIT)).toBe(k3sConfigYaml({ ...INIT, tlsSans: [...INIT.tlsSans] }));
        expect(k3sConfigYaml(INIT)).toMatch(/^[\x20-\x7e\n]*$/);
        const weird = "a\"b\\c\nd\re\u0000f\u2028g😀h'i";
        expect(YAML.parse(k3sConfigYaml({ ...INIT, token: weird })).token).toBe(weird);
    });

    it("omits empty lists", () => {
        const doc = YAML.parse(k3sConfigYaml({ ...INIT, tlsSans: [], disable: [] }));
        expect(doc).not.toHaveProperty("tls-san");
        expect(doc).not.toHaveProperty("disable");
    });

    it("throws on inconsistent clusterInit/serverUrl and empty token", () => {
        expect(() => k3sConfigYaml({ ...JOIN, serverUrl: undefined })).toThrow(/serverUrl is required/);
        expect(() => k3sConfigYaml({ ...INIT, serverUrl: "https://192.168.2.242:6443" })).toThrow(/must not be set/);
        expect(() => k3sConfigYaml({ ...INIT, token: "" })).toThrow(/token/);
    });
});

describe("installK3sScript", () => {
    it("fresh install writes the config 0600 and runs the pinned installer as server", () => {
        const r = sb.run(installK3sScript(installArgs(INIT), sb.layout));
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(fs.readFileSync(sb.configPath, "utf8")).toBe(k3sConfigYaml(INIT));
        expect(fs.statSync(sb.configPath).mode & 0o777).toBe(0o600);
        expect(sb.installerCalls()).toEqual([`INSTALL_K3S_VERSION=${VERSION} INSTALL_K3S_EXEC=server INSTALL_K3S_FORCE_RESTART=true argc=0`]);
        // k3s reads the config when the installer starts it, so it must already be in place.
        expect(fs.readFileSync(path.join(sb.root, "stub", "state", "config-at-install.yaml"), "utf8")).toBe(k3sConfigYaml(INIT));
        expect(sb.calls()).toContain("curl -sfL --retry 5 https://get.k3s.io -o ");
        expect(sb.calls()).toMatch(/k3s kubectl .*get node k3s-node-01 /);
        expect(r.stdout).toContain("node k3s-node-01 is Ready");
    });

    it("writes a joining server's config with server instead of cluster-init", () => {
        const r = sb.run(installK3sScript(installArgs(JOIN), sb.layout));
        expect(r.status).toBe(0);
        const doc = YAML.parse(fs.readFileSync(sb.configPath, "utf8"));
        expect(doc.server).toBe("https://192.168.2.242:6443");
        expect(doc).not.toHaveProperty("cluster-init");
        expect(doc.token).toBe(TOKEN);
        expect(doc["tls-san"]).toEqual(INIT.tlsSans);
        expect(sb.installerCalls()).toHaveLength(1);
    });

    it("second run with the same args does nothing but wait for Ready", () => {
        const script = installK3sScript(installArgs(INIT), sb.layout);
        expect(sb.run(script).status).toBe(0);
        const r = sb.run(script);
        expect(r.status).toBe(0);
        expect(r.stdout).toContain(`k3s ${VERSION} already installed on k3s-node-01 with this config; nothing to do`);
        expect(r.stdout).toContain("node k3s-node-01 is Ready");
        expect(sb.installerCalls()).toHaveLength(1);
    });

    it("a changed version re-runs the installer (upgrade)", () => {
        expect(sb.run(installK3sScript(installArgs(INIT), sb.layout)).status).toBe(0);
        const r = sb.run(installK3sScript(installArgs(INIT, { k3sVersion: UPGRADE }), sb.layout));
        expect(r.status).toBe(0);
        expect(r.stdout).toContain(`installed: ${VERSION}`);
        expect(sb.installerCalls()).toHaveLength(2);
        expect(sb.installerCalls()[1]).toContain(`INSTALL_K3S_VERSION=${UPGRADE} INSTALL_K3S_EXEC=server`);
    });

    it("a changed config re-runs the installer with a forced restart", () => {
        expect(sb.run(installK3sScript(installArgs(INIT), sb.layout)).status).toBe(0);
        const changed = { ...INIT, tlsSans: [...INIT.tlsSans, "k3s.lab.example"] };
        const r = sb.run(installK3sScript(installArgs(changed), sb.layout));
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("config changed: 1");
        expect(sb.installerCalls()).toHaveLength(2);
        expect(sb.installerCalls()[1]).toContain("INSTALL_K3S_FORCE_RESTART=true");
        expect(YAML.parse(fs.readFileSync(sb.configPath, "utf8"))["tls-san"]).toContain("k3s.lab.example");
        expect(fs.statSync(sb.configPath).mode & 0o777).toBe(0o600);
    });

    it("a stopped k3s service re-runs the installer", () => {
        expect(sb.run(installK3sScript(installArgs(INIT), sb.layout)).status).toBe(0);
        fs.rmSync(path.join(sb.root, "stub", "state", "k3s.active"));
        const r = sb.run(installK3sScript(installArgs(INIT), sb.layout));
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("service active: 0");
        expect(sb.installerCalls()).toHaveLength(2);
    });

    it("a failing download exits non-zero naming node and version, and leaves the node untouched", () => {
        const r = sb.run(installK3sScript(installArgs(JOIN), sb.layout), { STUB_CURL_FAIL: "1" });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("k3s-node-02");
        expect(r.stderr).toContain(VERSION);
        expect(r.stderr).toContain("https://get.k3s.io");
        expect(fs.existsSync(sb.configPath)).toBe(false);
        expect(sb.installerCalls()).toEqual([]);
    });

    it("a failing installer exits non-zero naming node and version, and restores the previous config", () => {
        expect(sb.run(installK3sScript(installArgs(JOIN), sb.layout)).status).toBe(0);
        const r = sb.run(installK3sScript(installArgs(JOIN, { k3sVersion: UPGRADE }), sb.layout), { STUB_INSTALLER_FAIL: "1" });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain(`k3s installer failed on k3s-node-02 (${UPGRADE})`);
        expect(r.stderr).toContain("journalctl -u k3s");
        expect(fs.readFileSync(sb.configPath, "utf8")).toBe(k3sConfigYaml(JOIN));
    });

    it("a failing first install leaves no config behind, so the next run retries", () => {
        const script = installK3sScript(installArgs(INIT), sb.layout);
        expect(sb.run(script, { STUB_INSTALLER_FAIL: "1" }).status).not.toBe(0);
        expect(fs.existsSync(sb.configPath)).toBe(false);
        expect(sb.run(script).status).toBe(0);
        expect(sb.installerCalls()).toHaveLength(2);
    });

    it("keeps polling until the node reports Ready", () => {
        const r = sb.run(installK3sScript(installArgs(INIT), sb.layout), { STUB_READY_AFTER: "3" });
        expect(r.status).toBe(0);
        expect(fs.readFileSync(path.join(sb.root, "stub", "state", "ready.polls"), "utf8").trim()).toBe("4");
    });

    it("times out with the journalctl hint when the node never becomes Ready", () => {
        const args = installArgs(INIT, { readyTimeoutSeconds: 1, pollSeconds: 0.1 });
        const r = sb.run(installK3sScript(args, sb.layout), { STUB_NODE_READY: "False" });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("node k3s-node-01 did not become Ready within 1s");
        expect(r.stderr).toContain("journalctl -u k3s -n 100");
        expect(r.stderr).toContain("k3s kubectl describe node k3s-node-01");
    });

    it("never expands the token, never leaves it in temp files, and inlines it once", () => {
        const script = installK3sScript(installArgs(INIT), sb.layout);
        expect(script.split(SECRET_MARK)).toHaveLength(2);
        expect(script).not.toMatch(/set -x|set -o xtrace/);
        expect(sb.run(script).status).toBe(0);
        const quick = installK3sScript(installArgs(INIT, { readyTimeoutSeconds: 1 }), sb.layout);
        expect(sb.run(quick, { STUB_NODE_READY: "False" }).status).not.toBe(0);
        expect(fs.existsSync(path.join(sb.root, "pwned"))).toBe(false);
        expect(fs.readdirSync(path.join(sb.root, "tmp"))).toEqual([]);
    });

    it("addresses host paths only through the layout root", () => {
        const script = installK3sScript(installArgs(INIT), sb.layout);
        for (const hostPath of ["/etc/rancher", "/usr/local/bin", "/var/lib/rancher"]) {
            expect(script.split(hostPath).length).toBe(script.split(`${sb.root}${hostPath}`).length);
        }
        expect(script).toContain(`'${sb.root}/usr/local/bin/k3s'`);
    });

    it("writes files through quoted heredocs, refusing content that holds the delimiter line", () => {
        expect(heredocLines('"$WORKDIR/x"', "a: 1\nb: $HOME\n", "X_EOF")).toEqual([`cat >"$WORKDIR/x" <<'X_EOF'`, "a: 1", "b: $HOME", "X_EOF"]);
        expect(() => heredocLines('"$WORKDIR/x"', "a: 1\nX_EOF\nrm -rf /\n", "X_EOF")).toThrow(/collides with its heredoc delimiter X_EOF/);
        expect(() => installK3sScript(installArgs(INIT, { kubeVipManifest: "kind: X\nKUBE_VIP_EOF\n" }))).toThrow(/collides/);
    });

    it("rejects invalid arguments before rendering", () => {
        expect(() => installK3sScript(installArgs(INIT, { k3sVersion: "1.34.9" }))).toThrow(/k3sVersion/);
        expect(() => installK3sScript(installArgs(INIT, { readyTimeoutSeconds: 0 }))).toThrow(/readyTimeoutSeconds/);
        expect(() => installK3sScript(installArgs(INIT, { installerUrl: "get.k3s.io" }))).toThrow(/installerUrl/);
        expect(() => installK3sScript(installArgs(INIT), { root: "relative" })).toThrow(/absolute/);
    });
});

describe("upgrades drain the server first", () => {
    const k3sCalls = () =>
        sb
            .calls()
            .split("\n")
            .filter((l) => /^k3s kubectl .* (cordon|uncordon|drain|get node|get poddisruptionbudgets) /.test(`${l} `) || l.startsWith("installer "));
    const drainCalls = () =>
        sb
            .calls()
            .split("\n")
            .filter((l) => / (cordon|uncordon|drain) k3s-node-02\b/.test(l));
    const upgrade = (overrides: Partial<InstallArgs> = {}) =>
        installK3sScript(installArgs(JOIN, { k3sVersion: UPGRADE, drainTimeoutSeconds: 7, ...overrides }), sb.layout);

    beforeEach(() => {
        expect(sb.run(installK3sScript(installArgs(JOIN), sb.layout)).status).toBe(0);
        fs.writeFileSync(path.join(sb.root, "stub", "calls.log"), "");
    });

    it("a version change on a running server cordons, drains (PDBs honoured, with a timeout), upgrades, waits Ready, then uncordons", () => {
        const r = sb.run(upgrade());
        expect(r.status).toBe(0);
        const kubeconfig = path.join(sb.root, "etc", "rancher", "k3s", "k3s.yaml");
        const steps = k3sCalls().map((l) => l.replace(`--kubeconfig ${kubeconfig} `, "").replace("--request-timeout=30s ", ""));
        expect(steps[0]).toBe("k3s kubectl cordon k3s-node-02");
        // Eviction (not deletion) is what makes drain honour PodDisruptionBudgets; --disable-eviction never appears.
        expect(steps[1]).toBe("k3s kubectl drain k3s-node-02 --ignore-daemonsets --delete-emptydir-data --timeout=7s");
        expect(steps[2]).toBe(`installer ${UPGRADE}`);
        expect(steps[3]).toMatch(/^k3s kubectl --request-timeout=10s get node k3s-node-02 /);
        expect(steps[steps.length - 1]).toBe("k3s kubectl uncordon k3s-node-02");
        expect(steps.filter((l) => l.includes("uncordon"))).toHaveLength(1);
        expect(sb.calls()).not.toContain("--disable-eviction");
        expect(r.stdout).toContain(`upgrading k3s-node-02 from ${VERSION} to ${UPGRADE}: cordoning and draining it first (timeout 7s)`);
        expect(r.stdout).toContain("k3s-node-02 drained");
        expect(r.stdout).toContain(`k3s-node-02 uncordoned on k3s ${UPGRADE}`);
    });

    it("a drain timeout names the blocking PodDisruptionBudgets, leaves the server on its version and uncordons it", () => {
        const r = sb.run(upgrade(), { STUB_DRAIN_FAIL: "1", STUB_BLOCKING_PDBS: "shlink/shlink data/postgres-primary " });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain(`draining k3s-node-02 did not finish within 7s, so it stays on ${VERSION} (uncordoned, not upgraded to ${UPGRADE})`);
        expect(r.stderr).toContain("PodDisruptionBudgets allowing no disruption now: shlink/shlink data/postgres-primary");
        expect(r.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget");
        expect(r.stderr).toContain("run `pulumi up` again");
        expect(sb.installerCalls()).toHaveLength(1);
        expect(fs.readFileSync(path.join(sb.root, "stub", "state", "k3s.version"), "utf8").trim()).toBe(VERSION);
        expect(fs.readFileSync(sb.configPath, "utf8")).toBe(k3sConfigYaml(JOIN));
        expect(drainCalls().map((l) => l.split(" ").find((w) => ["cordon", "drain", "uncordon"].includes(w)))).toEqual(["cordon", "drain", "uncordon"]);
        expect(fs.readdirSync(path.join(sb.root, "tmp"))).toEqual([]);
    });

    it("a pod drain will not delete (no controller) is named as such, not blamed on a budget, and the server is uncordoned", () => {
        const r = sb.run(upgrade(), { STUB_DRAIN_BARE_POD: "1" });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("cannot delete Pods that declare no controller");
        expect(r.stderr).toContain("draining k3s-node-02 stopped at once: some pods have no controller");
        expect(r.stderr).not.toContain("did not finish within");
        expect(drainCalls().map((l) => l.split(" ").find((w) => ["cordon", "drain", "uncordon"].includes(w)))).toEqual(["cordon", "drain", "uncordon"]);
    });

    it("a drain timeout with no budget at zero still fails clearly", () => {
        const r = sb.run(upgrade(), { STUB_DRAIN_FAIL: "1" });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("PodDisruptionBudgets allowing no disruption now: none found (see the drain output above)");
    });

    it("a failing installer after the drain uncordons the server it drained", () => {
        const r = sb.run(upgrade(), { STUB_INSTALLER_FAIL: "1" });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain(`k3s installer failed on k3s-node-02 (${UPGRADE})`);
        expect(drainCalls().map((l) => l.split(" ").find((w) => ["cordon", "drain", "uncordon"].includes(w)))).toEqual(["cordon", "drain", "uncordon"]);
    });

    it("a server left cordoned by a failed upgrade (not Ready in time) is uncordoned by the next run, once Ready", () => {
        const marker = path.join(sb.root, "etc", "rancher", "k3s", ".drained-for-upgrade");
        const failed = sb.run(upgrade({ readyTimeoutSeconds: 1 }), { STUB_NODE_READY: "False" });
        expect(failed.status).not.toBe(0);
        expect(drainCalls().map((l) => l.split(" ").find((w) => ["cordon", "drain", "uncordon"].includes(w)))).toEqual(["cordon", "drain"]);
        expect(fs.existsSync(marker)).toBe(true);
        fs.writeFileSync(path.join(sb.root, "stub", "calls.log"), "");
        // Same version, same config, K3s running: nothing to install, but the cordon is undone.
        const installs = sb.installerCalls().length;
        const next = sb.run(upgrade());
        expect(next.status).toBe(0);
        expect(sb.installerCalls()).toHaveLength(installs);
        expect(drainCalls().map((l) => l.split(" ").find((w) => ["cordon", "drain", "uncordon"].includes(w)))).toEqual(["uncordon"]);
        expect(next.stdout).toContain(`k3s-node-02 uncordoned on k3s ${UPGRADE}`);
        expect(fs.existsSync(marker)).toBe(false);
        // And a run after that touches nothing.
        fs.writeFileSync(path.join(sb.root, "stub", "calls.log"), "");
        expect(sb.run(upgrade()).status).toBe(0);
        expect(drainCalls()).toEqual([]);
    });

    it("no drain on a config-only change, a registries change or a re-run", () => {
        const changed = { ...JOIN, tlsSans: [...JOIN.tlsSans, "192.168.2.250"] };
        expect(sb.run(installK3sScript(installArgs(changed), sb.layout)).status).toBe(0);
        expect(sb.run(installK3sScript(installArgs(changed, { registries: WITH_LOGIN }), sb.layout)).status).toBe(0);
        expect(sb.run(installK3sScript(installArgs(changed, { registries: WITH_LOGIN }), sb.layout)).status).toBe(0);
        expect(sb.installerCalls()).toHaveLength(2);
        expect(drainCalls()).toEqual([]);
    });

    it("no drain on a fresh install, nor on an upgrade of a server whose K3s is down (its API cannot evict)", () => {
        const fresh = makeSandbox();
        try {
            expect(fresh.run(installK3sScript(installArgs(JOIN, { k3sVersion: UPGRADE }), fresh.layout)).status).toBe(0);
            expect(fresh.calls()).not.toMatch(/ (cordon|uncordon|drain) /);
        } finally {
            fs.rmSync(fresh.root, { recursive: true, force: true });
        }
        fs.rmSync(path.join(sb.root, "stub", "state", "k3s.active"));
        const r = sb.run(upgrade());
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("service active: 0");
        expect(drainCalls()).toEqual([]);
        expect(sb.installerCalls()[1]).toContain(`INSTALL_K3S_VERSION=${UPGRADE}`);
    });

    it("rejects a drain timeout that is not a positive integer", () => {
        expect(() => installK3sScript(installArgs(JOIN, { drainTimeoutSeconds: 0 }))).toThrow(/drainTimeoutSeconds/);
        expect(() => installK3sScript(installArgs(JOIN, { drainTimeoutSeconds: 1.5 }))).toThrow(/drainTimeoutSeconds/);
    });
});

describe("kube-vip's manifest in K3s' auto-deploy directory", () => {
    const MANIFEST = kubeVipManifest({ apiServer: "192.168.2.240", services: "192.168.2.241" });
    const manifestPath = () => path.join(sb.root, "var", "lib", "rancher", "k3s", "server", "manifests", "kube-vip.yaml");
    const withVip = (config: K3sServerConfig, overrides: Partial<InstallArgs> = {}) => installArgs(config, { kubeVipManifest: MANIFEST, ...overrides });

    it("a fresh first server gets the manifest (0600) before the installer starts K3s, so K3s deploys kube-vip at once", () => {
        const r = sb.run(installK3sScript(withVip(INIT), sb.layout));
        expect(r.status).toBe(0);
        expect(fs.readFileSync(manifestPath(), "utf8")).toBe(MANIFEST);
        expect(fs.statSync(manifestPath()).mode & 0o777).toBe(0o600);
        const calls = sb.calls();
        expect(calls.indexOf("installer ")).toBeGreaterThan(-1);
        expect(r.stdout.indexOf("kube-vip manifest written")).toBeGreaterThan(-1);
        expect(r.stdout.indexOf("kube-vip manifest written")).toBeLessThan(r.stdout.indexOf("installing k3s"));
    });

    it("an unchanged manifest is not rewritten, and adding it to a running node neither restarts K3s nor runs the installer", () => {
        expect(sb.run(installK3sScript(installArgs(INIT), sb.layout)).status).toBe(0);
        const r = sb.run(installK3sScript(withVip(INIT), sb.layout));
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("kube-vip manifest written");
        expect(sb.installerCalls()).toHaveLength(1);
        const before = fs.statSync(manifestPath());
        const again = sb.run(installK3sScript(withVip(INIT), sb.layout));
        expect(again.stdout).not.toContain("kube-vip manifest written");
        expect(fs.statSync(manifestPath()).mtimeMs).toBe(before.mtimeMs);
        expect(sb.calls()).not.toContain("systemctl restart k3s");
        expect(sb.calls()).not.toMatch(/ (cordon|drain) /);
    });

    it("homelab:vip unset removes the manifest and says how to remove what K3s deployed", () => {
        expect(sb.run(installK3sScript(withVip(INIT), sb.layout)).status).toBe(0);
        const r = sb.run(installK3sScript(installArgs(INIT), sb.layout));
        expect(r.status).toBe(0);
        expect(fs.existsSync(manifestPath())).toBe(false);
        expect(r.stdout).toContain("k3s kubectl -n kube-system delete daemonset kube-vip");
    });
});

describe("registries.yaml", () => {
    const SHARED_WITHOUT_OVERRIDE = { "quay.io": {}, "ghcr.io": {}, "registry.k8s.io": {}, "registry.developers.crunchydata.com": {} };
    const restarts = () =>
        sb
            .calls()
            .split("\n")
            .filter((l) => l === "systemctl restart k3s");

    it("lists every shared registry, with the pull-through cache as docker.io's only endpoint", () => {
        expect(YAML.parse(registriesYaml(REGISTRIES))).toEqual({
            mirrors: { "docker.io": { endpoint: ["https://mirror.gcr.io"] }, ...SHARED_WITHOUT_OVERRIDE },
        });
        expect(registriesYaml(REGISTRIES)).toMatch(/^[\x20-\x7e\n]*$/);
    });

    it("puts Docker Hub credentials under registry-1.docker.io only, byte for byte", () => {
        const doc = YAML.parse(registriesYaml(WITH_LOGIN));
        expect(doc.configs).toEqual({ "registry-1.docker.io": { auth: { username: "homelab", password: DOCKER_TOKEN } } });
        expect(doc.mirrors["docker.io"]).toEqual({ endpoint: ["https://mirror.gcr.io"] });
    });

    it('with homelab:registryMirror "none", lists docker.io for sharing but sends its pulls to Docker Hub itself', () => {
        const doc = YAML.parse(registriesYaml({ dockerHubMirror: undefined }));
        expect(doc.mirrors["docker.io"]).toEqual({});
        expect(doc.mirrors["quay.io"]).toEqual({});
    });

    it("rejects half a login and a mirror that is not a URL", () => {
        expect(() => registriesYaml({ ...REGISTRIES, dockerHubUsername: "homelab" })).toThrow(/both a username and a token/);
        expect(() => registriesYaml({ ...REGISTRIES, dockerHubToken: "t" })).toThrow(/both a username and a token/);
        expect(() => registriesYaml({ dockerHubMirror: "mirror.gcr.io" })).toThrow(/http\(s\) URL/);
    });

    it("fresh install writes it 0600 with the credentials, before the installer starts K3s, and does not restart K3s itself", () => {
        const r = sb.run(installK3sScript(installArgs(INIT, { registries: WITH_LOGIN }), sb.layout));
        expect(r.status).toBe(0);
        expect(fs.readFileSync(sb.registriesPath, "utf8")).toBe(registriesYaml(WITH_LOGIN));
        expect(YAML.parse(fs.readFileSync(sb.registriesPath, "utf8")).configs["registry-1.docker.io"].auth.password).toBe(DOCKER_TOKEN);
        expect(fs.statSync(sb.registriesPath).mode & 0o777).toBe(0o600);
        expect(fs.readFileSync(path.join(sb.root, "stub", "state", "registries-at-install.yaml"), "utf8")).toBe(registriesYaml(WITH_LOGIN));
        expect(restarts()).toEqual([]);
        expect(fs.existsSync(path.join(sb.root, "pwned"))).toBe(false);
    });

    it("a second run with the same content rewrites nothing and restarts nothing", () => {
        const script = installK3sScript(installArgs(INIT, { registries: WITH_LOGIN }), sb.layout);
        expect(sb.run(script).status).toBe(0);
        const before = fs.statSync(sb.registriesPath);
        const r = sb.run(script);
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("nothing to do");
        expect(fs.statSync(sb.registriesPath).ino).toBe(before.ino);
        expect(fs.statSync(sb.registriesPath).mtimeMs).toBe(before.mtimeMs);
        expect(restarts()).toEqual([]);
        expect(sb.installerCalls()).toHaveLength(1);
    });

    it("a changed content on a running node is rewritten 0600 and restarts K3s once, without the installer", () => {
        expect(sb.run(installK3sScript(installArgs(INIT), sb.layout)).status).toBe(0);
        const r = sb.run(installK3sScript(installArgs(INIT, { registries: WITH_LOGIN }), sb.layout));
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("registries.yaml changed on k3s-node-01: restarting k3s");
        expect(fs.readFileSync(sb.registriesPath, "utf8")).toBe(registriesYaml(WITH_LOGIN));
        expect(fs.statSync(sb.registriesPath).mode & 0o777).toBe(0o600);
        expect(restarts()).toEqual(["systemctl restart k3s"]);
        expect(sb.installerCalls()).toHaveLength(1);
        expect(r.stdout).toContain("node k3s-node-01 is Ready");
    });

    it("puts back mode 0600 on an unchanged file", () => {
        const script = installK3sScript(installArgs(INIT, { registries: WITH_LOGIN }), sb.layout);
        expect(sb.run(script).status).toBe(0);
        fs.chmodSync(sb.registriesPath, 0o644);
        expect(sb.run(script).status).toBe(0);
        expect(fs.statSync(sb.registriesPath).mode & 0o777).toBe(0o600);
        expect(restarts()).toEqual([]);
    });

    it("carries the Docker Hub token only inside the quoted heredoc, never in output or argv", () => {
        const script = installK3sScript(installArgs(INIT, { registries: WITH_LOGIN }), sb.layout);
        expect(script.split(DOCKER_MARK)).toHaveLength(2);
        const lines = script.split("\n");
        const open = lines.findIndex((l) => l.endsWith("<<'K3S_REGISTRIES_EOF'"));
        const close = lines.indexOf("K3S_REGISTRIES_EOF");
        const at = lines.findIndex((l) => l.includes(DOCKER_MARK));
        expect(open).toBeGreaterThan(-1);
        expect(at).toBeGreaterThan(open);
        expect(at).toBeLessThan(close);
        // run() fails on the marker in stdout, stderr or any recorded command line.
        expect(sb.run(script).status).toBe(0);
        const quick = installK3sScript(
            installArgs(INIT, { registries: { ...WITH_LOGIN, dockerHubMirror: "https://other.example" }, readyTimeoutSeconds: 1 }),
            sb.layout,
        );
        expect(sb.run(quick, { STUB_NODE_READY: "False" }).status).not.toBe(0);
        expect(fs.readdirSync(path.join(sb.root, "tmp"))).toEqual([]);
    });
});

describe("waitForBootScript", () => {
    it("succeeds when cloud-init is done", () => {
        const r = sb.run(waitForBootScript(sb.layout));
        expect(r.status).toBe(0);
        expect(sb.calls()).toContain("cloud-init status --wait");
    });

    it("treats exit 2 (recoverable errors) as success with a warning", () => {
        const r = sb.run(waitForBootScript(sb.layout), { STUB_CLOUD_INIT_RC: "2" });
        expect(r.status).toBe(0);
        expect(r.stderr).toContain("WARNING: cloud-init finished with recoverable errors");
    });

    it("fails on exit 1 with a clear message", () => {
        const r = sb.run(waitForBootScript(sb.layout), { STUB_CLOUD_INIT_RC: "1" });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("cloud-init failed (exit 1)");
        expect(r.stderr).toContain(`${sb.root}/var/log/cloud-init-output.log`);
    });

    it("skips when cloud-init is not installed", () => {
        const bash = spawnSync("bash", ["-c", "command -v bash"], { encoding: "utf8" }).stdout.trim();
        const emptyBin = path.join(sb.root, "empty-bin");
        fs.mkdirSync(emptyBin);
        const r = spawnSync(bash, ["-s"], { input: waitForBootScript(sb.layout), encoding: "utf8", env: { PATH: emptyBin } });
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("cloud-init is not installed");
    });
});

describe("waitForApiScript", () => {
    it("returns once /ping answers pong", () => {
        const r = sb.run(waitForApiScript("192.168.2.242", 5, 0.05));
        expect(r.status).toBe(0);
        expect(sb.calls()).toContain("curl -ksf --max-time 5 https://192.168.2.242:6443/ping");
    });

    it("fails on timeout naming the URL", () => {
        const r = sb.run(waitForApiScript("192.168.2.242", 1, 0.1), { STUB_PING_FAIL: "1" });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("https://192.168.2.242:6443/ping did not answer within 1s");
    });
});

describe("guestAgentScript", () => {
    it("installs and starts qemu-guest-agent, then does nothing on a second run", () => {
        const first = sb.run(guestAgentScript());
        expect(first.status).toBe(0);
        expect(first.stdout).toContain("qemu-guest-agent started");
        expect(sb.calls()).toMatch(/apt-get -o DPkg::Lock::Timeout=600 -qq install -y qemu-guest-agent/);
        expect(sb.calls()).toContain("systemctl start qemu-guest-agent");
        const second = sb.run(guestAgentScript());
        expect(second.status).toBe(0);
        expect(second.stdout).toContain("qemu-guest-agent is running; nothing to do");
        expect(sb.calls().match(/install -y qemu-guest-agent/g)).toHaveLength(1);
    });

    it("fails with a clear message when the package cannot be installed", () => {
        const r = sb.run(guestAgentScript(), { STUB_APT_FAIL: "1" });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("apt-get update failed: check that this node reaches its Ubuntu mirror");
    });
});

describe("uninstallK3sScript", () => {
    it("removes an installed k3s and is idempotent", () => {
        expect(sb.run(installK3sScript(installArgs(INIT), sb.layout)).status).toBe(0);
        const first = sb.run(uninstallK3sScript("k3s-node-01", sb.layout), {}, "arg");
        expect(first.status).toBe(0);
        expect(first.stdout).toContain("k3s uninstalled");
        expect(fs.existsSync(path.join(sb.root, "usr", "local", "bin", "k3s"))).toBe(false);
        const second = sb.run(uninstallK3sScript("k3s-node-01", sb.layout), {}, "arg");
        expect(second.status).toBe(0);
        expect(second.stdout).toContain("k3s is not installed; nothing to do");
    });

    it("deletes its Node first, so K3s drops the etcd member before the server goes away", () => {
        expect(sb.run(installK3sScript(installArgs(INIT), sb.layout)).status).toBe(0);
        const r = sb.run(uninstallK3sScript("k3s-node-01", sb.layout), {}, "arg");
        expect(r.status).toBe(0);
        const calls = sb.calls();
        const deleteAt = calls.indexOf("delete node k3s-node-01");
        expect(deleteAt).toBeGreaterThan(-1);
        expect(r.stdout).toContain("k3s uninstalled");
    });

    it("still uninstalls when the API cannot delete the Node", () => {
        expect(sb.run(installK3sScript(installArgs(INIT), sb.layout)).status).toBe(0);
        const r = sb.run(uninstallK3sScript("k3s-node-01", sb.layout), { STUB_DELETE_FAIL: "1" }, "arg");
        expect(r.status).toBe(0);
        expect(r.stderr).toContain("could not delete node k3s-node-01 from the cluster");
        expect(fs.existsSync(path.join(sb.root, "usr", "local", "bin", "k3s"))).toBe(false);
    });

    it("removes a leftover config (with the token) when no uninstaller is present", () => {
        const quick = installK3sScript(installArgs(INIT, { readyTimeoutSeconds: 1 }), sb.layout);
        expect(sb.run(quick, { STUB_NODE_READY: "False" }).status).not.toBe(0);
        fs.rmSync(path.join(sb.root, "usr", "local", "bin", "k3s-uninstall.sh"));
        expect(sb.run(uninstallK3sScript("k3s-node-01", sb.layout)).status).toBe(0);
        expect(fs.existsSync(sb.configPath)).toBe(false);
    });
});

describe("kubeconfig", () => {
    it("reads the kubeconfig and rewrites it to the server address", () => {
        expect(sb.run(installK3sScript(installArgs(INIT), sb.layout)).status).toBe(0);
        const r = sb.run(readKubeconfigScript(sb.layout));
        expect(r.status).toBe(0);
        expect(r.stdout).toBe(fs.readFileSync(path.join(sb.root, "etc", "rancher", "k3s", "k3s.yaml"), "utf8"));
        const rewritten = rewriteKubeconfig(r.stdout, "192.168.2.242");
        expect(rewritten).toContain("    server: https://192.168.2.242:6443\n");
        expect(rewritten).not.toContain("127.0.0.1");
        expect(YAML.parse(rewritten).users[0].user["client-key-data"]).toBe("S0VZCg==");
    });

    it("fails clearly when the kubeconfig is missing", () => {
        const r = sb.run(readKubeconfigScript(sb.layout));
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("k3s.yaml is missing or empty");
    });

    it("rewriteKubeconfig throws on unexpected input and brackets IPv6", () => {
        expect(() => rewriteKubeconfig("apiVersion: v1\nclusters: []\n", "192.168.2.242")).toThrow(/127\.0\.0\.1/);
        expect(() => rewriteKubeconfig("    server: https://10.0.0.1:6443\n", "192.168.2.242")).toThrow(/format changed/);
        const v6 = rewriteKubeconfig("clusters:\n- cluster:\n    server: https://127.0.0.1:6443\n  name: default\n", "fd00::10");
        expect(v6).toContain("server: https://[fd00::10]:6443");
    });
});

// Every script family the stack generates, with a hostile token, for shellcheck.
function allScriptsForLint(): Record<string, string> {
    return {
        "wait-for-boot": waitForBootScript(),
        "guest-agent": guestAgentScript(),
        "install-init-server": installK3sScript({ k3sVersion: VERSION, config: INIT, registries: WITH_LOGIN, readyTimeoutSeconds: 300 }),
        "install-joining-server": installK3sScript({ k3sVersion: VERSION, config: JOIN, registries: REGISTRIES, readyTimeoutSeconds: 300 }),
        "install-with-kube-vip": installK3sScript({
            k3sVersion: VERSION,
            config: INIT,
            registries: REGISTRIES,
            readyTimeoutSeconds: 300,
            kubeVipManifest: kubeVipManifest({ apiServer: "192.168.2.240", services: "192.168.2.241" }),
        }),
        "wait-for-api": waitForApiScript("192.168.2.242", 300),
        uninstall: uninstallK3sScript("k3s-node-02"),
        "read-kubeconfig": readKubeconfigScript(),
    };
}

describe("shellcheck", () => {
    const shellcheck = nativeTool("shellcheck");
    const scripts = Object.entries(allScriptsForLint());

    it("lints every generated script family", () => {
        expect(scripts.map(([name]) => name).sort()).toEqual([
            "guest-agent",
            "install-init-server",
            "install-joining-server",
            "install-with-kube-vip",
            "read-kubeconfig",
            "uninstall",
            "wait-for-api",
            "wait-for-boot",
        ]);
    });

    for (const [name, script] of scripts) {
        shellcheck.it(`shellcheck accepts ${name}`, () => {
            const r = spawnSync("shellcheck", ["-s", "bash", "-"], { input: script, encoding: "utf8" });
            expect(r.stdout + r.stderr).toBe("");
            expect(r.status).toBe(0);
        });
    }
});
