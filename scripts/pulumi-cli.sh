#!/usr/bin/env bash
# Fetches the pinned Pulumi CLI and the providers' plugins, explicitly and visibly, before `npm run up` or
# `npm run configure` needs them (`npm ci` downloads nothing: .npmrc ignore-scripts). The CLI goes where the npm
# `pulumi` package (node_modules/.bin/pulumi) looks for it: ${PULUMI_HOME:-~/.pulumi}/versions/<version>/bin.
#   bash scripts/pulumi-cli.sh            the CLI and the plugins
#   bash scripts/pulumi-cli.sh --cli      the CLI only (configure: the plugins wait for the first up)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

explain() {
    cat >&2 <<HINT
error: could not fetch $1.
  - Offline? This machine must reach $2 (docs/configure.md lists every host).
  - Behind a proxy? Set HTTPS_PROXY (curl and the Pulumi CLI both read it), e.g. export HTTPS_PROXY=http://proxy.lan:3128
  - Then run the same command again; nothing was changed.
HINT
}

version="$(node -p 'require("./node_modules/pulumi/package.json").version')"
root="${PULUMI_HOME:-$HOME/.pulumi}/versions/$version"
cli="$root/bin/pulumi"
if [[ ! -x "$cli" || ! -s "$cli" ]]; then
    case "$(uname -s)" in
        Linux) os=linux ;;
        Darwin) os=darwin ;;
        *) echo "error: Pulumi ships its CLI for Linux and macOS here; install v$version by hand into $root/bin" >&2; exit 1 ;;
    esac
    case "$(uname -m)" in
        x86_64 | amd64) arch=x64 ;;
        aarch64 | arm64) arch=arm64 ;;
        *) echo "error: no Pulumi CLI build for $(uname -m)" >&2; exit 1 ;;
    esac
    url="https://get.pulumi.com/releases/sdk/pulumi-v${version}-${os}-${arch}.tar.gz"
    bytes="$(curl -fsSIL --connect-timeout 15 --max-time 30 "$url" 2>/dev/null | tr -d '\r' | awk 'tolower($1) == "content-length:" { n = $2 } END { print n + 0 }' || true)"
    size="$( ((bytes > 0)) && echo "$((bytes / 1048576)) MB" || echo "size unknown")"
    echo "Fetching the pinned Pulumi CLI v$version ($size) from $url into $root/bin (once)..." >&2
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    if ! curl -fL --connect-timeout 20 --max-time 1800 --retry 2 --progress-bar -o "$tmp/pulumi.tar.gz" "$url"; then
        explain "the Pulumi CLI v$version from $url" "get.pulumi.com (https, port 443)"
        exit 1
    fi
    mkdir -p "$tmp/x" "$root/bin"
    tar -xzf "$tmp/pulumi.tar.gz" -C "$tmp/x"
    # The release tarball holds pulumi/ with the CLI and its language hosts (as get.pulumi.com/install.sh unpacks it).
    cp -R "$tmp/x/pulumi/." "$root/bin/"
    echo "Pulumi CLI v$version installed: $("$cli" version)" >&2
fi

if [[ "${1:-}" == "--cli" ]]; then
    exit 0
fi
# The providers' plugins, at the versions the SDK packages pin (their package.json "pulumi" field).
while IFS=$'\t' read -r name pluginVersion server; do
    if [[ -d "${PULUMI_HOME:-$HOME/.pulumi}/plugins/resource-$name-v$pluginVersion" ]]; then
        continue
    fi
    from="${server:-the Pulumi plugin downloads (github.com releases, then get.pulumi.com)}"
    echo "Fetching the $name provider plugin v$pluginVersion from ${from#github://} (once)..." >&2
    serverArgs=()
    if [[ -n "$server" ]]; then
        serverArgs=(--server "$server")
    fi
    if ! timeout 1800 "$cli" plugin install resource "$name" "$pluginVersion" "${serverArgs[@]}"; then
        explain "the $name plugin v$pluginVersion" "${server:-github.com and get.pulumi.com}"
        exit 1
    fi
done < <(node scripts/plugins.cjs)
