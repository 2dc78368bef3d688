"""analysis.stats: hand-computed answers, references (scipy, pingouin, R rmcorr), and validity by simulation."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from analysis.errors import InputError
from analysis.stats import (
    DEFAULT_LAGS,
    DEFAULT_MIN_N,
    LAGGED_COLUMNS,
    STATS_SETTINGS,
    Correlation,
    describe_strength,
    lagged,
    partial_spearman,
    repeated_measures_corr,
    spearman,
)

Z95 = 1.959963984540054


def _pingouin():
    pg = pytest.importorskip("pingouin")
    return pg


def _quiet(fn, *args, **kwargs):
    """Call pingouin with pandas' deprecation chatter (pingouin 0.7 on pandas 3.1) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        return fn(*args, **kwargs)


# --- describe_strength / settings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("r", "words"),
    [
        (0.0, "negligible association"),
        (-0.099, "negligible association"),
        (0.1, "weak positive association"),
        (-0.29, "weak negative association"),
        (0.3, "moderate positive association"),
        (-0.42, "moderate negative association"),
        (0.5, "strong positive association"),
        (-1.0, "strong negative association"),
        (float("nan"), "no estimate"),
    ],
)
def test_describe_strength_words_association_never_cause(r, words):
    text = describe_strength(r)
    assert text == words
    assert "caus" not in text


def test_defaults_come_from_the_settings_table():
    by_name = {s.name: s.default for s in STATS_SETTINGS}
    assert DEFAULT_MIN_N == by_name["min_n"] == 8
    assert list(DEFAULT_LAGS) == list(range(0, by_name["max_lag_weeks"] + 1))


# --- Spearman --------------------------------------------------------------------------------------


def test_spearman_perfect_monotone_is_one_and_minus_one():
    x = np.arange(10.0)
    up = spearman(x, x**3)  # monotone, not linear
    assert up.r == pytest.approx(1.0)
    assert up.p == 0.0
    assert (up.ci_low, up.ci_high) == (pytest.approx(1.0), pytest.approx(1.0))
    assert up.enough_data and up.n == 10
    down = spearman(x, -np.exp(x))
    assert down.r == pytest.approx(-1.0)
    assert "strong negative association" in down.message


def test_spearman_hand_computed_with_ties():
    # x ranks (average for the tie at 2): 1, 2.5, 2.5, 4, 5, 6, 7, 8; y ranks: 2, 1, 3, 4, 6, 5, 8, 7
    x = [1, 2, 2, 3, 4, 5, 6, 7]
    y = [20, 10, 30, 40, 60, 50, 80, 70]
    rx = np.array([1, 2.5, 2.5, 4, 5, 6, 7, 8])
    ry = np.array([2, 1, 3, 4, 6, 5, 8, 7], dtype=float)
    dx, dy = rx - rx.mean(), ry - ry.mean()
    r_hand = float(dx @ dy / math.sqrt((dx @ dx) * (dy @ dy)))
    res = spearman(x, y)
    assert res.r == pytest.approx(r_hand, abs=1e-12)
    # by hand: Σdx·dy = 38, Σdx² = 41.5, Σdy² = 42 → r = 38 / √(41.5 · 42) = 0.910196
    assert res.r == pytest.approx(38 / math.sqrt(41.5 * 42), abs=1e-12)
    # p from t on n − 2 = 6 dof
    t = r_hand * math.sqrt(6 / (1 - r_hand**2))
    assert res.p == pytest.approx(2 * scipy.stats.t.sf(abs(t), 6), rel=1e-10)
    assert res.dof == 6


@pytest.mark.parametrize("seed", range(5))
def test_spearman_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    n = 12 + 7 * seed
    x = rng.normal(size=n)
    y = 0.4 * x + rng.normal(size=n)
    x[::5] = np.round(x[::5], 0)  # some ties
    ref = scipy.stats.spearmanr(x, y)
    res = spearman(x, y)
    assert res.r == pytest.approx(ref.statistic, abs=1e-12)
    assert res.p == pytest.approx(ref.pvalue, rel=1e-9)
    assert res.n == n


def test_spearman_ci_is_fisher_z_with_bonett_wright_variance():
    x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3]
    y = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0, 4, 5]
    res = spearman(x, y)
    n, r = 16, res.r
    se = math.sqrt((1 + r * r / 2) / (n - 3))  # Bonett & Wright (2000)
    z = math.atanh(r)
    assert res.ci_low == pytest.approx(math.tanh(z - Z95 * se), abs=1e-12)
    assert res.ci_high == pytest.approx(math.tanh(z + Z95 * se), abs=1e-12)
    assert res.ci_low < r < res.ci_high


