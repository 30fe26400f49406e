#!/usr/bin/env bash
# Installs or upgrades one k3s server; a no-op when it already runs the wanted version with this config.
# installK3sScript (components/k3s/scripts.ts) sends it to the node as root, on stdin (`sudo bash -s`), built so:
# - each empty `NAME=` line below is an input: the builder writes its value, single-quoted (a number as is);
# - each `# @insert <name>` line becomes the builder's generated lines (the config files, as quoted heredocs);
# - strict mode, fail() and the call of main() come from the frame every script shares (components/shell/script.ts);
# - this header, the lines starting with `##` and the shellcheck directives speak to this file's readers and linter,
#   and are left out of what the node gets (its script is linted on its own: tests/k3s/scripts.test.ts).

## Inputs avoid the K3S_ prefix: the installer copies exported K3S_* variables into the service's env file.
NODE_NAME=
WANT_VERSION=
INSTALLER_URL=
READY_TIMEOUT=
DRAIN_TIMEOUT=
POLL_SECONDS=
CONFIG_DIR=
CONFIG_FILE="$CONFIG_DIR/config.yaml"
REGISTRIES_FILE="$CONFIG_DIR/registries.yaml"
## Survives a failed run: the next run uncordons a node an upgrade left cordoned, once it is Ready.
DRAIN_MARKER="$CONFIG_DIR/.drained-for-upgrade"
KUBECONFIG_FILE=
K3S_BIN=
# shellcheck disable=SC2034 # read by the kube-vip lines inserted in main()
KUBE_VIP_FILE=
WORKDIR=""

cleanup() {
    if [[ -n "$WORKDIR" ]]; then
        rm -rf "$WORKDIR"
    fi
}

# Puts back whatever config was there before, so a failed install is retried on the next run.
restore_config() {
    if [[ -f "$WORKDIR/config.previous" ]]; then
        mv -f "$WORKDIR/config.previous" "$CONFIG_FILE"
    else
        rm -f "$CONFIG_FILE"
    fi
}

write_registries() {
    install -m 0600 "$WORKDIR/registries.yaml" "$REGISTRIES_FILE.new"
    mv -f "$REGISTRIES_FILE.new" "$REGISTRIES_FILE"
}

kubectl_local() {
    "$K3S_BIN" kubectl --kubeconfig "$KUBECONFIG_FILE" --request-timeout=30s "$@"
}

# An upgrade moves this server's pods to the others first; PodDisruptionBudgets decide how fast.
drain_node() {
    echo "upgrading $NODE_NAME from $1 to $WANT_VERSION: cordoning and draining it first (timeout ${DRAIN_TIMEOUT}s)"
    touch "$DRAIN_MARKER"
    kubectl_local cordon "$NODE_NAME" ||
        fail "could not cordon $NODE_NAME before its upgrade to $WANT_VERSION: check \`k3s kubectl get node $NODE_NAME\` on the node; nothing was changed"
    if ! "$K3S_BIN" kubectl --kubeconfig "$KUBECONFIG_FILE" drain "$NODE_NAME" --ignore-daemonsets --delete-emptydir-data \
        --timeout="${DRAIN_TIMEOUT}s" >"$WORKDIR/drain.log" 2>&1; then
        tail -n 20 "$WORKDIR/drain.log" >&2
        local blocking=""
        blocking="$(kubectl_local get poddisruptionbudgets --all-namespaces \
            -o jsonpath='{range .items[?(@.status.disruptionsAllowed==0)]}{.metadata.namespace}/{.metadata.name}{" "}{end}' 2>/dev/null)" || blocking=""
        # Back in service on the old version: the failed drain changed nothing else.
        if kubectl_local uncordon "$NODE_NAME" >/dev/null 2>&1; then
            rm -f "$DRAIN_MARKER"
        else
            echo "WARNING: could not uncordon $NODE_NAME; the next run will, or run \`k3s kubectl uncordon $NODE_NAME\` on it" >&2
        fi
        if grep -q "cannot delete" "$WORKDIR/drain.log"; then
            fail "draining $NODE_NAME stopped at once: some pods have no controller (or use local storage) and drain will not delete them (see \`cannot delete\` above), so it stays on $1 (uncordoned, not upgraded to $WANT_VERSION). Delete or move those pods and run \`pulumi up\` again"
        fi
        fail "draining $NODE_NAME did not finish within ${DRAIN_TIMEOUT}s, so it stays on $1 (uncordoned, not upgraded to $WANT_VERSION). PodDisruptionBudgets allowing no disruption now: ${blocking:-none found (see the drain output above)}. Give them room (more replicas, or fewer pods down elsewhere) and run \`pulumi up\` again"
    fi
    echo "$NODE_NAME drained"
}

uncordon_node() {
    kubectl_local uncordon "$NODE_NAME" ||
        fail "$NODE_NAME runs $WANT_VERSION but could not be uncordoned: run \`k3s kubectl uncordon $NODE_NAME\` on it"
    rm -f "$DRAIN_MARKER"
    echo "$NODE_NAME uncordoned on k3s $WANT_VERSION"
}

