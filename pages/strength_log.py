"""Placeholder: this page is being built (issue 7)."""

import streamlit as st

st.title("strength_log")
st.info("This page is being built.")
