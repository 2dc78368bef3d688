"""analysis.pairing: the Consistency page's pairs and the associations it shows.

Frames come from analysis.consistency (weekly_table, run_table) over the hand-made log and runs of
tests/test_charts_strength.py, plus a synthetic weekly table with a planted lag-1 link. Expected values are
computed independently, never typed in: pairs by dictionary look-ups per calendar week; r by
``pingouin.partial_corr(method="spearman")`` with the calendar week (and the km, when held) as covariates;
Holm's adjustment by ``statsmodels.stats.multitest.multipletests``; p and the 95 % CI from the effective n with
scipy's t and normal distributions. The effective n itself has no outside reference, so its properties are
checked (at most n, dof = n_eff − 2, what the message says) and the wiring by calling
:func:`analysis.stats.association` directly on the same pairs.

The helpers here (``calendar_week``, ``spearman_holding_week``, ``within_athlete_r``, ``holm_reference``,
``assert_serial_result``, ``planted_weekly``, ``with_effort``) are shared with the squad, chart and page tests.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pingouin
import pytest
import statsmodels.formula.api as smf
from scipy import stats as scipy_stats
from statsmodels.stats.multitest import multipletests
from test_charts_strength import ATHLETE, MONDAY, NO_RUN_WEEK, runs, strength_log

from analysis import pairing
from analysis.consistency import run_table, weekly_table
from analysis.stats import DEFAULT_LAGS, DEFAULT_MIN_EFFECTIVE_N, DEFAULT_MIN_N, association, holm_adjust, lagged

EPOCH_MONDAY = pd.Timestamp("1970-01-05")  # a Monday: calendar weeks are counted from it
Z95 = float(scipy_stats.norm.ppf(0.975))
ESTIMATES = ("r", "ci_low", "ci_high", "p", "n_effective")


# --- independent references (shared with other test modules) ---------------------------------------


def calendar_week(dates) -> np.ndarray:
    """Whole calendar weeks (Monday to Sunday) since Monday 1970-01-05, as floats."""
    days = (pd.to_datetime(pd.Series(dates)).dt.normalize() - EPOCH_MONDAY).dt.days
    return (days // 7).to_numpy(dtype=float)


def _quiet(fn, *args, **kwargs):
    """pingouin 0.7 on pandas 3 warns about deprecations; the numbers are what matter here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def spearman_holding_week(x, y, dates, km=None) -> float:
    """pingouin's partial Spearman r of x and y with the calendar week (and km) as covariates."""
    frame = pd.DataFrame({"x": np.asarray(x, dtype=float), "y": np.asarray(y, dtype=float),
                          "week": calendar_week(dates)})
    covar: str | list[str] = "week"
    if km is not None:
        frame["km"] = np.asarray(km, dtype=float)
        covar = ["week", "km"]
    result = _quiet(pingouin.partial_corr, data=frame, x="x", y="y", covar=covar, method="spearman")
    return float(result["r"].iloc[0])


def within_athlete_r(athletes, x, y, dates) -> float:
    """The partial correlation of x and y given C(athlete) + C(athlete):week, from statsmodels OLS residuals."""
    frame = pd.DataFrame({"athlete": pd.Series(athletes).astype(str).to_numpy(), "week": calendar_week(dates),
                          "x": np.asarray(x, dtype=float), "y": np.asarray(y, dtype=float)})
    ex = smf.ols("x ~ C(athlete) + C(athlete):week", data=frame).fit().resid.to_numpy()
    ey = smf.ols("y ~ C(athlete) + C(athlete):week", data=frame).fit().resid.to_numpy()
    return float(ex @ ey / math.sqrt((ex @ ex) * (ey @ ey)))