def test_spearman_drops_nan_pairs():
    x = [1, 2, np.nan, 4, 5, 6, 7, 8, 9, 10, None]
    y = [2, 1, 3, np.nan, 5, 7, 6, 8, 10, 9, 11]
    res = spearman(x, y)
    keep = [0, 1, 4, 5, 6, 7, 8, 9]
    xa, ya = np.array(x, dtype=float)[keep], np.array(y, dtype=float)[keep]
    assert res.n == 8
    assert res.r == pytest.approx(scipy.stats.spearmanr(xa, ya).statistic)
    # pandas nullable dtypes work too
    res2 = spearman(pd.Series(x, dtype="Float64"), pd.Series(y, dtype="Float64"))
    assert res2.r == pytest.approx(res.r) and res2.n == 8


def test_spearman_below_min_n_says_not_enough_data():
    res = spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5], unit="weeks")
    assert not res.enough_data
    assert all(math.isnan(v) for v in (res.r, res.ci_low, res.ci_high, res.p))
    assert res.dof is None
    assert res.message == "not enough data: 5 weeks, need 8"
    # the setting is honoured
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5], min_n=5).enough_data
    assert not spearman(range(9), range(9), min_n=10).enough_data


def test_spearman_constant_input():
    res = spearman(np.arange(10), np.full(10, 3.0), names=("consistency_4wk", "pace_decay_pct"))
    assert not res.enough_data and math.isnan(res.r)
    assert "no variation in pace_decay_pct" in res.message
    both = spearman(np.ones(10), np.ones(10))
    assert "no variation in x or y" in both.message


def test_spearman_rejects_mismatched_lengths():
    with pytest.raises(InputError):
        spearman([1, 2, 3], [1, 2])
    with pytest.raises(InputError):
        spearman([1, 2, 3], [1, 2, 3], min_n=0)


def test_correlation_as_dict_and_message_format():
    res = spearman([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 1, 4, 3, 6, 5, 8, 7, 10, 9])
    d = res.as_dict()
    assert set(d) == {"method", "r", "ci_low", "ci_high", "p", "n", "dof", "enough_data", "message", "n_effective",
                      "trend_removed"}
    assert d["method"] == "spearman" and d["n"] == 10
    assert isinstance(res, Correlation)
    assert res.message.startswith("strong positive association (r = 0.94, 95 % CI ")
    assert "n = 10 pairs" in res.message and "p < 0.001" in res.message
    neg = spearman(np.arange(12), [5, 3, 8, 1, 2, 7, 0, 4, 1, 2, 0, -1])
    assert "\u2212" in neg.message  # a true minus sign


# --- repeated-measures correlation -----------------------------------------------------------------


def _ancova_reference(df: pd.DataFrame, x: str, y: str, subject: str) -> tuple[float, int]:
    """An independent r_rm: least-squares ANCOVA y ~ subject dummies + x (Bakdash & Marusich 2017)."""
    d = df[[x, y, subject]].dropna()
    dummies = pd.get_dummies(d[subject]).to_numpy(dtype=float)
    yv = d[y].to_numpy(dtype=float)
    full = np.column_stack([dummies, d[x].to_numpy(dtype=float)])
    coef_full, *_ = np.linalg.lstsq(full, yv, rcond=None)
    ss_resid = float(np.sum((yv - full @ coef_full) ** 2))
    coef_red, *_ = np.linalg.lstsq(dummies, yv, rcond=None)
    ss_x = float(np.sum((yv - dummies @ coef_red) ** 2)) - ss_resid
    dof = len(d) - dummies.shape[1] - 1
    return float(np.sign(coef_full[-1]) * math.sqrt(ss_x / (ss_x + ss_resid))), dof


BLAND1995_RMCORR = {  # R package rmcorr 0.7.0 README: rmcorr(Subject, PaCO2, pH, bland1995)
    "r": -0.5067697,
    "dof": 38,
    "p": 0.0008471081,
    "ci": (-0.7067146, -0.2318631),
}


