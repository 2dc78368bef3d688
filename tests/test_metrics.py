"""Per-run metrics on synthetic runs with hand-computed answers (written by our FIT writer, read back)."""

from __future__ import annotations

import math
import random
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fit_fixtures import START, Stretch, fit_from_records, gpx_from_records, records_for, with_pause
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.io import read_activity
from analysis.io.samples import conform_samples
from analysis.metrics import FATIGUE_METRICS, METRIC_SETTINGS, MetricSettings, RunMetrics, run_metrics, run_profile
from analysis.metrics.grade import grade_factor, minetti_cost

DOCS = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"

# The reference run: 50 min at 3.0 m/s (180 spm, HR 150) then 25 min at 2.5 m/s (168 spm, HR 160).
# records_for writes one record per second; the first record starts the clock, so stretch one has
# 2,999 one-second intervals (8,997 m) and stretch two 1,500 (3,750 m): 12,747 m in 4,499 s.
FAST = Stretch(3000, 3.0, cadence_per_leg=90.0, heart_rate_bpm=150)
SLOW = Stretch(1500, 2.5, cadence_per_leg=84.0, heart_rate_bpm=160)
T1, D1, T2, D2 = 2999.0, 8997.0, 1500.0, 3750.0
M = D1 + D2


def read_records(records, **kwargs):
    return read_activity(fit_from_records(records, **kwargs), filename="synthetic.fit")


def metrics_of(records, **kwargs) -> RunMetrics:
    return run_metrics(read_records(records, **kwargs))


@pytest.fixture(scope="module")
def reference() -> RunMetrics:
    return metrics_of(records_for([FAST, SLOW]))


def test_reference_run_basic_numbers(reference):
    m = reference
    assert m.eligible and m.ineligible_reason == ""
    assert m.distance_km == pytest.approx(M / 1000)
    assert m.moving_distance_km == pytest.approx(M / 1000)
    assert m.moving_time_s == pytest.approx(T1 + T2)
    assert m.elapsed_time_s == pytest.approx(T1 + T2)
    assert m.avg_pace_s_per_km == pytest.approx((T1 + T2) / (M / 1000))
    assert m.avg_heart_rate_bpm == pytest.approx((T1 * 150 + T2 * 160) / (T1 + T2))
    assert m.avg_cadence_spm == pytest.approx((T1 * 180 + T2 * 168) / (T1 + T2))
    assert m.elevation_gain_m == pytest.approx(0.0)


def test_reference_run_fatigue_metrics_by_hand(reference):
    m = reference
    # Baseline (10-50 % of 12,747 m) lies in stretch one, late (75-100 %) in stretch two.
    assert m.pace_decay_basis == "pace"  # constant altitude: a flat run uses raw pace
    assert m.pace_decay_pct == pytest.approx((3.0 / 2.5 - 1) * 100)
    assert m.baseline_pace_s_per_km == pytest.approx(1000 / 3.0)
    assert m.late_pace_s_per_km == pytest.approx(1000 / 2.5)
    assert m.cadence_drift_spm == pytest.approx(168 - 180)
    assert m.cadence_drift_pct == pytest.approx((168 / 180 - 1) * 100)
    assert m.baseline_stride_length_m == pytest.approx(3.0 / 3.0)
    assert m.late_stride_length_m == pytest.approx(2.5 / 2.8)
    assert m.stride_length_drift_pct == pytest.approx((2.5 / 2.8 / 1.0 - 1) * 100)
    # Decoupling: the warm-up ends at 1,274.7 m = 424.9 s; the remaining 4,074.1 s split in halves of
    # 2,037.05 s. Half one is all stretch one; half two is 537.05 s of it plus all of stretch two.
    warmup_s = 0.1 * M / 3.0
    half = (T1 + T2 - warmup_s) / 2
    fast_in_second = T1 - warmup_s - half
    ef1 = 3.0 / 150
    ef2 = ((fast_in_second * 3.0 + T2 * 2.5) / half) / ((fast_in_second * 150 + T2 * 160) / half)
    assert m.decoupling_pct == pytest.approx((ef1 - ef2) / ef1 * 100)
    assert m.decoupling_pct > 0  # heart rate up while pace dropped: efficiency fell
    assert (m.warmup_end_km, m.baseline_end_km, m.late_start_km) == pytest.approx((0.1 * M / 1000, 0.5 * M / 1000,
                                                                                   0.75 * M / 1000))
    for name in ("stance_time_drift_ms", "vertical_oscillation_drift_mm", "stance_time_balance_drift_pct"):
        assert math.isnan(getattr(m, name)) and f"{name}: no running dynamics recorded" in m.notes


