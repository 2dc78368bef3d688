"""What every page shares: the one store of this server process (opened once, shared by all sessions)."""

from __future__ import annotations

import streamlit as st

from analysis.store import Store, default_store_dir


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> Store:
    return Store(path)


def get_store() -> Store:
    """The store at env CORE_CADENCE_STORE or data/ (DuckDB: one writer process, many reader threads)."""
    return _open_store(str(default_store_dir()))
