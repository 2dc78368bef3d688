"""Figures of the Squad page (pure: frames in, go.Figure out; no streamlit).

* :func:`adherence_heatmap` — athletes × weeks of plan adherence (% of plan); weeks without a value are a
  separate grey layer, so "no data" never looks like "did nothing".
* :func:`fade_small_multiples` — one panel per athlete: a fatigue marker per run over date with a rolling
  median, in the athlete's colour, every panel on the same y axis.
* :func:`correlation_forest` — each athlete's Spearman ρ with its 95 % CI, and the squad's r_rm below.
* :func:`weekly_km_lines` — weekly running km per athlete: the training load shown beside every correlation.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.charts.style import METRIC_LABELS, MetricLabel, athlete_colours, base_layout, empty_figure, label
from analysis.effort import PERCEIVED_EFFORT_RANGE
from analysis.metrics.settings import MetricSettings
from analysis.squad import SQUAD_METRICS, running_weeks
from analysis.stats import Correlation

__all__ = [
    "ADHERENCE_COLOURSCALE",
    "NO_DATA_COLOUR",
    "ROLLING_RUNS",
    "adherence_heatmap",
    "correlation_forest",
    "fade_small_multiples",
    "marker_label",
    "weekly_km_lines",
]

# Sequential, colour-blind-safe (viridis reversed reads "more = darker"); grey is kept for "no data".
ADHERENCE_COLOURSCALE = "Viridis"
NO_DATA_COLOUR = "#d9d9d9"
ROLLING_RUNS = 5  # rolling median of a run and the four before it: smooths one odd run, keeps a lapse visible
DATE_AXIS = "Date (local)"
WEEK_AXIS = "Week starting (Monday, local)"


def marker_label(column: str, settings: MetricSettings | None = None) -> MetricLabel:
    """How a fatigue marker's column is named on screen: :func:`analysis.charts.style.label`, or, for a marker
    the style table has no words for (perceived effort), its title, unit and meaning from the one registry of
    markers, :data:`analysis.squad.SQUAD_METRICS`. Any other unknown name is the KeyError of ``label``.
    ``settings``: the metric settings in force, for meanings that quote them (see ``label``)."""
    if column not in METRIC_LABELS:
        for spec in SQUAD_METRICS.values():
            if column in (spec.run_column, spec.week_column) and spec.meaning:
                return MetricLabel(spec.title, spec.unit, spec.meaning)
    return label(column, settings)


def _athlete_order(names) -> list[str]:
    """Athletes in the order colours are handed out (case-insensitive name order)."""
    return sorted({str(n) for n in names}, key=str.casefold)


def _swatch_label(name: str, colour: str) -> str:
    """A tick label with the athlete's colour swatch; the name is escaped (user text in Plotly's pseudo-HTML)."""
    return f'<span style="color:{colour}">■</span> {html.escape(name)}'


def adherence_heatmap(
    weekly: pd.DataFrame, colours: Mapping[str, str] | None = None, *, athletes: list[str] | None = None
) -> go.Figure:
    """Weekly plan adherence, athletes (rows, name order) × weeks (columns, every Monday of the span).

    ``weekly``: :func:`analysis.consistency.weekly_table` rows (``athlete``, ``week_start``, ``adherence``
    0-1). ``athletes``: the rows (default every athlete in ``weekly``; one without weeks is an all-grey
    row). Trace 0 is the heatmap: z = adherence × 100 (% of plan), NaN where there is no value. Trace 1
    paints exactly those NaN cells grey, with a hover that says why: no strength log for the athlete, or
    a week outside the athlete's weeks. Hover gives the athlete, the week and the value.
    """
    if weekly is None or weekly.empty:
        return empty_figure("No weeks in the chosen dates: widen the date range in the sidebar.")
    names = _athlete_order(athletes if athletes is not None else weekly["athlete"])
    colours = dict(colours) if colours is not None else athlete_colours(names)
    weeks = pd.to_datetime(weekly["week_start"])
    all_weeks = pd.date_range(weeks.min(), weeks.max(), freq="7D")
    frame = weekly.assign(athlete=weekly["athlete"].astype(str), week_start=weeks)
    frame = frame.drop_duplicates(["athlete", "week_start"])
    grid = frame.assign(_row=1.0).pivot(index="athlete", columns="week_start", values=["adherence", "_row"])
    z = grid["adherence"].reindex(index=names, columns=all_weeks).to_numpy(dtype=float) * 100.0
    present = grid["_row"].reindex(index=names, columns=all_weeks).notna().to_numpy()
    missing = np.isnan(z)
    reason = np.where(present, "no strength log for this athlete", "outside this athlete's weeks")
    x = list(all_weeks)
    fig = go.Figure()
    fig.add_trace(go.Heatmap(
        z=z, x=x, y=names, zmin=0, zmax=100, colorscale=ADHERENCE_COLOURSCALE, reversescale=True,
        xgap=1, ygap=1, name="Plan adherence",
        colorbar=dict(title=dict(text=label("adherence").axis_title, side="right"), ticksuffix=" %"),
        hovertemplate="%{y}<br>week of %{x|%Y-%m-%d}<br>plan adherence %{z:.0f} % of plan<extra></extra>",
    ))
    fig.add_trace(go.Heatmap(
        z=np.where(missing, 1.0, np.nan), x=x, y=names, customdata=reason, showscale=False,
        colorscale=[[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]], xgap=1, ygap=1, name="No data",
        hovertemplate="%{y}<br>week of %{x|%Y-%m-%d}<br>no adherence: %{customdata}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", tickmode="array", tickvals=names,
                     ticktext=[_swatch_label(n, colours.get(n, "#444")) for n in names], title="Athlete")
    fig.update_xaxes(title=WEEK_AXIS, showgrid=False)
    base_layout(fig, height=120 + 26 * len(names))
    fig.update_layout(hovermode="closest", plot_bgcolor="white")
    return fig


def fade_small_multiples(
    run_table: pd.DataFrame,
    colours: Mapping[str, str],
    *,
    metric: str = "pace_decay_pct",
    athletes: list[str] | None = None,
    columns: int = 4,
    window: int = ROLLING_RUNS,
) -> go.Figure:
    """One panel per athlete: ``metric`` per run over the run's local date, and its rolling median.

    ``run_table``: :func:`analysis.consistency.run_table` rows; ``metric``: a key of
    :data:`analysis.squad.SQUAD_METRICS` (its per-run column is plotted: eligible runs only for the run
    metrics, ``soreness_next_day`` for back soreness, every run with one for perceived effort). ``athletes``:
    panels to draw (default every athlete with a run), in name order. Per panel two traces, both in the
    athlete's colour: the runs (markers) and the rolling median of the last ``window`` runs (a line; at least 3
    runs). All panels share one y axis range, titled with the unit, so fade compares across athletes at a
    glance; a dotted line marks 0. Perceived effort shows its whole Borg CR10 scale, 0-10.
    """
    spec = SQUAD_METRICS[metric]
    column = spec.run_column
    axis = marker_label(column).axis_title
    runs = run_table if run_table is not None else pd.DataFrame()
    if len(runs) and "sport" in runs.columns:
        runs = runs[runs["sport"].eq("running").fillna(False).to_numpy(dtype=bool)]
    if len(runs) and spec.eligible_only and "eligible" in runs.columns:
        runs = runs[runs["eligible"].eq(True).to_numpy()]
    names = _athlete_order(athletes if athletes is not None else (runs["athlete"] if len(runs) else []))
    if not names:
        return empty_figure("No runs in the chosen dates: import runs or widen the date range.")
    cols = max(1, min(columns, len(names)))
    rows = math.ceil(len(names) / cols)
    fig = go.Figure(layout=_panel_grid(names, cols, y_title=axis, x_title=DATE_AXIS))
    groups = {str(a): g for a, g in runs.groupby(runs["athlete"].astype(str))} if len(runs) else {}
    traces = []
    for i, name in enumerate(names):
        axes = dict(xaxis=f"x{i + 1}" if i else "x", yaxis=f"y{i + 1}" if i else "y")
        colour = colours.get(name, "#444")
        g = groups.get(name)
        if g is not None:
            g = g[["local_date", column]].dropna().sort_values("local_date")
        if g is None or g.empty:
            g = pd.DataFrame({"local_date": pd.Series(dtype="datetime64[ns]"), column: pd.Series(dtype=float)})
            fig.add_annotation(text="no runs with this marker", showarrow=False, x=0.5, y=0.5,
                               xref=f"{axes['xaxis']} domain", yref=f"{axes['yaxis']} domain",
                               font=dict(color="#777"))
        dates = pd.to_datetime(g["local_date"])
        values = g[column].to_numpy(dtype=float)
        rolling = g[column].rolling(window, min_periods=min(3, window)).median().to_numpy(dtype=float)
        # Traces are placed on their panel's axes directly and added in one call: add_trace(row=, col=) per
        # trace costs ~3 ms each, too slow for a 30-athlete squad.
        traces.append(go.Scatter(
            x=dates, y=values, mode="markers", name=name, legendgroup=name, showlegend=False,
            marker=dict(color=colour, size=5, opacity=0.55), **axes,
            meta=html.escape(name), hovertemplate=f"%{{meta}}<br>%{{x|%Y-%m-%d}}<br>{axis}: %{{y:.1f}}<extra></extra>",
        ))
        traces.append(go.Scatter(
            x=dates, y=rolling, mode="lines", name=f"{name}: rolling median", legendgroup=name,
            showlegend=False, line=dict(color=colour, width=2.5), connectgaps=True, **axes,
            meta=html.escape(name),
            hovertemplate=(f"%{{meta}}<br>%{{x|%Y-%m-%d}}<br>median of last {window} runs: "
                           f"%{{y:.1f}} {spec.unit}<extra></extra>"),
        ))
    fig.add_traces(traces)
    base_layout(fig, height=90 + 190 * rows)
    fig.update_layout(hovermode="closest")
    if metric == "perceived_effort":  # every panel's y axis matches the first one
        low, high = PERCEIVED_EFFORT_RANGE
        fig.update_layout(yaxis_range=[low - 0.3, high + 0.3])
    return fig


def _panel_grid(names: list[str], cols: int, *, y_title: str, x_title: str) -> dict:
    """Layout of a grid of panels sharing one x and one y range (as make_subplots' shared "all" axes).

    Built as one dict because make_subplots plus per-panel axis updates took ~0.3 s for 30 panels.
    Panel i sits on axes x{i+1}/y{i+1}; titles are paper annotations above each panel (names escaped).
    """
    rows = math.ceil(len(names) / cols)
    h_gap, v_gap = 0.03, min(0.12, 0.3 / rows)
    width = (1 - h_gap * (cols - 1)) / cols
    height = (1 - v_gap * (rows - 1)) / rows
    layout: dict = {"annotations": []}
    for i, name in enumerate(names):
        row, col = divmod(i, cols)
        suffix = str(i + 1) if i else ""
        x0 = col * (width + h_gap)
        y1 = 1 - row * (height + v_gap)
        lowest_in_column = i + cols >= len(names)
        layout[f"xaxis{suffix}"] = dict(
            domain=[max(0.0, x0), min(1.0, x0 + width)], anchor=f"y{suffix}", type="date", matches="x" if i else None,
            showticklabels=lowest_in_column, title=dict(text=x_title if lowest_in_column else None))
        layout[f"yaxis{suffix}"] = dict(
            domain=[max(0.0, y1 - height), min(1.0, y1)], anchor=f"x{suffix}", matches="y" if i else None,
            showticklabels=col == 0, title=dict(text=y_title if col == 0 else None),
            zeroline=True, zerolinecolor="#999", zerolinewidth=1)
        layout["annotations"].append(dict(
            text=html.escape(name), x=x0 + width / 2, y=y1, xref="paper", yref="paper", xanchor="center",
            yanchor="bottom", showarrow=False, font=dict(size=14)))
    return layout


def correlation_forest(
    table: pd.DataFrame,
    squad: Correlation | None,
    colours: Mapping[str, str],
    *,
    metric: str = "pace_decay_pct",
) -> go.Figure:
    """A forest plot: each athlete's ρ (marker) with its 95 % CI (bar), and the squad's r_rm at the bottom.

    ``table``: :func:`analysis.squad.squad_table` (``athlete``, ``rho``, ``rho_ci_low``, ``rho_ci_high``,
    ``rho_n``, ``rho_message``). One trace per athlete in their colour; an athlete without an estimate gets a
    grey "not enough data (n = …)" note at 0 instead. A dotted line marks 0 (no association).
    """
    if table is None or table.empty:
        return empty_figure("No athletes to compare.")
    spec = SQUAD_METRICS[metric]
    pair_unit = {"runs": "runs", "weeks": "weeks"}.get(table.attrs.get("unit", "runs"), "pairs")
    fig = go.Figure()
    rows_y: list[str] = []
    for rec in table.itertuples(index=False):
        name = str(rec.athlete)
        rows_y.append(name)
        if math.isfinite(rec.rho):
            fig.add_trace(go.Scatter(
                x=[rec.rho], y=[name], mode="markers", name=name, showlegend=False,
                marker=dict(color=colours.get(name, "#444"), size=11, symbol="circle"),
                error_x=dict(type="data", symmetric=False, array=[rec.rho_ci_high - rec.rho],
                             arrayminus=[rec.rho - rec.rho_ci_low], color=colours.get(name, "#444"), thickness=2),
                customdata=[[rec.rho_ci_low, rec.rho_ci_high, rec.rho_n]],
                meta=html.escape(name),
                hovertemplate=(f"%{{meta}}<br>ρ = %{{x:.2f}} (95 % CI %{{customdata[0]:.2f}} to "
                               f"%{{customdata[1]:.2f}})<br>n = %{{customdata[2]}} {pair_unit}<extra></extra>"),
            ))
        else:
            fig.add_trace(go.Scatter(
                x=[-1.0], y=[name], mode="text", name=name, showlegend=False, textposition="middle right",
                text=[f"not enough data (n = {rec.rho_n})" if rec.rho_n < table.attrs.get("min_n", 8)
                      else "no estimate"],
                textfont=dict(color="#777"), hovertext=[rec.rho_message], hoverinfo="text",
            ))
    squad_name = "Squad (r_rm)"
    if squad is not None:
        rows_y.append(squad_name)
        if squad.enough_data:
            fig.add_trace(go.Scatter(
                x=[squad.r], y=[squad_name], mode="markers", name=squad_name, showlegend=False,
                marker=dict(color="#222", size=14, symbol="diamond"),
                error_x=dict(type="data", symmetric=False, array=[squad.ci_high - squad.r],
                             arrayminus=[squad.r - squad.ci_low], color="#222", thickness=3),
                hovertext=[squad.message], hoverinfo="text",
            ))
        else:
            fig.add_trace(go.Scatter(
                x=[-1.0], y=[squad_name], mode="text", name=squad_name, showlegend=False,
                textposition="middle right",
                text=["not enough data"], textfont=dict(color="#777"), hovertext=[squad.message], hoverinfo="text",
            ))
    fig.add_vline(x=0, line_dash="dot", line_color="#999")
    fig.update_xaxes(range=[-1.05, 1.05], zeroline=False,
                     title=f"Correlation of consistency with {spec.title.lower()} (ρ or r_rm, −1 to 1, no unit)")
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=rows_y, title=None,
                     tickmode="array", tickvals=rows_y,
                     ticktext=[_swatch_label(n, colours[n]) if n in colours else html.escape(n) for n in rows_y])
    base_layout(fig, height=110 + 32 * len(rows_y))
    fig.update_layout(hovermode="closest")
    return fig


def weekly_km_lines(weekly: pd.DataFrame, colours: Mapping[str, str]) -> go.Figure:
    """Weekly running km per athlete over the weeks from their first to last run (one line each, their colour).

    ``weekly``: :func:`analysis.consistency.weekly_table` rows; the span rule is
    :func:`analysis.squad.running_weeks` (strength-log weeks before the first run are not 0 km weeks).
    """
    frame = running_weeks(weekly) if weekly is not None and len(weekly) else pd.DataFrame()
    if frame.empty:
        return empty_figure("No running weeks in the chosen dates.")
    axis = label("weekly_km").axis_title
    fig = go.Figure()
    for name in _athlete_order(frame["athlete"]):
        g = frame[frame["athlete"].astype(str) == name].sort_values("week_start")
        fig.add_trace(go.Scatter(
            x=pd.to_datetime(g["week_start"]), y=g["distance_km"].to_numpy(dtype=float), mode="lines+markers",
            name=name, line=dict(color=colours.get(name, "#444"), width=2), marker=dict(size=5),
            meta=html.escape(name), hovertemplate="%{meta}<br>week of %{x|%Y-%m-%d}<br>%{y:.1f} km<extra></extra>",
        ))
    fig.update_xaxes(title=WEEK_AXIS)
    fig.update_yaxes(title=axis, rangemode="tozero")
    base_layout(fig, height=320)
    fig.update_layout(hovermode="closest")
    return fig
