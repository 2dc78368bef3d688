"""Figures of the Strength log page, and the session-type colours the Consistency page shares.

Pure functions: a normalised strength log (``analysis.io.read_strength_log`` / ``Store.strength_log``) and
the weekly table (``analysis.consistency.weekly_table``) in, ``plotly.graph_objects.Figure`` or a small
frame out; no streamlit. Definitions follow ``analysis.consistency`` (DESIGN.md §5): a *session* is a distinct
(athlete, date, session type), so two core exercises on one day are one core session; a soreness-only row
is no session; weeks start on Monday.

Units: soreness 0-10 (0 = none); adherence and consistency are 0-1 in the tables and shown as % of plan;
counts are sessions, days or sets. Exercise names are user text: they are HTML-escaped wherever Plotly
renders them (hover, tick labels), and returned unescaped in frames.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.charts.style import base_layout, empty_figure, label
from analysis.consistency import DEFAULT_PLAN, strength_sessions, validate_plan
from analysis.io.exercise_taxonomy import SESSION_TYPES, is_recognised_exercise

__all__ = [
    "SESSION_COLOURS",
    "adherence_figure",
    "calendar_days",
    "calendar_heatmap",
    "exercise_mix",
    "exercise_mix_figure",
    "other_exercises",
    "soreness_figure",
    "soreness_days",
    "week_ticks",
]

# One colour per session type, the same on both pages. Chosen away from the first athlete colours (Okabe-Ito
# "Safe" set in style.py) so a session-type bar is not mistaken for an athlete's line.
SESSION_COLOURS: Mapping[str, str] = MappingProxyType({
    "core": "#3B5BA5",
    "hip": "#E8772E",
    "mobility": "#66A61E",
    "strength": "#A6761D",
    "other": "#9E9E9E",
})
# Calendar-only categories: a day with several planned types, a day with unplanned work only, no session.
_COMBINED_COLOURS = ("#6A3D9A", "#E7298A", "#1B9E77", "#666666", "#B15928", "#1F78B4")
_UNPLANNED_COLOUR = "#C9C9C9"
_NO_SESSION_COLOUR = "#EEF0F3"
NO_SESSION = "no session"
UNPLANNED_ONLY = "unplanned work only"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _escape(text: object) -> str:
    """User text made inert for Plotly's HTML-like labels (only <, > and & matter there)."""
    return html.escape(str(text), quote=False)


def _athlete_log(log: pd.DataFrame, athlete: str) -> pd.DataFrame:
    if log is None or log.empty:
        return pd.DataFrame(columns=["date", "athlete", "session_type", "exercise", "sets", "back_soreness"])
    rows = log[log["athlete"] == athlete].copy()
    rows["date"] = pd.to_datetime(rows["date"]).dt.normalize()
    return rows


def _monday(dates: pd.Series) -> pd.Series:
    return dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")


def week_ticks(week_starts: Iterable, most: int = 12) -> dict:
    """x-axis tick settings with labels on Mondays (weeks start on Monday), at most ``most`` of them.

    Plotly's automatic date ticks fall on Sundays for weekly data, one day off every weekly bar.
    """
    weeks = pd.DatetimeIndex(sorted(set(pd.to_datetime(pd.Series(list(week_starts))).dropna())))
    chosen = weeks[:: max(1, math.ceil(len(weeks) / most))]
    return dict(tickmode="array", tickvals=list(chosen), ticktext=[d.strftime("%d %b") for d in chosen])


def _week_text(week_start: pd.Series) -> pd.Series:
    """'2026-08-31 to 2026-09-06': a Monday-to-Sunday week, for hover text."""
    week_start = pd.Series(pd.to_datetime(week_start))
    end = week_start + pd.Timedelta(days=6)
    return week_start.dt.strftime("%Y-%m-%d") + " to " + end.dt.strftime("%Y-%m-%d")


# --- calendar --------------------------------------------------------------------------------------


