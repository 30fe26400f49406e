// Pure builders for the bash scripts that install and operate k3s over SSH.
// Every script is run as root with `sudo bash -s` and fed on stdin, so secrets never reach a process list.
import * as path from "node:path";
import * as YAML from "yaml";
import { K3S_VERSION_PATTERN } from "../config/defaults";
import { K3S_API_PORT, K3S_DRAIN_TIMEOUT_SECONDS, KUBE_VIP } from "./facts";
import { shq, yamlString } from "../shell/quote";
import { heredocLines, script, scriptFromFile } from "../shell/script";
import { registriesYaml, type RegistriesConfig } from "./registries";

export interface FsLayout {
    root: string;
}

export interface K3sServerConfig {
    nodeName: string;
    nodeIp: string;
    tlsSans: string[];
    token: string;
    clusterInit: boolean;
    serverUrl?: string;
    disable: string[];
}

export interface InstallArgs {
    k3sVersion: string;
    config: K3sServerConfig;
    registries: RegistriesConfig;
    /** kube-vip's manifest for K3s' auto-deploy directory; undefined removes it (homelab:vip unset). */
    kubeVipManifest?: string;
    readyTimeoutSeconds: number;
    // How long an upgrade's drain may wait for evictions; tests shorten it.
    drainTimeoutSeconds?: number;
    installerUrl?: string;
    // Seconds between Ready polls; tests shorten it.
    pollSeconds?: number;
}

const PRODUCTION: FsLayout = { root: "" };
const DEFAULT_INSTALLER_URL = "https://get.k3s.io";
const DEFAULT_POLL_SECONDS = 5;
// Upper bound for `cloud-init status --wait`, so a wedged first boot fails instead of hanging `pulumi up`.
const CLOUD_INIT_TIMEOUT_SECONDS = 1800;
const CONFIG_HEREDOC = "K3S_CONFIG_EOF";
const REGISTRIES_HEREDOC = "K3S_REGISTRIES_EOF";
const KUBE_VIP_HEREDOC = "KUBE_VIP_EOF";
const LOOPBACK_SERVER = `https://127.0.0.1:${K3S_API_PORT}`;
/** The install script as the bash file it is; installK3sScript only chooses its inputs. */
const INSTALL_K3S_FILE = path.join(__dirname, "scripts", "install-k3s.sh");

function rootOf(layout: FsLayout): string {
    const root = layout.root.replace(/\/+$/, "");
    if (root !== "" && !root.startsWith("/")) {
        throw new Error(`FsLayout.root must be "" or an absolute path, got ${JSON.stringify(layout.root)}`);
    }
    return root;
}

function requireNonEmpty(value: string, what: string): void {
    if (value.trim() === "") {
        throw new Error(`${what} must not be empty`);
    }
}

function requirePositive(value: number, what: string, integer: boolean): void {
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
        throw new Error(`${what} must be a positive ${integer ? "integer" : "number"}, got ${value}`);
    }
}