wait_for_ready() {
    local deadline=$((SECONDS + READY_TIMEOUT))
    local status=""
    while :; do
        status="$("$K3S_BIN" kubectl --kubeconfig "$KUBECONFIG_FILE" --request-timeout=10s get node "$NODE_NAME" \
            -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>"$WORKDIR/kubectl.err")" || status=""
        if [[ "$status" == "True" ]]; then
            echo "node $NODE_NAME is Ready (k3s $WANT_VERSION)"
            return 0
        fi
        if ((SECONDS >= deadline)); then
            echo "last kubectl answer: ${status:-<none>} $(head -c 500 "$WORKDIR/kubectl.err")" >&2
            fail "node $NODE_NAME did not become Ready within ${READY_TIMEOUT}s (k3s $WANT_VERSION): check \`journalctl -u k3s -n 100\` and \`k3s kubectl describe node $NODE_NAME\` on the node"
        fi
        sleep "$POLL_SECONDS"
    done
}

main() {
    WORKDIR="$(mktemp -d)"
    trap cleanup EXIT

    # Quoted heredoc: the token is written verbatim and never expanded, echoed or put on a command line.
    # @insert config

    local config_changed=1
    if [[ -f "$CONFIG_FILE" ]] && cmp -s "$WORKDIR/config.yaml" "$CONFIG_FILE"; then
        config_changed=0
    fi

    # The same for registries.yaml, which may hold Docker Hub credentials.
    # @insert registries

    local registries_changed=1
    if [[ -f "$REGISTRIES_FILE" ]] && cmp -s "$WORKDIR/registries.yaml" "$REGISTRIES_FILE"; then
        registries_changed=0
    fi

    # @insert kube-vip

    local installed_version=""
    if [[ -x "$K3S_BIN" ]]; then
        installed_version="$("$K3S_BIN" --version 2>/dev/null | awk 'NR == 1 { print $3 }')" || installed_version=""
    fi

    local drained=0
    local active=0
    if systemctl is-active --quiet k3s; then
        active=1
    fi

    if [[ "$installed_version" == "$WANT_VERSION" && "$config_changed" == 0 && "$active" == 1 ]]; then
        chmod 0600 "$CONFIG_FILE"
        if [[ "$registries_changed" == 1 ]]; then
            write_registries
            # K3s reads registries.yaml only when it starts.
            echo "registries.yaml changed on $NODE_NAME: restarting k3s"
            systemctl restart k3s ||
                fail "k3s did not restart on $NODE_NAME after registries.yaml changed: check \`journalctl -u k3s -n 100\` on the node"
        else
            chmod 0600 "$REGISTRIES_FILE"
            echo "k3s $WANT_VERSION already installed on $NODE_NAME with this config; nothing to do"
        fi
    else
        echo "installing k3s $WANT_VERSION on $NODE_NAME (installed: ${installed_version:-none}, config changed: $config_changed, registries changed: $registries_changed, service active: $active)"
        # Download before touching the config, so a network failure leaves the node exactly as it was.
        curl -sfL --retry 5 "$INSTALLER_URL" -o "$WORKDIR/install.sh" ||
            fail "could not download the k3s installer for $NODE_NAME ($WANT_VERSION) from $INSTALLER_URL: check that the node can reach it (DNS, proxy, firewall)"
        # Drain only for a version change on a running node: a fresh install has no pods, a config change keeps them.
        if [[ -n "$installed_version" && "$installed_version" != "$WANT_VERSION" && "$active" == 1 ]]; then
            drain_node "$installed_version"
            drained=1
        fi
        mkdir -p "$CONFIG_DIR"
        if [[ -f "$CONFIG_FILE" ]]; then
            cp -p "$CONFIG_FILE" "$WORKDIR/config.previous"
        fi
        install -m 0600 "$WORKDIR/config.yaml" "$CONFIG_FILE.new"
        mv -f "$CONFIG_FILE.new" "$CONFIG_FILE"
        if [[ "$registries_changed" == 1 ]]; then
            write_registries
        fi
        # FORCE_RESTART: the installer only restarts k3s when the binary or unit changed, not for a config-only change.
        if ! INSTALL_K3S_VERSION="$WANT_VERSION" INSTALL_K3S_EXEC=server INSTALL_K3S_FORCE_RESTART=true sh "$WORKDIR/install.sh"; then
            restore_config
            if [[ "$drained" == 1 ]]; then
                if kubectl_local uncordon "$NODE_NAME" >/dev/null 2>&1; then
                    rm -f "$DRAIN_MARKER"
                else
                    echo "WARNING: $NODE_NAME stays cordoned until the next run uncordons it (or \`k3s kubectl uncordon $NODE_NAME\`)" >&2
                fi
            fi
            fail "k3s installer failed on $NODE_NAME ($WANT_VERSION): check \`journalctl -u k3s\` on the node and that $INSTALLER_URL is reachable"
        fi
    fi

    wait_for_ready
    # Drained by this run, or left cordoned by an earlier one that failed after its drain.
    if [[ "$drained" == 1 || -f "$DRAIN_MARKER" ]]; then
        uncordon_node
    fi
}