def calendar_days(log: pd.DataFrame, athlete: str, plan: Mapping[str, int] | None = None) -> pd.DataFrame:
    """One row per day of the athlete's logged weeks: what was done that day, for the calendar heatmap.

    Days run from the Monday of the first entry's week to the Sunday of the last entry's week (soreness-only
    entries included). Columns: ``date``, ``week_start`` (Monday), ``weekday`` (0 = Monday), ``category``
    (the plan's session types done that day joined by " + " in plan order, e.g. "core + hip"; "unplanned work
    only" when only types outside the plan were done; "no session"), ``session_types`` (every type done,
    comma-separated), ``sessions`` (number of distinct session types that day), ``exercises`` (hover text: one
    line per type listing the day's distinct exercise names, HTML-escaped) and ``back_soreness`` (the day's
    mean report, 0-10, NaN when none).
    """
    plan = validate_plan(plan)
    rows = _athlete_log(log, athlete)
    columns = ["date", "week_start", "weekday", "category", "session_types", "sessions", "exercises", "back_soreness"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    first = _monday(pd.Series([rows["date"].min()])).iloc[0]
    last = _monday(pd.Series([rows["date"].max()])).iloc[0] + pd.Timedelta(days=6)
    days = pd.DataFrame({"date": pd.date_range(first, last, freq="D")})
    days["week_start"] = _monday(days["date"])
    days["weekday"] = days["date"].dt.day_of_week

    sessions = strength_sessions(rows)
    order = {t: i for i, t in enumerate(SESSION_TYPES)}
    sessions = sessions.assign(_order=sessions["session_type"].map(order)).sort_values(["date", "_order"])
    types_by_day = sessions.groupby("date")["session_type"].agg(list)
    planned_order = list(plan)
    category = types_by_day.map(
        lambda types: " + ".join(t for t in planned_order if t in types) or UNPLANNED_ONLY
    )
    # Exercise names per (day, type), first-seen order, for the hover.
    named = rows[rows["session_type"].notna() & rows["exercise"].notna()]
    names = named.groupby(["date", "session_type"], sort=False)["exercise"].agg(
        lambda s: ", ".join(_escape(n) for n in dict.fromkeys(s))
    )
    lines = sessions.merge(names.rename("names").reset_index(), on=["date", "session_type"], how="left")
    lines["line"] = "<b>" + lines["session_type"] + "</b>: " + lines["names"].fillna("(no exercise named)")
    exercise_text = lines.groupby("date", sort=False)["line"].agg("<br>".join)
    soreness = rows.loc[rows["back_soreness"].notna()].groupby("date")["back_soreness"].mean()

    days["category"] = days["date"].map(category).fillna(NO_SESSION)
    days["session_types"] = days["date"].map(types_by_day.map(", ".join)).fillna("")
    days["sessions"] = days["date"].map(types_by_day.map(len)).fillna(0).astype("int64")
    days["exercises"] = days["date"].map(exercise_text).fillna("")
    days["back_soreness"] = days["date"].map(soreness).astype(float)
    return days[columns]


def _category_order(categories: set[str], plan: Mapping[str, int]) -> list[str]:
    """No session first, then the plan's single types in plan order, combinations, unplanned work only."""
    planned = list(plan)

    def key(cat: str) -> tuple:
        if cat == NO_SESSION:
            return (0,)
        if cat == UNPLANNED_ONLY:
            return (3,)
        parts = cat.split(" + ")
        return (1 if len(parts) == 1 else 2, len(parts), [planned.index(p) for p in parts])

    return sorted(categories, key=key)


def _category_colours(categories: list[str]) -> dict[str, str]:
    """A colour for every calendar category: a single type keeps its session colour; combinations get their own."""
    colours: dict[str, str] = {}
    combined = iter(_COMBINED_COLOURS * 6)  # a 5-type plan has 26 combinations
    for cat in categories:
        if cat == NO_SESSION:
            colours[cat] = _NO_SESSION_COLOUR
        elif cat == UNPLANNED_ONLY:
            colours[cat] = _UNPLANNED_COLOUR
        elif cat in SESSION_COLOURS:
            colours[cat] = SESSION_COLOURS[cat]
        else:
            colours[cat] = next(combined)
    return colours


def calendar_heatmap(log: pd.DataFrame, athlete: str, plan: Mapping[str, int] | None = None) -> go.Figure:
    """GitHub-style calendar of strength sessions: weeks (Mondays) on x, weekdays on y, one cell per day.

    A cell's colour is the day's category from :func:`calendar_days`: which of the plan's session types were
    done (core, hip, or "core + hip" for both), "unplanned work only" (e.g. only mobility or gym work) or
    "no session". Hover: the date, every session type with the day's exercises, and the back soreness
    reported (0-10). Cells with a session = the athlete's distinct session days.
    """
    plan = validate_plan(plan)
    days = calendar_days(log, athlete, plan)
    if days.empty:
        return empty_figure(f"No strength-log entries for {_escape(athlete)}.")
    # The legend reads: no session, core, hip, core + hip, unplanned work only.
    categories = _category_order(set(days["category"]) | {NO_SESSION}, plan)
    colours = _category_colours(categories)
    code = {c: i for i, c in enumerate(categories)}
    days = days.assign(code=days["category"].map(code).astype(float))
    sore = days["back_soreness"].map(lambda v: "" if np.isnan(v) else f"<br>Back soreness: {v:.1f} (0-10)")
    days["hover"] = (
        "<b>" + days["date"].dt.strftime("%a %Y-%m-%d") + "</b><br>"
        + np.where(days["sessions"] > 0, days["exercises"], "No strength session") + sore
    )
    z = days.pivot(index="weekday", columns="week_start", values="code").reindex(range(7))
    text = days.pivot(index="weekday", columns="week_start", values="hover").reindex(range(7))
    n = len(categories)
    # A stepwise colourscale: code i fills the band [i/n, (i+1)/n], so every category is one flat colour.
    scale = []
    for i, cat in enumerate(categories):
        scale += [[i / n, colours[cat]], [(i + 1) / n, colours[cat]]]
    fig = go.Figure(go.Heatmap(
        z=z.to_numpy(), x=list(z.columns), y=list(WEEKDAYS), text=text.to_numpy(),
        hovertemplate="%{text}<extra></extra>", colorscale=scale, zmin=-0.5, zmax=n - 0.5,
        showscale=False, xgap=3, ygap=3, name="days",
    ))
    # Heatmaps have no legend: one legend-only marker per category says what each colour means.
    for cat in categories:
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=cat, showlegend=True, hoverinfo="skip",
            marker=dict(symbol="square", size=12, color=colours[cat], line=dict(width=1, color="#999999")),
        ))
    base_layout(fig, height=260)
    fig.update_layout(hovermode="closest", plot_bgcolor="white")
    fig.update_xaxes(title="Week starting (Monday)", type="date", showgrid=False, **week_ticks(z.columns))
    fig.update_yaxes(title="Weekday", autorange="reversed", showgrid=False)
    return fig


