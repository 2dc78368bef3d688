"""Figures and numbers of the Consistency vs fatigue page: strength consistency against late-run fatigue.

Pure functions (frames in, figures or frames out; no streamlit). Inputs are the tables of
``analysis.consistency``: the weekly table (one row per athlete-week, weeks start on Monday) and the run
table (runs with ``consistency_28d``). Units: consistency and adherence are 0-1 in the tables and shown as
% of plan; pace decay and decoupling in %, cadence drift in steps/min, back soreness 0-10, perceived effort
0-10 (Borg CR10), distance km.

The figures only draw: the pairs, lags and associations they show come from :mod:`analysis.pairing`
(through :func:`analysis.stats.association`: season trend out, p and CI on the effective n, words from the
CI). The trend line is the Theil–Sen line (see :func:`theil_sen`), which, like Spearman's ρ, is not thrown
by one freak week. Everything is worded as association, never cause.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.charts.squad import marker_label
from analysis.charts.strength import SESSION_COLOURS, week_ticks
from analysis.charts.style import base_layout, empty_figure, label
from analysis.consistency import DEFAULT_PLAN, validate_plan
from analysis.effort import PERCEIVED_EFFORT_RANGE
from analysis.pairing import RUN_OUTCOMES
from analysis.stats import Correlation

__all__ = [
    "consistency_scatter",
    "lag_grid_figure",
    "lag_profile_figure",
    "theil_sen",
    "weekly_km_figure",
    "weekly_sessions_figure",
    "x_axis_title",
]



def _escape(text: object) -> str:
    return html.escape(str(text), quote=False)


def _unit_value(value: float, unit: str, digits: int = 1) -> str:
    return f"{value:.{digits}f} {unit}"


def _weeks_text(weeks: int) -> str:
    return f"{weeks} week" if weeks == 1 else f"{weeks} weeks"


def _plan_text(plan: Mapping[str, int]) -> str:
    return " + ".join(f"{n} {t}" for t, n in plan.items())


def _athlete_weeks(weekly: pd.DataFrame, athlete: str) -> pd.DataFrame:
    return weekly[weekly["athlete"] == athlete].sort_values("week_start").reset_index(drop=True)


def theil_sen(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(slope, intercept) of the Theil–Sen line through the finite (x, y) pairs.

    Slope = the median of the slopes (y_j − y_i) / (x_j − x_i) over all pairs i < j with x_i ≠ x_j (Theil 1950,
    "A rank-invariant method of linear and polynomial regression analysis", Proc. KNAW 53; Sen 1968,
    "Estimates of the regression coefficient based on Kendall's tau", JASA 63:1379–1389). Intercept =
    median(y) − slope × median(x), as ``scipy.stats.theilslopes`` (method "separate"). A rank-based line to go
    with a rank correlation: up to 29 % of the points can be wild without dragging it. NaN when fewer than two
    distinct x values. Units: y per unit of x.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    i, j = np.triu_indices(x.size, k=1)
    dx = x[j] - x[i]
    distinct = dx != 0
    if not distinct.any():
        return float("nan"), float("nan")
    slope = float(np.median((y[j] - y[i])[distinct] / dx[distinct]))
    return slope, float(np.median(y) - slope * np.median(x))


# --- figures ---------------------------------------------------------------------------------------


def weekly_sessions_figure(
    weekly: pd.DataFrame,
    athlete: str,
    plan: Mapping[str, int] | None = None,
    metric: str = "pace_decay_pct",
    colour: str = "#444444",
) -> go.Figure:
    """Strength sessions per week (stacked bars by session type) against the plan, with a fatigue line.

    Bars: the plan's session types (core, hip by default), sessions per week, in the session-type colours.
    Dashed line: the plan's total sessions per week; its hover gives the week's adherence and 4-week consistency
    (% of plan). Line on the right axis, in the athlete's colour: ``metric`` per week (weekly median of eligible
    runs, mean back soreness, or the median perceived effort of the runs with one); weeks without a value are
    gaps, never joined. Hover: the week's dates and
    every value with its unit.
    """
    plan = validate_plan(plan if plan is not None else weekly.attrs.get("plan", DEFAULT_PLAN))
    weeks = _athlete_weeks(weekly, athlete)
    if weeks.empty:
        return empty_figure(f"No weeks with data for {_escape(athlete)}.")
    sessions_title = label("sessions_per_week")
    metric_label = marker_label(metric)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for t, planned in plan.items():
        fig.add_trace(go.Bar(
            x=weeks["week_start"], y=weeks[f"{t}_sessions"].astype("float64"), name=t,
            marker_color=SESSION_COLOURS[t],
            hovertemplate=f"{t}: %{{y:.0f}} sessions (plan {planned})<extra></extra>",
        ), secondary_y=False)
    total = float(sum(plan.values()))
    fig.add_trace(go.Scatter(
        x=weeks["week_start"], y=np.full(len(weeks), total), mode="lines",
        name=f"Plan: {_plan_text(plan)} a week", line=dict(color="#2CA02C", dash="dash", width=2, shape="hv"),
        customdata=np.column_stack([weeks["adherence"] * 100, weeks["consistency_4wk"] * 100]),
        hovertemplate=f"Plan: {total:.0f} sessions/week; adherence %{{customdata[0]:.0f}} % of plan, "
                      "4-week consistency %{customdata[1]:.0f} % of plan<extra></extra>",
    ), secondary_y=False)
    if metric == "back_soreness":
        basis = weeks["soreness_days"].astype("float64")
        basis_text = "mean of %{customdata:.0f} day(s) with a report"
    elif metric == "perceived_effort":
        basis = weeks["effort_runs"].astype("float64")
        basis_text = "median of %{customdata:.0f} run(s) with an effort"
    else:
        basis = weeks["eligible_runs"].astype("float64")
        basis_text = "median of %{customdata:.0f} eligible run(s)"
    fig.add_trace(go.Scatter(
        x=weeks["week_start"], y=weeks[metric].astype("float64"), mode="lines+markers", connectgaps=False,
        name=metric_label.title, line=dict(color=colour, width=3), marker=dict(size=8, color=colour,
                                                                              line=dict(width=1, color="#333")),
        customdata=basis,
        hovertemplate=f"{metric_label.title}: %{{y:.1f}} {metric_label.unit} ({basis_text})<extra></extra>",
    ), secondary_y=True)
    base_layout(fig, height=380)
    fig.update_layout(barmode="stack", bargap=0.25, legend_traceorder="normal")
    fig.update_xaxes(title="Week starting (Monday)", hoverformat="Week of %a %Y-%m-%d",
                     **week_ticks(weeks["week_start"]))
    top = max(total, float(np.nanmax(weeks[[f"{t}_sessions" for t in plan]].astype("float64").sum(axis=1))))
    fig.update_yaxes(title_text=sessions_title.axis_title, range=[0, top + 1], secondary_y=False)
    # The right axis gets its own ticks over its own data (not ticks synced to the bars' grid), from 0 so a
    # line near the top means a large value; soreness always shows its whole 0-10 scale.
    values = weeks[metric].astype("float64")
    if metric == "back_soreness":
        right_range = [0.0, 10.3]
    elif metric == "perceived_effort":
        right_range = [PERCEIVED_EFFORT_RANGE[0], PERCEIVED_EFFORT_RANGE[1] + 0.3]
    elif values.notna().any():
        low, high = min(0.0, float(values.min())), max(0.0, float(values.max()))
        pad = 0.08 * (high - low or 1.0)
        right_range = [low - (pad if low < 0 else 0.0), high + pad]
    else:
        right_range = [0.0, 1.0]
    fig.update_yaxes(secondary_y=True, title_text=metric_label.axis_title, showgrid=False, zeroline=True,
                     zerolinecolor="#bbbbbb", tickmode="auto", range=right_range)
    return fig


def consistency_scatter(
    pairs: pd.DataFrame,
    metric: str,
    *,
    correlation: Correlation,
    colour: str = "#444444",
    point: str = "week",
    lag: int = 0,
) -> go.Figure:
    """Consistency (x, % of plan) against a fatigue metric (y), one point per week or per run, and a trend line.

    ``pairs``: :func:`weekly_pairs` (``point`` "week", ``lag`` in weeks) or :func:`run_pairs` (``point``
    "run"). Points are in the athlete's colour; hover: the outcome's date, the dates the consistency covers,
    both values with units and the distance (km). The Theil–Sen trend line (:func:`theil_sen`, fitted on the
    plotted values: metric units per percentage point of consistency) is drawn only when ``correlation`` has
    enough data — a line through too few points would look like a finding. The title carries r, the 95 % CI,
    n and p in words (``correlation.message``).
    """
    metric_label = marker_label(metric if point == "week" else RUN_OUTCOMES[metric])
    x_title = x_axis_title(point, lag)
    if pairs.empty:
        return empty_figure(f"No {point}s with both a consistency and a {metric_label.title.lower()} yet.")
    x = pairs["x"].to_numpy(dtype=float) * 100.0
    y = pairs["y"].to_numpy(dtype=float)
    when = "Week of " + pairs["date"].dt.strftime("%a %Y-%m-%d") if point == "week" else (
        "Run on " + pairs["date"].dt.strftime("%a %Y-%m-%d"))
    window = pairs["x_from"].dt.strftime("%Y-%m-%d") + " to " + pairs["x_to"].dt.strftime("%Y-%m-%d")
    km_name = "week's distance" if point == "week" else "run's distance"
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=x, y=y, mode="markers", name=f"{point}s (n = {len(pairs)})",
        marker=dict(color=colour, size=11, opacity=0.85, line=dict(width=1, color="#333333")),
        customdata=np.column_stack([when, window, pairs["km"].to_numpy(dtype=float)]),
        hovertemplate=(
            "<b>%{customdata[0]}</b><br>"
            "Consistency: %{x:.0f} % of plan (strength work %{customdata[1]})<br>"
            f"{metric_label.title}: %{{y:.1f}} {metric_label.unit}<br>"
            f"{km_name.capitalize()}: %{{customdata[2]:.1f}} km<extra></extra>"
        ),
    ))
    if correlation.enough_data:
        slope, intercept = theil_sen(x, y)
        if np.isfinite(slope):
            ends = np.array([x.min(), x.max()])
            per_100 = f"{slope * 100.0:+.1f}".replace("-", "\u2212")  # a true minus, as analysis.stats writes
            per_point = f"{slope:+.3f}".replace("-", "\u2212")
            fig.add_trace(go.Scatter(
                x=ends, y=intercept + slope * ends, mode="lines", name=(
                    f"Theil–Sen trend: {per_100} {metric_label.unit} per 100 % of plan"),
                line=dict(color="#333333", width=2, dash="dash"),
                hovertemplate=f"Trend (Theil–Sen): {per_point} {metric_label.unit} per percentage point<extra></extra>",
            ))
    base_layout(fig, title=_title_lines(correlation.message), height=440)
    # Title (the result in words) above the legend: room for both.
    fig.update_layout(hovermode="closest", title=dict(font_size=13, y=0.98, yanchor="top"), margin_t=100)
    fig.update_xaxes(title=x_title, range=[-4, 104])
    y_axis = dict(title=metric_label.axis_title, zeroline=True, zerolinecolor="#bbbbbb")
    if metric in ("back_soreness", "perceived_effort"):  # 0-10 scales: the whole scale
        y_axis["range"] = [-0.3, 10.3]
    fig.update_yaxes(**y_axis)
    return fig


def _title_lines(message: str) -> str:
    """'strong negative association (r = …, n = …)' as two title lines: the words, then the numbers."""
    words, sep, numbers = message.partition(" (")
    return f"{words}<br>{numbers.removesuffix(')')}" if sep else message


def x_axis_title(point: str, lag: int = 0) -> str:
    """The scatter's x-axis title with its unit, naming the lag in words."""
    if point == "run":
        return label("consistency_28d").axis_title + ", the 28 days before the run"
    title = label("consistency_4wk")
    if lag == 0:
        return f"{title.title}, same week ({title.unit})"
    return f"{title.title}, {_weeks_text(lag)} before ({title.unit})"