def test_cadence_slope_matches_a_least_squares_fit_per_second(reference):
    # Independent check: one cadence value per moving second after the warm-up, fitted with numpy.
    seconds = np.arange(T1 + T2) + 0.5
    cadence = np.where(seconds < T1, 180.0, 168.0)
    after_warmup = seconds > 0.1 * M / 3.0
    slope_per_s = np.polyfit(seconds[after_warmup], cadence[after_warmup], 1)[0]
    assert reference.cadence_slope_spm_per_h == pytest.approx(slope_per_s * 3600, rel=2e-3)
    assert reference.cadence_slope_spm_per_h < 0


def test_running_dynamics_drift_by_hand():
    records = records_for([FAST, SLOW], dynamics=True)
    for r in records[3000:]:  # the slow stretch: longer contact, more bounce, more lopsided
        r.update(stance_time=270.0, vertical_oscillation=90.0, stance_time_balance=47.5)
    m = metrics_of(records)
    assert m.stance_time_drift_ms == pytest.approx(20.0)
    assert m.vertical_oscillation_drift_mm == pytest.approx(5.0)
    assert m.stance_time_balance_drift_pct == pytest.approx(abs(47.5 - 50) - abs(49.5 - 50))


def test_late_climb_at_constant_effort_is_not_pace_decay():
    climb = 0.05
    on_climb = 3.0 / float(grade_factor(climb))  # the same Minetti cost per second as 3.0 m/s on the flat
    stretches = [Stretch(2400, 3.0), Stretch(1200, on_climb, grade=climb)]
    m = metrics_of(records_for(stretches))
    assert m.pace_decay_basis == "gap"
    assert abs(m.pace_decay_pct) < 0.05
    assert m.elevation_gain_m == pytest.approx(climb * 1200 * on_climb, rel=0.01)
    # Without altitude the same run can only be judged on raw pace, and the climb reads as a fade.
    raw = metrics_of(records_for(stretches, altitude_m=None))
    assert raw.pace_decay_basis == "pace" and math.isnan(raw.elevation_gain_m)
    # (FIT stores speed in mm/s and distance in cm, hence the tolerance.)
    assert raw.pace_decay_pct == pytest.approx((float(grade_factor(climb)) - 1) * 100, rel=1e-4)


def test_minetti_polynomial_by_hand():
    assert minetti_cost(0.0) == pytest.approx(3.6)
    i = 0.1
    assert minetti_cost(i) == pytest.approx(155.4e-5 - 30.4e-4 - 43.3e-3 + 46.3e-2 + 19.5e-1 + 3.6)
    assert minetti_cost(0.6) == pytest.approx(minetti_cost(0.45))  # clamped to the fitted range
    assert minetti_cost(-0.6) == pytest.approx(minetti_cost(-0.45))
    assert grade_factor(0.0) == pytest.approx(1.0)
    assert grade_factor(-0.1) < 1.0 < grade_factor(0.1)


# --- invariances -------------------------------------------------------------------------------

COMPARED = FATIGUE_METRICS + ("distance_km", "moving_time_s", "moving_distance_km", "avg_pace_s_per_km",
                              "avg_heart_rate_bpm", "avg_cadence_spm", "warmup_end_km", "late_start_km")