def holm_reference(p_values) -> np.ndarray:
    """statsmodels' Holm adjustment over the finite p values; NaN where p is NaN."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    finite = np.isfinite(p)
    if finite.any():
        out[finite] = multipletests(p[finite], method="holm")[1]
    return out


def assert_serial_result(res, unit: str, *, squad: bool = False) -> None:
    """What every association with enough data must satisfy, p and CI recomputed from its effective n.

    CI: Fisher z with se² = (1 + r²/2)/(n_eff − 3) for one athlete (Bonett–Wright), 1/(n_eff − 3) for the squad;
    p: the two-sided normal p of the same z (scipy), so p < 0.05 exactly when the CI excludes 0; the message
    states n, the effective n and words that agree with whether the CI holds 0.
    """
    assert res.enough_data, res.message
    n_eff = float(res.n_effective)
    assert 0 < n_eff <= res.n, (n_eff, res.n)
    assert res.dof == pytest.approx(n_eff - 3.0, abs=1e-9)
    assert res.ci_low <= res.r <= res.ci_high
    se = math.sqrt((1.0 if squad else 1.0 + res.r**2 / 2.0) / (n_eff - 3.0))
    assert res.p == pytest.approx(2.0 * scipy_stats.norm.sf(abs(math.atanh(res.r)) / se), rel=1e-9, abs=1e-15)
    assert (res.p < 0.05) == (not res.ci_low <= 0.0 <= res.ci_high)
    assert res.ci_low == pytest.approx(math.tanh(math.atanh(res.r) - Z95 * se), abs=1e-12)
    assert res.ci_high == pytest.approx(math.tanh(math.atanh(res.r) + Z95 * se), abs=1e-12)
    assert f"n = {res.n} {unit}" in res.message
    assert f"worth about {max(1, round(n_eff))} independent {unit}" in res.message
    assert ("r_rm = " if squad else "(r = ") in res.message
    words = res.message.split(" (")[0]
    holds_zero = res.ci_low <= 0.0 <= res.ci_high
    assert words.startswith("no clear association") == holds_zero, res.message
    if not holds_zero:
        assert ("positive" if res.r > 0 else "negative") in words or words.startswith("negligible"), res.message
    assert "cause" not in words
    assert res.trend_removed


def assert_not_enough(res, *, min_n: int = DEFAULT_MIN_N, min_effective_n: int = DEFAULT_MIN_EFFECTIVE_N) -> None:
    """No numbers, and a message that says why: too few pairs, or too few independent pairs' worth."""
    assert not res.enough_data
    assert all(math.isnan(getattr(res, f)) for f in ("r", "ci_low", "ci_high", "p")) and res.dof is None
    assert res.message.startswith("not enough data")
    if res.n >= min_n:  # enough pairs: then they were worth too few independent ones
        assert res.n_effective < min_effective_n
        assert f"worth about {max(1, round(res.n_effective))} independent" in res.message
        assert f"need {min_effective_n}" in res.message


def planted_weekly(weeks: int = 40, seed: int = 5, athlete: str = "Pia") -> pd.DataFrame:
    """A weekly table (the columns weekly_pairs reads) where the consistency of week w − 1 drives the pace
    decay of week w, and nothing drives the other markers. Consistency is independent from week to week."""
    rng = np.random.default_rng(seed)
    consistency = rng.uniform(0.0, 1.0, weeks)
    fade = rng.normal(8.0, 0.6, weeks)
    fade[1:] -= 6.0 * consistency[:-1]
    fade[0] = np.nan  # no week before the first
    return pd.DataFrame({
        "athlete": athlete,
        "week_start": pd.Timestamp("2026-01-05") + pd.to_timedelta(np.arange(weeks) * 7, unit="D"),
        "consistency_4wk": consistency,
        "consistency_weeks": 4,
        "distance_km": rng.normal(40.0, 5.0, weeks),
        "pace_decay_pct": fade,
        "cadence_drift_spm": rng.normal(-2.0, 1.0, weeks),
        "decoupling_pct": rng.normal(4.0, 2.0, weeks),
        "back_soreness": rng.integers(0, 8, weeks).astype(float),
        "perceived_effort": np.clip(np.round(rng.normal(5.0, 1.5, weeks)), 0, 10),  # drawn last: the rest stay
    })


