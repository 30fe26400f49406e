// The end-to-end check that closes `pulumi up`: a bash script run on the first node (inside the lab's
// network) that exercises every public URL, checks every ExternalSecret of the lab is synced from Vault, and
// fails naming what is down. Pure builder; tests run it.
import { ESO_API } from "../kubernetes/externalSecrets";
import { shq } from "../shell/quote";
import { heredocLines, script } from "../shell/script";
import { EXTERNAL_SECRETS_PROMISE, SMOKE_PROMISES as P } from "./promises";

/** How the check reads the cluster: K3s' kubectl through sudo on a node, or the API with the Job pod's ServiceAccount. */
export type ClusterAccess = { via: "k3s-kubectl" } | { via: "service-account"; apiServerUrl: string; serviceAccountDir: string };

/** The ExternalSecret kind's API group, version and resource (what the Job's ClusterRole grants, what the check lists). */
export const EXTERNAL_SECRETS_API = {
    group: ESO_API.externalSecret.apiVersion.split("/")[0],
    version: ESO_API.externalSecret.apiVersion.split("/")[1],
    resource: "externalsecrets",
} as const;

export interface SmokeCheckArgs {
    /** Base URL of Shlink through the ingress gateway, e.g. https://192.168.2.242 */
    shlinkUrl: string;
    /** Shlink's plain-HTTP door, which must answer 301 to HTTPS, e.g. http://192.168.2.242 */
    shlinkHttpUrl: string;
    /** The lab CA's certificate (PEM): every HTTPS call verifies against it, none skips verification. */
    caCertificate: string;
    /** Shlink API key (secret): written to a 0600 header file, never on a command line or in output. */
    apiKey: string;
    grafanaUrl: string;
    /** Kiali's health endpoint. */
    kialiHealthUrl: string;
    jaegerUrl: string;
    /** OpenBao's (Vault's) URL: its health answers 200 only when initialised, unsealed and active. */
    vaultUrl: string;
    /** Namespaces whose ExternalSecrets must all report Ready (each must hold at least one); others are not the lab's. */
    externalSecretNamespaces: readonly string[];
    cluster: ClusterAccess;
    /** Overall deadline for all checks to pass. */
    timeoutSeconds: number;
    /** Longest pause between two attempts; attempts back off 1, 2, 4 ... up to this. */
    maxBackoffSeconds?: number;
}

/** The long URL the check shortens; findIfExists keeps re-runs from piling up short URLs. */
export const SMOKE_LONG_URL = "https://github.com/shlinkio/shlink?from=homelab-smoke-check";

/** One PEM certificate, nothing else (no key, no heredoc trickery). */
const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----\n?$/;

