"""Core & Cadence analysis package: pure Python, no Streamlit.

`analysis.io` turns watch files and strength logs into canonical pandas frames;
later modules compute per-run metrics, weekly consistency and statistics on them.
"""
