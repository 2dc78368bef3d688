"""The Strength log page's figures (analysis.charts.strength), on small hand-made logs and on the sample club.

The builders below (`strength_log`, `runs`) are shared with tests/test_charts_consistency.py: one athlete
over 14 weeks from Monday 2026-03-02, with the cases the figures must get right — two core exercises on one
day (one session), core and hip on the same day, a mobility-only day, a soreness-only day with two reports,
exercises classed `other` (one known name, one unknown with markup in it), a week without runs, and strength
work of varying consistency. Expected values are computed independently with pandas, never typed in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import ADMIN

ATHLETE = "Ana"
MONDAY = pd.Timestamp("2026-03-02")
WEEKS = 14
NO_RUN_WEEK = 9  # 0-based: a week without runs
LOG_COLUMNS = ["date", "athlete", "session_type", "exercise", "sets", "reps", "load_kg", "duration_min", "rpe",
               "back_soreness", "notes"]


def _entry(day: pd.Timestamp, session_type: str | None, exercise: str | None, *, sets: float = 3.0,
           soreness: float = np.nan, athlete: str = ATHLETE) -> dict:
    return {"date": day, "athlete": athlete, "session_type": session_type, "exercise": exercise, "sets": sets,
            "reps": 10.0, "load_kg": np.nan, "duration_min": np.nan, "rpe": np.nan, "back_soreness": soreness,
            "notes": np.nan}


def strength_log(seed: int = 7) -> pd.DataFrame:
    """The normalised log (analysis.io.read_strength_log's columns that the app uses)."""
    rng = np.random.default_rng(seed)
    rows: list[dict] = []
    for w in range(WEEKS):
        monday = MONDAY + pd.Timedelta(weeks=w)
        for i in range(int(rng.integers(0, 3))):  # 0-2 core days: Monday, Wednesday
            day = monday + pd.Timedelta(days=2 * i)
            rows.append(_entry(day, "core", "Dead bug"))
            rows.append(_entry(day, "core", "Plank", sets=np.nan))  # same day: still one core session
        for i in range(int(rng.integers(0, 3))):  # 0-2 hip days: Tuesday, Thursday
            rows.append(_entry(monday + pd.Timedelta(days=1 + 2 * i), "hip", "Glute bridge"))
        # soreness on Sunday, alone on its row (no session)
        rows.append(_entry(monday + pd.Timedelta(days=6), None, None, sets=np.nan, soreness=float(rng.integers(0, 8))))
    # special days
    both = MONDAY + pd.Timedelta(weeks=2, days=5)  # a Saturday: core and hip together
    rows.append(_entry(both, "core", "Bird dog"))
    rows.append(_entry(both, "hip", "Clamshell"))
    rows.append(_entry(MONDAY + pd.Timedelta(weeks=3, days=4), "mobility", "Hip flexor stretch"))
    two_reports = MONDAY + pd.Timedelta(weeks=4, days=4)
    rows.append(_entry(two_reports, None, None, sets=np.nan, soreness=2.0))
    rows.append(_entry(two_reports, None, None, sets=np.nan, soreness=5.0))
    for week, name in ((5, "Bench press"), (6, "Bench press"), (6, "Zorbing <b>deluxe</b>")):
        rows.append(_entry(MONDAY + pd.Timedelta(weeks=week, days=5), "other", name))
    frame = pd.DataFrame(rows, columns=LOG_COLUMNS)
    frame["date"] = frame["date"].astype("datetime64[ns]")
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def runs(seed: int = 11) -> pd.DataFrame:
    """Runs with the columns weekly_table and run_table read, three a week (none in NO_RUN_WEEK)."""
    rng = np.random.default_rng(seed)
    rows = []
    for w in range(WEEKS):
        if w == NO_RUN_WEEK:
            continue
        monday = MONDAY + pd.Timedelta(weeks=w)
        for offset, km, minutes in ((1, 8.0, 45.0), (3, 10.0, 55.0), (6, 18.0 + w, 100.0 + 3 * w)):
            rows.append({
                "athlete": ATHLETE, "local_date": monday + pd.Timedelta(days=offset), "sport": "running",
                "eligible": True, "distance_km": km + rng.normal(0, 0.5), "moving_time_s": minutes * 60.0,
                "pace_decay_pct": rng.normal(5, 2), "cadence_drift_spm": rng.normal(-2, 1.5),
                "decoupling_pct": rng.normal(4, 2),
            })
    frame = pd.DataFrame(rows)
    frame["local_date"] = frame["local_date"].astype("datetime64[ns]")
    return frame


# --- tests -----------------------------------------------------------------------------------------

import plotly.graph_objects as go  # noqa: E402  (the builders above are imported by other test modules)
import pytest  # noqa: E402

from analysis.charts import strength as charts  # noqa: E402
from analysis.consistency import strength_sessions, weekly_table  # noqa: E402
from analysis.io.exercise_taxonomy import is_recognised_exercise  # noqa: E402

BOTH_DAY = MONDAY + pd.Timedelta(weeks=2, days=5)
MOBILITY_DAY = MONDAY + pd.Timedelta(weeks=3, days=4)
TWO_REPORTS_DAY = MONDAY + pd.Timedelta(weeks=4, days=4)


def club_log() -> pd.DataFrame:
    """The hand-made log plus a second athlete, so every function must pick its athlete's rows."""
    ben = [_entry(MONDAY + pd.Timedelta(days=3), "core", "Dead bug", athlete="Ben"),
           _entry(MONDAY + pd.Timedelta(days=3), "other", "Rowing machine", athlete="Ben")]
    return pd.concat([strength_log(), pd.DataFrame(ben, columns=LOG_COLUMNS)], ignore_index=True)


def own_rows(log: pd.DataFrame, athlete: str = ATHLETE) -> pd.DataFrame:
    return log[log["athlete"] == athlete]


def session_days(log: pd.DataFrame, athlete: str = ATHLETE) -> set[pd.Timestamp]:
    rows = own_rows(log, athlete)
    return set(rows.loc[rows["session_type"].notna(), "date"])


def test_calendar_days_cover_whole_weeks_and_say_what_was_done_each_day():
    log = club_log()
    days = charts.calendar_days(log, ATHLETE)
    rows = own_rows(log)
    assert days["date"].iloc[0].day_of_week == 0 and days["date"].iloc[-1].day_of_week == 6
    assert days["date"].iloc[0] <= rows["date"].min() and days["date"].iloc[-1] >= rows["date"].max()
    assert days["date"].diff().dropna().eq(pd.Timedelta(days=1)).all()
    assert set(days.loc[days["sessions"] > 0, "date"]) == session_days(log)
    # sessions = distinct session types that day, counted independently
    types = rows.dropna(subset=["session_type"]).groupby("date")["session_type"].nunique()
    assert days.set_index("date")["sessions"].reindex(types.index).tolist() == types.tolist()
    by_day = days.set_index("date")
    assert by_day.at[BOTH_DAY, "category"] == "core + hip"
    assert by_day.at[MOBILITY_DAY, "category"] == charts.UNPLANNED_ONLY
    assert by_day.at[TWO_REPORTS_DAY, "category"] == charts.NO_SESSION
    assert by_day.at[TWO_REPORTS_DAY, "back_soreness"] == pytest.approx(np.mean([2.0, 5.0]))
    assert "Bird dog" in by_day.at[BOTH_DAY, "exercises"] and "Clamshell" in by_day.at[BOTH_DAY, "exercises"]


def test_calendar_heatmap_has_one_cell_per_day_and_colours_session_days():
    log = club_log()
    fig = charts.calendar_heatmap(log, ATHLETE)
    heat = fig.data[0]
    assert isinstance(heat, go.Heatmap)
    z = np.asarray(heat.z, dtype=float)
    weeks = own_rows(log)["date"].dt.to_period("W-SUN").nunique()
    assert z.shape == (7, weeks)
    assert int(np.sum(z > 0)) == len(session_days(log))
    assert list(heat.y) == list(charts.WEEKDAYS)
    legend = [t.name for t in fig.data[1:]]
    assert legend == [charts.NO_SESSION, "core", "hip", "core + hip", charts.UNPLANNED_ONLY]
    # every category's cells are drawn in its legend colour: code i sits mid-band, in a band of that one colour
    scale = [(float(stop), colour) for stop, colour in heat.colorscale]
    for i, trace in enumerate(fig.data[1:]):
        position = (i - heat.zmin) / (heat.zmax - heat.zmin)
        below = [colour for stop, colour in scale if stop <= position][-1]
        above = [colour for stop, colour in scale if stop >= position][0]
        assert below == above == trace.marker.color
    assert {t.marker.color for t in fig.data[1:] if t.name in ("core", "hip")} == {
        charts.SESSION_COLOURS["core"], charts.SESSION_COLOURS["hip"]}
    # the hover names the day and lists its exercises; user text is escaped, never rendered as markup
    text = np.asarray(heat.text, dtype=object)
    hover = " ".join(str(t) for t in text.ravel())
    assert "Zorbing &lt;b&gt;deluxe&lt;/b&gt;" in hover and "<b>deluxe" not in hover
    column = list(pd.to_datetime(heat.x)).index(BOTH_DAY - pd.Timedelta(days=BOTH_DAY.day_of_week))
    assert BOTH_DAY.strftime("%Y-%m-%d") in text[BOTH_DAY.day_of_week, column]
    assert fig.layout.xaxis.title.text == "Week starting (Monday)"
    ticks = pd.to_datetime(list(fig.layout.xaxis.tickvals))
    assert (ticks.day_of_week == 0).all() and 1 <= len(ticks) <= 12  # labels on Mondays, not Plotly's Sundays


def test_calendar_of_an_athlete_without_a_log_says_so():
    fig = charts.calendar_heatmap(club_log(), "Nobody")
    assert not any(isinstance(t, go.Heatmap) for t in fig.data)
    assert "No strength-log entries" in fig.layout.annotations[0].text


def test_adherence_figure_shows_the_weekly_adherence_against_the_plan_target():
    log = club_log()
    weekly = weekly_table(None, log, plan={"core": 2, "hip": 1})
    own = weekly[weekly["athlete"] == ATHLETE].sort_values("week_start")
    fig = charts.adherence_figure(weekly, ATHLETE, colour="#123456")  # plan from weekly.attrs
    bars, consistency, target = fig.data
    assert isinstance(bars, go.Bar) and bars.marker.color == "#123456"
    np.testing.assert_allclose(bars.y, own["adherence"] * 100)
    np.testing.assert_allclose(consistency.y, own["consistency_4wk"] * 100)
    assert set(target.y) == {100.0} and "2 core + 1 hip" in target.name
    assert fig.layout.yaxis.title.text == "Plan adherence (% of plan)"
    assert "% of plan" in bars.hovertemplate and "Week" in bars.hovertemplate
    # hover lists done/planned per type, from the weekly table
    first = own.iloc[0]
    assert f"core: {int(first['core_sessions'])} of 2" in bars.customdata[0][1]


def test_soreness_figure_plots_daily_means_and_the_weekly_mean():
    log = club_log()
    weekly = weekly_table(None, log)
    fig = charts.soreness_figure(log, weekly, ATHLETE)
    daily, week_line = fig.data
    rows = own_rows(log).dropna(subset=["back_soreness"])
    expected = rows.groupby("date")["back_soreness"].mean()
    assert list(pd.to_datetime(daily.x)) == list(expected.index)
    np.testing.assert_allclose(daily.y, expected.to_numpy())
    own = weekly[(weekly["athlete"] == ATHLETE) & weekly["back_soreness"].notna()].sort_values("week_start")
    np.testing.assert_allclose(week_line.y, own["back_soreness"])
    assert list(pd.to_datetime(week_line.x)) == list(own["week_start"] + pd.Timedelta(days=3))
    assert fig.layout.yaxis.title.text == "Back soreness (0-10)"
    assert fig.layout.yaxis.range[0] <= 0 and fig.layout.yaxis.range[1] >= 10
    assert "(0-10)" in daily.hovertemplate and "(0-10)" in week_line.hovertemplate
    nothing = charts.soreness_figure(log, weekly, "Ben")  # Ben reported no soreness
    assert "No back soreness" in nothing.layout.annotations[0].text


def test_exercise_mix_counts_days_and_sets_per_exercise():
    log = club_log()
    mix = charts.exercise_mix(log, ATHLETE).set_index("exercise")
    rows = own_rows(log).dropna(subset=["exercise"])
    assert mix["days"].to_dict() == rows.groupby("exercise")["date"].nunique().to_dict()
    assert mix["entries"].to_dict() == rows.groupby("exercise").size().to_dict()
    # a row without a set count is one set
    assert mix.at["Plank", "sets"] == (rows["exercise"] == "Plank").sum()
    assert mix.at["Dead bug", "sets"] == rows.loc[rows["exercise"] == "Dead bug", "sets"].sum()
    for measure, title in (("days", "Days logged (days)"), ("sets", "Sets logged (sets)")):
        fig = charts.exercise_mix_figure(log, ATHLETE, measure)
        assert fig.layout.xaxis.title.text == title
        assert sum(float(np.sum(t.x)) for t in fig.data) == pytest.approx(mix[measure].sum())
        for trace in fig.data:
            assert trace.marker.color == charts.SESSION_COLOURS[trace.name]
            for name, value in zip(trace.y, trace.x, strict=True):
                plain = name.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                assert mix.at[plain, measure] == value and mix.at[plain, "session_type"] == trace.name
    with pytest.raises(ValueError):
        charts.exercise_mix_figure(log, ATHLETE, "reps")


def test_other_exercises_lists_exactly_the_athletes_other_names():
    log = club_log()
    table = charts.other_exercises(log, ATHLETE)
    rows = own_rows(log)
    others = rows[rows["session_type"] == "other"]
    assert set(table["exercise"]) == set(others["exercise"])
    assert table.set_index("exercise")["days"].to_dict() == others.groupby("exercise")["date"].nunique().to_dict()
    assert table["in_taxonomy"].tolist() == [is_recognised_exercise(n) for n in table["exercise"]]
    assert set(table.loc[~table["in_taxonomy"], "exercise"]) == {"Zorbing <b>deluxe</b>"}
    assert charts.other_exercises(log, "Ben")["exercise"].tolist() == ["Rowing machine"]


def test_on_the_sample_club_calendar_and_other_list_match_the_log(sample_store_dir):
    from analysis.store import Store

    with Store(sample_store_dir) as store:
        log, plan = store.strength_log(ADMIN), store.plan(ADMIN)
    sessions = strength_sessions(log)
    for athlete in sorted(log["athlete"].unique()):
        fig = charts.calendar_heatmap(log, athlete, plan)
        z = np.asarray(fig.data[0].z, dtype=float)
        assert int(np.sum(z > 0)) == sessions.loc[sessions["athlete"] == athlete, "date"].nunique()
        rows = own_rows(log, athlete)
        expected = set(rows.loc[rows["session_type"] == "other", "exercise"])
        assert set(charts.other_exercises(log, athlete)["exercise"]) == expected