def test_rm_corr_bland1995_matches_r_rmcorr_and_pingouin():
    pg = _pingouin()
    df = pg.read_dataset("rm_corr")
    res = repeated_measures_corr(df, "pH", "PacO2", "Subject")
    assert res.method == "repeated_measures"
    assert res.r == pytest.approx(BLAND1995_RMCORR["r"], abs=1e-7)
    assert res.dof == BLAND1995_RMCORR["dof"]
    assert res.p == pytest.approx(BLAND1995_RMCORR["p"], rel=1e-6)
    assert (res.ci_low, res.ci_high) == (
        pytest.approx(BLAND1995_RMCORR["ci"][0], abs=1e-7),
        pytest.approx(BLAND1995_RMCORR["ci"][1], abs=1e-7),
    )
    assert res.n == 47
    ref = _quiet(pg.rm_corr, data=df, x="pH", y="PacO2", subject="Subject")
    assert res.r == pytest.approx(float(ref["r"].iloc[0]), abs=1e-9)
    assert "strong negative association within athletes" in res.message
    assert "8 athletes" in res.message


def _random_squad(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(3, 9))
    sizes = rng.integers(2, 15, size=k)
    subj = np.repeat([f"ath{i}" for i in range(k)], sizes)
    offs_x = rng.normal(0, 3, size=k)[np.repeat(np.arange(k), sizes)]
    offs_y = rng.normal(0, 3, size=k)[np.repeat(np.arange(k), sizes)]
    x = offs_x + rng.normal(size=subj.size)
    slope = rng.uniform(-1, 1)
    y = offs_y + slope * (x - offs_x) + rng.normal(size=subj.size)
    df = pd.DataFrame({"who": subj, "cons": x, "fade": y})
    df.loc[rng.random(len(df)) < 0.05, "fade"] = np.nan
    return df.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # order must not matter


@pytest.mark.parametrize("seed", range(8))
def test_rm_corr_agrees_with_pingouin_and_an_ancova_fit(seed):
    pg = _pingouin()
    df = _random_squad(seed)
    res = repeated_measures_corr(df, "cons", "fade", "who", min_n=3)
    ref = _quiet(pg.rm_corr, data=df, x="cons", y="fade", subject="who")
    assert res.r == pytest.approx(float(ref["r"].iloc[0]), abs=1e-10)
    assert res.dof == int(ref["dof"].iloc[0])
    assert res.p == pytest.approx(float(ref["pval"].iloc[0]), rel=1e-7, abs=1e-300)
    ci_ref = np.asarray(ref["CI95"].iloc[0], dtype=float)  # pingouin rounds to 2 decimals
    assert res.ci_low == pytest.approx(ci_ref[0], abs=0.0051)
    assert res.ci_high == pytest.approx(ci_ref[1], abs=0.0051)
    # pingouin's own CI formula at full precision (Fisher z with n = dof + 2)
    ci_exact = pg.compute_esci(stat=res.r, nx=int(res.dof) + 2, eftype="pearson", decimals=12)
    assert (res.ci_low, res.ci_high) == (pytest.approx(ci_exact[0], abs=1e-10), pytest.approx(ci_exact[1], abs=1e-10))
    r_ancova, dof_ancova = _ancova_reference(df, "cons", "fade", "who")
    assert res.r == pytest.approx(r_ancova, abs=1e-9)
    assert res.dof == dof_ancova


def test_rm_corr_drops_single_observation_athletes_and_says_so():
    pg = _pingouin()
    df = _random_squad(3)
    extra = pd.DataFrame({"who": ["solo", "lone"], "cons": [5.0, -2.0], "fade": [1.0, 0.5]})
    both = pd.concat([df, extra], ignore_index=True)
    res = repeated_measures_corr(both, "cons", "fade", "who", min_n=3)
    base = repeated_measures_corr(df, "cons", "fade", "who", min_n=3)
    assert res.r == pytest.approx(base.r) and res.dof == base.dof and res.n == base.n
    assert "2 athletes with a single observation left out" in res.message
    ref = _quiet(pg.rm_corr, data=both, x="cons", y="fade", subject="who")
    assert res.r == pytest.approx(float(ref["r"].iloc[0]), abs=1e-10)
    assert res.dof == int(ref["dof"].iloc[0])


