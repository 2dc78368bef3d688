"""Placeholder: this page is being built (issue 7)."""

import streamlit as st

st.title("consistency")
st.info("This page is being built.")
