"""The Run explorer's figures and cards (analysis.charts.run) on real runs: FIT files written by the project's
writer and read back, and the sample club's stored runs. Pure functions: no browser, no streamlit."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from conftest import ADMIN
from fit_fixtures import Stretch, fit_from_records, records_for, run_file

from analysis.charts.run import (
    BLANK,
    DYNAMICS_CARDS,
    FATIGUE_CARDS,
    MAX_PLOT_POINTS,
    SUMMARY_CARDS,
    metric_cards,
    metric_reasons,
    run_map,
    run_panels,
)
from analysis.charts.style import label
from analysis.io import read_activity
from analysis.metrics import FATIGUE_METRICS, run_metrics, run_profile
from analysis.store import Store

# 50 min with climbs and descents (3 % at most: under the 8 % "too steep" limit, over the 10 m "flat" relief),
# slowing and with a falling cadence late: grade-adjusted, eligible, every window mean defined.
HILLY = [
    Stretch(300, 2.8, grade=0.0, interval_s=2),
    Stretch(600, 3.2, grade=0.03, interval_s=2),
    Stretch(600, 3.3, grade=-0.03, interval_s=2),
    Stretch(900, 3.1, cadence_per_leg=84.0, heart_rate_bpm=155, grade=0.02, interval_s=2),
    Stretch(600, 2.9, cadence_per_leg=82.0, heart_rate_bpm=160, grade=-0.02, interval_s=2),
]
DYNAMICS_TITLES = ("Ground contact", "Vertical oscillation", "L/R balance")
BASIC_TITLES = ("Grade-adjusted pace", "Cadence", "Heart rate", "Stride length", "Elevation")
UNITS = {"Grade-adjusted pace": "min/km", "Pace": "min/km", "Cadence": "steps/min", "Heart rate": "bpm",
         "Stride length": "m", "Elevation": "m", "Ground contact": "ms", "Vertical oscillation": "mm",
         "L/R balance": "% left"}


class Run:
    """A run as the page has it: Activity, RunMetrics and run_profile."""

    def __init__(self, data: bytes, name: str = "run.fit"):
        self.activity = read_activity(data, filename=name)
        self.metrics = run_metrics(self.activity)
        self.profile = run_profile(self.activity)
        self.samples = self.activity.samples


@pytest.fixture(scope="module")
def dynamics_run() -> Run:
    return Run(run_file(HILLY, dynamics=True))


@pytest.fixture(scope="module")
def plain_run() -> Run:
    return Run(run_file(HILLY))


def y_axes(fig: go.Figure) -> dict[str, go.layout.YAxis]:
    """Trace axis id ("y", "y2", …) -> layout y axis, top panel first."""
    return {("y" if name == "yaxis" else f"y{name[5:]}"): fig.layout[name]
            for name in sorted((k for k in fig.layout.to_plotly_json() if k.startswith("yaxis")),
                               key=lambda k: int(k[5:] or 1))}


def panel_titles(fig: go.Figure) -> list[str]:
    """Each panel's name (the axis title's first line), top to bottom."""
    return [axis.title.text.split("<br>")[0] for axis in y_axes(fig).values()]


def traces_named(fig: go.Figure, name: str) -> list:
    return [t for t in fig.data if t.name == name]


def elapsed_clock(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def mm_ss(seconds_per_km: float) -> str:
    whole = int(round(seconds_per_km))
    return f"{whole // 60}:{whole % 60:02d}"


# --- panels -------------------------------------------------------------------------------------

def test_panels_with_units_stacked_on_one_shared_distance_axis(dynamics_run):
    fig = run_panels(dynamics_run.profile, dynamics_run.metrics, dynamics_run.samples, colour="#123456")
    assert dynamics_run.metrics.pace_decay_basis == "gap"
    assert panel_titles(fig) == [*BASIC_TITLES, *DYNAMICS_TITLES]
    for axis, title in zip(y_axes(fig).values(), panel_titles(fig), strict=True):
        assert f"({UNITS[title]})" in axis.title.text
    # One x axis for every trace: zooming or hovering one panel moves them all.
    assert {t.xaxis or "x" for t in fig.data} == {"x"}
    assert fig.layout.xaxis.title.text == "Distance (km)"
    assert fig.layout.hovermode == "x unified" and fig.layout.hoversubplots == "axis"
    # Panels are stacked top to bottom without overlapping, and the distance axis sits under the last one.
    domains = [tuple(axis.domain) for axis in y_axes(fig).values()]
    assert all(low < high for low, high in domains)
    assert all(below[1] < above[0] for above, below in zip(domains, domains[1:], strict=False))
    assert fig.layout.xaxis.anchor == list(y_axes(fig))[-1]
    # The athlete's colour on every series of the run.
    assert {t.line.color for t in fig.data if t.hovertemplate and not t.name.startswith("Raw")} == {"#123456"}
    # Every panel plots the profile's (or samples') values at the profile's distances.
    main = {t.yaxis: t for t in fig.data if t.hovertemplate and not t.name.startswith("Raw")}
    np.testing.assert_allclose(main["y"].x, dynamics_run.profile["distance_km"])
    np.testing.assert_allclose(main["y"].y, dynamics_run.profile["gap_pace_s_per_km"], equal_nan=True)
    np.testing.assert_allclose(main["y2"].y, dynamics_run.profile["cadence_spm"], equal_nan=True)
    moving = dynamics_run.profile["moving"].to_numpy()
    expected_stance = np.where(moving, dynamics_run.samples["stance_time_ms"], np.nan)
    np.testing.assert_allclose(main["y6"].y, expected_stance, equal_nan=True)


def test_baseline_and_late_windows_are_shaded_in_every_panel_at_the_metrics_edges(dynamics_run):
    m = dynamics_run.metrics
    fig = run_panels(dynamics_run.profile, m, dynamics_run.samples)
    end = dynamics_run.profile["distance_km"].iloc[-1]
    assert end == pytest.approx(m.distance_km)
    expected = {"Baseline window": (m.warmup_end_km, m.baseline_end_km), "Late window": (m.late_start_km, end)}
    axes = list(y_axes(fig))
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 2 * len(axes)
    for axis in axes:
        in_panel = {s.name: (s.x0, s.x1) for s in rects if s.yref == f"{axis} domain"}
        assert in_panel.keys() == expected.keys()
        for name, (x0, x1) in expected.items():
            assert in_panel[name] == (pytest.approx(x0), pytest.approx(x1))
    # The windows are where the metrics put them: 10-50 % and 75-100 % of moving distance.
    assert m.warmup_end_km == pytest.approx(0.10 * m.moving_distance_km, abs=0.01)
    assert m.late_start_km == pytest.approx(0.75 * m.moving_distance_km, abs=0.01)
    # One legend entry per window, and the windows are named on the top panel.
    assert sorted(s.name for s in rects if s.showlegend) == ["Baseline window", "Late window"]
    assert {a.text for a in fig.layout.annotations} >= {"baseline", "late", "warm-up"}


def test_window_means_are_the_metrics_baseline_and_late_values(dynamics_run):
    m = dynamics_run.metrics
    fig = run_panels(dynamics_run.profile, m, dynamics_run.samples)
    means = traces_named(fig, "Window means")
    by_axis = {}
    for t in means:
        by_axis.setdefault(t.yaxis, []).append((tuple(t.x), t.y[0]))
    end = dynamics_run.profile["distance_km"].iloc[-1]
    for axis, (baseline, late) in {"y": (m.baseline_pace_s_per_km, m.late_pace_s_per_km),
                                   "y2": (m.baseline_cadence_spm, m.late_cadence_spm),
                                   "y4": (m.baseline_stride_length_m, m.late_stride_length_m)}.items():
        (first_x, first_y), (second_x, second_y) = by_axis[axis]
        assert first_x == (pytest.approx(m.warmup_end_km), pytest.approx(m.baseline_end_km))
        assert second_x == (pytest.approx(m.late_start_km), pytest.approx(end))
        assert (first_y, second_y) == (pytest.approx(baseline), pytest.approx(late))
    assert set(by_axis) == {"y", "y2", "y4"}
    assert sum(bool(t.showlegend) for t in means) == 1


def test_pace_axis_is_reversed_with_min_per_km_tick_labels(dynamics_run):
    m = dynamics_run.metrics
    axis = y_axes(run_panels(dynamics_run.profile, m, dynamics_run.samples))["y"]
    slow, fast = axis.range
    assert slow > fast  # faster pace (fewer s/km) is higher on the panel
    assert slow > m.late_pace_s_per_km and fast < m.baseline_pace_s_per_km
    assert len(axis.tickvals) >= 2
    assert list(axis.ticktext) == [mm_ss(v) for v in axis.tickvals]
    assert all(fast <= v <= slow for v in axis.tickvals)


def test_hover_shows_distance_time_and_values_with_units(dynamics_run):
    run = dynamics_run
    fig = run_panels(run.profile, run.metrics, run.samples, utc_offset_s=3600)
    assert fig.layout.xaxis.unifiedhovertitle.text == "%{x:.2f} km"
    hovered = [t for t in fig.data if t.hoverinfo != "skip"]
    titles = dict(zip(y_axes(fig), panel_titles(fig), strict=True))
    for trace in hovered:
        assert f" {UNITS[titles[trace.yaxis]]}" in trace.hovertemplate, trace.name
    gap = traces_named(fig, "Grade-adjusted pace")[0]
    assert "elapsed %{customdata[1]}" in gap.hovertemplate and "local" in gap.hovertemplate
    # customdata: the pace as m:ss, the elapsed time and the local clock time of each sample.
    times = run.profile["time"]
    k = len(times) // 2
    pace, elapsed, clock = gap.customdata[k]
    assert pace == mm_ss(run.profile["gap_pace_s_per_km"].iloc[k])
    assert elapsed == elapsed_clock((times.iloc[k] - times.iloc[0]).total_seconds())
    assert clock == (times.iloc[k] + pd.Timedelta(hours=1)).strftime("%H:%M:%S")
    assert gap.customdata[0][0] == ""  # the first sample has no interval behind it, so no pace
    # Without a UTC offset the clock is UTC and says so.
    utc = traces_named(run_panels(run.profile, run.metrics, run.samples), "Grade-adjusted pace")[0]
    assert "UTC" in utc.hovertemplate and utc.customdata[k][2] == times.iloc[k].strftime("%H:%M:%S")


def test_dynamics_panels_and_cards_only_when_the_file_has_running_dynamics(dynamics_run, plain_run):
    without = run_panels(plain_run.profile, plain_run.metrics, plain_run.samples)
    assert panel_titles(without) == list(BASIC_TITLES)
    with_dynamics = run_panels(dynamics_run.profile, dynamics_run.metrics, dynamics_run.samples)
    assert panel_titles(with_dynamics)[-3:] == list(DYNAMICS_TITLES)
    # Without the samples frame there is nothing to read running dynamics from.
    assert panel_titles(run_panels(dynamics_run.profile, dynamics_run.metrics)) == list(BASIC_TITLES)
    _, fatigue = metric_cards(plain_run.metrics, dynamics=False)
    assert [c.metric for c in fatigue] == list(FATIGUE_CARDS)
    _, fatigue = metric_cards(dynamics_run.metrics, dynamics=True)
    assert [c.metric for c in fatigue] == list(FATIGUE_CARDS + DYNAMICS_CARDS)


def test_panels_without_data_are_left_out_and_a_flat_run_plots_plain_pace():
    flat = Run(run_file([Stretch(2400, 3.0, heart_rate_bpm=None, interval_s=2)], altitude_m=None))
    assert flat.metrics.pace_decay_basis == "pace"
    fig = run_panels(flat.profile, flat.metrics, flat.samples)
    assert panel_titles(fig) == ["Pace", "Cadence", "Stride length"]  # no heart rate, no altitude
    assert not traces_named(fig, "Raw pace (not grade-adjusted)")  # it would be the same line
    no_cadence = Run(run_file([Stretch(2400, 3.0, cadence_per_leg=None, interval_s=2)]))
    assert "Cadence" not in panel_titles(run_panels(no_cadence.profile, no_cadence.metrics, no_cadence.samples))


def test_a_run_without_windows_is_plotted_without_shading():
    short = Run(run_file([Stretch(1200, 3.0, interval_s=2)]))
    assert not short.metrics.eligible and math.isnan(short.metrics.late_start_km)
    fig = run_panels(short.profile, short.metrics, short.samples)
    assert panel_titles(fig)[:2] == ["Pace", "Cadence"]
    assert not fig.layout.shapes and not traces_named(fig, "Window means")


def test_a_run_with_nothing_to_plot_says_so(plain_run):
    fig = run_panels(plain_run.profile.iloc[:1], plain_run.metrics)
    assert not fig.data and "no pace" in fig.layout.annotations[0].text


def test_very_long_runs_are_thinned_for_drawing_only(dynamics_run):
    run = dynamics_run
    n = len(run.profile)
    full = run_panels(run.profile, run.metrics, run.samples)
    assert n < MAX_PLOT_POINTS and len(full.data[0].x) == n
    thin = run_panels(run.profile, run.metrics, run.samples, max_points=200)
    plotted = thin.data[0].x
    assert len(plotted) <= 201 and plotted[-1] == pytest.approx(run.profile["distance_km"].iloc[-1])
    # The shading still comes from the metrics, not from the thinned points.
    assert [(s.x0, s.x1) for s in thin.layout.shapes] == [(s.x0, s.x1) for s in full.layout.shapes]


# --- map -----------------------------------------------------------------------------------------

def test_map_draws_the_route_with_start_finish_and_windows(dynamics_run):
    run = dynamics_run
    # Radius 0: the whole route (the privacy radius's hiding is tested in tests/test_privacy.py).
    fig = run_map(run.samples, run.metrics, profile=run.profile, colour="#123456", privacy_radius_m=0)
    assert fig is not None and all(isinstance(t, go.Scattermap) for t in fig.data)
    route = traces_named(fig, "Route")[0]
    np.testing.assert_allclose(route.lat, run.samples["lat_deg"])
    np.testing.assert_allclose(route.lon, run.samples["lon_deg"])
    assert route.line.color == "#123456" and "km" in route.hovertemplate
    start, finish = traces_named(fig, "Start")[0], traces_named(fig, "Finish")[0]
    assert (start.lat[0], start.lon[0]) == (run.samples["lat_deg"].iloc[0], run.samples["lon_deg"].iloc[0])
    assert (finish.lat[0], finish.lon[0]) == (run.samples["lat_deg"].iloc[-1], run.samples["lon_deg"].iloc[-1])
    m = run.metrics
    distance = run.profile["distance_km"].to_numpy()
    for name, (low, high) in {"Baseline window": (m.warmup_end_km, m.baseline_end_km),
                              "Late window": (m.late_start_km, distance[-1])}.items():
        marked = np.isfinite(np.asarray(traces_named(fig, name)[0].lat, dtype=float))
        assert marked.any()
        np.testing.assert_array_equal(marked, (distance >= low) & (distance <= high))
    # The view is centred on the route.
    assert fig.layout.map.center.lat == pytest.approx(
        (run.samples["lat_deg"].min() + run.samples["lat_deg"].max()) / 2)


def test_map_zooms_out_for_a_longer_route():
    short = Run(run_file([Stretch(600, 3.0, interval_s=2)]))
    long = Run(run_file([Stretch(6000, 3.0, interval_s=5)]))
    zoom = [run_map(r.samples, r.metrics).layout.map.zoom for r in (short, long)]
    assert zoom[1] < zoom[0]
    # Heading due north 18 km: the route's latitude span must fit the 420 px map at that zoom
    # (MapLibre: 512 px per 360° of longitude at zoom 0, 1/cos(lat) more per degree of latitude).
    lat = long.samples["lat_deg"]
    pixels = (lat.max() - lat.min()) / math.cos(math.radians(lat.mean())) * 512 * 2 ** zoom[1] / 360
    assert 150 < pixels <= 420


def test_no_map_without_positions():
    records = records_for([Stretch(2400, 3.0, interval_s=2)])
    for r in records:
        del r["position_lat"], r["position_long"]
    treadmill = Run(fit_from_records(records))
    assert treadmill.samples["lat_deg"].isna().all() and treadmill.metrics.eligible
    assert run_map(treadmill.samples, treadmill.metrics) is None
    assert panel_titles(run_panels(treadmill.profile, treadmill.metrics, treadmill.samples))[:2] == ["Pace", "Cadence"]


# --- cards -------------------------------------------------------------------------------------

def test_cards_show_the_metrics_with_units_and_meanings(dynamics_run):
    m = dynamics_run.metrics
    summary, fatigue = metric_cards(m, dynamics=True)
    assert [c.metric for c in summary] == list(SUMMARY_CARDS)
    cards = {c.metric: c for c in summary + fatigue}
    assert cards["distance_km"].value == f"{m.distance_km:.2f}"
    assert cards["moving_time_s"].value == elapsed_clock(m.moving_time_s)
    assert cards["moving_time_s"].label == "Moving time (h:mm:ss)"
    assert cards["avg_pace_s_per_km"].value == mm_ss(m.avg_pace_s_per_km)
    assert cards["avg_heart_rate_bpm"].value == f"{m.avg_heart_rate_bpm:.0f}"
    assert cards["pace_decay_pct"].value == f"{m.pace_decay_pct:+.1f}"
    assert cards["cadence_drift_spm"].value == f"{m.cadence_drift_spm:+.1f}"
    assert cards["stance_time_balance_drift_pct"].value == f"{m.stance_time_balance_drift_pct:+.2f}"
    for card in summary + fatigue:
        if card.metric != "moving_time_s":
            assert card.label == label(card.metric).axis_title and "(" in card.label
        assert card.help.startswith(label(card.metric).meaning) and not card.reason
    # The pace-decay card says which paces it compared.
    assert mm_ss(m.baseline_pace_s_per_km) in cards["pace_decay_pct"].help
    assert mm_ss(m.late_pace_s_per_km) in cards["pace_decay_pct"].help


def test_blank_metrics_show_a_dash_and_the_reason_in_words():
    no_cadence = Run(run_file([Stretch(2400, 3.0, cadence_per_leg=None, interval_s=2)]))
    _, fatigue = metric_cards(no_cadence.metrics, dynamics=False)
    cards = {c.metric: c for c in fatigue}
    assert cards["cadence_drift_spm"].value == BLANK == cards["stride_length_drift_pct"].value
    assert cards["cadence_drift_spm"].reason == "no cadence recorded"
    assert cards["pace_decay_pct"].value != BLANK and not cards["pace_decay_pct"].reason
    short = Run(run_file([Stretch(1200, 3.0, interval_s=2)]))
    summary, fatigue = metric_cards(short.metrics, dynamics=False)
    assert all(c.value == BLANK and c.reason == short.metrics.ineligible_reason for c in fatigue)
    assert "30 min" in short.metrics.ineligible_reason
    assert all(c.value != BLANK for c in summary if c.metric != "elevation_gain_m")


def test_reasons_that_contain_semicolons_stay_whole():
    steep = Run(run_file([Stretch(2400, 3.0, interval_s=2), Stretch(1200, 1.4, grade=0.15, interval_s=2)]))
    reason = steep.metrics.ineligible_reason
    assert "; " in reason  # "too steep to compare: …; pace and cadence there reflect the terrain"
    assert metric_reasons(steep.metrics) == dict.fromkeys(FATIGUE_METRICS, reason)
    plain = Run(run_file(HILLY))
    assert metric_reasons(plain.metrics) == {
        "stance_time_drift_ms": "no running dynamics recorded",
        "vertical_oscillation_drift_mm": "no running dynamics recorded",
        "stance_time_balance_drift_pct": "no running dynamics recorded",
    }


# --- the sample club ---------------------------------------------------------------------------

def test_sample_club_runs_chart_the_stored_windows(store_copy):
    """FIT and GPX runs of every sample athlete: shading at the stored metrics' edges, dynamics only for Ana."""
    with Store(store_copy) as store:
        runs = store.runs(ADMIN)
        picked = pd.concat([runs[runs["athlete"] == a].iloc[[0, -1]] for a in runs["athlete"].unique()]
                           + [runs[runs["source_format"] == "gpx"].iloc[[0]]])
        for row in picked.itertuples():
            activity = store.activity(ADMIN, row.run_id)
            profile = run_profile(activity, store.metric_settings(ADMIN))
            fig = run_panels(profile, row._asdict(), activity.samples, utc_offset_s=activity.utc_offset_s)
            titles = panel_titles(fig)
            has_dynamics = activity.samples["stance_time_ms"].notna().any()
            assert (titles[-3:] == list(DYNAMICS_TITLES)) == has_dynamics, row.file_name
            assert has_dynamics == (row.athlete == "Ana" and row.source_format == "fit")
            if row.eligible:
                edges = sorted({(s.x0, s.x1) for s in fig.layout.shapes})
                assert edges == [(pytest.approx(row.warmup_end_km), pytest.approx(row.baseline_end_km)),
                                 (pytest.approx(row.late_start_km), pytest.approx(row.distance_km))]
            assert run_map(activity.samples, row._asdict(), profile=profile) is not None


