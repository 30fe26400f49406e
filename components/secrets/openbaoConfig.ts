// OpenBao's server configuration as HCL: the file every pod loads (listener, Raft, seal, audit) and the
// self-initialisation file only pod 0 loads (mounts, auth, policies, roles, the admin login), both derived from
// the secrets catalog (every part's entries). Pure builders; tests parse their output with HashiCorp's HCL parser and run the shell.
import { OPENBAO_CHART, VAULT } from "./facts";
import { shq } from "../shell/quote";
import { VAULT_CLIENT_SERVICE_ACCOUNT, VAULT_ROLES, type VaultEntries, type VaultEntry } from "../contracts/vault";
import { catalogEntries, readerNamespaces } from "./catalog";

/** Names OpenBao accepts for `initialize` and `request` blocks (openbao `docs/configuration/self-init.mdx` v2.6.2). */
export const SELF_INIT_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** One rule of an ACL policy. */
export interface PolicyRule {
    path: string;
    capabilities: readonly string[];
}

/** A Kubernetes auth role: which ServiceAccount of which namespace logs in, with which policy. */
export interface KubernetesRole {
    name: string;
    namespace: string;
    serviceAccount: string;
    policy: string;
}

/** What each kind of client may do: readers read, the seeder writes what ESO's PushSecret needs, admin everything. */
export const CAPABILITIES = {
    reader: ["read"],
    seeder: ["create", "read", "update"],
    admin: ["create", "read", "update", "patch", "delete", "list", "sudo"],
} as const;

/** The admin login's policy name. */
export const ADMIN_POLICY = "admin";

/** Where the pods find the seal key of an id, the admin password and the self-init file. */
export const sealKeyFile = (id: string) => `${id}.key`;
export const sealKeyPath = (id: string) => `${VAULT.sealKeyDir}/${sealKeyFile(id)}`;
export const ADMIN_PASSWORD_FILE = "password";
export const adminPasswordPath = () => `${VAULT.adminPasswordDir}/${ADMIN_PASSWORD_FILE}`;
export const selfInitPath = () => `${VAULT.selfInitDir}/${VAULT.selfInitFile}`;

/** Each pod's API address on the chart's headless Service, which publishes pods before they are ready. */
export function peerApiAddresses(): string[] {
    return Array.from({ length: VAULT.replicas }, (_, i) => `http://${OPENBAO_CHART.release}-${i}.${VAULT.internalService}:${VAULT.apiPort}`);
}

/**
 * The file every pod loads (the chart's `server.ha.raft.config`). TLS is off on the listener: it is terminated at
 * the Istio ingress gateway (issue 11). Declarative audit lives here, not in self-init: OpenBao refuses audit
 * devices created through the API (`unsafe_allow_api_audit_creation` is false), and every node needs the same stanza.
 */
export function serverConfig(sealKeyIds: readonly string[] = VAULT.sealKeyIds): string {
    return [
        "ui = true",
        "",
        block(
            "listener",
            ["tcp"],
            [
                attr("address", `[::]:${VAULT.apiPort}`),
                attr("cluster_address", `[::]:${VAULT.clusterPort}`),
                attr("tls_disable", true),
                // Prometheus scrapes /v1/sys/metrics without a token (only the monitoring namespace may reach it: security/flows.ts).
                block("telemetry", [], [attr("unauthenticated_metrics_access", true)]),
            ],
        ),
        "",
        block(
            "storage",
            ["raft"],
            [attr("path", VAULT.dataPath), ...peerApiAddresses().map((address) => block("retry_join", [], [attr("leader_api_addr", address)]))],
        ),
        "",
        block("service_registration", ["kubernetes"], []),
        "",
        // Metrics in Prometheus' format, kept as long as a scrape interval lasts; one series set per pod, not per host name.
        block("telemetry", [], [attr("prometheus_retention_time", VAULT.metricsRetention), attr("disable_hostname", true)]),
        "",
        block("seal", ["static"], sealStanza(sealKeyIds)),
        "",
        // To stdout (the pod's log): a file would need rotation, and OpenBao blocks requests it cannot audit.
        block(
            "audit",
            ["file", "stdout"],
            [attr("description", "Every request and response, HMAC'd, to the pod's log."), block("options", [], [attr("file_path", "stdout")])],
        ),
        "",
    ].join("\n");
}