def assert_same_metrics(a: RunMetrics, b: RunMetrics, *, abs_tol: float = 1e-6):
    for name in COMPARED:
        x, y = getattr(a, name), getattr(b, name)
        if math.isnan(x):
            assert math.isnan(y), name
        else:
            assert y == pytest.approx(x, abs=abs_tol), name
    assert a.pace_decay_basis == b.pace_decay_basis


@pytest.mark.parametrize("after", [200, 1500, 2999, 3500, 4300])
def test_a_timer_pause_anywhere_changes_no_metric(reference, after):
    records, stop = with_pause(records_for([FAST, SLOW]), after, 300)
    paused = read_records(records, timer_stops=[stop])
    assert paused.pauses == 1
    m = run_metrics(paused)
    assert_same_metrics(reference, m)
    assert m.elapsed_time_s == pytest.approx(reference.elapsed_time_s + 300)


@pytest.mark.parametrize("after", [700, 4000])
def test_a_gap_without_timer_events_is_a_pause_too(reference, after):
    records, _ = with_pause(records_for([FAST, SLOW]), after, 120)
    assert_same_metrics(reference, metrics_of(records))


@pytest.mark.parametrize("split", [(1000, 2000), (2999, 1), (500, 1000)])
def test_standing_still_with_the_timer_running_changes_no_metric(reference, split):
    first, second = split
    standing = Stretch(90, 0.0, cadence_per_leg=0.0, heart_rate_bpm=118)
    stretches = [Stretch(first, 3.0, 90.0, 150), standing, Stretch(int(T1) + 1 - first, 3.0, 90.0, 150), SLOW]
    if second == 1:  # stop at the boundary of the two stretches instead
        stretches = [FAST, standing, SLOW]
    m = metrics_of(records_for(stretches))
    assert_same_metrics(reference, m)
    assert m.elapsed_time_s == pytest.approx(reference.elapsed_time_s + 90)


def smart_recording(records: list[dict], seed: int) -> list[dict]:
    """Keep samples 1-6 s apart, as Garmin's smart recording does (first and last kept)."""
    rng = random.Random(seed)
    kept, i = [records[0]], 0
    while i < len(records) - 1:
        i = min(i + rng.randint(1, 6), len(records) - 1)
        kept.append(records[i])
    return kept


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recording_every_one_to_six_seconds_changes_nothing_beyond_rounding(reference, seed):
    sparse = smart_recording(records_for([FAST, SLOW]), seed)
    activity = read_records(sparse)
    assert activity.sample_interval_s > 2
    m = run_metrics(activity)
    for name, tol in [("pace_decay_pct", 0.05), ("cadence_drift_spm", 0.05), ("cadence_drift_pct", 0.05),
                      ("stride_length_drift_pct", 0.05), ("decoupling_pct", 0.05), ("moving_time_s", 1e-6),
                      ("distance_km", 1e-9), ("cadence_slope_spm_per_h", 0.1)]:
        assert getattr(m, name) == pytest.approx(getattr(reference, name), abs=tol), name


def test_fit_and_gpx_of_the_same_run_agree():
    records = records_for([Stretch(2400, 3.2, grade=0.01), Stretch(600, 3.0, grade=-0.02),
                           Stretch(900, 2.8, 84.0, 158, grade=0.03)])
    fit = run_metrics(read_records(records))
    gpx_activity = read_activity(gpx_from_records(records), filename="synthetic.gpx")
    assert gpx_activity.source_format == "gpx"
    gpx = run_metrics(gpx_activity)
    assert fit.pace_decay_basis == gpx.pace_decay_basis == "gap"
    for name in COMPARED + ("elevation_gain_m",):
        assert getattr(gpx, name) == pytest.approx(getattr(fit, name), rel=1e-3, abs=0.01, nan_ok=True), name


# --- eligibility --------------------------------------------------------------------------------

def test_a_short_run_gets_no_fatigue_metrics_but_keeps_its_basics():
    m = metrics_of(records_for([Stretch(1200, 3.0)]))
    assert not m.eligible
    assert "20 min moving" in m.ineligible_reason and "30 min" in m.ineligible_reason
    assert all(math.isnan(getattr(m, name)) for name in FATIGUE_METRICS)
    assert m.distance_km == pytest.approx(1199 * 3.0 / 1000)
    assert m.avg_cadence_spm == pytest.approx(171.0)