# --- adherence -------------------------------------------------------------------------------------


def _athlete_weeks(weekly: pd.DataFrame, athlete: str) -> pd.DataFrame:
    return weekly[weekly["athlete"] == athlete].sort_values("week_start").reset_index(drop=True)


def _plan_text(plan: Mapping[str, int]) -> str:
    return " + ".join(f"{n} {t}" for t, n in plan.items())


def adherence_figure(
    weekly: pd.DataFrame, athlete: str, plan: Mapping[str, int] | None = None, colour: str = "#444444"
) -> go.Figure:
    """Plan adherence per week (bars, % of plan) with the 4-week consistency (line) and the 100 % target.

    ``weekly``: :func:`analysis.consistency.weekly_table` (any athletes; this one's rows are used).
    Adherence = mean over the plan's types of min(done, planned) / planned (DESIGN.md §5), shown × 100.
    Hover: the week's dates, adherence, consistency and done/planned per type.
    """
    plan = validate_plan(plan if plan is not None else weekly.attrs.get("plan", DEFAULT_PLAN))
    weeks = _athlete_weeks(weekly, athlete)
    weeks = weeks[weeks["adherence"].notna()]
    if weeks.empty:
        return empty_figure(f"No strength log for {_escape(athlete)} in these weeks.")
    done = pd.Series("", index=weeks.index)
    for t, n in plan.items():
        count = weeks[f"{t}_sessions"].astype("float64")
        done = done + f"<br>{t}: " + count.map("{:.0f}".format) + f" of {n}"
    custom = np.column_stack([_week_text(weeks["week_start"]), done.to_numpy()])
    adherence_title = label("adherence")
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=weeks["week_start"], y=weeks["adherence"] * 100, name="Plan adherence (week)", marker_color=colour,
        customdata=custom, xperiod=7 * 86_400_000, xperiodalignment="start",
        hovertemplate="Week %{customdata[0]}<br>Adherence: %{y:.0f} % of plan%{customdata[1]}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=weeks["week_start"], y=weeks["consistency_4wk"] * 100, name="4-week consistency", mode="lines+markers",
        line=dict(color="#333333", width=2, dash="dot"), customdata=custom,
        hovertemplate="Week %{customdata[0]}<br>4-week consistency: %{y:.0f} % of plan<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=weeks["week_start"], y=np.full(len(weeks), 100.0), name=f"Plan target: {_plan_text(plan)} a week",
        mode="lines", line=dict(color="#2CA02C", width=2, dash="dash"),
        hovertemplate="Plan target: 100 % of plan<extra></extra>",
    ))
    base_layout(fig, height=320)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title="Week starting (Monday)", **week_ticks(weeks["week_start"], most=7))  # half width
    fig.update_yaxes(title=adherence_title.axis_title, range=[0, 105])
    return fig