def with_effort(frame: pd.DataFrame, seed: int = 12, reported: float = 0.7) -> pd.DataFrame:
    """``frame`` (runs) with a made-up ``perceived_effort`` (Borg CR10, whole points 0-10) on about ``reported`` of
    the runs, NaN on the rest, ``feel`` (0-100 in Garmin's steps) and ``effort_source``, as the store gives them.
    Longer runs feel a little harder; nothing links the effort to strength work. An athlete who already has an
    effort reported keeps their own values (the sample club's Garmin runners), the others get made-up ones."""
    rng = np.random.default_rng(seed)
    n = len(frame)
    km = pd.to_numeric(frame["distance_km"], errors="coerce").fillna(10.0).to_numpy(dtype=float)
    effort = np.clip(np.round(2.5 + 0.15 * km + rng.normal(0.0, 1.2, n)), 0, 10)
    has = rng.random(n) < reported
    feel = np.clip(np.round((100.0 - 10.0 * effort + rng.normal(0.0, 15.0, n)) / 25.0) * 25.0, 0, 100)
    source = np.where(rng.random(n) < 0.5, "watch", "check-in").astype(object)
    made_up = pd.DataFrame({"perceived_effort": np.where(has, effort, np.nan), "feel": np.where(has, feel, np.nan),
                            "effort_source": np.where(has, source, None)}, index=frame.index)
    if "perceived_effort" not in frame.columns:
        return frame.assign(**made_up)
    own = frame["perceived_effort"].notna().groupby(frame["athlete"]).transform("any").to_numpy(dtype=bool)
    out = frame.copy()
    for column in made_up.columns:
        kept = frame[column] if column in frame.columns else made_up[column]
        out[column] = kept.where(own, made_up[column])
    return out


# --- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def weekly() -> pd.DataFrame:
    return weekly_table(with_effort(runs()), strength_log())


@pytest.fixture(scope="module")
def run_frame() -> pd.DataFrame:
    return run_table(with_effort(runs()), strength_log())


def by_week(weekly: pd.DataFrame, column: str) -> dict[pd.Timestamp, float]:
    own = weekly[weekly["athlete"] == ATHLETE]
    return dict(zip(own["week_start"], own[column].astype("float64"), strict=True))


