"""analysis.squad: the coach's table and the squad correlation, checked against independent computations.

The sample club (loaded once per session by conftest's `sample_store_dir`) gives realistic tables; every
expected value below is recomputed here from the store's runs and log with pandas, scipy, pingouin (one
athlete's partial Spearman r holding the calendar week constant), statsmodels (the squad's within-athlete r from
OLS residuals on athlete and athlete × week; Holm's adjustment) or analysis.stats, never typed in by hand. p, CI
and the effective n are checked by their properties (tests/test_pairing.assert_serial_result) and by calling
analysis.stats.association directly on pairs built here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import ADMIN
from scipy.stats import theilslopes
from test_pairing import (
    assert_not_enough,
    assert_serial_result,
    holm_reference,
    spearman_holding_week,
    with_effort,
    within_athlete_r,
)

from analysis.consistency import run_table, weekly_table
from analysis.errors import InputError
from analysis.squad import (
    PAIR_UNIT,
    SQUAD_COLUMNS,
    SQUAD_METRICS,
    SQUAD_PAIR_UNIT,
    UNITS,
    WEEK_LAG,
    correlation_pairs,
    load_correlation,
    squad_correlation,
    squad_table,
)
from analysis.stats import DEFAULT_MIN_EFFECTIVE_N, association, holm_adjust, lagged
from analysis.store import Store

RUN_METRICS = ("pace_decay_pct", "cadence_drift_spm", "decoupling_pct")


@pytest.fixture(scope="module")
def club(sample_store_dir):
    """The sample club's raw tables and the two derived tables the page passes to squad_table."""
    with Store(sample_store_dir) as store:
        runs, log = store.runs(ADMIN), store.strength_log(ADMIN)
        plan, athletes = store.plan(ADMIN), store.athletes(ADMIN)
    runs = with_effort(runs)  # the sample club's own efforts, or made-up ones where it has none
    return {
        "runs": runs,
        "log": log,
        "plan": plan,
        "athletes": list(athletes["athlete"]),
        "run_table": run_table(runs, log, plan=plan),
        "weekly": weekly_table(runs, log, plan=plan),
    }


def _table(club, **kwargs) -> pd.DataFrame:
    return squad_table(club["weekly"], club["run_table"], athletes=club["athletes"], **kwargs)