# --- soreness --------------------------------------------------------------------------------------


def soreness_days(log: pd.DataFrame, athlete: str) -> pd.DataFrame:
    """date, back_soreness (the day's mean report, 0-10), reports (how many that day): days with a report."""
    rows = _athlete_log(log, athlete)
    rows = rows[rows["back_soreness"].notna()]
    return (rows.groupby("date")["back_soreness"].agg(["mean", "size"])
            .rename(columns={"mean": "back_soreness", "size": "reports"}).reset_index())


def soreness_figure(log: pd.DataFrame, weekly: pd.DataFrame, athlete: str, colour: str = "#444444") -> go.Figure:
    """Back soreness over time, 0-10: one point per day with a report, and the weekly mean as a line.

    The daily value is the mean of that day's reports; the weekly mean is the weekly table's ``back_soreness``
    (each day's reports averaged first, so every day weighs the same), drawn mid-week (Thursday).
    """
    daily = soreness_days(log, athlete)
    if daily.empty:
        return empty_figure(f"No back soreness reported by {_escape(athlete)} in these dates.")
    weeks = _athlete_weeks(weekly, athlete)
    weeks = weeks[weeks["back_soreness"].notna()]
    title = label("back_soreness")
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=daily["date"], y=daily["back_soreness"], mode="markers", name="Daily report",
        marker=dict(color=colour, size=8, opacity=0.75, line=dict(width=1, color="#555555")),
        customdata=np.column_stack([daily["date"].dt.strftime("%a %Y-%m-%d"), daily["reports"]]),
        hovertemplate="%{customdata[0]}<br>Back soreness: %{y:.1f} (0-10), %{customdata[1]} report(s)"
                      "<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=weeks["week_start"] + pd.Timedelta(days=3), y=weeks["back_soreness"], mode="lines",
        name="Weekly mean", line=dict(color="#333333", width=2, shape="spline", smoothing=0.3),
        customdata=np.column_stack([_week_text(weeks["week_start"]), weeks["soreness_days"].astype("float64")]),
        hovertemplate="Week %{customdata[0]}<br>Mean back soreness: %{y:.1f} (0-10) over %{customdata[1]:.0f} "
                      "day(s)<extra></extra>",
    ))
    base_layout(fig, height=300)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title="Date (local)", **week_ticks(_monday(daily["date"]), most=7))  # half width
    fig.update_yaxes(title=title.axis_title, range=[-0.3, 10.3], dtick=2)
    return fig


