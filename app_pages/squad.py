"""Squad (the coach's page): every athlete side by side, and whether the squad as a whole shows the link.

Thin: reads through pages._shared, computes with analysis.squad, draws with analysis.charts.squad.
"""

from __future__ import annotations

import math

import streamlit as st

from analysis.access import Viewer
from analysis.charts.squad import (
    ROLLING_RUNS,
    adherence_heatmap,
    correlation_forest,
    fade_small_multiples,
    marker_label,
    weekly_km_lines,
)
from analysis.charts.style import label
from analysis.power import power_sentence
from analysis.squad import (
    CONSISTENCY_COLUMN,
    DEFAULT_METRIC,
    DEFAULT_UNIT,
    SQUAD_COLUMNS,
    SQUAD_METRICS,
    UNITS,
    load_correlation,
    running_weeks,
    squad_correlation,
    squad_table,
)
from analysis.stats import DEFAULT_MIN_EFFECTIVE_N, DEFAULT_MIN_N
from app_pages import _shared
from app_pages._shared import md

CONSISTENCY_PAGE = "app_pages/consistency.py"
STRENGTH_PAGE = "app_pages/strength_log.py"
RUN_PAGE = "app_pages/run_explorer.py"
METRIC_KEY = "squad_metric"
UNIT_KEY = "squad_unit"
OPEN_KEY = "squad_open_athlete"
TABLE_KEY = "squad_table"
UNIT_TEXT = {
    "runs": "Per run (consistency of the 28 days before it)",
    "weeks": "Per week (consistency of the 4 weeks before)",
}
SHOWN = ["athlete", "runs", "weeks", "adherence_pct", "weekly_km", "pace_decay_pct", "cadence_drift_spm",
         "decoupling_pct", "soreness_trend_per_4wk", "soreness_latest_4wk", "rho", "rho_ci_low", "rho_ci_high",
         "rho_p_holm", "rho_n", "rho_n_effective", "rho_message"]
NUMBER_FORMATS = {
    "runs": "%d", "weeks": "%d", "weekly_km": "%.1f", "pace_decay_pct": "%+.1f", "cadence_drift_spm": "%+.1f",
    "decoupling_pct": "%+.1f", "soreness_trend_per_4wk": "%+.2f", "soreness_latest_4wk": "%.1f",
    "rho": "%+.2f", "rho_ci_low": "%+.2f", "rho_ci_high": "%+.2f", "rho_n": "%d", "rho_p_holm": "%.2f",
    "rho_n_effective": "%.0f",
}


@st.cache_data(show_spinner=False, max_entries=16)
def squad_view(path: str, version: int, viewer: Viewer, dates: tuple | None, metric: str, unit: str) -> dict:
    """Everything the page computes and draws for one store version, date range, marker and unit.

    Cached: the row-selection, the open buttons and every other widget rerun the whole script, and a 30-athlete
    club's figures take a few hundred ms to build. ``dates`` is the sidebar's range that ``_shared.weekly()``
    and ``_shared.runs()`` filter on: it is part of the key so a cached view never serves another range.
    """
    names = list(_shared.athletes()["athlete"])
    colours = _shared.colours()
    weekly, runs, history = _shared.weekly(), _shared.runs(), _shared.weekly_all_dates()
    table = squad_table(weekly, runs, athletes=names, metric=metric, unit=unit, history=history)
    squad = squad_correlation(weekly, runs, metric=metric, unit=unit, history=history)
    span = running_weeks(weekly)
    return {
        "table": table,
        "empty": weekly.empty and runs.empty,
        "squad": squad,
        "load": load_correlation(weekly),
        "squad_km": float(span["distance_km"].median()) if len(span) else math.nan,
        "forest": correlation_forest(table, squad, colours, metric=metric),
        "weekly_km": weekly_km_lines(weekly, colours),
        "heatmap": adherence_heatmap(weekly, colours, athletes=names),
        "fade": fade_small_multiples(runs, colours, metric=metric, athletes=names),
    }


def signed(value: float) -> str:
    """+0.12 / −0.59 with a true minus sign, as analysis.stats words them."""
    return f"{value:+.2f}".replace("-", "\u2212")



