#!/usr/bin/env bash
# Lint, then run the test suite: scripts/test.sh [pytest args, e.g. -q -k overview]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh" requirements-test.txt

# Browser tests drive Debian's chromium (Playwright's own browser download does not work here).
if [[ ! -x /usr/bin/chromium ]] && ! command -v chromium >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "installing Debian's chromium for the browser tests" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q </dev/null
        apt-get install -y -q chromium </dev/null
    else
        echo "note: chromium is not installed and we are not root: browser tests will skip locally (they fail in CI)" >&2
    fi
fi

.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
