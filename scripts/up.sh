#!/usr/bin/env bash
# The one command of the README: install what the program needs, select (or create) the `homelab`
# stack on the project's local file backend (Pulumi.yaml: backend.url), and run `pulumi up`.
#   npm run up        build or converge the lab
#   npm run preview   show what `up` would change
#   npm run destroy   tear the lab down
# Any further flag goes to Pulumi as is: npm run up -- --yes, --skip-preview, --target <urn>, --refresh, ...
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
STACK="${PULUMI_STACK:-homelab}"

action="up"
case "${1:-}" in
    --preview) action="preview" && shift ;;
    --destroy) action="destroy" && shift ;;
esac

# Install (or bring up to date with the lock file) the SDKs.
bash scripts/deps.sh
pulumi=(node_modules/.bin/pulumi)

if [[ "$action" != "destroy" ]]; then
    # The config first, offline and in seconds, with the loader's own messages (a destroy needs no valid config).
    if ! node_modules/.bin/tsx scripts/check.ts --stack "$STACK"; then
        echo "Nothing was changed: fix the config above (or run \`npm run configure\`), then \`npm run $action\` again." >&2
        exit 1
    fi
fi

# The pinned Pulumi CLI and the providers' plugins, fetched once, visibly (npm ci downloads nothing).
bash scripts/pulumi-cli.sh

if [[ -z "${PULUMI_CONFIG_PASSPHRASE:-}" && -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
    echo "note: the local backend encrypts secrets with a passphrase; Pulumi will ask for it" \
        "(set PULUMI_CONFIG_PASSPHRASE_FILE to skip the prompt)." >&2
fi

"${pulumi[@]}" stack select --create "$STACK"

case "$action" in
    up)
        # An existing stack: forget (in state only) the Secrets External Secrets now writes, so this up keeps them.
        PULUMI="${pulumi[0]}" node_modules/.bin/tsx scripts/migrateState.ts "$STACK"
        "${pulumi[@]}" up --stack "$STACK" --diff "$@" ;;
    preview) "${pulumi[@]}" preview --stack "$STACK" --diff "$@" ;;
    destroy) "${pulumi[@]}" destroy --stack "$STACK" "$@" ;;
esac