# --- exercise mix and unrecognised names ---------------------------------------------------------


def exercise_mix(log: pd.DataFrame, athlete: str) -> pd.DataFrame:
    """Per (exercise, session type): ``days`` logged, ``sets`` (a row without a set count is one set) and
    ``entries`` (rows of the log), sorted by days then sets, most first. Soreness-only rows are left out."""
    rows = _athlete_log(log, athlete)
    rows = rows[rows["exercise"].notna() & rows["session_type"].notna()]
    columns = ["exercise", "session_type", "days", "sets", "entries"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = rows.assign(_sets=pd.to_numeric(rows["sets"], errors="coerce").fillna(1.0))
    mix = rows.groupby(["exercise", "session_type"], as_index=False).agg(
        days=("date", "nunique"), sets=("_sets", "sum"), entries=("date", "size"))
    return mix.sort_values(["days", "sets", "exercise"], ascending=[False, False, True]).reset_index(drop=True)[columns]


def exercise_mix_figure(log: pd.DataFrame, athlete: str, measure: str = "days") -> go.Figure:
    """Horizontal bars per exercise, coloured by session type: ``measure`` "days" (days logged) or "sets"."""
    if measure not in ("days", "sets"):
        raise ValueError(f"measure must be 'days' or 'sets', got {measure!r}")
    mix = exercise_mix(log, athlete)
    if mix.empty:
        return empty_figure(f"No exercises logged by {_escape(athlete)} in these dates.")
    mix = mix.sort_values([measure, "exercise"], ascending=[True, False])  # largest at the top of the chart
    title = label("exercise_days" if measure == "days" else "exercise_sets")
    fig = go.Figure()
    for t in SESSION_TYPES:
        part = mix[mix["session_type"] == t]
        if part.empty:
            continue
        fig.add_trace(go.Bar(
            x=part[measure], y=part["exercise"].map(_escape), orientation="h", name=t,
            marker_color=SESSION_COLOURS[t],
            customdata=np.column_stack([part["days"], part["sets"], part["entries"]]),
            hovertemplate="%{y} (" + t + ")<br>%{customdata[0]} days, %{customdata[1]:.0f} sets, "
                          "%{customdata[2]} entries<extra></extra>",
        ))
    base_layout(fig, height=max(260, 24 * len(mix) + 90))
    fig.update_layout(hovermode="closest", barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title=title.axis_title)
    fig.update_yaxes(title="Exercise", categoryorder="array", categoryarray=list(mix["exercise"].map(_escape)))
    return fig


def other_exercises(log: pd.DataFrame, athlete: str) -> pd.DataFrame:
    """The athlete's exercises whose session type is ``other``: what the taxonomy did not put in the program.

    Columns: ``exercise`` (as logged), ``days`` (days logged), ``entries`` (rows of the log), ``last_logged``
    (date), ``in_taxonomy`` (True: a known name outside the program, e.g. upper body; False: a name the
    taxonomy does not know). Sorted by days, most first.
    """
    rows = _athlete_log(log, athlete)
    rows = rows[(rows["session_type"] == "other") & rows["exercise"].notna()]
    columns = ["exercise", "days", "entries", "last_logged", "in_taxonomy"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    table = rows.groupby("exercise", as_index=False).agg(
        days=("date", "nunique"), entries=("date", "size"), last_logged=("date", "max"))
    table["in_taxonomy"] = table["exercise"].map(is_recognised_exercise).astype(bool)
    return table.sort_values(["days", "exercise"], ascending=[False, True]).reset_index(drop=True)[columns]