def test_rm_corr_not_enough_data_and_no_within_variation():
    df = pd.DataFrame({"a": ["p", "p", "q", "q", "r", "r"], "x": [1, 2, 3, 4, 5, 6.0], "y": [1, 3, 2, 5, 4, 7.0]})
    res = repeated_measures_corr(df, "x", "y", "a", unit="athlete-weeks")
    assert not res.enough_data and math.isnan(res.r)
    assert res.message == "not enough data: 6 athlete-weeks from 3 athletes, need 8"
    low_dof = repeated_measures_corr(df.iloc[:4], "x", "y", "a", min_n=4)  # 4 obs − 2 athletes − 1 = 1 dof
    assert not low_dof.enough_data and "degrees of freedom" in low_dof.message
    # x differs between athletes but never within one: r_rm is undefined
    flat = pd.DataFrame({"a": np.repeat(list("pqr"), 4), "x": np.repeat([1.0, 2.0, 3.0], 4), "y": np.arange(12.0)})
    res = repeated_measures_corr(flat, "x", "y", "a")
    assert not res.enough_data and "no variation in x within athletes" in res.message
    with pytest.raises(InputError):
        repeated_measures_corr(flat, "x", "nope", "a")


# --- partial Spearman ------------------------------------------------------------------------------


def test_partial_spearman_removes_a_common_driver():
    rng = np.random.default_rng(7)
    n = 150
    km = rng.uniform(20, 80, size=n)  # weekly km drives both
    cons = km / 80 + rng.normal(0, 0.08, size=n)
    fade = 0.05 * km + rng.normal(0, 0.4, size=n)
    plain = spearman(cons, fade)
    part = partial_spearman(cons, fade, pd.Series(km, name="weekly_km"))
    assert plain.r > 0.7 and plain.p < 1e-6
    assert abs(part.r) < 0.2
    assert part.ci_low < 0 < part.ci_high
    assert part.method == "partial_spearman" and part.dof == n - 3
    assert "holding weekly_km constant" in part.message


@pytest.mark.parametrize("n_cov", [1, 2])
def test_partial_spearman_matches_pingouin_and_hand_ci(n_cov):
    pg = _pingouin()
    rng = np.random.default_rng(11 + n_cov)
    n = 40
    df = pd.DataFrame({"z1": rng.normal(size=n), "z2": rng.exponential(size=n)})
    df["x"] = df["z1"] + 0.5 * df["z2"] + rng.normal(size=n)
    df["y"] = df["z1"] - 0.2 * df["x"] + rng.normal(size=n)
    covs = ["z1", "z2"][:n_cov]
    cov_arg = df[covs] if n_cov > 1 else df["z1"]
    res = partial_spearman(df["x"], df["y"], cov_arg)
    ref = _quiet(pg.partial_corr, data=df, x="x", y="y", covar=covs, method="spearman")
    assert res.r == pytest.approx(float(ref["r"].iloc[0]), abs=1e-10)
    assert res.p == pytest.approx(float(ref["p_val"].iloc[0]), rel=1e-8)
    assert res.dof == n - n_cov - 2
    se = math.sqrt((1 + res.r**2 / 2) / (n - n_cov - 3))  # Bonett–Wright on n − k cases
    z = math.atanh(res.r)
    assert res.ci_low == pytest.approx(math.tanh(z - Z95 * se), abs=1e-12)
    assert res.ci_high == pytest.approx(math.tanh(z + Z95 * se), abs=1e-12)


def test_partial_spearman_missing_and_small():
    x = [1, 2, 3, 4, 5, 6, 7, 8, np.nan]
    y = [2, 1, 4, 3, 6, 5, 8, 7, 9]
    z = [1, 1, 2, 2, 3, np.nan, 4, 4, 5]
    res = partial_spearman(x, y, z)
    assert res.n == 7 and not res.enough_data and res.message == "not enough data: 7 pairs, need 8"
    # x entirely explained by the covariate
    zz = np.arange(12.0)
    res = partial_spearman(zz * 2, np.sin(zz), zz)
    assert not res.enough_data and "no variation in x once the covariate is held constant" in res.message


# --- lagged ----------------------------------------------------------------------------------------


def _weekly(n_weeks: int = 30, athletes=("Ana", "Ben", "Cleo"), lag: int = 2, noise: float = 0.3, seed: int = 0):
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2025-01-06", periods=n_weeks, freq="7D")  # Mondays
    frames = []
    for i, a in enumerate(athletes):
        x = rng.normal(size=n_weeks) + i  # athlete-level offset
        y = np.full(n_weeks, np.nan)
        y[lag:] = x[:-lag] + noise * rng.normal(size=n_weeks - lag) + 2 * i
        frames.append(pd.DataFrame({"athlete": a, "week_start": weeks, "consistency_4wk": x, "pace_decay_pct": y}))
    return pd.concat(frames, ignore_index=True)