def weekly_km_figure(weekly: pd.DataFrame, athlete: str, colour: str = "#444444") -> go.Figure:
    """Weekly running distance (km) as bars in the athlete's colour: training load, shown beside the scatter
    because it moves strength work, fatigue and soreness together (a confounder). Hover: week, km, runs."""
    weeks = _athlete_weeks(weekly, athlete)
    weeks = weeks[weeks["distance_km"].notna()]
    if weeks.empty:
        return empty_figure(f"No runs for {_escape(athlete)} in these weeks.")
    km_label = label("weekly_km")
    week_text = weeks["week_start"].dt.strftime("%Y-%m-%d") + " to " + (
        weeks["week_start"] + pd.Timedelta(days=6)).dt.strftime("%Y-%m-%d")
    fig = go.Figure(go.Bar(
        x=weeks["week_start"], y=weeks["distance_km"], name=km_label.title, marker_color=colour,
        marker_line=dict(width=1, color="#333333"),
        customdata=np.column_stack([week_text, weeks["runs"].astype("float64"), weeks["long_runs"].astype("float64")]),
        hovertemplate=("Week %{customdata[0]}<br>Distance: %{y:.1f} km in %{customdata[1]:.0f} run(s), "
                       "%{customdata[2]:.0f} long<extra></extra>"),
    ))
    base_layout(fig, title="Training load beside it:<br>weekly distance", height=440)
    fig.update_layout(hovermode="closest", showlegend=False, title=dict(font_size=13, y=0.98, yanchor="top"),
                      margin_t=100)  # the scatter's top margin, so the two plots line up side by side
    fig.update_xaxes(title="Week starting (Monday)", **week_ticks(weeks["week_start"], most=6))  # a narrow column
    fig.update_yaxes(title=km_label.axis_title)
    return fig