def test_a_ride_is_not_a_run():
    m = metrics_of(records_for([FAST, SLOW]), sport="cycling")
    assert not m.eligible and m.ineligible_reason == "not a run (sport: cycling)"
    assert math.isnan(m.pace_decay_pct) and m.pace_decay_basis == ""


def test_missing_heart_rate_blanks_decoupling_only():
    m = metrics_of(records_for([Stretch(3000, 3.0, heart_rate_bpm=None), Stretch(1500, 2.5, heart_rate_bpm=None)]))
    assert m.eligible and math.isnan(m.decoupling_pct)
    assert "decoupling_pct: no heart rate recorded" in m.notes
    assert m.pace_decay_pct == pytest.approx(20.0)


def test_cadence_under_the_coverage_threshold_is_blank_with_a_reason():
    # The late window is 3,187 m; cadence drops out for its last 30 % (~382 s of 1,275 s).
    stretches = [FAST, Stretch(1100, 2.5, 84.0, 160), Stretch(400, 2.5, None, 160)]
    m = metrics_of(records_for(stretches))
    assert m.eligible and math.isnan(m.cadence_drift_spm) and math.isnan(m.stride_length_drift_pct)
    assert "cadence covers" in m.notes and "needs 80%" in m.notes
    assert m.pace_decay_pct == pytest.approx(20.0)
    lenient = run_metrics(read_records(records_for(stretches)), min_coverage=0.6)
    assert lenient.cadence_drift_spm == pytest.approx(-12.0)


def test_mountain_running_is_too_steep_to_compare():
    m = metrics_of(records_for([Stretch(2400, 3.0), Stretch(1200, 1.4, grade=0.15)]))
    assert not m.eligible and m.ineligible_reason.startswith("too steep to compare: the late window")
    assert run_metrics(read_records(records_for([Stretch(2400, 3.0), Stretch(1200, 1.4, grade=0.15)])),
                       max_window_grade_pct=20).eligible


def test_a_bare_samples_frame_counts_as_a_run(reference):
    activity = read_records(records_for([FAST, SLOW]))
    assert_same_metrics(reference, run_metrics(activity.samples))
    with pytest.raises(TypeError):
        run_metrics([1, 2, 3])


def test_settings_move_the_windows(reference):
    activity = read_records(records_for([FAST, SLOW]))
    later = run_metrics(activity, late_start_fraction=0.9)
    assert later.late_start_km == pytest.approx(0.9 * M / 1000)
    assert later.pace_decay_pct == pytest.approx(reference.pace_decay_pct)  # still inside stretch two
    # With the late window from 60 %, it holds 1,650 m at 3.0 m/s and 3,750 m at 2.5 m/s.
    wide = run_metrics(activity, baseline_end_fraction=0.5, late_start_fraction=0.6)
    late_speed = (0.4 * M) / ((D1 - 0.6 * M) / 3.0 + D2 / 2.5)
    assert wide.pace_decay_pct == pytest.approx((3.0 / late_speed - 1) * 100)


def test_bad_settings_are_refused_in_words():
    with pytest.raises(ValueError, match="unknown metric setting"):
        run_metrics(pd.DataFrame(), late_window=0.8)
    with pytest.raises(ValueError, match="moving_speed_min_mps = 9 m/s is outside"):
        run_metrics(pd.DataFrame(), moving_speed_min_mps=9)
    with pytest.raises(ValueError, match="windows must be in order"):
        run_metrics(pd.DataFrame(), baseline_end_fraction=0.6, late_start_fraction=0.55)


