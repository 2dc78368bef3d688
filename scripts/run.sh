#!/usr/bin/env bash
# Start the dashboard: scripts/run.sh [extra `streamlit run` args, e.g. --server.port 8600]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh" requirements.txt
exec .venv/bin/streamlit run app.py "$@"