def _equal(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


# --- pairs -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("metric", pairing.FATIGUE_METRICS)
@pytest.mark.parametrize("lag", [0, 1, 2, 4])
def test_weekly_pairs_pair_each_outcome_week_with_the_consistency_lag_calendar_weeks_before(weekly, metric, lag):
    pairs = pairing.weekly_pairs(weekly, ATHLETE, metric, lag)
    assert list(pairs.columns) == pairing.PAIR_COLUMNS
    consistency, outcome = by_week(weekly, "consistency_4wk"), by_week(weekly, metric)
    km = by_week(weekly, "distance_km")
    expected = [w for w in sorted(outcome) if np.isfinite(outcome[w])
                and np.isfinite(consistency.get(w - pd.Timedelta(weeks=lag), np.nan))]
    assert list(pairs["date"]) == expected
    for row in pairs.itertuples():
        assert row.x == consistency[row.date - pd.Timedelta(weeks=lag)]
        assert row.y == outcome[row.date] and row.km == km[row.date]
        assert row.x_to == row.date - pd.Timedelta(weeks=lag) + pd.Timedelta(days=6)
    # the same pairs as analysis.stats.lagged: the same association, to the last digit and word
    reference = lagged(weekly, "consistency_4wk", metric, lags=[lag])
    reference = reference[reference["scope"] == ATHLETE].iloc[0]
    result = association(pairs, unit="weeks", names=("consistency_4wk", metric))
    assert result.n == reference["n"] == len(pairs)
    for field in ESTIMATES:
        assert _equal(getattr(result, field), reference[field]), field
    assert result.message == reference["message"]
    if result.enough_data:  # and that association is pingouin's partial Spearman holding the week constant
        xs = [consistency[w - pd.Timedelta(weeks=lag)] for w in expected]
        ys = [outcome[w] for w in expected]
        assert result.r == pytest.approx(spearman_holding_week(xs, ys, expected), abs=1e-10)


def test_a_missing_week_is_a_gap_never_a_shift(weekly):
    own = weekly[weekly["athlete"] == ATHLETE].sort_values("week_start")
    dropped = own["week_start"].iloc[5]
    holed = own[own["week_start"] != dropped]
    full = pairing.weekly_pairs(weekly, ATHLETE, "pace_decay_pct", 2)
    pairs = pairing.weekly_pairs(holed, ATHLETE, "pace_decay_pct", 2)
    # the dropped week is missing as an outcome and as the consistency two weeks later; nothing else moves
    lost = {dropped, dropped + pd.Timedelta(weeks=2)}
    assert set(full["date"]) - set(pairs["date"]) == lost & set(full["date"])
    kept = full[~full["date"].isin(lost)].reset_index(drop=True)
    pd.testing.assert_frame_equal(pairs, kept)


def test_the_week_without_runs_has_no_pair(weekly):
    gap = MONDAY + pd.Timedelta(weeks=NO_RUN_WEEK)
    assert gap not in set(pairing.weekly_pairs(weekly, ATHLETE, "pace_decay_pct", 1)["date"])
    assert gap in set(pairing.weekly_pairs(weekly, ATHLETE, "back_soreness", 1)["date"])  # soreness was reported


def test_a_negative_lag_is_refused(weekly):
    with pytest.raises(ValueError, match="lag"):
        pairing.weekly_pairs(weekly, ATHLETE, "pace_decay_pct", -1)


def test_a_date_range_keeps_outcome_weeks_inside_it_but_consistency_from_before(weekly):
    first, last = MONDAY + pd.Timedelta(weeks=6, days=2), MONDAY + pd.Timedelta(weeks=11)
    full = pairing.weekly_pairs(weekly, ATHLETE, "back_soreness", 3)
    ranged = pairing.weekly_pairs(weekly, ATHLETE, "back_soreness", 3, first=first, last=last)
    inside = full[(full["date"] + pd.Timedelta(days=6) >= first) & (full["date"] <= last)].reset_index(drop=True)
    pd.testing.assert_frame_equal(ranged, inside)
    assert ranged["date"].min() == MONDAY + pd.Timedelta(weeks=6)  # the week overlapping `first`
    assert (ranged["date"] - pd.Timedelta(weeks=3) < pd.Timestamp(first)).any()  # consistency from before


def test_run_pairs_pair_each_run_with_its_28_day_consistency(run_frame):
    for metric, column in pairing.RUN_OUTCOMES.items():
        pairs = pairing.run_pairs(run_frame, ATHLETE, metric)
        own = run_frame[run_frame["athlete"] == ATHLETE].sort_values("local_date")
        both = own[own["consistency_28d"].notna() & own[column].notna()]
        assert len(pairs) == len(both)
        np.testing.assert_allclose(pairs["x"], both["consistency_28d"])
        np.testing.assert_allclose(pairs["y"], both[column])
        np.testing.assert_allclose(pairs["km"], both["distance_km"])
        assert list(pairs["date"]) == list(pd.to_datetime(both["local_date"]).dt.normalize())
        assert (pairs["x_to"] - pairs["x_from"] == pd.Timedelta(days=27)).all()
        assert (pairs["date"] - pairs["x_to"] == pd.Timedelta(days=1)).all()


def test_the_markers_are_one_registry_with_perceived_effort_in_it():
    from analysis.squad import SQUAD_METRICS

    assert pairing.FATIGUE_METRICS == tuple(SQUAD_METRICS) == (
        "pace_decay_pct", "cadence_drift_spm", "decoupling_pct", "back_soreness", "perceived_effort")
    assert dict(pairing.RUN_OUTCOMES) == {m: spec.run_column for m, spec in SQUAD_METRICS.items()}
    assert pairing.RUN_OUTCOMES["back_soreness"] == "soreness_next_day"
    assert pairing.RUN_OUTCOMES["perceived_effort"] == "perceived_effort"


def test_run_pairs_of_perceived_effort_take_every_run_with_one_and_no_ride(run_frame):
    frame = run_frame.copy()
    frame.loc[frame.index[:3], "eligible"] = False
    frame.loc[frame.index[3], "sport"] = "cycling"
    pairs = pairing.run_pairs(frame, ATHLETE, "perceived_effort")
    runs_with_one = frame[(frame["sport"] == "running") & frame["perceived_effort"].notna()
                          & frame["consistency_28d"].notna()]
    assert len(pairs) == len(runs_with_one) and not runs_with_one["eligible"].all()
    np.testing.assert_allclose(pairs["y"], runs_with_one.sort_values("local_date")["perceived_effort"])
    assert frame.loc[frame.index[3], "local_date"] not in set(pairs["date"])


# --- the associations the page shows ---------------------------------------------------------------


def _pair_cases(weekly, run_frame):
    return [
        ("weeks", "weekly km", pairing.weekly_pairs(weekly, ATHLETE, "decoupling_pct", 1)),
        ("weeks", "weekly km", pairing.weekly_pairs(weekly, ATHLETE, "back_soreness", 0)),
        ("runs", "run distance", pairing.run_pairs(run_frame, ATHLETE, "pace_decay_pct")),  # runs share weeks
    ]


def test_pair_correlations_are_partial_spearman_holding_the_week_as_pingouin(weekly, run_frame):
    for unit, load_name, pairs in _pair_cases(weekly, run_frame):
        assert len(pairs) >= DEFAULT_MIN_N
        result = pairing.pair_correlations(pairs, unit=unit, load_name=load_name)
        x, y, km, dates = pairs["x"], pairs["y"], pairs["km"], pairs["date"]
        expected = {
            "outcome": spearman_holding_week(x, y, dates),
            "load": spearman_holding_week(x, km, dates),
            "outcome_load": spearman_holding_week(km, y, dates),
            "partial": spearman_holding_week(x, y, dates, km=km),
        }
        for field, r in expected.items():
            got = getattr(result, field)
            assert got.n == len(pairs)
            if got.enough_data:
                assert got.r == pytest.approx(r, abs=1e-10), (unit, field)
                assert_serial_result(got, unit)
            else:
                assert_not_enough(got)
        assert result.outcome.enough_data  # the comparison above was not vacuous
        assert f"holding {load_name} constant" in result.partial.message
        assert result.partial.method == "partial_spearman_serial" and result.outcome.method == "spearman_serial"


def test_pair_correlations_are_association_on_the_same_pairs(weekly, run_frame):
    """The wiring: which column goes where, the unit, the names and the minimums reach association."""
    names = ("consistency", "decoupling")
    for unit, load_name, pairs in _pair_cases(weekly, run_frame):
        for min_n, min_eff in ((DEFAULT_MIN_N, DEFAULT_MIN_EFFECTIVE_N), (len(pairs) + 1, 4), (4, 9)):
            result = pairing.pair_correlations(pairs, unit=unit, names=names, load_name=load_name, min_n=min_n,
                                               min_effective_n=min_eff)
            common = dict(unit=unit, min_n=min_n, min_effective_n=min_eff)
            plain = pd.DataFrame({"date": pairs["date"], "x": pairs["x"], "y": pairs["y"]})
            assert result.outcome == association(plain, names=names, **common)
            assert result.load == association(plain.assign(y=pairs["km"]), names=(names[0], load_name), **common)
            assert result.outcome_load == association(plain.assign(x=pairs["km"]), names=(load_name, names[1]),
                                                      **common)
            assert result.partial == association(plain.assign(km=pairs["km"]), hold_km=True, km_name=load_name,
                                                 names=names, **common)
            if min_n > len(pairs):
                assert result.outcome.message.startswith(f"not enough data: {len(pairs)} {unit}")


def test_the_season_trend_is_taken_out_of_the_association():
    """Consistency creeping up and fade creeping down through a block is not a link: the textbook ρ sees one."""
    rng = np.random.default_rng(21)
    weeks = 30
    trend = np.arange(weeks) / weeks
    frame = pd.DataFrame({
        "athlete": "Tia",
        "week_start": pd.Timestamp("2026-01-05") + pd.to_timedelta(np.arange(weeks) * 7, unit="D"),
        "consistency_4wk": np.clip(trend + rng.normal(0, 0.08, weeks), 0, 1),
        "consistency_weeks": 4,
        "distance_km": rng.normal(40.0, 5.0, weeks),
        "pace_decay_pct": 8.0 - 5.0 * trend + rng.normal(0, 0.4, weeks),
    })
    pairs = pairing.weekly_pairs(frame, "Tia", "pace_decay_pct", 0)
    textbook = scipy_stats.spearmanr(pairs["x"], pairs["y"])
    assert textbook.statistic < -0.5 and textbook.pvalue < 0.01
    result = pairing.pair_correlations(pairs).outcome
    assert result.r == pytest.approx(spearman_holding_week(pairs["x"], pairs["y"], pairs["date"]), abs=1e-10)
    assert abs(result.r) < abs(textbook.statistic)
    assert_serial_result(result, "weeks")


# --- lags ------------------------------------------------------------------------------------------


def test_lag_table_matches_analysis_stats_lagged_and_holm_over_its_lags(weekly):
    lags = list(range(5))
    table = pairing.lag_table(weekly, ATHLETE, "back_soreness", lags)
    assert list(table.columns) == pairing.LAG_TABLE_COLUMNS
    assert table["lag_weeks"].tolist() == lags
    reference = lagged(weekly, "consistency_4wk", "back_soreness", lags=lags)
    reference = reference[reference["scope"] == ATHLETE].reset_index(drop=True)
    for column in ESTIMATES:
        np.testing.assert_allclose(table[column], reference[column], equal_nan=True, rtol=1e-12)
    assert table["n"].tolist() == reference["n"].tolist()
    assert table["message"].tolist() == reference["message"].tolist()
    assert table["enough_data"].tolist() == reference["enough_data"].tolist()
    # Holm over the five lags, as statsmodels computes it, and as lagged's own p_holm within the athlete's scope
    np.testing.assert_allclose(table["p_holm"], holm_reference(table["p"]), equal_nan=True, rtol=1e-12)
    np.testing.assert_allclose(table["p_holm"], reference["p_holm"], equal_nan=True, rtol=1e-12)
    assert (table["p_holm"] >= table["p"] - 1e-15).all()
    for row in table.itertuples():
        pairs = pairing.weekly_pairs(weekly, ATHLETE, "back_soreness", row.lag_weeks)
        assert row.n == len(pairs)
        if row.enough_data:
            assert row.r == pytest.approx(spearman_holding_week(pairs["x"], pairs["y"], pairs["date"]), abs=1e-10)
            assert row.n_effective <= row.n


def test_lag_table_minimums_decide_enough_data(weekly):
    strict = pairing.lag_table(weekly, ATHLETE, "back_soreness", range(5), min_n=13)
    expected = (strict["n"] >= 13) & (strict["n_effective"] >= DEFAULT_MIN_EFFECTIVE_N)
    assert strict["enough_data"].tolist() == expected.tolist()
    assert strict["enough_data"].any() and not strict["enough_data"].all()  # both kinds of row occur
    assert strict.loc[~strict["enough_data"], "r"].isna().all()
    assert strict.loc[~strict["enough_data"], "p_holm"].isna().all()  # no p, nothing to adjust
    # the adjustment counts only the lags with a p: fewer tests, a smaller factor
    np.testing.assert_allclose(strict["p_holm"], holm_reference(strict["p"]), equal_nan=True, rtol=1e-12)
    picky = pairing.lag_table(weekly, ATHLETE, "back_soreness", range(5), min_effective_n=12)
    assert picky["enough_data"].tolist() == (picky["n_effective"] >= 12).tolist()
    for row in picky[~picky["enough_data"]].itertuples():
        assert f"are worth about {max(1, round(row.n_effective))} independent weeks, need 12" in row.message


def test_lag_grid_is_every_marker_at_every_lag_with_holm_over_the_whole_grid(weekly):
    lags = list(DEFAULT_LAGS)
    grid = pairing.lag_grid(weekly, ATHLETE)
    assert list(grid.columns) == pairing.LAG_GRID_COLUMNS
    assert len(grid) == len(pairing.FATIGUE_METRICS) * len(lags)
    assert list(zip(grid["metric"], grid["lag_weeks"], strict=True)) == list(
        itertools.product(pairing.FATIGUE_METRICS, lags))
    assert str(grid["n"].dtype) == "int64" and str(grid["enough_data"].dtype) == "bool"
    # one family of 25 tests: Holm over every cell with a p, as statsmodels and analysis.stats.holm_adjust
    np.testing.assert_allclose(grid["p_holm"], holm_reference(grid["p"]), equal_nan=True, rtol=1e-12)
    np.testing.assert_allclose(grid["p_holm"], holm_adjust(grid["p"].to_numpy()), equal_nan=True, rtol=0)
    assert (grid["p_holm"] >= grid["p"] - 1e-15).all()
    for metric in pairing.FATIGUE_METRICS:
        cells = grid[grid["metric"] == metric].reset_index(drop=True)
        table = pairing.lag_table(weekly, ATHLETE, metric, lags)
        for column in ("lag_weeks", "n", "enough_data", "message"):
            assert cells[column].tolist() == table[column].tolist(), (metric, column)
        for column in ESTIMATES:
            np.testing.assert_allclose(cells[column], table[column], equal_nan=True, rtol=0)
        # the grid's family is larger than one marker's lags: its adjustment is never smaller
        assert (cells["p_holm"] >= table["p_holm"] - 1e-15).all()


def test_lag_grid_passes_dates_and_minimums_on(weekly):
    first, last = MONDAY + pd.Timedelta(weeks=3), MONDAY + pd.Timedelta(weeks=13)
    metrics, lags = ("pace_decay_pct", "back_soreness"), [1, 3]
    grid = pairing.lag_grid(weekly, ATHLETE, metrics, lags, first=first, last=last, min_n=11, min_effective_n=5)
    assert len(grid) == 4
    for metric in metrics:
        cells = grid[grid["metric"] == metric].reset_index(drop=True)
        table = pairing.lag_table(weekly, ATHLETE, metric, lags, first=first, last=last, min_n=11,
                                  min_effective_n=5)
        assert cells["message"].tolist() == table["message"].tolist()
        assert cells["n"].tolist() == table["n"].tolist()
        for lag, n in zip(lags, cells["n"], strict=True):
            assert n == len(pairing.weekly_pairs(weekly, ATHLETE, metric, lag, first=first, last=last))
        full = pairing.lag_table(weekly, ATHLETE, metric, lags)
        assert (cells["n"] <= full["n"]).all()
    assert (grid["n"] < 11).any() and (grid["n"] >= 11).any()  # both sides of the raised minimum occur
    short = grid[grid["n"] < 11]
    assert (~short["enough_data"]).all() and short["message"].str.endswith("need 11").all()


def test_lag_grid_finds_a_planted_link_after_holm():
    frame = planted_weekly()
    grid = pairing.lag_grid(frame, "Pia").set_index(["metric", "lag_weeks"])
    planted = grid.loc[("pace_decay_pct", 1)]
    pairs = pairing.weekly_pairs(frame, "Pia", "pace_decay_pct", 1)
    assert planted["r"] == pytest.approx(spearman_holding_week(pairs["x"], pairs["y"], pairs["date"]), abs=1e-10)
    assert planted["r"] < 0 and planted["p_holm"] < 0.05 and planted["ci_high"] < 0
    assert planted["message"].startswith("strong negative association")
    others = grid.drop(index=("pace_decay_pct", 1))
    assert others["enough_data"].all() and (others["p_holm"] >= 0.05).all()
    assert (others["p"] < 0.05).sum() <= 2  # noise may look 'significant' once or twice; Holm keeps it out