def _previous_week_pairs(weekly: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Each week's outcome beside the 4-week consistency of the calendar week before (lag 1), built by date."""
    before = weekly[["athlete", "week_start", "consistency_4wk"]].rename(
        columns={"consistency_4wk": "consistency_before"})
    before = before.assign(week_start=before["week_start"] + pd.Timedelta(days=7))
    return weekly[["athlete", "week_start", outcome]].merge(before, on=["athlete", "week_start"])


def _own_pairs(club, metric: str, unit: str) -> pd.DataFrame:
    """Every athlete's (date, x, y) pairs built here from the tables: per run the 28-day consistency and the run's
    marker (eligible runs for the run markers), per week the marker beside the consistency of the week before."""
    spec = SQUAD_METRICS[metric]
    if unit == "runs":
        rows = club["run_table"][club["run_table"]["sport"] == "running"]
        if spec.eligible_only:
            rows = rows[rows["eligible"]]
        pairs = pd.DataFrame({"athlete": rows["athlete"], "date": rows["local_date"], "x": rows["consistency_28d"],
                              "y": rows[spec.run_column]})
    else:
        rows = _previous_week_pairs(club["weekly"], spec.week_column)
        pairs = pd.DataFrame({"athlete": rows["athlete"], "date": rows["week_start"],
                              "x": rows["consistency_before"], "y": rows[spec.week_column]})
    pairs = pairs[np.isfinite(pairs["x"].astype(float)) & np.isfinite(pairs["y"].astype(float))]
    return pairs.reset_index(drop=True)


def _same(a, b) -> bool:
    """Equal floats, NaN equal to NaN."""
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


# --- columns ---------------------------------------------------------------------------------------


def test_every_column_is_documented_with_unit_and_meaning(club):
    table = _table(club)
    assert list(table.columns) == [c.name for c in SQUAD_COLUMNS]
    for column in SQUAD_COLUMNS:
        assert column.help.strip() and column.title.strip(), column.name
        if column.dtype != "str":
            assert column.unit.strip(), f"{column.name} has no unit"
            assert f"({column.unit})" in column.label
            assert str(table[column.name].dtype) == column.dtype, column.name
    assert table.attrs == {"metric": "pace_decay_pct", "unit": "runs", "min_n": 8}


def test_perceived_effort_is_a_marker_of_any_run():
    spec = SQUAD_METRICS["perceived_effort"]
    assert (spec.title, spec.unit, spec.run_column, spec.week_column) == (
        "Perceived effort", "0-10", "perceived_effort", "perceived_effort")
    assert not spec.eligible_only and "Borg" in spec.meaning


def test_one_row_per_athlete_in_name_order(club):
    table = _table(club)
    assert list(table["athlete"]) == sorted(club["athletes"], key=str.casefold)
    assert table["athlete"].is_unique and len(table) == len(club["athletes"]) > 1


# --- volume, adherence, medians --------------------------------------------------------------------


def test_run_counts_and_medians_equal_an_independent_groupby(club):
    runs = club["runs"]  # the store's runs, not the run table the function reads
    running = runs[runs["sport"] == "running"]
    eligible = running[running["eligible"]]
    expected = eligible.groupby("athlete")[list(RUN_METRICS)].median()
    table = _table(club).set_index("athlete")
    for name in club["athletes"]:
        assert table.loc[name, "runs"] == (running["athlete"] == name).sum()
        assert table.loc[name, "eligible_runs"] == (eligible["athlete"] == name).sum()
        for metric in RUN_METRICS:
            assert _same(table.loc[name, metric], expected.loc[name, metric]), (name, metric)
    with_ineligible = set(running.loc[~running["eligible"], "athlete"])
    assert with_ineligible  # the sample club's short shake-outs: the two counts must differ for them
    assert set(table.index[table["eligible_runs"] < table["runs"]]) == with_ineligible


def test_adherence_weeks_and_weekly_km_per_athlete(club):
    weekly = club["weekly"]
    table = _table(club).set_index("athlete")
    for name, weeks in weekly.groupby("athlete"):
        assert table.loc[name, "weeks"] == len(weeks)
        assert _same(table.loc[name, "adherence_pct"], 100 * weeks["adherence"].mean())
        with_runs = weeks.loc[weeks["runs"] > 0, "week_start"]
        span = weeks[(weeks["week_start"] >= with_runs.min()) & (weeks["week_start"] <= with_runs.max())]
        assert _same(table.loc[name, "weekly_km"], span["distance_km"].mean())
        # the strength log starts four weeks before the runs: those weeks are not 0 km weeks
        assert table.loc[name, "weekly_km"] > weeks["distance_km"].mean()


# --- soreness trend --------------------------------------------------------------------------------


def test_soreness_slope_equals_scipy_theilslopes_and_latest_mean(club):
    table = _table(club).set_index("athlete")
    for name, weeks in club["weekly"].groupby("athlete"):
        reported = weeks.dropna(subset=["back_soreness"])
        x = (reported["week_start"] - weeks["week_start"].min()).dt.days.to_numpy() / 7
        expected = theilslopes(reported["back_soreness"].to_numpy(), x)
        assert math.isclose(table.loc[name, "soreness_trend_per_4wk"], 4 * expected.slope, abs_tol=1e-12)
        last_four = weeks.sort_values("week_start").tail(4)["back_soreness"]
        assert _same(table.loc[name, "soreness_latest_4wk"], last_four.mean())
        assert table.loc[name, "soreness_weeks"] == len(reported)


def test_soreness_trend_needs_min_n_weeks(club):
    weeks_reported = club["weekly"].dropna(subset=["back_soreness"]).groupby("athlete").size()
    table = _table(club, min_n=int(weeks_reported.max()) + 1)
    assert table["soreness_trend_per_4wk"].isna().all()
    assert table["soreness_latest_4wk"].notna().all()  # a mean of the last weeks needs no minimum


# --- each athlete's correlation --------------------------------------------------------------------


@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("metric", list(SQUAD_METRICS))
def test_own_correlation_is_the_partial_spearman_holding_the_week(club, metric, unit):
    spec = SQUAD_METRICS[metric]
    pairs = _own_pairs(club, metric, unit)
    table = _table(club, metric=metric, unit=unit).set_index("athlete")
    assert table.attrs["metric"] == metric and table.attrs["unit"] == unit
    names = ("consistency", spec.title.lower())
    estimated = 0
    for name in club["athletes"]:
        mine = pairs[pairs["athlete"] == name]
        got = table.loc[name]
        # the wiring: the table's row is association on the pairs built here
        expected = association(mine[["date", "x", "y"]], unit=PAIR_UNIT[unit], names=names)
        for field, column in (("r", "rho"), ("ci_low", "rho_ci_low"), ("ci_high", "rho_ci_high"), ("p", "rho_p"),
                              ("n_effective", "rho_n_effective")):
            assert _same(got[column], getattr(expected, field)), (name, column)
        assert got["rho_n"] == expected.n == len(mine) and got["rho_message"] == expected.message
        # r: pingouin's partial Spearman correlation with the calendar week as covariate
        reference = spearman_holding_week(mine["x"], mine["y"], mine["date"])
        if expected.enough_data:
            estimated += 1
            assert got["rho"] == pytest.approx(reference, abs=1e-10), name
            assert_serial_result(expected, unit)
        else:  # enough pairs, too few independent ones: the same r shows once the minimum is lowered
            assert_not_enough(expected)
            assert expected.n_effective < DEFAULT_MIN_EFFECTIVE_N
            relaxed = association(mine[["date", "x", "y"]], unit=PAIR_UNIT[unit], min_effective_n=4)
            assert relaxed.r == pytest.approx(reference, abs=1e-10)
    assert estimated >= 2  # most athletes get a number: the comparisons above are not vacuous


@pytest.mark.parametrize(("metric", "unit"), [("pace_decay_pct", "runs"), ("back_soreness", "runs"),
                                              ("decoupling_pct", "weeks")])
def test_own_correlations_are_holm_adjusted_over_the_tables_athletes(club, metric, unit):
    table = _table(club, metric=metric, unit=unit)
    p, adjusted = table["rho_p"].to_numpy(), table["rho_p_holm"].to_numpy()
    assert np.isfinite(p).sum() >= 2
    np.testing.assert_allclose(adjusted, holm_reference(p), equal_nan=True, rtol=1e-12)
    np.testing.assert_allclose(adjusted, holm_adjust(p), equal_nan=True, rtol=0)
    assert (np.isnan(adjusted) == np.isnan(p)).all()
    finite = np.isfinite(p)
    assert (adjusted[finite] >= p[finite] - 1e-15).all() and (adjusted[finite] <= 1.0).all()
    assert (adjusted[finite] > p[finite]).any()  # more than one test: the adjustment does something
    # effective n: at most the pairs, and only where there were enough pairs to count
    n, n_eff = table["rho_n"].to_numpy(), table["rho_n_effective"].to_numpy()
    assert (n_eff[np.isfinite(n_eff)] <= n[np.isfinite(n_eff)]).all()
    assert np.isnan(n_eff[n < table.attrs["min_n"]]).all()
    # an athlete without pairs adds no test to the family
    wider = squad_table(club["weekly"], club["run_table"], athletes=[*club["athletes"], "Zed"], metric=metric,
                        unit=unit).set_index("athlete")
    assert math.isnan(wider.loc["Zed", "rho_p_holm"]) and math.isnan(wider.loc["Zed", "rho_n_effective"])
    np.testing.assert_allclose(wider.loc[list(table["athlete"]), "rho_p_holm"], adjusted, equal_nan=True)


def test_below_min_n_the_correlation_says_not_enough_data(club):
    table = _table(club, min_n=500)
    assert table["rho"].isna().all() and table["rho_ci_low"].isna().all()
    assert table["rho_message"].str.startswith("not enough data").all()
    assert (table["rho_n"] > 0).all()  # the pairs were there; there were just too few of them


# --- missing data is not zero ----------------------------------------------------------------------


def test_athlete_without_log_gets_nan_not_zero(club):
    log = club["log"][club["log"]["athlete"] != "Dev"]
    runs, plan = club["runs"], club["plan"]
    table = squad_table(weekly_table(runs, log, plan=plan), run_table(runs, log, plan=plan),
                        athletes=[*club["athletes"], "Zed"]).set_index("athlete")
    dev, zed = table.loc["Dev"], table.loc["Zed"]
    for column in ("adherence_pct", "soreness_trend_per_4wk", "soreness_latest_4wk", "rho"):
        assert math.isnan(dev[column]), column
    assert dev["soreness_weeks"] == 0 and dev["rho_n"] == 0 and dev["rho_message"].startswith("not enough data")
    assert dev["runs"] > 0 and not math.isnan(dev["pace_decay_pct"])  # his runs still count
    assert not math.isnan(table.loc["Ana", "adherence_pct"])
    # an athlete with nothing at all in the period: zero runs counted, every measure NaN
    assert zed["runs"] == 0 and zed["weeks"] == 0
    for column in ("adherence_pct", "weekly_km", "pace_decay_pct", "cadence_drift_spm", "decoupling_pct",
                   "soreness_latest_4wk", "rho"):
        assert math.isnan(zed[column]), column


def test_no_tables_at_all_gives_rows_of_nan():
    table = squad_table(None, None, athletes=["Ana", "ben"])
    assert list(table["athlete"]) == ["Ana", "ben"]
    assert table["adherence_pct"].isna().all() and table["pace_decay_pct"].isna().all()
    assert (table["runs"] == 0).all()
    assert table["rho_p_holm"].isna().all() and table["rho_n_effective"].isna().all()
    assert not squad_correlation(None, None).enough_data


# --- the squad ------------------------------------------------------------------------------------


@pytest.mark.parametrize("metric", list(SQUAD_METRICS))
def test_squad_correlation_per_run_is_the_within_athlete_partial_correlation(club, metric):
    """r: the correlation of x and y once each athlete's own level and season trend are taken out (statsmodels
    OLS on C(athlete) + C(athlete):week); p and CI: on the effective n; the rest: association on these pairs."""
    spec = SQUAD_METRICS[metric]
    pairs = _own_pairs(club, metric, "runs")
    got = squad_correlation(club["weekly"], club["run_table"], metric=metric, unit="runs")
    assert got.r == pytest.approx(within_athlete_r(pairs["athlete"], pairs["x"], pairs["y"], pairs["date"]),
                                  abs=1e-10)
    assert got == association(pairs, subject="athlete", unit="runs", names=("consistency", spec.title.lower()))
    assert got.n == len(pairs) and got.method == "repeated_measures_serial"
    assert_serial_result(got, "runs", squad=True)
    assert f"from {pairs['athlete'].nunique()} athletes" in got.message and "within athletes" in got.message
    # each athlete's own intercept and slope are fitted: the effective n cannot exceed what is left
    assert got.n_effective <= got.n - 2 * pairs["athlete"].nunique() + 1


@pytest.mark.parametrize("metric", list(SQUAD_METRICS))
def test_per_week_correlations_equal_stats_lagged_at_lag_1(club, metric):
    """Per week the squad r_rm and each athlete's ρ are analysis.stats.lagged's lag-1 rows (the Consistency page's
    default lag): the consistency of the four weeks before the outcome week."""
    assert WEEK_LAG == 1
    week_column = SQUAD_METRICS[metric].week_column
    rows = lagged(club["weekly"], "consistency_4wk", week_column, lags=[WEEK_LAG]).set_index("scope")
    got = squad_correlation(club["weekly"], club["run_table"], metric=metric, unit="weeks")
    for field in ("r", "ci_low", "ci_high", "p", "n_effective"):
        assert math.isclose(getattr(got, field), rows.loc["squad", field], rel_tol=1e-12, abs_tol=1e-12), field
    assert got.n == rows.loc["squad", "n"] and got.message == rows.loc["squad", "message"]
    assert f"n = {got.n} {SQUAD_PAIR_UNIT['weeks']}" in got.message
    pairs = _own_pairs(club, metric, "weeks")
    assert got.n == len(pairs)
    assert got.r == pytest.approx(within_athlete_r(pairs["athlete"], pairs["x"], pairs["y"], pairs["date"]),
                                  abs=1e-10)
    assert_serial_result(got, "athlete-weeks", squad=True)
    table = _table(club, metric=metric, unit="weeks").set_index("athlete")
    for name in club["athletes"]:
        assert _same(table.loc[name, "rho"], rows.loc[name, "r"]), name
        assert _same(table.loc[name, "rho_n_effective"], rows.loc[name, "n_effective"]), name
        assert table.loc[name, "rho_n"] == rows.loc[name, "n"]
        assert table.loc[name, "rho_message"] == rows.loc[name, "message"]


def test_per_week_pairs_look_back_into_the_history_before_the_date_range(club):
    """With a date range, the first week's consistency comes from the week before the range (history)."""
    weekly = club["weekly"]
    first = weekly.loc[weekly["runs"] > 0, "week_start"].min()
    in_range = weekly[weekly["week_start"] >= first]
    with_history = correlation_pairs(in_range, None, unit="weeks", history=weekly)
    without = correlation_pairs(in_range, None, unit="weeks")
    assert (with_history["date"] == first).sum() == weekly["athlete"].nunique()
    assert (without["date"] == first).sum() == 0  # no week before the range to pair with
    assert len(with_history) == len(without) + weekly["athlete"].nunique()


def test_correlation_pairs_drop_missing_values(club):
    pairs = correlation_pairs(club["weekly"], club["run_table"], metric="back_soreness", unit="runs")
    rt = club["run_table"]
    expected = rt[(rt["sport"] == "running") & rt["consistency_28d"].notna() & rt["soreness_next_day"].notna()]
    assert len(pairs) == len(expected)
    assert np.isfinite(pairs[["consistency", "outcome"]].to_numpy()).all()


def test_load_correlation_uses_each_athletes_running_weeks(club):
    weekly = club["weekly"]
    parts = []
    for _, weeks in weekly.groupby("athlete"):
        ran = weeks.loc[weeks["runs"] > 0, "week_start"]
        parts.append(weeks[weeks["week_start"].between(ran.min(), ran.max())])
    span = pd.concat(parts)
    pairs = pd.DataFrame({"athlete": span["athlete"], "date": span["week_start"], "x": span["consistency_4wk"],
                          "y": span["distance_km"]}).reset_index(drop=True)
    got = load_correlation(weekly)
    assert got == association(pairs, subject="athlete", unit="athlete-weeks", names=("consistency", "weekly km"))
    assert got.r == pytest.approx(within_athlete_r(pairs["athlete"], pairs["x"], pairs["y"], pairs["date"]),
                                  abs=1e-10)
    assert_serial_result(got, "athlete-weeks", squad=True)
    assert got.n == len(pairs) < len(weekly)  # the lead-in strength weeks without runs are left out


def test_unknown_metric_or_unit_is_refused(club):
    with pytest.raises(InputError, match="fatigue marker"):
        _table(club, metric="heart_rate")
    with pytest.raises(InputError, match="unit of analysis"):
        squad_correlation(club["weekly"], club["run_table"], unit="days")


def test_soreness_slope_counts_calendar_weeks_across_gaps():
    """Weeks without a report are gaps in time, not skipped over: the slope is per calendar week."""
    rng = np.random.default_rng(7)
    weeks = pd.date_range("2026-01-05", periods=20, freq="7D")
    soreness = np.round(rng.uniform(0, 6, size=20) + np.arange(20) * 0.2, 1)
    soreness[[3, 4, 5, 11, 12]] = np.nan  # holidays: nothing reported
    weekly = pd.DataFrame({"athlete": "Ana", "week_start": weeks, "adherence": 0.5, "runs": 3,
                           "distance_km": 30.0, "back_soreness": soreness})
    row = squad_table(weekly, None).iloc[0]
    has = ~np.isnan(soreness)
    expected = theilslopes(soreness[has], np.arange(20)[has])
    assert math.isclose(row["soreness_trend_per_4wk"], 4 * expected.slope, abs_tol=1e-12)
    positional = theilslopes(soreness[has], np.arange(has.sum()))
    assert not math.isclose(expected.slope, positional.slope)  # the gaps matter in this data
    assert row["soreness_weeks"] == has.sum()
    assert math.isclose(row["soreness_latest_4wk"], np.nanmean(soreness[-4:]))