export function smokeCheckScript(args: SmokeCheckArgs): string {
    if (!Number.isInteger(args.timeoutSeconds) || args.timeoutSeconds <= 0) {
        throw new Error(`timeoutSeconds must be a positive integer, got ${args.timeoutSeconds}`);
    }
    if (/[\r\n]/.test(args.apiKey) || args.apiKey === "") {
        throw new Error("the API key must be one non-empty line");
    }
    if (!PEM_CERTIFICATE.test(args.caCertificate)) {
        throw new Error("the CA certificate must be one PEM certificate");
    }
    if (args.externalSecretNamespaces.length === 0 || args.externalSecretNamespaces.some((ns) => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns))) {
        throw new Error(`externalSecretNamespaces must be namespace names, got ${JSON.stringify(args.externalSecretNamespaces)}`);
    }
    const body = JSON.stringify({ longUrl: SMOKE_LONG_URL, findIfExists: true });
    const preamble = `SHLINK_URL=${shq(args.shlinkUrl)}
GRAFANA_URL=${shq(args.grafanaUrl)}
KIALI_HEALTH_URL=${shq(args.kialiHealthUrl)}
JAEGER_URL=${shq(args.jaegerUrl)}
SHLINK_HTTP_URL=${shq(args.shlinkHttpUrl)}
VAULT_URL=${shq(args.vaultUrl)}
LONG_URL=${shq(SMOKE_LONG_URL)}
CREATE_BODY=${shq(body)}
TIMEOUT=${args.timeoutSeconds}
MAX_BACKOFF=${args.maxBackoffSeconds ?? 30}
ES_NAMESPACES=(${args.externalSecretNamespaces.map(shq).join(" ")})
${externalSecretsLister(args.cluster)}
WORKDIR=""

cleanup() {
    if [[ -n "$WORKDIR" ]]; then
        rm -rf "$WORKDIR"
    fi
}

# A check's line: what it proves (and why not, when given), then its id in \`npm run verify\`.
# An entry is function|id|description.
described() {
    local rest="\${1#*|}"
    echo "\${rest#*|}\${2:+: $2} [\${rest%%|*}]"
}

# Prints the HTTP status of a request; the body lands in $WORKDIR/body, headers in $WORKDIR/headers.
# Every HTTPS call is verified against the lab's CA; none skips verification.
http() {
    curl -s --max-time 10 --cacert "$WORKDIR/ca.crt" -o "$WORKDIR/body" -D "$WORKDIR/headers" -w '%{http_code}' "$@" || echo 000
}

# The Location header of the last response.
location() {
    tr -d '\\r' <"$WORKDIR/headers" | sed -n 's/^[Ll]ocation: //p'
}

check_shlink_health() {
    [[ "$(http "$SHLINK_URL/rest/health")" == 200 ]] && grep -q '"status":"pass"' "$WORKDIR/body"
}

check_api_needs_key() {
    # The mesh's AuthorizationPolicy answers 403 before Shlink sees a keyless API call.
    [[ "$(http -X POST -H 'Content-Type: application/json' --data "$CREATE_BODY" "$SHLINK_URL/rest/v3/short-urls")" == 403 ]]
}

check_short_url_redirects() {
    local status code location
    status="$(http -X POST -H @"$WORKDIR/api-key-header" -H 'Content-Type: application/json' \\
        --data "$CREATE_BODY" "$SHLINK_URL/rest/v3/short-urls")"
    [[ "$status" == 200 ]] || return 1
    code="$(sed -n 's/.*"shortCode":"\\([^"]*\\)".*/\\1/p' "$WORKDIR/body")"
    [[ -n "$code" ]] || return 1
    [[ "$(http "$SHLINK_URL/$code")" == 302 ]] || return 1
    location="$(location)"
    [[ "$location" == "$LONG_URL" ]]
}

check_http_redirects() {
    # Plain HTTP answers 301 to the same path over HTTPS.
    [[ "$(http "$SHLINK_HTTP_URL/rest/health")" == 301 ]] && [[ "$(location)" == https://*/rest/health ]]
}

check_grafana() {
    [[ "$(http "$GRAFANA_URL/api/health")" == 200 ]] && grep -q '"database": *"ok"' "$WORKDIR/body"
}

check_kiali() {
    [[ "$(http "$KIALI_HEALTH_URL")" == 200 ]]
}

check_jaeger() {
    [[ "$(http "$JAEGER_URL/")" == 200 ]]
}

# Every node Ready; why not, in $WORKDIR/why-nodes_ready.
check_nodes_ready() {
    local lines total ready not_ready
    if ! lines="$(list_nodes)"; then
        echo "could not list them: $(tail -n 1 "$WORKDIR/list-error" 2>/dev/null || true)" >"$WORKDIR/why-nodes_ready"
        return 1
    fi
    total="$(grep -c . <<<"$lines" || true)"
    ready="$(grep -c ' True$' <<<"$lines" || true)"
    if ((total == 0 || ready < total)); then
        not_ready="$(awk 'NF > 0 && $2 != "True" && $1 != "?" { printf "%s ", $1 }' <<<"$lines")"
        echo "$ready of $total Ready\${not_ready:+: not Ready: \${not_ready% }}" >"$WORKDIR/why-nodes_ready"
        return 1
    fi
}

check_vault() {
    [[ "$(http "$VAULT_URL/v1/sys/health")" == 200 ]] && grep -q '"initialized": *true' "$WORKDIR/body" && grep -q '"sealed": *false' "$WORKDIR/body"
}

# Every ExternalSecret in ES_NAMESPACES reports Ready=True, and each of them holds one; why not, in $WORKDIR/why-<check>.
check_external_secrets() {
    local lines name status ns
    local ours=" \${ES_NAMESPACES[*]} " not_ready=() missing=() why=""
    if ! lines="$(list_external_secrets)"; then
        echo "could not list them: $(tail -n 1 "$WORKDIR/list-error" 2>/dev/null || true)" >"$WORKDIR/why-external_secrets"
        return 1
    fi
    for ns in "\${ES_NAMESPACES[@]}"; do
        grep -q "^$ns/" <<<"$lines" || missing+=("$ns")
    done
    while read -r name status; do
        if [[ -n "$name" && "$ours" == *" \${name%%/*} "* && "$status" != True ]]; then
            not_ready+=("$name")
        fi
    done <<<"$lines"
    ((\${#not_ready[@]} == 0)) || why+="not Ready: \${not_ready[*]}; "
    ((\${#missing[@]} == 0)) || why+="none in: \${missing[*]}; "
    [[ -z "$why" ]] || {
        echo "\${why%; }" >"$WORKDIR/why-external_secrets"
        return 1
    }
}`;
    const main = `WORKDIR="$(mktemp -d)"
trap cleanup EXIT
# Quoted heredoc: the key is written verbatim to a private file, never expanded or echoed.
umask 077
cat >"$WORKDIR/api-key-header" <<'SMOKE_API_KEY_EOF'
X-Api-Key: ${args.apiKey}
SMOKE_API_KEY_EOF
${heredocLines('"$WORKDIR/ca.crt"', args.caCertificate, "SMOKE_CA_EOF").join("\n")}

local checks=(
    "nodes_ready|${P.nodesReady.id}|${P.nodesReady.proves}"
    "shlink_health|${P.shlinkHealth.id}|${P.shlinkHealth.proves} ($SHLINK_URL)"
    "http_redirects|${P.httpRedirects.id}|${P.httpRedirects.proves} ($SHLINK_HTTP_URL)"
    "api_needs_key|${P.apiNeedsKey.id}|${P.apiNeedsKey.proves}"
    "short_url_redirects|${P.shortUrlRedirects.id}|${P.shortUrlRedirects.proves}"
    "grafana|${P.grafana.id}|${P.grafana.proves} ($GRAFANA_URL)"
    "kiali|${P.kiali.id}|${P.kiali.proves} ($KIALI_HEALTH_URL)"
    "jaeger|${P.jaeger.id}|${P.jaeger.proves} ($JAEGER_URL)"
    "vault|${P.vault.id}|${P.vault.proves} ($VAULT_URL)"
    ${shq(`external_secrets|${EXTERNAL_SECRETS_PROMISE.id}|${EXTERNAL_SECRETS_PROMISE.proves(args.externalSecretNamespaces)}`)}
)
local deadline=$((SECONDS + TIMEOUT))
local pending=("\${checks[@]}")
local backoff=1
while :; do
    local still=()
    local entry
    for entry in "\${pending[@]}"; do
        rm -f "$WORKDIR/why-\${entry%%|*}"
        if "check_\${entry%%|*}" 2>/dev/null; then
            echo "ok: $(described "$entry")"
        else
            still+=("$entry")
        fi
    done
    pending=("\${still[@]+"\${still[@]}"}")
    if ((\${#pending[@]} == 0)); then
        echo "smoke check passed: all \${#checks[@]} checks"
        return 0
    fi
    if ((SECONDS + backoff >= deadline)); then
        break
    fi
    sleep "$backoff"
    backoff=$((backoff * 2 > MAX_BACKOFF ? MAX_BACKOFF : backoff * 2))
done
echo "smoke check failed after \${TIMEOUT}s; still down:" >&2
local why
for entry in "\${pending[@]}"; do
    why="$(cat "$WORKDIR/why-\${entry%%|*}" 2>/dev/null || true)"
    echo "  - $(described "$entry" "$why")" >&2
done
return 1`;
    return script(
        "End-to-end smoke check of the homelab: every URL the stack exports, through the paths users take.",
        preamble.split("\n"),
        main.split("\n"),
    );
}

