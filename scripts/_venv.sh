# shellcheck shell=bash
# Sourced by scripts/run.sh and scripts/test.sh (not run on its own), with the requirements file to install:
#   source scripts/_venv.sh requirements.txt        (run.sh: the app only)
#   source scripts/_venv.sh requirements-test.txt   (test.sh: the app plus the test-only packages)
# Leaves the shell in the repo root with .venv created and that file installed.
# pip runs only when the file, or a file it includes with `-r`, changed since the last install of that file
# (sha256 stamp per requirements file inside .venv).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

is_py311() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' >/dev/null 2>&1
}

find_python311() {
    if command -v python3.11 >/dev/null 2>&1 && is_py311 python3.11; then
        echo python3.11
    elif command -v python3 >/dev/null 2>&1 && is_py311 python3; then
        echo python3
    else
        echo "error: Python 3.11 is required (neither 'python3.11' nor 'python3' on PATH is 3.11; found: $(python3 --version 2>&1 || echo none))" >&2
        return 1
    fi
}

if [[ ! -x .venv/bin/python ]]; then
    PY="$(find_python311)"
    echo "creating .venv with $("$PY" --version 2>&1)" >&2
    "$PY" -m venv .venv
elif ! is_py311 .venv/bin/python; then
    echo "error: .venv/bin/python is not Python 3.11 ($(.venv/bin/python --version 2>&1)); delete .venv and run again" >&2
    exit 1
fi

REQ_FILE="${1:-requirements.txt}"
if [[ ! -f "$REQ_FILE" ]]; then
    echo "error: $REQ_FILE not found in $REPO_ROOT" >&2
    exit 1
fi

# The file and everything it includes with `-r FILE` (paths relative to the including file), recursively.
req_files() {
    local f="$1" inc
    echo "$f"
    while read -r inc; do
        req_files "$(dirname "$f")/$inc"
    done < <(sed -nE 's/^[[:space:]]*(-r|--requirement)[[:space:]=]+([^[:space:]#]+).*/\2/p' "$f")
}

REQ_STAMP=".venv/.$(basename "$REQ_FILE" .txt).sha256"
req_sha="$(req_files "$REQ_FILE" | while read -r f; do cat "$f"; done | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$REQ_STAMP" || "$(cat "$REQ_STAMP")" != "$req_sha" ]]; then
    echo "installing $REQ_FILE into .venv" >&2
    .venv/bin/python -m pip install --disable-pip-version-check -q -r "$REQ_FILE"
    echo "$req_sha" > "$REQ_STAMP"
fi