/**
 * The static seal: the last id is current, the one before it previous. The key files hold the key as 44 characters
 * of standard base64 and nothing else (OpenBao reads `file://` keys untrimmed and decodes them by length).
 */
export function sealStanza(sealKeyIds: readonly string[]): string[] {
    if (sealKeyIds.length < 1 || sealKeyIds.length > 2 || new Set(sealKeyIds).size !== sealKeyIds.length) {
        throw new Error(`the static seal takes one current key and at most one previous, with distinct ids (got ${sealKeyIds.join(", ")})`);
    }
    const current = sealKeyIds[sealKeyIds.length - 1];
    const previous = sealKeyIds.length === 2 ? sealKeyIds[0] : undefined;
    return [
        attr("current_key_id", current),
        attr("current_key", `file://${sealKeyPath(current)}`),
        ...(previous === undefined ? [] : [attr("previous_key_id", previous), attr("previous_key", `file://${sealKeyPath(previous)}`)]),
    ];
}

/** The reader policy of each reading namespace: `read` on exactly the entries that list it, nothing else. */
export function readerPolicies(catalog: VaultEntries): Record<string, PolicyRule[]> {
    const entries: readonly VaultEntry[] = catalogEntries(catalog).map(([, e]) => e);
    return Object.fromEntries(
        readerNamespaces(catalog).map((ns) => [
            VAULT_ROLES.reader(ns),
            entries.filter((e) => e.readers.includes(ns)).map((e) => ({ path: kvPath("data", e.path), capabilities: CAPABILITIES.reader })),
        ]),
    );
}

/** Every policy the self-init writes: the readers, the seeder (data and metadata: ESO's PushSecret needs both), admin. */
export function vaultPolicies(catalog: VaultEntries): Record<string, PolicyRule[]> {
    const entries: readonly VaultEntry[] = catalogEntries(catalog).map(([, e]) => e);
    return {
        ...readerPolicies(catalog),
        [VAULT_ROLES.seeder]: entries.flatMap((e) =>
            (["data", "metadata"] as const).map((kind) => ({ path: kvPath(kind, e.path), capabilities: CAPABILITIES.seeder })),
        ),
        [ADMIN_POLICY]: [{ path: "*", capabilities: CAPABILITIES.admin }],
    };
}

/** The Kubernetes auth roles: one reader per reading namespace, the seeder in OpenBao's own namespace. */
export function kubernetesRoles(catalog: VaultEntries): KubernetesRole[] {
    const role = (name: string, namespace: string): KubernetesRole => ({ name, namespace, serviceAccount: VAULT_CLIENT_SERVICE_ACCOUNT, policy: name });
    return [...readerNamespaces(catalog).map((ns) => role(VAULT_ROLES.reader(ns), ns)), role(VAULT_ROLES.seeder, VAULT.namespace)];
}

/** An ACL policy document. */
export function policyHcl(rules: readonly PolicyRule[]): string {
    return rules.map((r) => block("path", [r.path], [attr("capabilities", r.capabilities)])).join("\n") + "\n";
}

/**
 * The self-initialisation only pod 0 loads: it runs once, on empty storage, with a root token OpenBao revokes
 * itself. The admin password is read from its mounted file: no secret is in this text.
 */
