// The end-to-end check that closes `pulumi up`: a bash script run on the first node (inside the lab's
// network) that exercises every public URL, checks every ExternalSecret of the lab is synced from Vault, and
// fails naming what is down. Pure builder; tests run it.
import * as path from "node:path";
import { shq } from "../shell/quote";
import { heredocLines, scriptFromFile } from "../shell/script";
import type { SmokeCheckName } from "../contracts/checks";
import { EXTERNAL_SECRETS_PROMISE, SMOKE_PROMISES as P, type SmokePromise } from "./promises";

/** How the check reads the cluster: K3s' kubectl through sudo on a node, or the API with the Job pod's ServiceAccount. */
export type ClusterAccess = { via: "k3s-kubectl" } | { via: "service-account"; apiServerUrl: string; serviceAccountDir: string };

/** The ExternalSecret kind's API group, version and resource (what the Job's ClusterRole grants, what the check lists). */
export function externalSecretsApi(apiVersion: string): { group: string; version: string; resource: string } {
    const [group, version, ...rest] = apiVersion.split("/");
    if (!group || !version || rest.length > 0) {
        throw new Error(`the ExternalSecret apiVersion must be <group>/<version>, got ${JSON.stringify(apiVersion)}`);
    }
    return { group, version, resource: "externalsecrets" };
}

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
    /** The ExternalSecret kind's apiVersion (external-secrets.io/v1): what the check lists. */
    externalSecretsApiVersion: string;
    /** Namespaces whose ExternalSecrets must all report Ready (each must hold at least one); others are not the lab's. */
    externalSecretNamespaces: readonly string[];
    cluster: ClusterAccess;
    /** Overall deadline for all checks to pass. */
    timeoutSeconds: number;
    /** Longest pause between two attempts; attempts back off 1, 2, 4 ... up to this. */
    maxBackoffSeconds?: number;
}

/** The check as a real bash file, framed and given its inputs by smokeCheckScript. */
const SMOKE_CHECK_FILE = path.join(__dirname, "scripts", "smoke-check.sh");

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
    return scriptFromFile(SMOKE_CHECK_FILE, "End-to-end smoke check of the homelab: every URL the stack exports, through the paths users take.", {
        variables: {
            SHLINK_URL: args.shlinkUrl,
            GRAFANA_URL: args.grafanaUrl,
            KIALI_HEALTH_URL: args.kialiHealthUrl,
            JAEGER_URL: args.jaegerUrl,
            SHLINK_HTTP_URL: args.shlinkHttpUrl,
            VAULT_URL: args.vaultUrl,
            LONG_URL: SMOKE_LONG_URL,
            CREATE_BODY: JSON.stringify({ longUrl: SMOKE_LONG_URL, findIfExists: true }),
            TIMEOUT: args.timeoutSeconds,
            MAX_BACKOFF: args.maxBackoffSeconds ?? 30,
            ES_NAMESPACES: args.externalSecretNamespaces,
        },
        inserts: {
            "external-secrets-lister": externalSecretsLister(args.cluster, externalSecretsApi(args.externalSecretsApiVersion)).split("\n"),
            // Quoted heredocs: the key and the CA are written verbatim to private files, never expanded or echoed.
            "api-key-header": heredocLines('"$WORKDIR/api-key-header"', `X-Api-Key: ${args.apiKey}`, "SMOKE_API_KEY_EOF"),
            "ca-certificate": heredocLines('"$WORKDIR/ca.crt"', args.caCertificate, "SMOKE_CA_EOF"),
            checks: checkEntries(args.externalSecretNamespaces),
        },
    });
}

/**
 * Each check the script runs (its `check_<name>` function), in the order it runs them: the promise it proves, named as
 * `npm run verify` names it, and the URL variable its line shows (expanded by bash when the line is printed). The
 * compiler holds this to the checks a part's probe may name (SmokeCheckName); the parts' probes give their inputs.
 */
const CHECK_LINES: Record<SmokeCheckName, (externalSecretNamespaces: readonly string[]) => string> = {
    nodes_ready: () => line("nodes_ready", P.nodesReady),
    shlink_health: () => line("shlink_health", P.shlinkHealth, "$SHLINK_URL"),
    http_redirects: () => line("http_redirects", P.httpRedirects, "$SHLINK_HTTP_URL"),
    api_needs_key: () => line("api_needs_key", P.apiNeedsKey),
    short_url_redirects: () => line("short_url_redirects", P.shortUrlRedirects),
    grafana: () => line("grafana", P.grafana, "$GRAFANA_URL"),
    kiali: () => line("kiali", P.kiali, "$KIALI_HEALTH_URL"),
    jaeger: () => line("jaeger", P.jaeger, "$JAEGER_URL"),
    vault: () => line("vault", P.vault, "$VAULT_URL"),
    // Generated words (the namespaces), so single-quoted: nothing in them is expanded.
    external_secrets: (namespaces) => shq(`external_secrets|${EXTERNAL_SECRETS_PROMISE.id}|${EXTERNAL_SECRETS_PROMISE.proves(namespaces)}`),
};

/** The checks the script runs, in its order: every one some part's probe must claim (components/smoke/probes.ts). */
export const SMOKE_CHECK_NAMES = Object.keys(CHECK_LINES) as SmokeCheckName[];

/** One `"function|id|description"` entry, double-quoted so bash expands the URL variable it shows. */
function line(check: SmokeCheckName, promise: SmokePromise, shows?: string): string {
    return `"${check}|${promise.id}|${promise.proves}${shows === undefined ? "" : ` (${shows})`}"`;
}

/** The `checks` array main() runs. */
function checkEntries(externalSecretNamespaces: readonly string[]): string[] {
    return ["local checks=(", ...SMOKE_CHECK_NAMES.map((check) => `    ${CHECK_LINES[check](externalSecretNamespaces)}`), ")"];
}

/**
 * Bash that defines `list_external_secrets`: one `<namespace>/<name> <Ready status>` line per ExternalSecret in the
 * cluster (status empty when it has no Ready condition yet); on failure, the reason in $WORKDIR/list-error.
 */
function externalSecretsLister(cluster: ClusterAccess, { group, version, resource }: ReturnType<typeof externalSecretsApi>): string {
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
