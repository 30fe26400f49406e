#!/usr/bin/env bash
# Installs the npm dependencies (the SDKs, the pinned Pulumi CLI, the test tools) when they are missing or
# older than package-lock.json: `npm run up` and `npm test` both start here, so a fresh clone needs nothing else.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "Installing npm dependencies (npm ci)..." >&2
    npm ci --no-audit --no-fund
fi