def column_config(metric: str, unit: str) -> dict:
    spec = SQUAD_METRICS[metric]
    columns = {c.name: c for c in SQUAD_COLUMNS}
    pair = f"consistency vs {spec.title.lower()}, per {unit[:-1]}"
    config = {"athlete": st.column_config.TextColumn("Athlete", pinned=True)}
    for name in SHOWN[1:]:
        col = columns[name]
        title, help_text = col.label, col.help
        if name.startswith("rho"):
            title = {"rho": f"ρ {pair} (−1 to 1)", "rho_ci_low": "ρ 95 % CI low (−1 to 1)",
                     "rho_ci_high": "ρ 95 % CI high (−1 to 1)", "rho_n": f"ρ n ({unit})",
                     "rho_p_holm": "ρ p, Holm-adjusted over athletes (0-1)",
                     "rho_n_effective": f"ρ worth (independent {unit})",
                     "rho_message": "ρ in words"}[name]
        if name == "adherence_pct":
            config[name] = st.column_config.ProgressColumn(title, help=help_text, min_value=0, max_value=100,
                                                           format="%.0f %%")
        elif name == "rho_message":
            config[name] = st.column_config.TextColumn(title, help=help_text, width="large")
        else:
            config[name] = st.column_config.NumberColumn(title, help=help_text, format=NUMBER_FORMATS[name])
    return config


def open_buttons(names: list[str]) -> None:
    """A selectbox and one button per athlete page (the table's row selection does the same in one click)."""
    current = _shared.selected_athlete()
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    chosen = left.selectbox("Athlete to open", names, index=names.index(current) if current in names else 0,
                            key=OPEN_KEY)
    b1, b2, b3 = right.columns(3)
    who = md(chosen)
    if b1.button(f"Open {who}'s consistency page", key="squad_open_consistency", width="stretch"):
        _shared.open_page(CONSISTENCY_PAGE, **{_shared.ATHLETE_KEY: chosen})
    if b2.button(f"Open {who}'s strength log", key="squad_open_strength", width="stretch"):
        _shared.open_page(STRENGTH_PAGE, **{_shared.ATHLETE_KEY: chosen})
    if b3.button(f"Open {who}'s runs", key="squad_open_runs", width="stretch"):
        _shared.open_page(RUN_PAGE, **{_shared.ATHLETE_KEY: chosen})


st.title("Squad")
st.caption(
    "Every athlete side by side over the sidebar's dates: who keeps up core and hip work, who holds form late "
    "in runs, whose back soreness is rising, and whether the squad shows the link between strength consistency "
    "and late-run fade. Associations, not causes."
)

names = list(_shared.athletes()["athlete"])
if not names:
    _shared.no_athletes_yet()

if len(names) == 1:
    _shared.point_to_import(
        f"Comparing athletes needs two or more: this store has only **{md(names[0])}**. Import another "
        "athlete's watch files and strength log to compare them; until then the table and charts show one row.")

c1, c2 = st.columns([1, 1])
metric = c1.selectbox(
    "Fatigue marker", list(SQUAD_METRICS), index=list(SQUAD_METRICS).index(DEFAULT_METRIC), key=METRIC_KEY,
    format_func=lambda m: f"{SQUAD_METRICS[m].title} ({SQUAD_METRICS[m].unit})",
    help="What each athlete's ρ, the squad correlation and the small multiples show.",
)
unit = c2.radio(
    "Pair strength consistency with the marker", UNITS, index=UNITS.index(DEFAULT_UNIT), key=UNIT_KEY,
    format_func=UNIT_TEXT.get, horizontal=True,
    help="Per run: each eligible run against plan adherence over the 28 days before it (more pairs, but runs of "
         "one week share most of that window and the week's tiredness, so they count as fewer independent "
         "pairs: the effective n). Per week: the week's median marker "
         "against the consistency of the four weeks before it (lag 1, as the Consistency page's default), so "
         "strength work logged after a run never counts towards it. Back soreness per run is the day after the run; "
         "perceived effort per run is the run's own, on every run with one (long or not).",
)
spec = SQUAD_METRICS[metric]
pairs_unit = "runs" if unit == "runs" else "athlete-weeks"
view = squad_view(*_shared.cache_key(), _shared.selected_dates(), metric, unit)
table = view["table"]

# --- the table -------------------------------------------------------------------------------------
st.subheader("Athletes")
if view["empty"]:
    st.info("Nothing in the chosen dates: widen the date range in the sidebar.")
