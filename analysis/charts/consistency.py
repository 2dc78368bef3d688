"""Figures and numbers of the Consistency vs fatigue page: strength consistency against late-run fatigue.

Pure functions (frames in, figures or frames out; no streamlit). Inputs are the tables of
``analysis.consistency``: the weekly table (one row per athlete-week, weeks start on Monday) and the run
table (runs with ``consistency_28d``). Units: consistency and adherence are 0-1 in the tables and shown as
% of plan; pace decay and decoupling in %, cadence drift in steps/min, back soreness 0-10, distance km.

Pairs and lags follow :func:`analysis.stats.lagged`: at lag L the 4-week consistency of week w − L is
paired with the outcome of week w, shifting by *calendar* weeks, so a missing week is a gap and never
pulls a later week into its place. Correlations are Spearman's ρ with the Bonett–Wright 95 % CI
(:func:`analysis.stats.spearman`); the trend line is the Theil–Sen line (see :func:`theil_sen`), which,
like Spearman's ρ, is not thrown by one freak week. Everything is worded as association, never cause.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.charts.strength import SESSION_COLOURS, week_ticks
from analysis.charts.style import base_layout, empty_figure, label
from analysis.consistency import DEFAULT_PLAN, RUN_WINDOW_DAYS, validate_plan
from analysis.stats import DEFAULT_LAGS, DEFAULT_MIN_N, Correlation, partial_spearman, spearman

__all__ = [
    "FATIGUE_METRICS",
    "RUN_OUTCOMES",
    "PairCorrelations",
    "consistency_scatter",
    "lag_profile_figure",
    "lag_table",
    "pair_correlations",
    "run_pairs",
    "theil_sen",
    "weekly_km_figure",
    "weekly_pairs",
    "weekly_sessions_figure",
    "x_axis_title",
]

# The fatigue outcomes a user can choose, as weekly-table columns (weekly medians of eligible runs; soreness
# is the week's mean report), and the run-table column that answers the same question per run.
FATIGUE_METRICS: tuple[str, ...] = ("pace_decay_pct", "cadence_drift_spm", "decoupling_pct", "back_soreness")
RUN_OUTCOMES: Mapping[str, str] = {
    "pace_decay_pct": "pace_decay_pct",
    "cadence_drift_spm": "cadence_drift_spm",
    "decoupling_pct": "decoupling_pct",
    "back_soreness": "soreness_next_day",  # per run: soreness reported the day after it
}
PAIR_COLUMNS = ["date", "x_from", "x_to", "x", "y", "km"]
_WEEK = pd.Timedelta(weeks=1)


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


# --- pairs -----------------------------------------------------------------------------------------


def weekly_pairs(
    weekly: pd.DataFrame,
    athlete: str,
    metric: str,
    lag: int = 0,
    *,
    first: pd.Timestamp | None = None,
    last: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The (consistency, outcome) pairs of one athlete's weeks at a lag, as :func:`analysis.stats.lagged`.

    ``x`` = ``consistency_4wk`` (0-1) of week w − ``lag`` calendar weeks, ``y`` = ``metric`` of week w,
    ``km`` = the distance of week w (training load, km). ``date`` = Monday of week w; ``x_from``/``x_to`` =
    the first and last day of the four weeks the consistency covers (fewer in the athlete's first weeks).
    Only pairs with both x and y are kept. ``first``/``last``: keep outcome weeks overlapping these dates
    (the consistency may come from before ``first``: the weeks before are real history).
    """
    if lag < 0:
        raise ValueError(f"lag must be 0 or more weeks, got {lag}")
    weeks = _athlete_weeks(weekly, athlete)
    x = weeks[["week_start", "consistency_4wk", "consistency_weeks"]].copy()
    x["date"] = x["week_start"] + lag * _WEEK  # x of week v is paired with y of week v + lag
    y = weeks[["week_start", metric, "distance_km"]].rename(columns={"week_start": "date"})
    pairs = x.merge(y, on="date", how="inner")
    weeks_back = pd.to_timedelta((pairs["consistency_weeks"].clip(lower=1) - 1) * 7, unit="D")
    pairs = pd.DataFrame({
        "date": pairs["date"],
        "x_from": pairs["week_start"] - weeks_back,
        "x_to": pairs["week_start"] + pd.Timedelta(days=6),
        "x": pairs["consistency_4wk"].astype("float64"),
        "y": pairs[metric].astype("float64"),
        "km": pairs["distance_km"].astype("float64"),
    })
    pairs = pairs[np.isfinite(pairs["x"]) & np.isfinite(pairs["y"])]
    if first is not None:
        pairs = pairs[pairs["date"] + pd.Timedelta(days=6) >= pd.Timestamp(first)]
    if last is not None:
        pairs = pairs[pairs["date"] <= pd.Timestamp(last)]
    return pairs.reset_index(drop=True)[PAIR_COLUMNS]


