"""Placeholder: this page is being built (issue 7)."""

import streamlit as st

st.title("run_explorer")
st.info("This page is being built.")