def test_profile_marks_windows_and_not_moving():
    records, stop = with_pause(records_for([FAST, SLOW]), 1000, 300)
    profile = run_profile(read_records(records, timer_stops=[stop]))
    assert len(profile) == len(records)
    assert set(profile["window"]) == {"start", "warm-up", "baseline", "middle", "late", "not moving"}
    assert (profile["window"] == "not moving").sum() == 1
    late = profile[profile["window"] == "late"]
    assert late["pace_s_per_km"].median() == pytest.approx(400.0)
    assert late["stride_length_m"].median() == pytest.approx(2.5 / 2.8)


# --- property tests -----------------------------------------------------------------------------

def samples_frame(speeds_mps: list[float], seconds: list[int], cadence_spm: list[float], interval_s: int,
                  scale: float = 1.0) -> pd.DataFrame:
    """A bare samples frame of piecewise-constant stretches, one sample every `interval_s` seconds."""
    speed = np.concatenate([np.full(s // interval_s, v * scale) for v, s in zip(speeds_mps, seconds, strict=True)])
    cadence = np.concatenate([np.full(s // interval_s, c) for c, s in zip(cadence_spm, seconds, strict=True)])
    speed, cadence = np.concatenate(([speed[0]], speed)), np.concatenate(([cadence[0]], cadence))
    elapsed = np.arange(len(speed)) * float(interval_s)
    distance = np.concatenate(([0.0], np.cumsum(speed[1:] * interval_s)))
    return conform_samples({
        "time": pd.Timestamp(START) + pd.to_timedelta(elapsed, unit="s"), "elapsed_s": elapsed,
        "distance_m": distance, "speed_mps": speed, "cadence_spm": cadence,
        "heart_rate_bpm": np.full(len(speed), 150.0),
    })


@settings(max_examples=40, deadline=None)
@given(speed=st.floats(1.5, 6.5), cadence=st.floats(140, 200), minutes=st.integers(31, 240),
       interval=st.integers(1, 5))
def test_constant_pace_gives_zero_decay_and_drift(speed, cadence, minutes, interval):
    m = run_metrics(samples_frame([speed], [minutes * 60], [cadence], interval))
    assert m.eligible
    for name in ("pace_decay_pct", "cadence_drift_spm", "stride_length_drift_pct", "decoupling_pct"):
        assert getattr(m, name) == pytest.approx(0.0, abs=1e-9), name
    assert m.avg_pace_s_per_km == pytest.approx(1000 / speed)


@settings(max_examples=40, deadline=None)
@given(stretches=st.lists(st.tuples(st.floats(1.5, 5.0), st.integers(300, 1800), st.floats(150, 195)),
                          min_size=2, max_size=6),
       scale=st.floats(1.0, 1.6), interval=st.integers(1, 4))
def test_scaling_every_speed_leaves_decay_unchanged(stretches, scale, interval):
    speeds, seconds, cadence = (list(x) for x in zip(*stretches, strict=True))
    seconds[0] += 1900  # at least 31 minutes
    seconds = [s - s % interval for s in seconds]
    base = run_metrics(samples_frame(speeds, seconds, cadence, interval))
    scaled = run_metrics(samples_frame(speeds, seconds, cadence, interval, scale=scale))
    assert scaled.pace_decay_pct == pytest.approx(base.pace_decay_pct, rel=1e-9, abs=1e-9)
    assert scaled.cadence_drift_spm == pytest.approx(base.cadence_drift_spm, rel=1e-9, abs=1e-9)
    assert scaled.stride_length_drift_pct == pytest.approx(base.stride_length_drift_pct, rel=1e-9, abs=1e-9)


# --- settings as data and documentation --------------------------------------------------------

def test_settings_table_and_dataclass_list_the_same_settings():
    assert [f.name for f in fields(MetricSettings)] == [s.name for s in METRIC_SETTINGS]
    assert MetricSettings().as_dict() == {s.name: s.default for s in METRIC_SETTINGS}


def test_docs_describe_every_metric_and_setting():
    text = DOCS.read_text(encoding="utf-8")
    undocumented = [name for name in RunMetrics.field_names() + tuple(s.name for s in METRIC_SETTINGS)
                    if f"`{name}`" not in text]
    assert not undocumented, f"docs/metrics.md does not mention: {undocumented}"
