#!/usr/bin/env bash
# Lints every shell script in the repository (*.sh, *.bash, or a sh/bash shebang) with shellcheck.
# Exits non-zero on any finding. The generated scripts are linted by tests/k3s/scripts.test.ts and tests/smoke/script.test.ts.
# Usage: scripts/shellcheck.sh [file...]   (no arguments: every tracked or untracked, non-ignored file)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

if ! command -v shellcheck >/dev/null 2>&1; then
    # CI installs it (.ci/run); on a workstation without it the lint is skipped, visibly.
    if [[ "${CI:-}" == "true" ]]; then
        echo "ERROR: shellcheck is not installed (Debian/Ubuntu: apt-get install shellcheck)" >&2
        exit 2
    fi
    echo "NOTE: shellcheck is not installed: shell scripts NOT linted (Debian/Ubuntu: apt-get install shellcheck)" >&2
    exit 0
fi

# Untracked files count too, so new scripts are linted before their first commit.
list_candidates() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard
    else
        find . \( -path ./node_modules -o -path ./.git \) -prune -o -type f -print0 | sed -z 's|^\./||'
    fi
}

is_shell_script() {
    local file="$1" first=""
    case "$file" in
        *.sh | *.bash) return 0 ;;
    esac
    IFS= read -r first <"$file" || true
    [[ "$first" =~ ^\#!.*(/|[[:space:]])(ba)?sh([[:space:]]|$) ]]
}

files=()
if (($# > 0)); then
    files=("$@")
else
    while IFS= read -r -d "" file; do
        # `git ls-files --cached` still lists files deleted from the work tree.
        if [[ -f "$file" ]] && is_shell_script "$file"; then
            files+=("$file")
        fi
    done < <(list_candidates)
fi

if ((${#files[@]} == 0)); then
    echo "shellcheck: no shell scripts found"
    exit 0
fi

shellcheck -x --source-path=SCRIPTDIR "${files[@]}"
echo "shellcheck: ${#files[@]} file(s) clean"
