#!/usr/bin/env bash
# The end-to-end smoke check that closes `pulumi up`: run on the first node (inside the lab's network) or as a Job, it
# exercises every public URL, checks every ExternalSecret of the lab is synced from Vault, and fails naming what is down.
# smokeCheckScript (components/smoke/script.ts) builds what is sent, so:
# - each empty `NAME=` line below is an input: the builder writes its value, single-quoted (a number as is, a list as
#   a bash array of quoted words);
# - each `# @insert <name>` line becomes the builder's generated lines (how the cluster is read, the API key and CA
#   as quoted heredocs, the checks with the promises `npm run verify` names them by);
# - strict mode, fail() and the call of main() come from the frame every script shares (components/shell/script.ts);
# - this header, the lines starting with `##` and the shellcheck directives speak to this file's readers and linter,
#   and are left out of what is sent (the built script is linted on its own: tests/smoke/script.test.ts).

## The URLs the parts' probes name (`probes` in components/*/part.ts), each read by its check_* function below.
SHLINK_URL=
GRAFANA_URL=
KIALI_HEALTH_URL=
JAEGER_URL=
SHLINK_HTTP_URL=
VAULT_URL=
LONG_URL=
CREATE_BODY=
TIMEOUT=
MAX_BACKOFF=
## The namespaces whose ExternalSecrets must all be Ready (a bash array).
ES_NAMESPACES=
## Defines list_external_secrets and list_nodes: K3s' kubectl on a node, or the API with the Job pod's ServiceAccount.
# @insert external-secrets-lister
WORKDIR=""

cleanup() {
    if [[ -n "$WORKDIR" ]]; then
        rm -rf "$WORKDIR"
    fi
}

# A check's line: what it proves (and why not, when given), then its id in `npm run verify`.
# An entry is function|id|description.
described() {
    local rest="${1#*|}"
    echo "${rest#*|}${2:+: $2} [${rest%%|*}]"
}

# Prints the HTTP status of a request; the body lands in $WORKDIR/body, headers in $WORKDIR/headers.
# Every HTTPS call is verified against the lab's CA; none skips verification.
http() {
    curl -s --max-time 10 --cacert "$WORKDIR/ca.crt" -o "$WORKDIR/body" -D "$WORKDIR/headers" -w '%{http_code}' "$@" || echo 000
}

# The Location header of the last response.
location() {
    tr -d '\r' <"$WORKDIR/headers" | sed -n 's/^[Ll]ocation: //p'
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
    status="$(http -X POST -H @"$WORKDIR/api-key-header" -H 'Content-Type: application/json' \
        --data "$CREATE_BODY" "$SHLINK_URL/rest/v3/short-urls")"
    [[ "$status" == 200 ]] || return 1
    code="$(sed -n 's/.*"shortCode":"\([^"]*\)".*/\1/p' "$WORKDIR/body")"
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
        echo "$ready of $total Ready${not_ready:+: not Ready: ${not_ready% }}" >"$WORKDIR/why-nodes_ready"
        return 1
    fi
}

check_vault() {
    [[ "$(http "$VAULT_URL/v1/sys/health")" == 200 ]] && grep -q '"initialized": *true' "$WORKDIR/body" && grep -q '"sealed": *false' "$WORKDIR/body"
}

# Every ExternalSecret in ES_NAMESPACES reports Ready=True, and each of them holds one; why not, in $WORKDIR/why-<check>.
check_external_secrets() {
    local lines name status ns
    local ours=" ${ES_NAMESPACES[*]} " not_ready=() missing=() why=""
    if ! lines="$(list_external_secrets)"; then
        echo "could not list them: $(tail -n 1 "$WORKDIR/list-error" 2>/dev/null || true)" >"$WORKDIR/why-external_secrets"
        return 1
    fi
    for ns in "${ES_NAMESPACES[@]}"; do
        grep -q "^$ns/" <<<"$lines" || missing+=("$ns")
    done
    while read -r name status; do
        if [[ -n "$name" && "$ours" == *" ${name%%/*} "* && "$status" != True ]]; then
            not_ready+=("$name")
        fi
    done <<<"$lines"
    ((${#not_ready[@]} == 0)) || why+="not Ready: ${not_ready[*]}; "
    ((${#missing[@]} == 0)) || why+="none in: ${missing[*]}; "
    [[ -z "$why" ]] || {
        echo "${why%; }" >"$WORKDIR/why-external_secrets"
        return 1
    }
}

main() {
    WORKDIR="$(mktemp -d)"
    trap cleanup EXIT
    # Quoted heredoc: the key is written verbatim to a private file, never expanded or echoed.
    umask 077
    # @insert api-key-header
    # @insert ca-certificate

    ## `local checks=( "function|id|description" ... )`: the script's checks, in their order, from the parts' probes.
    # @insert checks
    local deadline=$((SECONDS + TIMEOUT))
    local pending=("${checks[@]}")
    local backoff=1
    while :; do
        local still=()
        local entry
        for entry in "${pending[@]}"; do
            rm -f "$WORKDIR/why-${entry%%|*}"
            if "check_${entry%%|*}" 2>/dev/null; then
                echo "ok: $(described "$entry")"
            else
                still+=("$entry")
            fi
        done
        pending=("${still[@]+"${still[@]}"}")
        if ((${#pending[@]} == 0)); then
            echo "smoke check passed: all ${#checks[@]} checks"
            return 0
        fi
        if ((SECONDS + backoff >= deadline)); then
            break
        fi
        sleep "$backoff"
        backoff=$((backoff * 2 > MAX_BACKOFF ? MAX_BACKOFF : backoff * 2))
    done
    echo "smoke check failed after ${TIMEOUT}s; still down:" >&2
    local why
    for entry in "${pending[@]}"; do
        why="$(cat "$WORKDIR/why-${entry%%|*}" 2>/dev/null || true)"
        echo "  - $(described "$entry" "$why")" >&2
    done
    return 1
}