def lag_profile_figure(lag_rows: pd.DataFrame, colour: str = "#444444", selected: int | None = None) -> go.Figure:
    """r with its 95 % CI at every lag (rows of :func:`analysis.pairing.lag_table` or of one marker's
    :func:`analysis.pairing.lag_grid`; season trend out, CI on the effective n).

    x: lag (weeks), y: r (−1…1) with the CI as error bars; lags without enough data are marked "not enough
    data" on the zero line instead of a number. ``selected`` lag is drawn larger. Hover: the message in words.
    """
    if lag_rows.empty:
        return empty_figure("No lags to show.")
    rows = lag_rows.sort_values("lag_weeks")
    ok = rows[rows["enough_data"]]
    fig = go.Figure()
    sizes = np.where(ok["lag_weeks"] == selected, 16, 10)
    fig.add_trace(go.Scatter(
        x=ok["lag_weeks"], y=ok["r"], mode="markers", name="r with 95 % CI",
        marker=dict(color=colour, size=sizes, line=dict(width=1, color="#333333")),
        error_y=dict(type="data", symmetric=False, array=ok["ci_high"] - ok["r"], arrayminus=ok["r"] - ok["ci_low"],
                     color="#555555", thickness=1.5, width=6),
        customdata=ok["message"],
        hovertemplate="Lag %{x} week(s): %{customdata}<extra></extra>",
    ))
    missing = rows[~rows["enough_data"]]
    if not missing.empty:
        fig.add_trace(go.Scatter(
            x=missing["lag_weeks"], y=np.zeros(len(missing)), mode="markers+text", name="not enough data",
            marker=dict(symbol="x-thin-open", size=10, color="#999999"), text=["not enough data"] * len(missing),
            textposition="top center", customdata=missing["message"],
            hovertemplate="Lag %{x} week(s): %{customdata}<extra></extra>",
        ))
    base_layout(fig, height=300)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title="Lag (weeks before the outcome week)", dtick=1)
    fig.update_yaxes(title="Spearman r (−1 to 1, no unit)", range=[-1.05, 1.05], zeroline=True,
                     zerolinecolor="#888888")
    return fig