export function selfInitConfig(catalog: VaultEntries): string {
    const request = (name: string, path: string, data: Record<string, HclValue>) =>
        block("request", [name], [attr("operation", "update"), attr("path", path), attr("data", data)]);
    const policies = Object.entries(vaultPolicies(catalog)).map(([name, rules]) =>
        request(`policy-${name}`, `sys/policies/acl/${name}`, { policy: policyHcl(rules) }),
    );
    const roles = kubernetesRoles(catalog).map((r) =>
        request(`role-${r.name}`, `auth/${VAULT.kubernetesAuthPath}/role/${r.name}`, {
            bound_service_account_names: [r.serviceAccount],
            bound_service_account_namespaces: [r.namespace],
            token_policies: [r.policy],
        }),
    );
    return [
        block("initialize", ["kv"], [request("mount-kv", `sys/mounts/${VAULT.kvMount}`, { type: "kv", options: { version: "2" } })]),
        block(
            "initialize",
            ["kubernetes-auth"],
            [
                request("enable-kubernetes-auth", `sys/auth/${VAULT.kubernetesAuthPath}`, { type: "kubernetes" }),
                // In a pod OpenBao reads its own ServiceAccount token and CA: only the API server's address is needed.
                request("configure-kubernetes-auth", `auth/${VAULT.kubernetesAuthPath}/config`, { kubernetes_host: "https://kubernetes.default.svc" }),
            ],
        ),
        block("initialize", ["policies"], policies),
        block("initialize", ["roles"], roles),
        block(
            "initialize",
            ["admin-login"],
            [
                request("enable-userpass", "sys/auth/userpass", { type: "userpass" }),
                request("admin-user", `auth/userpass/users/${VAULT.adminUser}`, {
                    password: { eval_source: "file", eval_type: "string", path: adminPasswordPath() },
                    token_policies: [ADMIN_POLICY],
                }),
            ],
        ),
        "",
    ].join("\n");
}

/** The guard pod 0 runs before `bao server` (below), shipped beside the self-init file. */
export const SELF_INIT_GUARD_FILE = "self-init-guard.sh";
export const selfInitGuardPath = () => `${VAULT.selfInitDir}/${SELF_INIT_GUARD_FILE}`;
/** Our own mark on pod 0's volume: a self-init was started on it and OpenBao has not served since. */
export const SELF_INIT_PENDING_FILE = ".homelab-self-init-pending";
/** What OpenBao's Raft storage keeps under its path (openbao v2.6.2 physical/raft: fsm.go `vault.db`, raft.go `raft/`, `node-id`). */
export const RAFT_FILES = ["vault.db", "raft", "node-id"] as const;
/** How often the guard asks the local server whether it serves (unsealed) yet. */
const SERVING_POLL_SECONDS = 1;

/**
 * The chart's `server.extraArgs`: the guard's output, a second `-config` for pod 0 or nothing. The chart pastes this
 * unquoted after `bao server -config=/tmp/storageconfig.hcl` inside `sh -ec` (templates/_helpers.tpl `openbao.args`):
 * an empty substitution adds no argument. Sourced, so it runs in the image's own shell (busybox ash).
 */
export function selfInitArgs(): string {
    return `$(. ${selfInitGuardPath()})`;
}

/**
 * Pod 0's guard around OpenBao's self-init, POSIX sh. It prints `-config=<self-init file>` only on pod 0 and only
 * while no peer answers (`bao status` exits 0 unsealed, 2 sealed, 1 unreachable, once, within
 * VAULT.peerProbeTimeout): on the first install the others do not exist yet (OrderedReady), and a pod 0 rebuilt on
 * an empty volume beside running peers joins them instead of starting a second cluster.
 *
 * A failed self-init leaves OpenBao's own "failed" marker in the barrier, and every later unseal refuses it
 * (openbao v2.6.2 vault/self_init.go, command/server.go runUnseal): pod 0 would crash for good on a kept volume.
 * So before a self-init the guard marks the volume, and a background loop removes the mark once the local server
 * serves unsealed (HTTP starts only after self-init completed). A pod 0 that starts on a marked volume while no
 * peer answers holds a cluster that never served (its peers are only created once pod 0 was Ready): the guard
 * removes OpenBao's Raft files and self-initialises afresh, saying so in the pod's log.
 */