def run_pairs(runs: pd.DataFrame, athlete: str, metric: str) -> pd.DataFrame:
    """The (consistency, outcome) pairs of one athlete's runs: ``consistency_28d`` against the run's metric.

    ``runs``: :func:`analysis.consistency.run_table`. ``metric``: one of :data:`FATIGUE_METRICS` (back
    soreness becomes the soreness reported the day after the run). ``date`` = the run's local date,
    ``x_from``/``x_to`` = the 28 days before it, ``km`` = the run's distance. Only pairs with both values.
    """
    column = RUN_OUTCOMES[metric]
    rows = runs[runs["athlete"] == athlete].sort_values("local_date")
    pairs = pd.DataFrame({
        "date": pd.to_datetime(rows["local_date"]).dt.normalize(),
        "x": rows["consistency_28d"].astype("float64"),
        "y": pd.to_numeric(rows[column], errors="coerce").astype("float64"),
        "km": rows["distance_km"].astype("float64"),
    })
    pairs["x_from"] = pairs["date"] - pd.Timedelta(days=RUN_WINDOW_DAYS)
    pairs["x_to"] = pairs["date"] - pd.Timedelta(days=1)
    pairs = pairs[np.isfinite(pairs["x"]) & np.isfinite(pairs["y"])]
    return pairs.reset_index(drop=True)[PAIR_COLUMNS]


@dataclass(frozen=True)
class PairCorrelations:
    """What the page says about a set of pairs: the association, training load beside it, and load held fixed."""

    outcome: Correlation  # consistency vs the fatigue metric (Spearman)
    load: Correlation  # consistency vs km (does strength work move with training load?)
    outcome_load: Correlation  # km vs the fatigue metric (does load go with fatigue?)
    partial: Correlation  # consistency vs the fatigue metric holding km constant (partial Spearman)


def pair_correlations(
    pairs: pd.DataFrame, *, unit: str = "weeks", names: tuple[str, str] = ("consistency", "fatigue"),
    load_name: str = "weekly km", min_n: int = DEFAULT_MIN_N,
) -> PairCorrelations:
    """Spearman correlations of :func:`weekly_pairs` / :func:`run_pairs` output.

    ``unit`` names a pair in messages ("weeks", "runs"); ``names`` name x and y; ``load_name`` names ``km``
    ("weekly km", "run distance"). The partial correlation ranks all three and holds km constant
    (:func:`analysis.stats.partial_spearman`); it rests on the pairs that also have a km.
    """
    x, y, km = pairs["x"], pairs["y"], pairs["km"]
    return PairCorrelations(
        outcome=spearman(x, y, min_n=min_n, unit=unit, names=names),
        load=spearman(x, km, min_n=min_n, unit=unit, names=(names[0], load_name)),
        outcome_load=spearman(km, y, min_n=min_n, unit=unit, names=(load_name, names[1])),
        partial=partial_spearman(x, y, km.rename(load_name), min_n=min_n, unit=unit, names=names),
    )


def lag_table(
    weekly: pd.DataFrame,
    athlete: str,
    metric: str,
    lags: Iterable[int] = DEFAULT_LAGS,
    *,
    first: pd.Timestamp | None = None,
    last: pd.Timestamp | None = None,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """One row per lag: lag_weeks, r, ci_low, ci_high, p, n, enough_data, message (Spearman, n in weeks).

    The same pairs as :func:`weekly_pairs` (so the same numbers as :func:`analysis.stats.lagged` for this
    athlete when no dates are given), restricted to outcome weeks between ``first`` and ``last``.
    """
    rows = []
    for lag in lags:
        pairs = weekly_pairs(weekly, athlete, metric, lag, first=first, last=last)
        res = spearman(pairs["x"], pairs["y"], min_n=min_n, unit="weeks", names=("consistency_4wk", metric))
        rows.append({"lag_weeks": int(lag), "r": res.r, "ci_low": res.ci_low, "ci_high": res.ci_high, "p": res.p,
                     "n": res.n, "enough_data": res.enough_data, "message": res.message})
    return pd.DataFrame(rows, columns=["lag_weeks", "r", "ci_low", "ci_high", "p", "n", "enough_data", "message"])


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
    runs, or mean back soreness); weeks without a value are gaps, never joined. Hover: the week's dates and
    every value with its unit.
    """
    plan = validate_plan(plan if plan is not None else weekly.attrs.get("plan", DEFAULT_PLAN))
    weeks = _athlete_weeks(weekly, athlete)
    if weeks.empty:
        return empty_figure(f"No weeks with data for {_escape(athlete)}.")
    sessions_title = label("sessions_per_week")
    metric_label = label(metric)
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
    metric_label = label(metric if point == "week" else RUN_OUTCOMES[metric])
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
    if metric == "back_soreness":
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
    """Spearman r with its 95 % CI at every lag (rows of :func:`analysis.stats.lagged` for one athlete).

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
