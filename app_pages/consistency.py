"""Consistency vs fatigue: does the sidebar athlete's core and hip consistency go with holding form late in runs?

Thin page: data from app_pages._shared (cached on the store's version), pairs and associations from
analysis.pairing, figures from analysis.charts.consistency (pure, tested without a browser), wording from
analysis.stats (association, never cause; n, effective n and the 95 % CI beside every r; "not enough data"
below the minimum n or effective n; "no clear association" when the CI holds 0).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from analysis import pairing
from analysis.access import Viewer
from analysis.charts import consistency as charts
from analysis.charts.squad import marker_label
from analysis.charts.style import setting_words
from analysis.power import power_sentence
from analysis.stats import DEFAULT_LAGS, DEFAULT_MIN_EFFECTIVE_N, DEFAULT_MIN_N
from app_pages import _shared
from app_pages._shared import md

METRIC_KEY = "consistency_metric"
POINTS_KEY = "consistency_points"
LAG_KEY = "consistency_lag"
# Lag 1 by default: the four weeks *before* the outcome week, so strength work logged after a run in the same
# week cannot count towards it (the run table's 28-day window leaves the run's own day out for the same reason).
DEFAULT_LAG = 1
DOCS = Path(__file__).resolve().parent.parent / "docs"
POINT_CHOICES = {
    "week": "Weeks: 4-week consistency, with a lag",
    "run": "Runs: consistency of the 28 days before each run",
}



@st.cache_data(show_spinner=False, max_entries=32)
def lag_grid_view(path: str, version: int, viewer: Viewer, athlete: str, first, last) -> pd.DataFrame:
    """The lag × marker grid (20 associations) for one store version, athlete and date range.

    Cached: every widget on the page reruns the script, and the grid does not depend on the metric or lag chosen.
    """
    return pairing.lag_grid(_shared.weekly_all_dates(), athlete, pairing.FATIGUE_METRICS, DEFAULT_LAGS, first=first,
                            last=last)


def lag_text(lag: int) -> str:
    return "same week" if lag == 0 else f"{lag} week{'s' if lag > 1 else ''} before"


@st.dialog("Definitions", width="large")
def show_guide(name: str) -> None:
    st.markdown((DOCS / name).read_text(encoding="utf-8"))


st.title("Consistency vs fatigue")
athletes = _shared.athletes()
if athletes.empty:
    _shared.no_athletes_yet()
athlete = _shared.selected_athlete()
colour = _shared.colours()[athlete]
st.caption(
    f"For **{md(athlete)}** (change the athlete in the sidebar): do weeks with more of the planned core and hip "
    "work go with holding form late in runs and with less back soreness? The numbers show **association, "
    "not cause**."
)

info = athletes.set_index("athlete").loc[athlete]
if int(info["strength_entries"]) == 0:
    _shared.point_to_import(
        f"{md(athlete)} has no strength log yet, so there is no consistency to compare with the runs. "
        "Import a strength log on the Import page: our CSV (see the README's strength CSV section), or a "
        "Strong or Hevy export.", "Import a strength log")
    st.stop()
if int(info["runs"]) == 0:
    _shared.point_to_import(
        f"{md(athlete)} has a strength log but no runs yet, so there is no late-run fatigue to compare. "
        "Import watch files (FIT, GPX or a zip of an export) on the Import page.", "Import runs")
    st.stop()

weekly = _shared.weekly()
weeks = weekly[weekly["athlete"] == athlete]
if weeks.empty:
    st.info(f"No weeks with data for {md(athlete)} in the sidebar's dates: widen the date range.")
    st.stop()
plan = weekly.attrs.get("plan") or _shared.get_store().plan(_shared.viewer())
settings = _shared.get_store().metric_settings(_shared.viewer())  # the windows and minimum the text quotes
chosen = _shared.selected_dates()
first, last = (pd.Timestamp(chosen[0]), pd.Timestamp(chosen[1])) if chosen else (None, None)

metric = st.radio(
    "Fatigue metric", pairing.FATIGUE_METRICS, key=METRIC_KEY, horizontal=True,
    format_func=lambda m: marker_label(m, settings).axis_title,
    help="Weekly values are the median of the week's eligible runs (back soreness: the mean of the days "
         "with a report; perceived effort: the median of the week's runs with one, long or not). "
         "Definitions: docs/metrics.md.",
)
metric_label = marker_label(metric, settings)
st.caption(f"**{metric_label.title}**: {metric_label.meaning}")

st.subheader("Week by week")
st.plotly_chart(charts.weekly_sessions_figure(weeks, athlete, plan, metric, colour), key="consistency_weekly")
st.caption(
    f"Bars: {' and '.join(plan)} sessions logged each week (a session = a day with that type of work); dashed "
    f"line: the plan; line (right axis): the week's {metric_label.title.lower()}, a gap where the week has "
    "no value. Hover for the week's adherence and 4-week consistency."
)

st.subheader(f"Consistency against {metric_label.title.lower()}")
c1, c2 = st.columns(2)
points = c1.radio("Points", tuple(POINT_CHOICES), key=POINTS_KEY, format_func=POINT_CHOICES.get,
                  help="Weeks are what the lag needs; runs give more points but runs of one week share "
                       "most of their 28 days of strength history, so they are not independent.")
if points == "week":
    lag = c2.select_slider(
        "Lag (weeks)", options=list(DEFAULT_LAGS), value=DEFAULT_LAG, key=LAG_KEY, format_func=lag_text,
        help="Pairs the 4-week consistency of week w − lag with the outcome of week w, counting calendar "
             "weeks (a week without data is a gap). Lag 1 = the four weeks before the outcome week.",
    )
    pairs = pairing.weekly_pairs(_shared.weekly_all_dates(), athlete, metric, lag, first=first, last=last)
    unit, load_name = "weeks", "weekly km"
else:
    lag = 0
    c2.caption("Each run is paired with the share of the plan done in the 28 days before it (its own day "
               "left out); back soreness is the report of the day after the run, perceived effort the run's own "
               "(any run with one, long or not).")
    pairs = pairing.run_pairs(_shared.runs(), athlete, metric)
    unit, load_name = "runs", "run distance"
names = ("consistency", metric_label.title.lower())
corr = pairing.pair_correlations(pairs, unit=unit, names=names, load_name=load_name, min_n=DEFAULT_MIN_N)

left, right = st.columns([3, 2])
with left:
    st.plotly_chart(
        charts.consistency_scatter(pairs, metric, correlation=corr.outcome, colour=colour, point=points, lag=lag),
        key="consistency_scatter",
    )
    st.markdown(f"**Consistency and {metric_label.title.lower()}: {corr.outcome.message}.**")
    if corr.outcome.enough_data:
        st.caption(
            f"Spearman's rank correlation with the season trend taken out (a slow drift in both, such as fitness "
            f"rising through a build, is not a link). Neighbouring {unit} are not independent: "
            + ("neighbouring weeks share three of their four weeks of consistency and a habit lasts, "
               if unit == "weeks" else "runs of one week share its tiredness and most of their 28 days, ")
            + f"so the {corr.outcome.n} {unit} are worth about {max(1, round(corr.outcome.n_effective))} "
            f"independent ones, and the p value and 95 % CI rest on that. Dashed line: the Theil–Sen trend "
            f"(median of pairwise slopes, robust to a freak week). This is an association in {md(athlete)}'s "
            "data, not proof that strength work causes it: read it beside the training load."
        )
    else:
        st.info(
            f"Not enough data for a correlation yet ({corr.outcome.message}): a correlation needs at least "
            f"{DEFAULT_MIN_N} {unit}, worth at least {DEFAULT_MIN_EFFECTIVE_N} independent ones. Keep logging "
            "runs and strength sessions, widen the sidebar's dates, or try another metric."
        )
    st.caption(power_sentence(unit, len(weeks), athletes=1))
with right:
    st.plotly_chart(charts.weekly_km_figure(weeks, athlete, colour), key="consistency_km")
    st.markdown(
        "**Training load beside it.** How much someone runs (weekly km; for single runs, the run's distance) "
        "moves strength work, late-run fade and soreness together, so it can create or hide an association:\n"
        f"- consistency and {load_name}: {corr.load.message}\n"
        f"- {load_name} and {metric_label.title.lower()}: {corr.outcome_load.message}\n"
        f"- consistency and {metric_label.title.lower()} holding {load_name} constant (partial Spearman): "
        f"{corr.partial.message}"
    )

with st.expander("Every lag and every marker at a glance (0-4 weeks)"):
    grid = lag_grid_view(*_shared.cache_key(), athlete, first, last)
    st.plotly_chart(charts.lag_grid_figure(grid), key="consistency_lag_grid")
    cells = int(grid["enough_data"].sum())
    standing = int((grid["p_holm"] < 0.05).sum())
    st.caption(
        f"Each cell is r between the 4-week consistency that many weeks before and the week's marker (season trend "
        f"out, effective n as above). This view makes {len(grid)} comparisons ({cells} with enough data): by chance "
        "alone about one in twenty would look 'significant', so p is **Holm-adjusted across the whole grid** and "
        f"only cells marked * stand out after that ({standing} here). A lag clearly stronger than the others is a "
        "hint worth watching, not proof of a delay."
    )
    rows = grid[grid["metric"] == metric]
    st.plotly_chart(charts.lag_profile_figure(rows, colour, selected=lag if points == "week" else None),
                    key="consistency_lags")
    st.caption(f"{metric_label.title}: r with its 95 % CI at each lag.")

with st.expander("How to read this"):
    st.markdown(
        "- **4-week consistency** = the mean plan adherence of a week and the three before it; **adherence** = "
        "the share of the week's planned core and hip sessions done (extra core does not make up for missing "
        "hip). Plan: " + ", ".join(f"{n} {t}" for t, n in plan.items()) + " sessions a week.\n"
        "- The markers: " + "; ".join(f"**{lab.title}** ({lab.unit}): {lab.meaning.rstrip('.')}"
                                      for lab in (marker_label(m, settings) for m in pairing.FATIGUE_METRICS))
        + ". Weekly values of the run metrics are medians of the week's eligible runs ("
        + setting_words(settings)["min_moving"] + " moving or more).\n"
        "- **r** runs from −1 to +1; the **95 % CI** is the range the data are compatible with (if it spans 0, "
        "no association fits too); **n** is the number of points; **p** how surprising this r would be with no "
        "association. Below " + str(DEFAULT_MIN_N) + " points, or below " + str(DEFAULT_MIN_EFFECTIVE_N)
        + " independent points' worth, the app says *not enough data*.\n"
        "- Neighbouring weeks share three of their four weeks of consistency and runs of one week share its "
        "tiredness, so n points are worth fewer independent ones (*worth about …*): p and the CI are computed "
        "from that effective n, after the season trend is taken out. A CI that holds 0 reads *no clear "
        "association*. Association is not cause: sleep, stress, niggles and training load move these together "
        "too.\n\n"
        "Full definitions: `docs/statistics.md` (statistics) and `docs/metrics.md` (run metrics) in the project."
    )
    g1, g2 = st.columns(2)
    if g1.button("Open the statistics guide (docs/statistics.md)", key="consistency_stats_doc"):
        show_guide("statistics.md")
    if g2.button("Open the metric definitions (docs/metrics.md)", key="consistency_metrics_doc"):
        show_guide("metrics.md")