/**
 * Bash that defines `list_external_secrets`: one `<namespace>/<name> <Ready status>` line per ExternalSecret in the
 * cluster (status empty when it has no Ready condition yet); on failure, the reason in $WORKDIR/list-error.
 */
function externalSecretsLister(cluster: ClusterAccess): string {
    const { group, version, resource } = EXTERNAL_SECRETS_API;
    if (cluster.via === "k3s-kubectl") {
        const jsonpath = String.raw`{range .items[*]}{.metadata.namespace}/{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}`;
        const nodes = String.raw`{range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}`;
        return String.raw`# K3s' kubectl reads the admin kubeconfig, root's only: through sudo (passwordless for the SSH user, from cloud-init).
list_external_secrets() {
    sudo k3s kubectl get ${resource}.${group} -A -o jsonpath=${shq(jsonpath)} 2>"$WORKDIR/list-error"
}

# One "<node> <Ready status>" line per node.
list_nodes() {
    sudo k3s kubectl get nodes -o jsonpath=${shq(nodes)} 2>"$WORKDIR/list-error"
}`;
    }
    const item = `{"apiVersion":"${group}/${version}","kind":"ExternalSecret",`;
    return String.raw`KUBE_API_URL=${shq(cluster.apiServerUrl)}
SA_DIR=${shq(cluster.serviceAccountDir)}

# The API server with the pod's ServiceAccount: its token in a private header file (never on a command line), its CA.
kube_api() {
    printf 'Authorization: Bearer %s\n' "$(cat "$SA_DIR/token")" >"$WORKDIR/api-auth-header"
    curl -s --max-time 10 --cacert "$SA_DIR/ca.crt" -H @"$WORKDIR/api-auth-header" -o "$WORKDIR/api-body" -w '%{http_code}' "$KUBE_API_URL$1" || true
}

# No jq in the image: the API server writes a custom resource compact with its keys sorted, so each item starts with
# ${item} and its metadata has "name":…,"namespace":… side by side; a Ready condition holds no nested object.
list_external_secrets() {
    local status item name ready
    status="$(kube_api /apis/${group}/${version}/${resource})"
    if [[ "$status" != 200 ]]; then
        echo "the API server answered $status" >"$WORKDIR/list-error"
        return 1
    fi
    sed 's/${item.replace(/\//g, "\\/")}/\n&/g' "$WORKDIR/api-body" | tail -n +2 | while IFS= read -r item; do
        name="$(sed -n 's/.*"metadata":{.*"name":"\([^"]*\)","namespace":"\([^"]*\)".*/\2\/\1/p' <<<"$item")"
        ready="$(grep -o '{[^{}]*"type":"Ready"[^{}]*}' <<<"$item" || true)"
        if [[ "$ready" == *'"status":"True"'* ]]; then
            ready=True
        else
            ready=""
        fi
        echo "${"$"}{name:-?} $ready"
    done
}

# One "? <Ready status>" line per node (names need a JSON parser; the count and the Ready ones do not): a Node is a
# core type, written in its struct's field order, so each condition starts with "type" then "status".
list_nodes() {
    local status total ready i
    status="$(kube_api /api/v1/nodes)"
    if [[ "$status" != 200 ]]; then
        echo "the API server answered $status" >"$WORKDIR/list-error"
        return 1
    fi
    total="$(grep -o '"nodeInfo":{' "$WORKDIR/api-body" | wc -l)"
    ready="$(grep -o '"type":"Ready","status":"True"' "$WORKDIR/api-body" | wc -l)"
    for ((i = 0; i < total; i++)); do
        if ((i < ready)); then echo "? True"; else echo "? False"; fi
    done
}`;
}
