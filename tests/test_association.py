"""analysis.stats.association and holm_adjust: the estimate against independent references, and the
effective n against cases whose answer is known without the code (copies of a pair, white noise,
persistent series, a shared drift).

References: pingouin.partial_corr (Spearman, the week as a covariate), statsmodels OLS residuals for the
squad's within-athlete correlation, statsmodels' multipletests for Holm, brute-force pair sums.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin
import pytest
import statsmodels.formula.api as smf
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests

from analysis.errors import InputError
from analysis.stats import (
    DEFAULT_MIN_EFFECTIVE_N,
    _lag_products,
    association,
    describe_interval,
    holm_adjust,
    partial_spearman,
    spearman,
)

MONDAY = pd.Timestamp("2026-01-05")


def weekly_pairs(x, y, km=None, *, start=MONDAY, skip=()) -> pd.DataFrame:
    """One pair per calendar week from ``start``; weeks listed in ``skip`` are left out (a gap)."""
    weeks = [w for w in range(len(x) + len(skip)) if w not in set(skip)][: len(x)]
    frame = pd.DataFrame({"date": start + pd.to_timedelta(np.array(weeks) * 7, unit="D"), "x": x, "y": y})
    if km is not None:
        frame["km"] = km
    return frame


def week_number(dates: pd.Series) -> np.ndarray:
    return ((pd.to_datetime(dates) - pd.Timestamp("1970-01-05")).dt.days // 7).to_numpy()


def ar1(rng, n, phi):
    out = np.empty(n)
    out[0] = rng.normal()
    for t in range(1, n):
        out[t] = phi * out[t - 1] + math.sqrt(1 - phi * phi) * rng.normal()
    return out


# --- the estimate ----------------------------------------------------------------------------------


def test_one_athlete_r_is_the_partial_spearman_holding_the_week_constant():
    rng = np.random.default_rng(1)
    x = rng.normal(size=30)
    pairs = weekly_pairs(x, 0.5 * x + rng.normal(size=30), rng.normal(size=30), skip=(4, 11))
    pairs["week"] = week_number(pairs["date"])
    res = association(pairs, unit="weeks")
    ref = pingouin.partial_corr(pairs, x="x", y="y", covar="week", method="spearman")
    assert res.r == pytest.approx(float(ref["r"].iloc[0]))
    held = association(pairs, hold_km=True, unit="weeks", km_name="weekly km")
    ref_km = pingouin.partial_corr(pairs, x="x", y="y", covar=["week", "km"], method="spearman")
    assert held.r == pytest.approx(float(ref_km["r"].iloc[0]))
    assert "holding weekly km constant" in held.message and res.trend_removed


def test_squad_r_is_the_within_athlete_correlation_after_each_athletes_trend():
    rng = np.random.default_rng(2)
    frames = []
    for i in range(4):
        n = 20 + 3 * i
        x = rng.normal(size=n) + i
        y = 2 * i - 0.4 * x + rng.normal(size=n) + 0.1 * np.arange(n)
        frames.append(weekly_pairs(x, y).assign(athlete=f"a{i}"))
    pairs = pd.concat(frames, ignore_index=True)
    pairs["week"] = week_number(pairs["date"])
    res = association(pairs, subject="athlete", unit="athlete-weeks")
    ex = smf.ols("x ~ C(athlete) + C(athlete):week", pairs).fit().resid
    ey = smf.ols("y ~ C(athlete) + C(athlete):week", pairs).fit().resid
    assert res.r == pytest.approx(float(np.corrcoef(ex, ey)[0, 1]))
    assert res.method == "repeated_measures_serial" and "from 4 athletes" in res.message
    assert "within athletes" in res.message and "r_rm = " in res.message


def test_result_fields_hang_together():
    rng = np.random.default_rng(3)
    x = ar1(rng, 40, 0.7)
    res = association(weekly_pairs(x, -0.6 * x + rng.normal(size=40)), unit="weeks")
    assert res.enough_data and res.n == 40
    assert 4 <= res.n_effective <= res.n
    assert res.dof == pytest.approx(res.n_effective - 3)
    assert res.ci_low < res.r < res.ci_high
    # p is the test the CI inverts: p < 0.05 exactly when the CI excludes 0
    se = math.sqrt((1 + res.r**2 / 2) / (res.n_effective - 3))
    assert res.p == pytest.approx(2 * norm.sf(abs(math.atanh(res.r)) / se))
    for seed in range(30):
        rng_k = np.random.default_rng(100 + seed)
        xk = rng_k.normal(size=20)
        k = association(weekly_pairs(xk, 0.5 * xk + rng_k.normal(size=20)), unit="weeks")
        assert (k.p < 0.05) == (not k.ci_low <= 0 <= k.ci_high)
    assert f"worth about {round(res.n_effective)} independent weeks" in res.message
    assert res.message.startswith(describe_interval(res.r, res.ci_low, res.ci_high))


# --- effective n: cases with a known answer ---------------------------------------------------------


def test_white_noise_is_worth_about_its_n_and_p_matches_the_textbook():
    rng = np.random.default_rng(4)
    ratios, gaps = [], []
    for _ in range(30):
        x, y = rng.normal(size=60), rng.normal(size=60)
        pairs = weekly_pairs(x, y)
        res = association(pairs, unit="weeks")
        ratios.append(res.n_effective / res.n)
        textbook = partial_spearman(x, y, np.arange(60.0), unit="weeks")
        gaps.append(abs(res.p - textbook.p))
    # independent weeks: nothing to discount beyond the trend term (sampling noise in the autocorrelations)
    assert 0.8 <= float(np.median(ratios)) <= 1.0
    assert float(np.median(gaps)) < 0.05


def test_four_copies_of_each_week_are_worth_one_week_each():
    rng = np.random.default_rng(5)
    x, y = ar1(rng, 30, 0.6), ar1(rng, 30, 0.6)  # persistent, so the weeks alone are worth fewer than 30
    once = weekly_pairs(x, y)
    # the same week's state four times over (runs of one week that share everything): no new information
    copies = once.loc[once.index.repeat(4)].reset_index(drop=True)
    copies["date"] = copies["date"] + pd.to_timedelta(np.tile([0, 1, 3, 5], 30), unit="D")
    res_once = association(once, unit="weeks")
    res_copies = association(copies, unit="runs")
    assert res_copies.n == 120 and res_once.n_effective < 28.5  # not held at the cap of n
    assert res_copies.n_effective == pytest.approx(res_once.n_effective, rel=0.2)
    assert res_copies.r == pytest.approx(res_once.r, abs=0.05)


def test_persistent_series_are_worth_far_fewer_independent_weeks():
    rng = np.random.default_rng(6)
    worth = []
    for _ in range(20):
        res = association(weekly_pairs(ar1(rng, 52, 0.9), ar1(rng, 52, 0.9)), unit="weeks", min_effective_n=4)
        worth.append(res.n_effective if res.enough_data else 0.0)
    # Bartlett: two AR(1) with φ = 0.9 give n (1 − φ²)/(1 + φ²) ≈ 0.105 n ≈ 5.5 of 52 weeks
    assert float(np.median(worth)) < 15


def test_a_drift_shared_by_both_does_not_read_as_an_association():
    rng = np.random.default_rng(7)
    textbook_hits = hits = 0
    for _ in range(100):
        t = np.arange(26.0)
        x = 0.15 * t + ar1(rng, 26, 0.5)  # habit builds through the season
        y = -0.15 * t + ar1(rng, 26, 0.5)  # fitness: less fade as it goes
        textbook_hits += spearman(x, y).p < 0.05
        hits += association(weekly_pairs(x, y)).p < 0.05
    assert textbook_hits >= 60  # ignoring time, the drift looks like a strong link
    assert hits <= 10


def test_lag_products_equal_brute_force_pair_sums():
    rng = np.random.default_rng(8)
    weeks = np.sort(rng.integers(0, 12, size=40)).astype(float)
    e = rng.normal(size=40)
    products, counts = _lag_products(e, weeks, 5)
    for k in range(6):
        mask = (np.abs(weeks[:, None] - weeks[None, :]) == k) & ~np.eye(40, dtype=bool)
        assert products[k] == pytest.approx(float(np.outer(e, e)[mask].sum()))
        assert counts[k] == mask.sum()


# --- rules: not enough data, words, errors ---------------------------------------------------------


def test_not_enough_data_by_n_and_by_effective_n():
    rng = np.random.default_rng(9)
    few = association(weekly_pairs(rng.normal(size=6), rng.normal(size=6)), unit="weeks")
    assert not few.enough_data and few.message == "not enough data: 6 weeks, need 8"
    three = association(weekly_pairs(rng.normal(size=3), rng.normal(size=3)), unit="weeks")
    assert three.n == 3 and three.message == "not enough data: 3 weeks, need 8"
    t = np.arange(40.0)
    smooth = association(weekly_pairs(np.sin(t / 6) + 0.01 * rng.normal(size=40),
                                       np.cos(t / 7) + 0.01 * rng.normal(size=40)), unit="weeks",
                         min_effective_n=30)
    assert not smooth.enough_data and math.isnan(smooth.r)
    assert smooth.message.startswith("not enough data: 40 weeks are worth about ")
    assert smooth.message.endswith(", need 30") and smooth.n_effective < 30
    assert DEFAULT_MIN_EFFECTIVE_N >= 4


def test_words_come_from_the_interval():
    assert describe_interval(-0.6, -0.9, 0.1) == "no clear association"
    assert describe_interval(-0.6, -0.9, -0.1) == "strong negative association"
    assert describe_interval(float("nan"), 0.0, 0.0) == "no estimate"
    rng = np.random.default_rng(10)
    x = rng.normal(size=12)
    res = association(weekly_pairs(x, 0.6 * x + rng.normal(size=12)), unit="weeks")
    if res.ci_low <= 0 <= res.ci_high:
        assert res.message.startswith("no clear association (r = ")
    else:
        assert "association (r = " in res.message and not res.message.startswith("no clear")


def test_bad_pairs_raise_input_error():
    with pytest.raises(InputError, match="lack column"):
        association(pd.DataFrame({"date": [MONDAY], "x": [1.0]}))
    with pytest.raises(InputError, match="missing date"):
        association(pd.DataFrame({"date": [MONDAY, None], "x": [1.0, 2.0], "y": [1.0, 2.0]}))
    with pytest.raises(InputError, match="min_effective_n"):
        association(weekly_pairs(np.arange(10.0), np.arange(10.0)), min_effective_n=3)


def test_a_squad_athlete_with_too_few_pairs_is_left_out_and_said_so():
    rng = np.random.default_rng(11)
    frames = [weekly_pairs(rng.normal(size=20), rng.normal(size=20)).assign(athlete=a) for a in ("A", "B")]
    frames.append(weekly_pairs(rng.normal(size=2), rng.normal(size=2)).assign(athlete="C"))
    res = association(pd.concat(frames, ignore_index=True), subject="athlete", unit="athlete-weeks")
    assert res.n == 40 and "1 athlete with fewer than 4 pairs left out" in res.message


# --- Holm -------------------------------------------------------------------------------------------


def test_holm_agrees_with_statsmodels_and_keeps_nan():
    rng = np.random.default_rng(12)
    p = rng.uniform(0, 0.2, size=20)
    p[[3, 9]] = np.nan
    ours = holm_adjust(p)
    finite = np.isfinite(p)
    ref = multipletests(p[finite], method="holm")[1]
    np.testing.assert_allclose(ours[finite], ref)
    assert np.isnan(ours[~finite]).all() and (ours[finite] >= p[finite]).all()
    assert holm_adjust([]).shape == (0,)
