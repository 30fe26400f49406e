#!/usr/bin/env bash
# The one command of the README: install what the program needs, select (or create) the `homelab`
# stack on the project's local file backend (Pulumi.yaml: backend.url), and run `pulumi up`.
#   npm run up        build or converge the lab
#   npm run preview   show what `up` would change
#   npm run destroy   tear the lab down
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
STACK="${PULUMI_STACK:-homelab}"

action="up"
case "${1:-}" in
    "") ;;
    --preview) action="preview" ;;
    --destroy) action="destroy" ;;
    *)
        echo "usage: $0 [--preview|--destroy]" >&2
        exit 2
        ;;
esac

# Install (or bring up to date with the lock file) the SDKs and the pinned Pulumi CLI.
bash scripts/deps.sh
pulumi=(node_modules/.bin/pulumi)

if [[ -z "${PULUMI_CONFIG_PASSPHRASE:-}" && -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
    echo "note: the local backend encrypts secrets with a passphrase; Pulumi will ask for it" \
        "(set PULUMI_CONFIG_PASSPHRASE_FILE to skip the prompt)." >&2
fi

"${pulumi[@]}" stack select --create "$STACK"

case "$action" in
    up)
        # An existing stack: forget (in state only) the Secrets External Secrets now writes, so this up keeps them.
        PULUMI="${pulumi[0]}" node_modules/.bin/tsx scripts/migrateState.ts "$STACK"
        "${pulumi[@]}" up --stack "$STACK" --diff ;;
    preview) "${pulumi[@]}" preview --stack "$STACK" --diff ;;
    destroy) "${pulumi[@]}" destroy --stack "$STACK" ;;
esac