// IPv6 literals need brackets inside a URL.
function urlHost(host: string): string {
    requireNonEmpty(host, "server address");
    if (/[\s'"/]/.test(host)) {
        throw new Error(`invalid server address ${JSON.stringify(host)}`);
    }
    return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

function yamlList(key: string, items: string[]): string[] {
    // An empty list is omitted rather than written as `[]`, so k3s sees no flag at all.
    return items.length === 0 ? [] : [`${key}:`, ...items.map((item) => `  - ${yamlString(item)}`)];
}

export function k3sConfigYaml(cfg: K3sServerConfig): string {
    requireNonEmpty(cfg.nodeName, "nodeName");
    requireNonEmpty(cfg.nodeIp, "nodeIp");
    requireNonEmpty(cfg.token, "token");
    if (!cfg.clusterInit && !cfg.serverUrl) {
        throw new Error(`k3s server ${cfg.nodeName}: serverUrl is required when clusterInit is false (joining server)`);
    }
    if (cfg.clusterInit && cfg.serverUrl) {
        throw new Error(`k3s server ${cfg.nodeName}: serverUrl must not be set when clusterInit is true (first server)`);
    }
    const lines = [
        "# Managed by Pulumi (homelab k3s); manual edits are overwritten on the next `pulumi up`.",
        `node-name: ${yamlString(cfg.nodeName)}`,
        `node-ip: ${yamlString(cfg.nodeIp)}`,
        `node-external-ip: ${yamlString(cfg.nodeIp)}`,
        ...yamlList("tls-san", cfg.tlsSans),
        ...yamlList("disable", cfg.disable),
        // Root only: the admin kubeconfig is read back through sudo.
        `write-kubeconfig-mode: ${yamlString("0600")}`,
        // Nodes pull images from each other (Spegel) for the registries in registries.yaml.
        "embedded-registry: true",
        `token: ${yamlString(cfg.token)}`,
        cfg.clusterInit ? "cluster-init: true" : `server: ${yamlString(cfg.serverUrl as string)}`,
    ];
    return `${lines.join("\n")}\n`;
}

export function waitForBootScript(layout: FsLayout = PRODUCTION): string {
    const root = rootOf(layout);
    return script(
        "Wait until cloud-init has finished first boot (sshd accepts logins earlier).",
        [`CLOUD_INIT_TIMEOUT=${CLOUD_INIT_TIMEOUT_SECONDS}`, `CLOUD_INIT_LOG=${shq(`${root}/var/log/cloud-init-output.log`)}`],
        [
            "if ! command -v cloud-init >/dev/null 2>&1; then",
            '    echo "cloud-init is not installed; nothing to wait for"',
            "    return 0",
            "fi",
            "local rc=0",
            'timeout "$CLOUD_INIT_TIMEOUT" cloud-init status --wait || rc=$?',
            'case "$rc" in',
            "    0)",
            '        echo "cloud-init finished"',
            "        ;;",
            "    2)",
            '        echo "WARNING: cloud-init finished with recoverable errors; see \\`cloud-init status --long\\` and $CLOUD_INIT_LOG on this node" >&2',
            "        ;;",
            "    124)",
            '        fail "cloud-init did not finish within ${CLOUD_INIT_TIMEOUT}s; check \\`cloud-init status --long\\` and $CLOUD_INIT_LOG on this node"',
            "        ;;",
            "    *)",
            '        fail "cloud-init failed (exit $rc); check \\`cloud-init status --long\\` and $CLOUD_INIT_LOG on this node"',
            "        ;;",
            "esac",
        ],
    );
}

export function installK3sScript(args: InstallArgs, layout: FsLayout = PRODUCTION): string {
    const root = rootOf(layout);
    const cfg = args.config;
    if (!K3S_VERSION_PATTERN.test(args.k3sVersion)) {
        throw new Error(`k3sVersion must look like v1.34.9+k3s1, got ${JSON.stringify(args.k3sVersion)}`);
    }
    const installerUrl = args.installerUrl ?? DEFAULT_INSTALLER_URL;
    if (!/^https?:\/\/\S+$/.test(installerUrl)) {
        throw new Error(`installerUrl must be an http(s) URL, got ${JSON.stringify(installerUrl)}`);
    }
    const pollSeconds = args.pollSeconds ?? DEFAULT_POLL_SECONDS;
    const drainTimeoutSeconds = args.drainTimeoutSeconds ?? K3S_DRAIN_TIMEOUT_SECONDS;
    requirePositive(args.readyTimeoutSeconds, "readyTimeoutSeconds", true);
    requirePositive(drainTimeoutSeconds, "drainTimeoutSeconds", true);
    requirePositive(pollSeconds, "pollSeconds", false);
    // Rendered first, so a delimiter collision throws before anything else is built.
    const configLines = heredocLines('"$WORKDIR/config.yaml"', k3sConfigYaml(cfg), CONFIG_HEREDOC);
    const registriesLines = heredocLines('"$WORKDIR/registries.yaml"', registriesYaml(args.registries), REGISTRIES_HEREDOC);
    const kubeVip = kubeVipLines(args.kubeVipManifest);

    return scriptFromFile(INSTALL_K3S_FILE, `Install or upgrade the k3s server ${cfg.nodeName} to ${args.k3sVersion}; a no-op when already converged.`, {
        variables: {
            NODE_NAME: cfg.nodeName,
            WANT_VERSION: args.k3sVersion,
            INSTALLER_URL: installerUrl,
            READY_TIMEOUT: args.readyTimeoutSeconds,
            DRAIN_TIMEOUT: drainTimeoutSeconds,
            POLL_SECONDS: pollSeconds,
            CONFIG_DIR: `${root}/etc/rancher/k3s`,
            KUBECONFIG_FILE: `${root}/etc/rancher/k3s/k3s.yaml`,
            K3S_BIN: `${root}/usr/local/bin/k3s`,
            KUBE_VIP_FILE: `${root}${KUBE_VIP.manifestDir}/${KUBE_VIP.manifestFile}`,
        },
        inserts: { config: configLines, registries: registriesLines, "kube-vip": kubeVip },
    });
}

/**
 * Puts kube-vip's manifest in K3s' auto-deploy directory (K3s applies it at start and on change, so the first
 * server holds the VIP before anything joins through it), or takes it away when homelab:vip is unset.
 */
function kubeVipLines(manifest: string | undefined): string[] {
    if (manifest === undefined) {
        return [
            'if [[ -f "$KUBE_VIP_FILE" ]]; then',
            '    rm -f "$KUBE_VIP_FILE"',
            '    echo "homelab:vip is unset: removed $KUBE_VIP_FILE; K3s keeps what it deployed (remove it with \\`k3s kubectl -n kube-system delete daemonset kube-vip\\`)"',
            "fi",
        ];
    }
    return [
        ...heredocLines('"$WORKDIR/kube-vip.yaml"', manifest, KUBE_VIP_HEREDOC),
        'if ! cmp -s "$WORKDIR/kube-vip.yaml" "$KUBE_VIP_FILE"; then',
        '    mkdir -p "$(dirname "$KUBE_VIP_FILE")"',
        '    install -m 0600 "$WORKDIR/kube-vip.yaml" "$KUBE_VIP_FILE.new"',
        "    # K3s watches the directory: no restart needed.",
        '    mv -f "$KUBE_VIP_FILE.new" "$KUBE_VIP_FILE"',
        '    echo "kube-vip manifest written to $KUBE_VIP_FILE on $NODE_NAME"',
        "fi",
    ];
}

export function waitForApiScript(serverIp: string, timeoutSeconds: number, pollSeconds: number = DEFAULT_POLL_SECONDS): string {
    requirePositive(timeoutSeconds, "timeoutSeconds", true);
    requirePositive(pollSeconds, "pollSeconds", false);
    const url = `https://${urlHost(serverIp)}:${K3S_API_PORT}/ping`;
    return script(
        "Wait until the k3s API server answers /ping, before another server joins through it.",
        [`PING_URL=${shq(url)}`, `TIMEOUT=${timeoutSeconds}`, `POLL_SECONDS=${pollSeconds}`],
        [
            "local deadline=$((SECONDS + TIMEOUT))",
            'local answer=""',
            "while :; do",
            "    # -k: the serving cert is signed by the cluster's own CA, which this node does not have yet.",
            '    answer="$(curl -ksf --max-time 5 "$PING_URL" 2>/dev/null)" || answer=""',
            '    if [[ "$answer" == *pong* ]]; then',
            '        echo "k3s API at $PING_URL is up"',
            "        return 0",
            "    fi",
            "    if ((SECONDS >= deadline)); then",
            `        fail "k3s API at $PING_URL did not answer within \${TIMEOUT}s: check \\\`journalctl -u k3s -n 100\\\` on the first server and that port ${K3S_API_PORT} is reachable from this node"`,
            "    fi",
            '    sleep "$POLL_SECONDS"',
            "done",
        ],
    );
}

export function uninstallK3sScript(nodeName: string, layout: FsLayout = PRODUCTION): string {
    requireNonEmpty(nodeName, "nodeName");
    const root = rootOf(layout);
    return script(
        "Remove k3s from this node; succeeds when it is already gone.",
        [
            `NODE_NAME=${shq(nodeName)}`,
            `UNINSTALL_SCRIPT=${shq(`${root}/usr/local/bin/k3s-uninstall.sh`)}`,
            `CONFIG_FILE=${shq(`${root}/etc/rancher/k3s/config.yaml`)}`,
            `KUBECONFIG_FILE=${shq(`${root}/etc/rancher/k3s/k3s.yaml`)}`,
            `K3S_BIN=${shq(`${root}/usr/local/bin/k3s`)}`,
        ],
        [
            'if [[ -x "$K3S_BIN" && -f "$KUBECONFIG_FILE" ]]; then',
            "    # Deleting the Node makes K3s drop this server's etcd member, so the remaining servers keep quorum.",
            '    "$K3S_BIN" kubectl --kubeconfig "$KUBECONFIG_FILE" --request-timeout=30s delete node "$NODE_NAME" --wait=false ||',
            '        echo "WARNING: could not delete node $NODE_NAME from the cluster (already gone, or the API is down); uninstalling anyway" >&2',
            "fi",
            'if [[ -f "$UNINSTALL_SCRIPT" ]]; then',
            '    sh "$UNINSTALL_SCRIPT" || fail "k3s-uninstall.sh failed (exit $?); inspect $UNINSTALL_SCRIPT and \\`systemctl status k3s\\` on this node"',
            '    echo "k3s uninstalled"',
            "else",
            '    echo "k3s is not installed; nothing to do"',
            "fi",
            "# A failed first install can leave our config (with the token) behind without an uninstaller.",
            'rm -f "$CONFIG_FILE"',
        ],
    );
}

/**
 * Installs and starts qemu-guest-agent (Ubuntu cloud images lack it), so Proxmox can shut the VM down
 * cleanly and show its addresses. Idempotent.
 */
export function guestAgentScript(): string {
    return script(
        "Install and start the QEMU guest agent that the VM's Proxmox config enables.",
        [
            "export DEBIAN_FRONTEND=noninteractive",
            "# Right after first boot, unattended-upgrades may hold the dpkg lock for a while.",
            "APT_OPTIONS=(-o DPkg::Lock::Timeout=600 -qq)",
        ],
        [
            "if systemctl is-active --quiet qemu-guest-agent; then",
            '    echo "qemu-guest-agent is running; nothing to do"',
            "    return 0",
            "fi",
            "if ! command -v qemu-ga >/dev/null 2>&1; then",
            '    apt-get "${APT_OPTIONS[@]}" update ||',
            '        fail "apt-get update failed: check that this node reaches its Ubuntu mirror (DNS, gateway)"',
            '    apt-get "${APT_OPTIONS[@]}" install -y qemu-guest-agent ||',
            '        fail "could not install qemu-guest-agent: check \\`apt-get install qemu-guest-agent\\` on this node"',
            "fi",
            "# The unit is static (udev starts it on later boots); start it for this one.",
            'systemctl start qemu-guest-agent || fail "qemu-guest-agent did not start: check \\`systemctl status qemu-guest-agent\\`"',
            'echo "qemu-guest-agent started"',
        ],
    );
}

export function readKubeconfigScript(layout: FsLayout = PRODUCTION): string {
    const root = rootOf(layout);
    return script(
        "Print the k3s admin kubeconfig (it holds a client key: treat the output as a secret).",
        [`KUBECONFIG_FILE=${shq(`${root}/etc/rancher/k3s/k3s.yaml`)}`],
        [
            'if [[ ! -s "$KUBECONFIG_FILE" ]]; then',
            '    fail "$KUBECONFIG_FILE is missing or empty: is k3s installed and running? check \\`systemctl status k3s\\` and \\`journalctl -u k3s -n 100\\`"',
            "fi",
            'cat "$KUBECONFIG_FILE"',
        ],
    );
}

export function rewriteKubeconfig(kubeconfig: string, serverIp: string): string {
    const target = `https://${urlHost(serverIp)}:${K3S_API_PORT}`;
    const pattern = new RegExp(`^([ \\t]*server:[ \\t]*)${escapeRegExp(LOOPBACK_SERVER)}([ \\t]*)$`, "gm");
    if (!new RegExp(pattern.source, "m").test(kubeconfig)) {
        throw new Error(`kubeconfig has no \`server: ${LOOPBACK_SERVER}\` line; has the k3s kubeconfig format changed?`);
    }
    // A replacer function, so nothing in the target is read as a `$` pattern.
    const rewritten = kubeconfig.replace(pattern, (_line, prefix: string, suffix: string) => `${prefix}${target}${suffix}`);
    // Double-check through a real YAML parse that every cluster now points at the server.
    const doc = YAML.parse(rewritten) as { clusters?: { cluster?: { server?: unknown } }[] } | null;
    const servers = (doc?.clusters ?? []).map((c) => c.cluster?.server);
    if (servers.length === 0 || servers.some((s) => s !== target)) {
        throw new Error(`rewritten kubeconfig does not point every cluster at ${target} (servers: ${JSON.stringify(servers)})`);
    }
    return rewritten;
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