def lag_grid_figure(grid: pd.DataFrame) -> go.Figure:
    """Every lag × every fatigue marker at a glance: a heatmap of r (−1…1) from :func:`analysis.pairing.lag_grid`.

    Rows: markers (their titles with units), columns: lags in weeks. Colour: r on a diverging scale centred at
    0; a cell without enough data is blank and says so. Text in each cell: r, and "*" when the Holm-adjusted p
    over the whole grid is below 0.05 (the only cells that stand out after 25 looks). Hover: the result in
    words with its CI, n, effective n, p and the adjusted p.
    """
    if grid.empty:
        return empty_figure("No lags to show.")
    metrics = list(dict.fromkeys(grid["metric"]))
    lags = sorted(grid["lag_weeks"].unique())
    table = grid.set_index(["metric", "lag_weeks"])
    z = np.full((len(metrics), len(lags)), np.nan)
    text = np.full(z.shape, "", dtype=object)
    hover = np.full(z.shape, "", dtype=object)
    for i, m in enumerate(metrics):
        for j, lag in enumerate(lags):
            if (m, lag) not in table.index:
                continue
            row = table.loc[(m, lag)]
            if bool(row["enough_data"]):
                z[i, j] = float(row["r"])
                star = "*" if float(row["p_holm"]) < 0.05 else ""
                text[i, j] = f"{float(row['r']):+.2f}{star}".replace("-", "\u2212")
                hover[i, j] = f"{_escape(row['message'])}; Holm-adjusted p over the grid = {float(row['p_holm']):.2f}"
            else:
                text[i, j] = "n/a"
                hover[i, j] = _escape(row["message"])
    fig = go.Figure(go.Heatmap(
        z=z, x=[_weeks_text(int(v)) + (" (same week)" if v == 0 else " before") for v in lags],
        y=[marker_label(m).axis_title for m in metrics], zmin=-1, zmax=1, colorscale="RdBu", reversescale=True,
        text=text, texttemplate="%{text}", customdata=hover, xgap=2, ygap=2,
        colorbar=dict(title=dict(text="r (−1 to 1)", side="right")),
        hovertemplate="%{y}, consistency %{x}:<br>%{customdata}<extra></extra>",
    ))
    base_layout(fig, height=120 + 60 * len(metrics))
    fig.update_layout(hovermode="closest", plot_bgcolor="white")
    fig.update_xaxes(title="Consistency of the 4 weeks ending this long before the outcome week", side="bottom")
    fig.update_yaxes(autorange="reversed")
    return fig