def test_lagged_finds_the_lag_that_drives_y():
    weekly = _weekly()
    out = lagged(weekly, "consistency_4wk", "pace_decay_pct")
    assert list(out.columns) == LAGGED_COLUMNS
    assert len(out) == 4 * 5  # (3 athletes + squad) × lags 0..4
    assert list(out["scope"].unique()) == ["squad", "Ana", "Ben", "Cleo"]
    assert list(out.loc[out.scope == "squad", "lag_weeks"]) == [0, 1, 2, 3, 4]
    for scope, rows in out.groupby("scope"):
        best = rows.loc[rows["r"].abs().idxmax()]
        assert best["lag_weeks"] == 2, scope
        assert best["r"] > 0.8
    squad = out[(out.scope == "squad") & (out.lag_weeks == 2)].iloc[0]
    assert squad["method"] == "repeated_measures_serial" and squad["n"] == 3 * 28
    ana = out[(out.scope == "Ana") & (out.lag_weeks == 2)].iloc[0]
    assert ana["method"] == "spearman_serial" and ana["n"] == 28 and bool(ana["enough_data"])
    assert "n = 28 weeks" in ana["message"]


def test_lagged_shifts_by_calendar_week_not_row_position():
    weekly = _weekly(noise=0.0)
    gap_week = pd.Timestamp("2025-01-06") + pd.Timedelta(weeks=10)
    holed = weekly[~((weekly.athlete == "Ana") & (weekly.week_start == gap_week))]
    holed = holed.sample(frac=1.0, random_state=1)  # row order must not matter either
    out = lagged(holed, "consistency_4wk", "pace_decay_pct", lags=[2])
    ana = out[out.scope == "Ana"].iloc[0]
    # y rows for weeks 2..29 (28) less week 10 (no row) less week 12 (its x, week 10, is missing) = 26
    assert ana["n"] == 26
    assert ana["r"] == pytest.approx(1.0)  # exact: every y is its own x of two calendar weeks before
    # A positional shift would pair the wrong weeks after the gap and lose the perfect association.
    a = holed[holed.athlete == "Ana"].sort_values("week_start")
    positional = spearman(a["consistency_4wk"].shift(2), a["pace_decay_pct"])
    assert positional.r < 0.99


def test_lagged_not_enough_data_rows_and_errors():
    weekly = _weekly(n_weeks=9, athletes=("Ana", "Ben"))
    out = lagged(weekly, "consistency_4wk", "pace_decay_pct", lags=[0, 2, 4])
    ana4 = out[(out.scope == "Ana") & (out.lag_weeks == 4)].iloc[0]
    assert not ana4["enough_data"] and math.isnan(ana4["r"])
    assert ana4["message"] == "not enough data: 5 weeks, need 8"
    assert spearman([1.0], [2.0], unit="weeks").message == "not enough data: 1 week, need 8"
    squad4 = out[(out.scope == "squad") & (out.lag_weeks == 4)].iloc[0]
    assert squad4["enough_data"] and squad4["n"] == 10  # 2 athletes × 5 weeks
    bad = weekly.copy()
    bad["week_start"] = bad["week_start"] + pd.Timedelta(days=1)  # Tuesdays
    with pytest.raises(InputError, match="Monday"):
        lagged(bad, "consistency_4wk", "pace_decay_pct")
    with pytest.raises(InputError, match="more than one row"):
        lagged(pd.concat([weekly, weekly.iloc[:1]]), "consistency_4wk", "pace_decay_pct")
    with pytest.raises(InputError, match="weekly_km"):
        lagged(weekly, "weekly_km", "pace_decay_pct")


# --- validity by simulation ------------------------------------------------------------------------


def _simulated_squad(rng, *, rho: float, n_athletes: int = 6, n_weeks: int = 20) -> pd.DataFrame:
    """Consistency (x) and late-run fade (y) for a squad with a known within-athlete correlation.

    Within each athlete (x, y) is bivariate normal with correlation ``rho`` (fade = slope·consistency +
    noise, slope chosen to give rho); each athlete also gets random offsets on x and y, correlated
    *positively* across athletes, so pooling the squad naively is biased while r_rm is not.
    """
    k, w = n_athletes, n_weeks
    u = rng.normal(size=(k, w))
    e = rng.normal(size=(k, w))
    x_within = u
    y_within = rho * u + math.sqrt(1 - rho**2) * e
    off = rng.normal(size=k)
    x = 3.0 * off[:, None] + x_within
    y = 3.0 * (0.8 * off + 0.6 * rng.normal(size=k))[:, None] + y_within
    return pd.DataFrame({"athlete": np.repeat(np.arange(k), w), "x": x.ravel(), "y": y.ravel()})