export function selfInitGuardScript(): string {
    const peers = peerApiAddresses().slice(1);
    const data = VAULT.dataPath;
    return [
        "# shellcheck shell=sh",
        "# Sourced by the chart's `sh -ec` line inside $(...): prints the extra -config argument of `bao server`, or nothing.",
        `self_init_config=${shq(selfInitPath())}`,
        `pending=${shq(`${data}/${SELF_INIT_PENDING_FILE}`)}`,
        `raft_files=${shq(RAFT_FILES.map((f) => `${data}/${f}`).join(" "))}`,
        `peers=${shq(peers.join(" "))}`,
        "",
        "answers() {",
        `    BAO_CLIENT_TIMEOUT=${shq(VAULT.peerProbeTimeout)} BAO_MAX_RETRIES=0 bao status -address="$1" >/dev/null 2>&1 && return 0`,
        "    [ $? = 2 ]",
        "}",
        "",
        "# Removes the mark once this server serves unsealed: its self-init completed.",
        "clear_when_serving() {",
        `    until BAO_CLIENT_TIMEOUT=${shq(VAULT.peerProbeTimeout)} BAO_MAX_RETRIES=0 bao status >/dev/null 2>&1; do`,
        `        sleep ${SERVING_POLL_SECONDS}`,
        "    done",
        '    rm -f "$pending"',
        "}",
        "",
        "# shellcheck disable=SC3028 # the chart sets HOSTNAME to the pod's name",
        'if [ "${HOSTNAME##*-}" = 0 ]; then',
        "    quiet=true",
        "    for peer in $peers; do",
        '        if answers "$peer"; then',
        "            quiet=false",
        "        fi",
        "    done",
        '    if [ "$quiet" = true ] && [ -e "$pending" ]; then',
        '        echo "homelab: the self-init begun on this volume never completed and no peer answers: removing $raft_files to self-initialise afresh" >&2',
        "        # shellcheck disable=SC2086 # a list of fixed paths",
        "        rm -rf $raft_files",
        "    fi",
        '    if [ "$quiet" = true ] && ! [ -e "$pending" ] && ! [ -e "${raft_files%% *}" ]; then',
        '        : >"$pending"',
        "    fi",
        '    if [ -e "$pending" ]; then',
        "        # exec: a redirection on the call alone would leave ash and dash holding $(...)'s pipe open in a saved copy.",
        "        (",
        "            exec </dev/null >/dev/null 2>&1",
        "            clear_when_serving",
        "        ) &",
        "    fi",
        '    if [ "$quiet" = true ]; then',
        '        echo "-config=$self_init_config"',
        "    fi",
        "fi",
        "",
    ].join("\n");
}

function kvPath(kind: "data" | "metadata", path: string): string {
    return `${VAULT.kvMount}/${kind}/${path}`;
}

// --- A small HCL writer: the subset both OpenBao's HCL 1 parser and HCL 2 read alike. --------------------------

type HclValue = string | number | boolean | readonly string[] | { readonly [key: string]: HclValue };

/** An HCL string literal; refuses the template sequences HCL 2 would expand. */
export function hclString(value: string): string {
    if (/[$%]\{/.test(value)) {
        throw new Error(`HCL string would be a template: ${JSON.stringify(value)}`);
    }
    return JSON.stringify(value);
}

function hclValue(value: HclValue, indent: string): string {
    if (typeof value === "string") {
        return hclString(value);
    }
    if (typeof value === "number" || typeof value === "boolean") {
        return String(value);
    }
    if (isStringList(value)) {
        return `[${value.map(hclString).join(", ")}]`;
    }
    const inner = `${indent}  `;
    const lines = Object.entries(value).map(([k, v]) => `${inner}${hclKey(k)} = ${hclValue(v, inner)}`);
    return `{\n${lines.join("\n")}\n${indent}}`;
}

function isStringList(value: HclValue): value is readonly string[] {
    return Array.isArray(value);
}

function hclKey(key: string): string {
    return SELF_INIT_NAME.test(key) ? key : hclString(key);
}

function attr(key: string, value: HclValue): string {
    return `${hclKey(key)} = ${hclValue(value, "")}`;
}

/** A block whose body lines (attributes or nested blocks) are indented by two spaces. */
function block(type: string, labels: readonly string[], body: readonly string[]): string {
    const head = [type, ...labels.map(hclString)].join(" ");
    if (body.length === 0) {
        return `${head} {}`;
    }
    const indented = body.flatMap((line) => line.split("\n")).map((line) => (line === "" ? line : `  ${line}`));
    return `${head} {\n${indented.join("\n")}\n}`;
}
