"""Placeholder: this page is being built (issue 7)."""

import streamlit as st

st.title("data_settings")
st.info("This page is being built.")
