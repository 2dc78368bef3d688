# shellcheck shell=bash
# Sourced by scripts/run.sh and scripts/test.sh (not run on its own).
# Leaves the shell in the repo root with .venv created and requirements.txt installed.
# pip runs only when requirements.txt changed since the last install (sha256 stamp inside .venv).

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

REQ_STAMP=.venv/.requirements.sha256
req_sha="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [[ ! -f "$REQ_STAMP" || "$(cat "$REQ_STAMP")" != "$req_sha" ]]; then
    echo "installing requirements.txt into .venv" >&2
    .venv/bin/python -m pip install --disable-pip-version-check -q -r requirements.txt
    echo "$req_sha" > "$REQ_STAMP"
fi