event = st.dataframe(
    table[SHOWN], column_config=column_config(metric, unit), hide_index=True, width="stretch",
    on_select="rerun", selection_mode="single-row", key=TABLE_KEY,
)
st.caption(
    f"Click a column header to sort; select a row to open that athlete's Consistency page. ρ is each athlete's "
    f"Spearman correlation of {label(CONSISTENCY_COLUMN[unit]).title.lower()}"
    f"{' (of the four weeks before)' if unit == 'weeks' else ' (before each run)'} with {spec.title.lower()}, with its "
    f"95 % CI and n, with the season trend taken out and p and CI resting on what the pairs are worth as "
    f"independent ones (\"worth\"); blank below {DEFAULT_MIN_N} pairs or {DEFAULT_MIN_EFFECTIVE_N} independent "
    f"pairs' worth (\"not enough data\"). With {len(names)} athletes the table makes {len(names)} tests, so the "
    "**Holm-adjusted p** is the one to read: below 0.05, that athlete's link stands out even after looking at "
    "everyone. Medians are over eligible runs; the soreness trend is the Theil–Sen slope of weekly back soreness "
    "(robust to one bad week)."
)
if event.selection.rows:
    # Row positions refer to `table` as passed, whatever sorting the user applied in the browser.
    _shared.open_page(CONSISTENCY_PAGE, **{_shared.ATHLETE_KEY: str(table["athlete"].iloc[event.selection.rows[0]])})
open_buttons(names)

# --- the squad correlation -------------------------------------------------------------------------
if len(names) >= 2:
    st.subheader("Does the squad show the link?")
    squad, load, squad_km = view["squad"], view["load"], view["squad_km"]
    # two rows of three: a CI such as "−0.71 to −0.20" does not fit a fifth of the page
    m1, m2, m5 = st.columns(3)
    m3, m4, _ = st.columns(3)
    m1.metric("Squad r_rm (−1 to 1)", signed(squad.r) if squad.enough_data else "—",
              help="Repeated-measures correlation (Bakdash & Marusich 2017): each athlete compared with themselves.")
    m2.metric("95 % CI (−1 to 1)",
              f"{signed(squad.ci_low)} to {signed(squad.ci_high)}" if squad.enough_data else "—")
    m3.metric(f"n ({pairs_unit})", squad.n, help="Pairs used.")
    m4.metric(f"Worth (independent {pairs_unit})",
              f"{squad.n_effective:.0f}" if math.isfinite(squad.n_effective) else "—",
              help="What the pairs are worth as independent ones: neighbouring weeks share their consistency "
                   "and a habit lasts; runs of one week share its tiredness. p and the CI rest on this.")
    m5.metric("Squad weekly distance (km, median)", f"{squad_km:.0f}" if math.isfinite(squad_km) else "—",
              help="Median of the athletes' weekly km over their running weeks: training load, a confounder.")
    st.markdown(
        f"**Within athletes, consistency and {spec.title.lower()}: {squad.message}.** "
        + (f"That rests on {squad.n} {pairs_unit}, worth about {squad.n_effective:.0f} independent ones. "
           if squad.enough_data else "")
        + "The repeated-measures correlation gives each athlete their own baseline and their own season trend, so "
        "only changes *within* an athlete from one week to the next count: one athlete logging more sessions "
        "and fading less than another cannot create it, nor can a slow drift through the season. "
        "It is an association, not a cause: weeks of steady strength work may also be weeks of better sleep or "
        "fewer niggles."
    )
    st.markdown(
        f"**Training load:** within athletes, 4-week consistency and weekly km: {load.message}. When strength "
        "work and mileage move together, part of any link with fade may be load's: read the weekly km beside it."
    )
    weeks_each = int(table["weeks"].median()) if len(table) else 0
    st.caption(power_sentence(unit, weeks_each, athletes=len(names)))
    left, right = st.columns([1, 1])
    with left:
        st.plotly_chart(view["forest"], key="squad_forest", width="stretch")
        st.caption("Each athlete's ρ with its 95 % CI (season trend out, on the effective n); the diamond is the "
                   "squad's within-athlete r_rm. A bar that crosses the dotted line is also compatible with no "
                   "association; with several athletes one may miss it by chance (see the Holm-adjusted p).")
    with right:
        st.plotly_chart(view["weekly_km"], key="squad_weekly_km", width="stretch")
        st.caption("Weekly running km from each athlete's first to last run in the dates: training load, shown "
                   "because it moves with strength work and with fatigue.")

# --- the heatmap -----------------------------------------------------------------------------------
st.subheader("Weekly plan adherence")
st.plotly_chart(view["heatmap"], key="squad_heatmap", width="stretch")
st.caption("Share of each week's planned strength sessions done (% of plan). Grey: no value — the athlete "
           "has no strength log, or the week is outside their first-to-last entry.")

# --- small multiples -------------------------------------------------------------------------------
run_label = marker_label(spec.run_column, _shared.get_store().metric_settings(_shared.viewer()))
st.subheader(f"Late-run fade: {spec.title.lower()} per run" if spec.eligible_only else f"{spec.title} per run")
st.plotly_chart(view["fade"], key="squad_fade", width="stretch")
st.caption(f"One panel per athlete, same y axis: each dot is a run, the line the median of the last {ROLLING_RUNS} "
           f"runs. {run_label.axis_title}: {run_label.meaning}")
