"""Plotly figure builders: frames in, `plotly.graph_objects.Figure` out. Pure functions, no streamlit.

`style` holds what every page shares (one colour per athlete, metric names with units and a one-line
meaning); one module per page holds that page's figures.
"""
