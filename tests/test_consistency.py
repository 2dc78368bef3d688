"""analysis.consistency: weekly table and run-level linkage, checked against hand-computed answers."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.consistency import (
    DEFAULT_PLAN,
    RUN_COLUMNS,
    WEEKLY_COLUMNS,
    run_table,
    validate_plan,
    weekly_table,
)
from analysis.errors import InputError
from analysis.io import read_activity, read_strength_log
from analysis.metrics import RunMetrics, run_metrics
from analysis.stats import lagged

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
NAN = float("nan")


# --- builders --------------------------------------------------------------------------------------


def _run(athlete: str, day: str, **values) -> dict:
    """A RunMetrics-shaped row (every field, NaN by default) plus athlete and local_date."""
    row: dict = {name: NAN for name in RunMetrics.field_names()}
    row.update(
        eligible=True,
        ineligible_reason="",
        sport="running",
        distance_km=10.0,
        moving_time_s=3000.0,
        pace_decay_pct=NAN,
        cadence_drift_spm=NAN,
        decoupling_pct=NAN,
        pace_decay_basis="pace",
        notes="",
    )
    row.update(values)
    row["athlete"] = athlete
    row["local_date"] = pd.Timestamp(day)
    return row


def _runs(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def _log(*entries: tuple) -> pd.DataFrame:
    """Entries (date, athlete, session_type or None, back_soreness or None[, warmup]) as a normalised-log frame."""
    rows = []
    for i, entry in enumerate(entries):
        day, athlete, kind, sore = entry[:4]
        warmup = entry[4] if len(entry) > 4 else False
        rows.append(
            {
                "date": pd.Timestamp(day),
                "athlete": athlete,
                "session_type": kind,
                "exercise": None if kind is None else f"{kind} exercise {i}",
                "sets": NAN if kind is None else 3.0,
                "reps": NAN,
                "load_kg": NAN,
                "duration_min": NAN,
                "rpe": NAN,
                "back_soreness": NAN if sore is None else float(sore),
                "notes": None,
                "warmup": warmup,
                "source_format": "core_cadence",
                "source_row": i + 2,
            }
        )
    return pd.DataFrame(rows)


def _week(table: pd.DataFrame, athlete: str, monday: str) -> pd.Series:
    rows = table[(table["athlete"] == athlete) & (table["week_start"] == pd.Timestamp(monday))]
    assert len(rows) == 1, f"expected one row for {athlete} {monday}, got {len(rows)}"
    return rows.iloc[0]


# 2026-09-07 is a Monday.
MON, TUE, WED, THU, FRI, SAT, SUN = (f"2026-09-{d:02d}" for d in range(7, 14))


# --- settings and contract -------------------------------------------------------------------------


def test_every_output_column_is_documented():
    for c in (*WEEKLY_COLUMNS, *RUN_COLUMNS):
        assert c.help.strip() and c.dtype.strip(), c.name
    documented = (ROOT / "docs" / "statistics.md").read_text(encoding="utf-8")
    for c in WEEKLY_COLUMNS:
        assert f"`{c.name}`" in documented, f"docs/statistics.md does not describe weekly column {c.name}"


def test_default_plan_is_two_core_two_hip_and_read_only():
    assert dict(DEFAULT_PLAN) == {"core": 2, "hip": 2}
    with pytest.raises(TypeError):
        DEFAULT_PLAN["core"] = 3  # type: ignore[index]
    assert validate_plan(None) == {"core": 2, "hip": 2}


def test_weekly_columns_and_dtypes_follow_the_table():
    table = weekly_table(_runs(_run("ana", MON)), _log((TUE, "ana", "core", None)))
    assert tuple(table.columns) == tuple(c.name for c in WEEKLY_COLUMNS)
    for c in WEEKLY_COLUMNS:
        assert str(table[c.name].dtype) == c.dtype, c.name
    assert isinstance(table.index, pd.RangeIndex)
    assert table.attrs["plan"] == {"core": 2, "hip": 2}
    assert table.attrs["long_run_min_moving_min"] == 75.0


def test_no_streamlit_in_analysis():
    source = (ROOT / "analysis" / "consistency.py").read_text(encoding="utf-8")
    assert "import streamlit" not in source and "from streamlit" not in source


# --- sessions and adherence ------------------------------------------------------------------------


def test_adherence_one_core_three_hip():
    log = _log(
        (MON, "ana", "core", None),
        (TUE, "ana", "hip", None),
        (WED, "ana", "hip", None),
        (THU, "ana", "hip", None),
    )
    week = _week(weekly_table(None, log), "ana", MON)
    assert (week["core_sessions"], week["hip_sessions"]) == (1, 3)
    assert week["adherence"] == pytest.approx((0.5 + 1.0) / 2)  # hip capped at 1: extra hip cannot make up core


def test_two_core_exercises_on_one_day_are_one_session_and_warmups_count():
    log = _log(
        (MON, "ana", "core", None, True),  # a warm-up set still is the exercise
        (MON, "ana", "core", None),
        (MON, "ana", "core", None),
        (THU, "ana", "core", None, True),  # only warm-up sets that day: still a session
    )
    week = _week(weekly_table(None, log), "ana", MON)
    assert week["core_sessions"] == 2
    assert week["adherence"] == pytest.approx((1.0 + 0.0) / 2)


def test_a_workout_with_core_and_hip_counts_once_for_each():
    log = _log(
        (MON, "ana", "core", None),
        (MON, "ana", "hip", None),
        (MON, "ana", "hip", None),
        (MON, "ana", "mobility", None),
    )
    week = _week(weekly_table(None, log), "ana", MON)
    assert (week["core_sessions"], week["hip_sessions"], week["mobility_sessions"]) == (1, 1, 1)
    assert (week["strength_sessions"], week["other_sessions"]) == (0, 0)
    assert week["adherence"] == pytest.approx(0.5)  # mobility is not in the default plan


def test_weeks_start_on_monday_and_a_sunday_belongs_to_the_week_before():
    log = _log(("2026-09-06", "ana", "core", None), (MON, "ana", "core", None), (SUN, "ana", "hip", None))
    table = weekly_table(None, log)
    assert list(table["week_start"]) == [pd.Timestamp("2026-08-31"), pd.Timestamp(MON)]
    assert (table["week_start"].dt.day_of_week == 0).all()
    assert str(table["week_start"].dtype) == "datetime64[ns]"
    assert _week(table, "ana", "2026-08-31")["core_sessions"] == 1
    this_week = _week(table, "ana", MON)
    assert (this_week["core_sessions"], this_week["hip_sessions"]) == (1, 1)


def test_custom_plan_with_mobility():
    log = _log(
        (MON, "ana", "core", None),
        (TUE, "ana", "mobility", None),
        (WED, "ana", "mobility", None),
        (WED, "ana", "hip", None),
    )
    plan = {"core": 1, "mobility": 3}
    table = weekly_table(None, log, plan=plan)
    week = _week(table, "ana", MON)
    assert week["adherence"] == pytest.approx((1.0 + 2 / 3) / 2)  # hip is not planned, so it does not count
    assert table.attrs["plan"] == plan


@pytest.mark.parametrize(
    "plan",
    [
        {},
        {"yoga": 2},
        {"core": 0},
        {"core": -1},
        {"core": 2.5},
        {"core": "2"},
        {"core": True},
        {"core": 8},  # a session is a day, so a week holds at most 7
        [("core", 2)],
    ],
)
def test_invalid_plan_is_refused_with_a_sentence(plan):
    with pytest.raises(ValueError) as info:
        weekly_table(None, _log((MON, "ana", "core", None)), plan=plan)
    assert isinstance(info.value, InputError)
    message = str(info.value)
    assert message[0].isupper() and message.endswith(".")
    with pytest.raises(ValueError):
        run_table(_runs(_run("ana", MON)), None, plan=plan)


def test_plan_accepts_numpy_integers_and_all_session_types():
    assert validate_plan({"core": np.int64(3), "other": 1, "strength": 7}) == {"core": 3, "other": 1, "strength": 7}


# --- consistency over weeks ------------------------------------------------------------------------


def test_consistency_4wk_with_an_empty_week_in_between_and_the_first_weeks():
    # adherence by week: 1.0, 0.5, (nothing logged) 0.0, 0.25, 0.75
    weeks = pd.date_range("2026-09-07", periods=5, freq="7D")
    w = [d.strftime("%Y-%m-%d") for d in weeks]
    day = [(d + pd.Timedelta(days=2)).strftime("%Y-%m-%d") for d in weeks]  # Wednesdays
    log = _log(
        (w[0], "ana", "core", None),
        (day[0], "ana", "core", None),
        (w[0], "ana", "hip", None),
        (day[0], "ana", "hip", None),  # 2 + 2 -> 1.0
        (w[1], "ana", "core", None),
        (day[1], "ana", "hip", None),  # 1 + 1 -> 0.5
        (w[3], "ana", "hip", None),  # 0 + 1 -> 0.25
        (w[4], "ana", "core", None),
        (day[4], "ana", "core", None),
        (day[4], "ana", "hip", None),  # 2 + 1 -> 0.75
    )
    table = weekly_table(None, log)
    assert list(table["week_start"]) == list(weeks)  # the empty week is there
    empty = _week(table, "ana", w[2])
    assert (empty["core_sessions"], empty["hip_sessions"], empty["adherence"]) == (0, 0, 0.0)
    assert table["adherence"].tolist() == pytest.approx([1.0, 0.5, 0.0, 0.25, 0.75])
    expected = [
        1.0,
        (1.0 + 0.5) / 2,
        (1.0 + 0.5 + 0.0) / 3,
        (1.0 + 0.5 + 0.0 + 0.25) / 4,
        (0.5 + 0.0 + 0.25 + 0.75) / 4,
    ]
    assert table["consistency_4wk"].tolist() == pytest.approx(expected)
    assert table["consistency_weeks"].tolist() == [1, 2, 3, 4, 4]


def test_weeks_span_runs_and_log_together_and_empty_weeks_have_zero_runs():
    runs = _runs(_run("ana", "2026-08-24", distance_km=8.0), _run("ana", "2026-09-23", distance_km=12.0))
    log = _log((MON, "ana", "core", None))
    table = weekly_table(runs, log)
    assert list(table["week_start"]) == list(pd.date_range("2026-08-24", "2026-09-21", freq="7D"))
    assert table["runs"].tolist() == [1, 0, 0, 0, 1]
    assert table["distance_km"].tolist() == [8.0, 0.0, 0.0, 0.0, 12.0]
    # weeks before the first strength entry (but after the first run) count as nothing done
    assert table["adherence"].tolist() == pytest.approx([0.0, 0.0, 0.25, 0.0, 0.0])


# --- soreness --------------------------------------------------------------------------------------


def test_weekly_soreness_is_the_mean_of_daily_means_and_soreness_rows_are_not_sessions():
    log = _log(
        (MON, "ana", None, 2),  # soreness only
        (TUE, "ana", "core", 4),  # soreness written on two exercise rows of one day: that day is 5
        (TUE, "ana", "hip", 6),
        (SAT, "ana", None, 8),
        (SUN, "ana", "core", None),
        ("2026-09-14", "ana", "core", None),  # next week: nothing reported
    )
    table = weekly_table(None, log)
    week = _week(table, "ana", MON)
    assert week["back_soreness"] == pytest.approx((2 + 5 + 8) / 3)
    assert week["soreness_days"] == 3
    assert (week["core_sessions"], week["hip_sessions"]) == (2, 1)
    later = _week(table, "ana", "2026-09-14")
    assert math.isnan(later["back_soreness"]) and later["soreness_days"] == 0


# --- running columns -------------------------------------------------------------------------------


def test_medians_use_eligible_runs_only_and_long_runs_count_moving_time():
    runs = _runs(
        _run("ana", MON, pace_decay_pct=1.0, cadence_drift_spm=-1.0, decoupling_pct=2.0, moving_time_s=4500.0),
        _run("ana", WED, pace_decay_pct=3.0, cadence_drift_spm=NAN, decoupling_pct=6.0, moving_time_s=4499.0),
        _run("ana", FRI, pace_decay_pct=2.0, cadence_drift_spm=-3.0, decoupling_pct=NAN, distance_km=5.0),
        _run(
            "ana",
            SAT,
            eligible=False,
            ineligible_reason="too short",
            pace_decay_pct=50.0,
            decoupling_pct=90.0,
            distance_km=3.0,
            moving_time_s=900.0,
        ),
        _run("ana", SUN, sport="cycling", eligible=False, distance_km=40.0, moving_time_s=7200.0),
    )
    week = _week(weekly_table(runs, None), "ana", MON)
    assert week["runs"] == 4  # the ride is not a run
    assert week["eligible_runs"] == 3
    assert week["distance_km"] == pytest.approx(10 + 10 + 5 + 3)
    assert week["long_runs"] == 1  # 75 min = 4500 s moving; 4499 s is not
    assert week["pace_decay_pct"] == pytest.approx(2.0)  # median of 1, 3, 2 (the ineligible 50 left out)
    assert week["cadence_drift_spm"] == pytest.approx(-2.0)  # median of -1, -3 (NaN skipped)
    assert week["decoupling_pct"] == pytest.approx(4.0)  # median of 2, 6
    custom = _week(weekly_table(runs, None, long_run_min_moving_min=70), "ana", MON)
    assert custom["long_runs"] == 2


def test_week_without_eligible_runs_has_nan_medians():
    runs = _runs(_run("ana", MON, eligible=False, pace_decay_pct=5.0))
    week = _week(weekly_table(runs, None), "ana", MON)
    assert week["runs"] == 1 and week["eligible_runs"] == 0
    assert math.isnan(week["pace_decay_pct"]) and math.isnan(week["decoupling_pct"])


def test_weekly_perceived_effort_is_the_median_of_the_runs_with_one_eligible_or_not():
    runs = _runs(
        _run("ana", MON, perceived_effort=3.0, moving_time_s=1200.0, eligible=False),  # short: still counts
        _run("ana", WED, perceived_effort=8.0),
        _run("ana", THU, perceived_effort=5.0),
        _run("ana", FRI),  # no effort reported: not in the median, not a zero
        _run("ana", SAT, perceived_effort=9.0, sport="cycling"),  # a ride is not a run
        _run("ana", "2026-09-14"),  # a week with runs but no effort
        _run("ana", "2026-09-21", perceived_effort=6.5),
    )
    table = weekly_table(runs, None)
    first, second, third = (_week(table, "ana", d) for d in (MON, "2026-09-14", "2026-09-21"))
    assert first["perceived_effort"] == 5.0 and first["effort_runs"] == 3 and first["runs"] == 4
    assert math.isnan(second["perceived_effort"]) and second["effort_runs"] == 0 and second["runs"] == 1
    assert third["perceived_effort"] == 6.5 and third["effort_runs"] == 1
    even = weekly_table(_runs(_run("ana", MON, perceived_effort=4.0), _run("ana", TUE, perceived_effort=7.0)), None)
    assert even["perceived_effort"].iloc[0] == 5.5  # the median of two is their mean


def test_a_runs_frame_without_effort_columns_gives_no_effort():
    runs = _runs(_run("ana", MON, pace_decay_pct=2.0), _run("ana", TUE))
    assert "perceived_effort" not in runs.columns
    week = weekly_table(runs, None).iloc[0]
    assert math.isnan(week["perceived_effort"]) and week["effort_runs"] == 0
    linked = run_table(runs, None)
    assert linked["perceived_effort"].isna().all() and str(linked["perceived_effort"].dtype) == "float64"
    # an athlete with a strength log but no runs: NA counts, NaN effort
    only_log = weekly_table(None, _log((MON, "ana", "core", None))).iloc[0]
    assert pd.isna(only_log["effort_runs"]) and math.isnan(only_log["perceived_effort"])


def test_the_run_table_carries_each_runs_own_effort():
    runs = _runs(_run("ana", MON, perceived_effort=7.0, eligible=False, feel=75.0, effort_source="watch"),
                 _run("ana", TUE, perceived_effort=float("nan")), _run("ben", TUE, perceived_effort="4"))
    runs.index = pd.Index([5, 3, 9])
    linked = run_table(runs, None)
    assert list(linked.index) == [5, 3, 9]
    np.testing.assert_array_equal(linked["perceived_effort"].to_numpy(), [7.0, np.nan, 4.0])
    assert linked.loc[5, "feel"] == 75.0 and linked.loc[5, "effort_source"] == "watch"  # other columns kept


@pytest.mark.parametrize("value", [-1.0, 10.5])
def test_perceived_effort_outside_borg_cr10_is_refused(value):
    with pytest.raises(InputError, match="perceived effort outside 0-10"):
        weekly_table(_runs(_run("ana", MON, perceived_effort=value)), None)


@pytest.mark.parametrize("value", [0, -5, float("nan"), "75", True])
def test_invalid_long_run_threshold(value):
    with pytest.raises(InputError):
        weekly_table(_runs(_run("ana", MON)), None, long_run_min_moving_min=value)


# --- athletes in one source only -------------------------------------------------------------------


def test_athletes_with_runs_but_no_log_and_with_a_log_but_no_runs():
    runs = _runs(_run("ben", MON), _run("ben", "2026-09-15"))
    log = _log((MON, "ana", "core", None), (TUE, "ana", None, 3))
    table = weekly_table(runs, log)
    assert table["athlete"].tolist() == ["ana", "ben", "ben"]
    ben = table[table["athlete"] == "ben"]
    assert ben["adherence"].isna().all() and ben["consistency_4wk"].isna().all()  # "no log", not "did nothing"
    assert ben["core_sessions"].isna().all() and ben["soreness_days"].isna().all()
    assert (ben["consistency_weeks"] == 0).all()
    assert ben["runs"].tolist() == [1, 1]
    ana = _week(table, "ana", MON)
    assert ana["adherence"] == pytest.approx(0.25)
    assert pd.isna(ana["runs"]) and math.isnan(ana["distance_km"])  # no runs uploaded at all
    assert ana["back_soreness"] == 3.0


def test_no_strength_log_for_anyone_gives_nan_adherence():
    table = weekly_table(_runs(_run("ana", MON), _run("ben", TUE)), None)
    assert table["adherence"].isna().all()
    empty_log = _log((MON, "x", "core", None)).iloc[:0]
    assert weekly_table(_runs(_run("ana", MON)), empty_log)["adherence"].isna().all()


def test_nothing_at_all_gives_an_empty_table_with_the_columns():
    table = weekly_table(None, None)
    assert table.empty and tuple(table.columns) == tuple(c.name for c in WEEKLY_COLUMNS)


# --- input checks ----------------------------------------------------------------------------------


def test_local_date_may_be_a_date_a_datetime_or_tz_aware():
    as_dates = _runs(_run("ana", MON))
    as_dates["local_date"] = [dt.date(2026, 9, 13)]  # a Sunday
    assert weekly_table(as_dates, None)["week_start"].tolist() == [pd.Timestamp(MON)]
    with_time = _runs(_run("ana", MON))
    with_time["local_date"] = [pd.Timestamp("2026-09-13 23:30")]
    assert weekly_table(with_time, None)["week_start"].tolist() == [pd.Timestamp(MON)]
    aware = _runs(_run("ana", MON))
    aware["local_date"] = [pd.Timestamp("2026-09-13 23:30", tz="America/Chicago")]  # its own wall clock
    assert weekly_table(aware, None)["week_start"].tolist() == [pd.Timestamp(MON)]


def test_bad_runs_are_refused_with_a_message():
    no_date = _runs(_run("ana", MON))
    no_date.loc[0, "local_date"] = pd.NaT
    with pytest.raises(InputError, match="local_date"):
        weekly_table(no_date, None)
    with pytest.raises(InputError, match="decoupling_pct"):
        weekly_table(_runs(_run("ana", MON)).drop(columns="decoupling_pct"), None)
    nameless = _runs(_run("ana", MON))
    nameless["athlete"] = [None]
    with pytest.raises(InputError, match="athlete"):
        run_table(nameless, None)
    with pytest.raises(InputError, match="session type"):
        weekly_table(None, _log((MON, "ana", "yoga", None)))


# --- run-level linkage -----------------------------------------------------------------------------


def test_run_level_consistency_28d_and_soreness():
    # run on Tue 2026-10-06; its window is 2026-09-08 ... 2026-10-05
    log = _log(
        ("2026-09-07", "ana", "core", None),  # d-29: outside
        ("2026-09-08", "ana", "core", None),  # d-28: inside
        ("2026-09-08", "ana", "core", None),  # same day, same type: one session
        ("2026-09-15", "ana", "hip", None),
        ("2026-09-22", "ana", "core", None),
        ("2026-09-22", "ana", "hip", None),
        ("2026-10-05", "ana", "core", 1),  # d-1: inside
        ("2026-10-06", "ana", "hip", 3),  # the run's day: not in the window, but its soreness is same-day
        ("2026-10-06", "ana", None, 5),
        ("2026-10-07", "ana", None, 6),  # the day after
    )
    runs = _runs(_run("ana", "2026-10-06"), _run("ana", "2026-10-08"), _run("ben", "2026-10-06"))
    runs.index = pd.Index([10, 11, 12])
    table = run_table(runs, log)
    assert list(table.columns[: len(runs.columns)]) == list(runs.columns)
    assert list(table.index) == [10, 11, 12]
    for c in RUN_COLUMNS:
        assert str(table[c.name].dtype) == c.dtype, c.name
    first = table.loc[10]
    assert (first["sessions_28d_core"], first["sessions_28d_hip"]) == (3, 2)
    assert first["consistency_28d"] == pytest.approx((3 / 8 + 2 / 8) / 2)
    assert first["log_days_28d"] == 28
    assert first["soreness_same_day"] == pytest.approx(4.0)  # mean of 3 and 5
    assert first["soreness_next_day"] == pytest.approx(6.0)
    assert first["week_start"] == pd.Timestamp("2026-10-05")
    second = table.loc[11]  # window 2026-09-10 ... 2026-10-07: core 09-22, 10-05; hip 09-15, 09-22, 10-06
    assert (second["sessions_28d_core"], second["sessions_28d_hip"]) == (2, 3)
    assert second["consistency_28d"] == pytest.approx((2 / 8 + 3 / 8) / 2)
    assert second["soreness_same_day"] == pytest.approx(NAN, nan_ok=True)
    assert math.isnan(second["soreness_next_day"])
    ben = table.loc[12]
    assert math.isnan(ben["consistency_28d"]) and pd.isna(ben["sessions_28d_core"]) and pd.isna(ben["log_days_28d"])
    assert math.isnan(ben["soreness_next_day"])


def test_run_level_consistency_is_capped_per_type_and_counts_partial_logging():
    days = pd.date_range("2026-09-10", periods=12, freq="D")  # 12 core days, no hip
    log = _log(*[(d.strftime("%Y-%m-%d"), "ana", "core", None) for d in days])
    table = run_table(_runs(_run("ana", "2026-09-22")), log, plan={"core": 2, "hip": 2})
    row = table.iloc[0]
    assert row["sessions_28d_core"] == 12
    assert row["consistency_28d"] == pytest.approx((1.0 + 0.0) / 2)  # 12/8 capped at 1
    assert row["log_days_28d"] == 12  # the log began 12 days before the run
    custom = run_table(_runs(_run("ana", "2026-09-22")), log, plan={"core": 4})
    assert custom.iloc[0]["consistency_28d"] == pytest.approx(12 / 16)
    assert custom.attrs["plan"] == {"core": 4}


def test_run_table_of_no_runs_adds_the_columns():
    table = run_table(None, _log((MON, "ana", "core", None)))
    assert table.empty and set(c.name for c in RUN_COLUMNS) <= set(table.columns)


# --- integration with the sample data --------------------------------------------------------------


def _sample_runs() -> pd.DataFrame:
    rows = []
    for athlete in ("ana", "ben"):
        # the first two FIT files by name, wherever the sample layout keeps them under the athlete's folder
        for path in sorted((SAMPLE / athlete).rglob("*.fit"), key=lambda p: p.name)[:2]:
            activity = read_activity(path)
            local = activity.local_start_time or activity.start_time.tz_localize(None)
            rows.append({"athlete": athlete, "local_date": local.normalize(), **run_metrics(activity).as_dict()})
    return pd.DataFrame(rows)


def test_sample_data_tables():
    log = read_strength_log(SAMPLE / "strength_log_template.csv", athlete="ana")
    runs = _sample_runs()
    assert len(runs) == 4
    weekly = weekly_table(runs, log)
    assert tuple(weekly.columns) == tuple(c.name for c in WEEKLY_COLUMNS)
    assert set(weekly["athlete"]) == {"ana", "ben"}
    assert not weekly.duplicated(["athlete", "week_start"]).any()
    for _, weeks in weekly.groupby("athlete"):
        gaps = weeks["week_start"].diff().dropna()
        assert (gaps == pd.Timedelta(days=7)).all()
        assert (weeks["week_start"].dt.day_of_week == 0).all()
    ana, ben = weekly[weekly["athlete"] == "ana"], weekly[weekly["athlete"] == "ben"]
    assert ana["adherence"].between(0, 1).all() and ana["consistency_4wk"].between(0, 1).all()
    assert ben["adherence"].isna().all()  # ben has no strength log
    assert weekly["runs"].sum() == 4
    assert weekly["distance_km"].sum() == pytest.approx(runs["distance_km"].sum())
    # the template: 2026-09-07 two core exercises (one session), 09-09 two hip rows (one session), mobility
    first = _week(weekly, "ana", "2026-09-07")
    assert (first["core_sessions"], first["hip_sessions"], first["mobility_sessions"]) == (1, 1, 1)
    assert first["adherence"] == pytest.approx(0.5)
    assert first["back_soreness"] == pytest.approx((2 + 3) / 2)

    linked = run_table(runs, log)
    assert len(linked) == len(runs) and list(linked.columns[: len(runs.columns)]) == list(runs.columns)
    ana_runs = linked[linked["athlete"] == "ana"]
    assert ana_runs["consistency_28d"].between(0, 1).all()
    assert linked[linked["athlete"] == "ben"]["consistency_28d"].isna().all()
    # same- and next-day soreness agree with a plain lookup in the log (one report per day in the template)
    reported = log.dropna(subset=["back_soreness"]).set_index("date")["back_soreness"]
    for _, run in ana_runs.iterrows():
        day = pd.Timestamp(run["local_date"])
        for column, when in (("soreness_same_day", day), ("soreness_next_day", day + pd.Timedelta(days=1))):
            expected = reported.get(when, NAN)
            assert run[column] == pytest.approx(expected, nan_ok=True)

    # the weekly table is what analysis.stats.lagged reads
    result = lagged(weekly, "consistency_4wk", "pace_decay_pct", lags=[0, 1])
    assert len(result) == 2 * 3  # squad + two athletes, two lags
    assert not result["enough_data"].any()