# --- how it felt -----------------------------------------------------------------------------------


def test_how_it_felt_says_effort_feel_and_where_they_came_from():
    from analysis.charts.run import how_it_felt

    watch = pd.Series({"run_id": "a", "perceived_effort": 7.0, "feel": 75.0, "effort_source": "watch"})
    assert how_it_felt(watch) == ("**Perceived effort:** 7.0 / 10 (Borg CR10) — very strong · "
                                  "**Feel:** 75 / 100 — strong · from the watch")
    check_in = {"perceived_effort": 6.0, "feel": float("nan"), "effort_source": "check-in"}
    assert how_it_felt(check_in) == ("**Perceived effort:** 6.0 / 10 (Borg CR10) — between strong (heavy) and very "
                                     "strong · **Feel:** not reported · from a check-in")
    only_feel = pd.Series({"perceived_effort": np.nan, "feel": 40.0, "effort_source": None})
    assert how_it_felt(only_feel) == "**Perceived effort:** not reported · **Feel:** 40 / 100 — normal"
    silent = pd.Series({"perceived_effort": np.nan, "feel": np.nan, "effort_source": None})
    assert how_it_felt(silent) == "**Perceived effort and feel:** not reported"
    assert how_it_felt(pd.Series({"run_id": "b", "distance_km": 10.0})) is None  # a store without the columns
    assert "not shown" in how_it_felt({"perceived_effort": 12.0, "feel": 50.0})