def test_rm_corr_ci_covers_the_true_within_athlete_correlation():
    rho = -0.4
    covered = 0
    for seed in range(200):
        df = _simulated_squad(np.random.default_rng(seed), rho=rho)
        res = repeated_measures_corr(df, "x", "y", "athlete")
        covered += res.ci_low <= rho <= res.ci_high
    assert covered / 200 >= 0.90, covered


def test_spearman_ci_covers_the_true_rank_correlation():
    rho = 0.5
    rho_s = 6 / math.pi * math.asin(rho / 2)  # Spearman's ρ of a bivariate normal (Pearson 1907)
    cov = [[1, rho], [rho, 1]]
    covered = 0
    for seed in range(200):
        xy = np.random.default_rng(seed).multivariate_normal([0, 0], cov, size=20)
        res = spearman(xy[:, 0], xy[:, 1])
        covered += res.ci_low <= rho_s <= res.ci_high
    assert covered / 200 >= 0.90, covered


def test_false_positive_rate_on_null_data_stays_near_five_percent():
    hits_sp = hits_rm = 0
    for seed in range(400):
        rng = np.random.default_rng(10_000 + seed)
        df = _simulated_squad(rng, rho=0.0)
        hits_rm += repeated_measures_corr(df, "x", "y", "athlete").p < 0.05
        one = df[df.athlete == 0]
        hits_sp += spearman(one["x"], one["y"]).p < 0.05
    assert hits_sp / 400 <= 0.07, hits_sp
    assert hits_rm / 400 <= 0.07, hits_rm


def test_simpsons_paradox_squad_rm_gets_the_sign_right():
    # Within every athlete, more consistency goes with less fade (negative); but athletes who log more
    # strength work also run longer and fade more on average (positive between athletes).
    rng = np.random.default_rng(42)
    frames = []
    for i in range(6):
        cons = 0.2 + 0.12 * i + rng.normal(0, 0.05, size=20)
        fade = 2.0 + 6.0 * i - 8.0 * (cons - (0.2 + 0.12 * i)) + rng.normal(0, 0.2, size=20)
        frames.append(pd.DataFrame({"athlete": f"a{i}", "cons": cons, "fade": fade}))
    df = pd.concat(frames, ignore_index=True)
    pooled = spearman(df["cons"], df["fade"])
    rm = repeated_measures_corr(df, "cons", "fade", "athlete")
    assert pooled.r > 0.5 and pooled.ci_low > 0  # naive pooling: the wrong sign, confidently
    assert rm.r < -0.5 and rm.ci_high < 0  # within athletes: the true negative association


# --- docs/statistics.md stays true -----------------------------------------------------------------


def test_docs_worked_example_lines_are_what_the_code_says():
    from pathlib import Path

    from analysis.stats import association

    doc = (Path(__file__).resolve().parent.parent / "docs" / "statistics.md").read_text(encoding="utf-8")
    doc = " ".join(doc.split())  # the doc wraps lines
    cons = [0.25, 0.50, 0.50, 0.75, 0.62, 1.00, 0.88, 0.38, 1.00, 0.75]
    fade = [6.1, 4.8, 5.5, 3.9, 5.0, 3.1, 4.2, 4.4, 3.6, 4.6]
    km = [32, 41, 38, 45, 40, 52, 47, 35, 50, 44]
    weeks = pd.Timestamp("2026-09-07") + pd.to_timedelta(np.arange(10) * 7, unit="D")
    pairs = pd.DataFrame({"date": weeks, "x": cons, "y": fade, "km": km})
    textbook = spearman(cons, fade, unit="weeks")
    honest = association(pairs, unit="weeks")
    load = association(pairs.assign(y=km), unit="weeks")
    partial = association(pairs, unit="weeks", hold_km=True, km_name="weekly km")
    assert textbook.message.startswith("strong negative association") and textbook.p < 0.01
    assert honest.message.startswith("no clear association") and honest.p > textbook.p
    for res in (textbook, honest, load, partial):
        assert res.message in doc
    assert association(pairs.head(6), unit="weeks").message in doc
    # "with 7 weeks even r = 0.7 has a 95 % CI from about −0.2 to 0.96"
    se = math.sqrt((1 + 0.49 / 2) / (7 - 3))
    lo, hi = math.tanh(math.atanh(0.7) - Z95 * se), math.tanh(math.atanh(0.7) + Z95 * se)
    assert (round(lo, 1), round(hi, 2)) == (-0.2, 0.96)
