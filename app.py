"""Core & Cadence: router only. Pages live in pages/; all computation lives in analysis/."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from analysis.io.source import find_activity_files

REPO_ROOT = Path(__file__).resolve().parent
# Same rule as pages/overview.py: env CORE_CADENCE_SAMPLE_DIR (tests) or the bundled sample_data/.
DATA_DIR = Path(os.environ.get("CORE_CADENCE_SAMPLE_DIR") or REPO_ROOT / "sample_data")

st.set_page_config(page_title="Core & Cadence", layout="wide")

page = st.navigation([st.Page("pages/overview.py", title="Overview", default=True)])

with st.sidebar:
    files = find_activity_files(DATA_DIR)
    folders = {p.parent for p in files if p.parent != DATA_DIR}
    where = "`sample_data/`" if DATA_DIR == REPO_ROOT / "sample_data" else f"`{DATA_DIR}`"
    st.subheader("Data")
    st.caption(
        f"Bundled sample club, read from {where}: {len(files)} activity files "
        f"in {len(folders)} athlete folders. Nothing is uploaded or stored yet; "
        "your own files come with the Import page, which is not built yet."
    )

page.run()
