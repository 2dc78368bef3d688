"""Statistics for the dashboard, honest by construction (DESIGN.md §6).

Every result is a :class:`Correlation`: the coefficient, its 95 % confidence interval, the p value,
the number of pairs it rests on, and a plain-words message. Below a minimum number of pairs the
coefficient is NaN and the message says "not enough data" instead of a number. Results are always
worded as an *association*, never as a cause: training load (weekly km) moves strength work, form
late in runs and soreness together, so the app shows it beside every correlation and offers
:func:`partial_spearman` to hold it constant.

Units: coefficients (r, ρ, r_rm) and CI bounds are dimensionless in −1…1; p is a probability in
0…1; ``n`` counts pairs (for weekly data: weeks, or athlete-weeks for the squad); ``dof`` is the
degrees of freedom of the t test behind p; lags are whole calendar weeks.

Methods and sources
-------------------
* Spearman's rank correlation ρ (Spearman 1904, "The proof and measurement of association between
  two things", Am. J. Psychol. 15:72–101): Pearson's r of the ranks, ties given their average rank.
* p values: t = r·√(dof / (1 − r²)) on a Student t distribution, two-sided (as
  ``scipy.stats.spearmanr`` and ``scipy.stats.pearsonr`` do).
* Confidence intervals by Fisher's z transform (Fisher 1921, "On the 'probable error' of a
  coefficient of correlation deduced from a small sample", Metron 1:3–32): z = artanh(r),
  bounds tanh(z ± 1.959964·se).

  - Spearman: se² = (1 + r²/2) / (n − 3), the variance of Bonett & Wright (2000, "Sample size
    requirements for estimating Pearson, Kendall and Spearman correlations", Psychometrika
    65:23–28).
  - Partial Spearman with k covariates: the same Bonett–Wright variance with n replaced by n − k,
    se² = (1 + r²/2) / (n − k − 3) — a partial correlation on k covariates behaves like a simple
    correlation on n − k cases (Fisher 1924, "The distribution of the partial correlation
    coefficient", Metron 3:329–332).
  - Repeated-measures correlation: se² = 1 / (dof − 1) with dof = N − k − 1, exactly as the R
    package ``rmcorr`` and ``pingouin.rm_corr`` compute it (their Fisher z with n = dof + 2).

* Repeated-measures correlation r_rm (Bakdash & Marusich 2017, "Repeated measures correlation",
  Front. Psychol. 8:456, doi:10.3389/fpsyg.2017.00456; after Bland & Altman 1995, BMJ 310:446):
  an ANCOVA with one intercept per athlete and a common slope. It equals the Pearson correlation of
  x and y after each athlete's own means are subtracted, so differences *between* athletes (one runs
  more, another logs more sessions) cannot create or hide the within-athlete association.
* :func:`association` — what the pages, exports and CLI show — builds on these: season trend out, an
  effective n for serially dependent pairs (Bartlett 1935; Pyper & Peterman 1998), p and CI on it, words
  from the CI; see its docstring and docs/statistics.md.
* Strength words follow Cohen's (1988, *Statistical power analysis for the behavioral sciences*,
  2nd ed.) conventions for r: 0.1 small, 0.3 medium, 0.5 large.

This module is pure Python (numpy, pandas, scipy); no streamlit import.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri, stdtr

from analysis.errors import InputError
from analysis.settings import Setting, register
from analysis.settings import table as settings_group_table

__all__ = [
    "Correlation",
    "Setting",
    "STATS_SETTINGS",
    "DEFAULT_MIN_N",
    "DEFAULT_MIN_EFFECTIVE_N",
    "PAIRS_COLUMNS",
    "association",
    "describe_interval",
    "holm_adjust",
    "DEFAULT_LAGS",
    "LAGGED_COLUMNS",
    "describe_strength",
    "spearman",
    "repeated_measures_corr",
    "partial_spearman",
    "lagged",
    "settings_table",
]


# --- settings (the "statistics" group of the one registry, analysis.settings) ---------------------
# Fixed in this version: the pages use these defaults, and the Data & settings page lists them read-only.
# The functions below take them as keyword arguments (min_n=, min_effective_n=, lags=) for scripts and tests.

STATS_SETTINGS: tuple[Setting, ...] = register(
    "statistics",
    Setting(
        name="min_n",
        default=8,
        unit="pairs (weeks; athlete-weeks for the squad)",
        minimum=4,
        maximum=520,
        help=(
            "Fewest pairs a correlation may rest on. With fewer, the app says 'not enough data' "
            "instead of showing a number: with 7 pairs even r = 0.7 has a 95 % CI from about −0.2 to 0.96."
        ),
    ),
    Setting(
        name="min_effective_n",
        default=6,
        unit="independent pairs",
        minimum=4,
        maximum=520,
        help=(
            "Fewest independent pairs' worth a correlation may rest on. Neighbouring weeks share most of their "
            "4-week consistency and runs of one week share its tiredness, so 26 weeks may be worth only about "
            "10 independent weeks; below this effective n the app says 'not enough data' even when n is large."
        ),
    ),
    Setting(
        name="max_lag_weeks",
        default=4,
        unit="weeks",
        minimum=0,
        maximum=12,
        help=(
            "Longest delay looked at between strength consistency and a later outcome: lag 2 pairs "
            "the consistency of week w − 2 with the outcome of week w. Lags count calendar weeks, "
            "so a week with no data is a gap, never skipped over."
        ),
    ),
)

_SETTINGS_BY_NAME = {s.name: s for s in STATS_SETTINGS}
DEFAULT_MIN_N: int = _SETTINGS_BY_NAME["min_n"].default
DEFAULT_MIN_EFFECTIVE_N: int = _SETTINGS_BY_NAME["min_effective_n"].default
DEFAULT_LAGS = range(0, _SETTINGS_BY_NAME["max_lag_weeks"].default + 1)

_CONFIDENCE = 0.95
_Z_CRIT = float(ndtri(1 - (1 - _CONFIDENCE) / 2))  # 1.959964 for a two-sided 95 % interval


def settings_table() -> pd.DataFrame:
    """The statistics settings as a frame (name, default, unit, help) for display."""
    return settings_group_table("statistics")


# --- result type -----------------------------------------------------------------------------------


_NAN = float("nan")


@dataclass(frozen=True)
class Correlation:
    """One correlation with everything needed to read it honestly.

    ``method``: "spearman", "repeated_measures" or "partial_spearman". ``r``: the coefficient
    (dimensionless, −1…1). ``ci_low``/``ci_high``: its 95 % confidence interval. ``p``: two-sided
    p value for "no association". ``n``: pairs used after dropping missing values. ``dof``: degrees
    of freedom of the t test (None when there is no estimate). ``enough_data``: False when n is
    below the minimum (or the data cannot give an estimate); then r, CI and p are NaN. ``message``:
    the result in plain words, or why there is no number. ``n_effective``: how many *independent* pairs the
    data are worth once serial dependence is accounted for (:func:`association`; the textbook functions
    assume independence and leave it NaN). ``trend_removed``: True when a season trend was taken out first.
    """

    method: str
    r: float
    ci_low: float
    ci_high: float
    p: float
    n: int
    dof: float | None
    enough_data: bool
    message: str
    n_effective: float = _NAN
    trend_removed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _no_estimate(method: str, n: int, message: str) -> Correlation:
    return Correlation(method, _NAN, _NAN, _NAN, _NAN, int(n), None, False, message)


# --- wording ---------------------------------------------------------------------------------------


def describe_strength(r: float) -> str:
    """Word a correlation coefficient, always as an association (never as a cause).

    |r| < 0.1 "negligible", < 0.3 "weak", < 0.5 "moderate", otherwise "strong" — Cohen's (1988)
    small/medium/large thresholds of 0.1/0.3/0.5. A non-negligible r also gets its direction.
    NaN gives "no estimate".
    """
    if r is None or not math.isfinite(r):
        return "no estimate"
    a = abs(r)
    if a < 0.1:
        return "negligible association"
    strength = "weak" if a < 0.3 else "moderate" if a < 0.5 else "strong"
    direction = "positive" if r > 0 else "negative"
    return f"{strength} {direction} association"


def _num(v: float, digits: int = 2) -> str:
    """A number with a true minus sign (U+2212), as the app shows it."""
    text = f"{v:.{digits}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text.replace("-", "\u2212")


def _count(n: int, unit: str) -> str:
    """'5 weeks', '1 week'."""
    return f"{n} {unit[:-1] if n == 1 and unit.endswith('s') else unit}"


def _fmt_p(p: float) -> str:
    if not math.isfinite(p):
        return "p not available"
    if p < 0.001:
        return "p < 0.001"
    if p < 0.01:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


def describe_interval(r: float, ci_low: float, ci_high: float) -> str:
    """Words for a result from its 95 % CI: "no clear association" when the CI holds 0, else :func:`describe_strength`.

    A coach acts on the words, so strength words ("strong negative association") are only earned by an
    interval that excludes no association at all.
    """
    if not all(math.isfinite(v) for v in (r, ci_low, ci_high)):
        return "no estimate"
    if ci_low <= 0.0 <= ci_high:
        return "no clear association"
    return describe_strength(r)


def _summary(r: float, lo: float, hi: float, p: float, n_text: str, *, symbol: str = "r", qualifier: str = "") -> str:
    words = describe_interval(r, lo, hi)
    if qualifier:
        words = f"{words} {qualifier}"
    return f"{words} ({symbol} = {_num(r)}, 95 % CI {_num(lo)} to {_num(hi)}, {n_text}, {_fmt_p(p)})"


# --- numeric helpers -------------------------------------------------------------------------------


def _as_float(values: Any) -> np.ndarray:
    if isinstance(values, pd.Series | pd.Index):
        return values.to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(values, dtype=float)


def _rank(a: np.ndarray) -> np.ndarray:
    """Ranks 1…n, ties given their average rank (as Spearman 1904 and scipy's rankdata)."""
    return pd.Series(a).rank(method="average").to_numpy(dtype=float)


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    denom = math.sqrt(float(a @ a) * float(b @ b))
    return float(np.clip((a @ b) / denom, -1.0, 1.0))


def _t_pvalue(r: float, dof: float) -> float:
    """Two-sided p of t = r·√(dof/(1 − r²)) on Student t with ``dof`` degrees of freedom."""
    if abs(r) >= 1.0:
        return 0.0
    t = r * math.sqrt(dof / (1.0 - r * r))
    return float(min(1.0, 2.0 * stdtr(dof, -abs(t))))


def _fisher_pvalue(r: float, se: float) -> float:
    """Two-sided p of z = artanh(r)/se on the standard normal (Fisher 1921): the test its CI inverts."""
    if abs(r) >= 1.0:
        return 0.0
    return float(min(1.0, 2.0 * ndtr(-abs(math.atanh(r)) / se)))


def _fisher_ci(r: float, se: float) -> tuple[float, float]:
    """tanh(artanh(r) ± z·se): Fisher's (1921) z interval; r = ±1 gives (±1, ±1)."""
    with np.errstate(divide="ignore"):
        z = float(np.arctanh(r))
    return float(np.tanh(z - _Z_CRIT * se)), float(np.tanh(z + _Z_CRIT * se))


def _variation_message(x_const: bool, y_const: bool, names: tuple[str, str], where: str = "") -> str:
    if x_const and y_const:
        what = f"{names[0]} or {names[1]}"
    else:
        what = names[0] if x_const else names[1]
    return f"no variation in {what}{where}: a correlation is not defined"


def _check_min_n(min_n: int) -> int:
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 1:
        raise InputError(f"min_n must be a whole number of pairs of at least 1, got {min_n!r}")
    return int(min_n)


# --- Spearman --------------------------------------------------------------------------------------


def spearman(
    x: Any,
    y: Any,
    *,
    min_n: int = DEFAULT_MIN_N,
    unit: str = "pairs",
    names: tuple[str, str] = ("x", "y"),
) -> Correlation:
    """Spearman's rank correlation ρ (Spearman 1904) of two equally long sequences.

    x and y are paired by position. Pairs where either value is missing (NaN/None/±inf) are dropped;
    ties get average ranks.
    95 % CI: Fisher (1921) z with the Bonett & Wright (2000) variance (1 + ρ²/2)/(n − 3).
    p: two-sided, t = ρ·√((n − 2)/(1 − ρ²)) on n − 2 degrees of freedom (as scipy.stats.spearmanr).
    With fewer than ``min_n`` pairs (or fewer than 4, the least the CI needs), r/CI/p are NaN and the
    message says "not enough data: <n> <unit>, need <min_n>". ``unit`` names what a pair is
    ("weeks"); ``names`` name x and y in messages.
    """
    min_n = _check_min_n(min_n)
    xa, ya = _as_float(x), _as_float(y)
    if xa.ndim != 1 or ya.ndim != 1 or xa.shape != ya.shape:
        raise InputError(f"x and y must be two sequences of the same length, got shapes {xa.shape} and {ya.shape}")
    keep = np.isfinite(xa) & np.isfinite(ya)
    xa, ya = xa[keep], ya[keep]
    n = int(xa.size)
    need = max(min_n, 4)
    if n < need:
        return _no_estimate("spearman", n, f"not enough data: {_count(n, unit)}, need {need}")
    rx, ry = _rank(xa), _rank(ya)
    x_const, y_const = bool(np.ptp(rx) == 0), bool(np.ptp(ry) == 0)
    if x_const or y_const:
        return _no_estimate("spearman", n, _variation_message(x_const, y_const, names))
    r = _pearson(rx, ry)
    dof = n - 2
    se = math.sqrt((1.0 + r * r / 2.0) / (n - 3))
    lo, hi = _fisher_ci(r, se)
    p = _t_pvalue(r, dof)
    return Correlation("spearman", r, lo, hi, p, n, float(dof), True, _summary(r, lo, hi, p, f"n = {_count(n, unit)}"))


# --- repeated-measures correlation -----------------------------------------------------------------


def repeated_measures_corr(
    df: pd.DataFrame,
    x: str,
    y: str,
    subject: str,
    *,
    min_n: int = DEFAULT_MIN_N,
    unit: str = "observations",
    names: tuple[str, str] | None = None,
) -> Correlation:
    """Repeated-measures correlation r_rm (Bakdash & Marusich 2017) of columns x and y of ``df``.

    The common within-subject (within-athlete) linear association: an ANCOVA of y on x with one
    intercept per subject. Equivalently, r_rm is Pearson's r of x and y after subtracting each
    subject's own means, with dof = N − k − 1 (N observations, k subjects). p: F(1, dof) of the x
    term = t² with t = r·√(dof/(1 − r²)). 95 % CI: Fisher z with se = 1/√(dof − 1), as the R package
    rmcorr and pingouin.rm_corr. Agrees with ``pingouin.rm_corr`` (tested).

    Rows with a missing x, y or subject are dropped; subjects left with fewer than 2 observations
    carry no within-subject information and are dropped too (the message says how many; r and dof
    are unchanged by this). ``n`` is the number of observations used. Fewer than ``min_n`` of them,
    or dof < 2, gives NaN with "not enough data". ``unit`` names an observation in messages
    ("athlete-weeks"); ``names`` name x and y in messages (default: the column names).
    """
    min_n = _check_min_n(min_n)
    missing = [c for c in (x, y, subject) if c not in df.columns]
    if missing:
        raise InputError(f"column(s) {', '.join(map(str, missing))} not found; have {', '.join(map(str, df.columns))}")
    xa, ya = _as_float(df[x]), _as_float(df[y])
    subj = df[subject]
    keep = np.isfinite(xa) & np.isfinite(ya) & subj.notna().to_numpy()
    codes, _ = pd.factorize(subj[keep], sort=False)
    xa, ya = xa[keep], ya[keep]
    counts = np.bincount(codes) if codes.size else np.zeros(0, dtype=int)
    single = counts[codes] < 2 if codes.size else np.zeros(0, dtype=bool)
    n_dropped_subjects = int((counts == 1).sum())
    if single.any():
        codes, _ = pd.factorize(codes[~single])
        xa, ya = xa[~single], ya[~single]
    n = int(xa.size)
    k = int(codes.max()) + 1 if n else 0
    dof = n - k - 1
    dropped_note = ""
    if n_dropped_subjects:
        s = "" if n_dropped_subjects == 1 else "s"
        dropped_note = f"; {n_dropped_subjects} athlete{s} with a single observation left out"
    from_text = f"from {k} athlete{'' if k == 1 else 's'}"
    if n < min_n:
        return _no_estimate(
            "repeated_measures", n, f"not enough data: {_count(n, unit)} {from_text}, need {min_n}{dropped_note}"
        )
    if dof < 2:  # the CI's se = 1/√(dof − 1) needs dof ≥ 2
        return _no_estimate(
            "repeated_measures",
            n,
            f"not enough data: {_count(n, unit)} {from_text} leave {dof} degrees of freedom, need 2{dropped_note}",
        )
    # Centre on each athlete's means: the ANCOVA's per-athlete intercepts.
    cnt = np.bincount(codes).astype(float)
    xc = xa - (np.bincount(codes, weights=xa) / cnt)[codes]
    yc = ya - (np.bincount(codes, weights=ya) / cnt)[codes]
    sxx, syy = float(xc @ xc), float(yc @ yc)
    x_const = sxx <= 1e-12 * float(np.sum((xa - xa.mean()) ** 2))
    y_const = syy <= 1e-12 * float(np.sum((ya - ya.mean()) ** 2))
    if x_const or y_const:
        message = _variation_message(x_const, y_const, names or (str(x), str(y)), " within athletes")
        return _no_estimate("repeated_measures", n, message + dropped_note)
    # r_rm = sign(b)·√(SS_x / (SS_x + SS_resid)) with SS_x = sxy²/sxx and SS_x + SS_resid = syy.
    r = float(np.clip(float(xc @ yc) / math.sqrt(sxx * syy), -1.0, 1.0))
    p = _t_pvalue(r, dof)
    lo, hi = _fisher_ci(r, 1.0 / math.sqrt(dof - 1))
    message = _summary(
        r, lo, hi, p, f"n = {_count(n, unit)} {from_text}, dof = {dof}", symbol="r_rm", qualifier="within athletes"
    )
    return Correlation("repeated_measures", r, lo, hi, p, n, float(dof), True, message + dropped_note)


# --- partial Spearman ------------------------------------------------------------------------------


def partial_spearman(
    x: Any,
    y: Any,
    covariate: Any,
    *,
    min_n: int = DEFAULT_MIN_N,
    unit: str = "pairs",
    names: tuple[str, str] = ("x", "y"),
) -> Correlation:
    """Spearman partial correlation of x and y holding one or more covariates constant.

    ``covariate``: one sequence (e.g. weekly km) or a DataFrame / 2-D array with one column per
    covariate. Rows with any missing value are dropped. Every variable is ranked (average ranks),
    then the ranks of x and of y are each regressed on the covariates' ranks (least squares with an
    intercept) and r is Pearson's r of the two residuals — the partial correlation of the ranks,
    the same as ``pingouin.partial_corr(method="spearman")``.
    With k covariates: p from t on n − k − 2 degrees of freedom (n − 3 for one covariate); 95 % CI by
    Fisher z with the Bonett–Wright (2000) variance on n − k cases, se² = (1 + r²/2)/(n − k − 3)
    (Fisher 1924: a partial r on k covariates is distributed as a simple r on n − k cases).
    """
    min_n = _check_min_n(min_n)
    xa, ya = _as_float(x), _as_float(y)
    if isinstance(covariate, pd.DataFrame):
        cov_names = [str(c) for c in covariate.columns]
        ca = covariate.to_numpy(dtype=float, na_value=np.nan)
    else:
        cov_names = [str(covariate.name)] if isinstance(covariate, pd.Series) and covariate.name is not None else []
        ca = _as_float(covariate)
        if ca.ndim == 1:
            ca = ca[:, None]
    if xa.ndim != 1 or xa.shape != ya.shape or ca.ndim != 2 or ca.shape[0] != xa.shape[0]:
        raise InputError(
            f"x, y and the covariate(s) must have the same number of rows, got {xa.shape}, {ya.shape}, {ca.shape}"
        )
    k = int(ca.shape[1])
    if k < 1:
        raise InputError("partial_spearman needs at least one covariate")
    cov_text = ", ".join(cov_names) if cov_names else ("the covariate" if k == 1 else "the covariates")
    keep = np.isfinite(xa) & np.isfinite(ya) & np.isfinite(ca).all(axis=1)
    xa, ya, ca = xa[keep], ya[keep], ca[keep]
    n = int(xa.size)
    need = max(min_n, k + 4)
    if n < need:
        return _no_estimate("partial_spearman", n, f"not enough data: {_count(n, unit)}, need {need}")
    rx, ry = _rank(xa), _rank(ya)
    rc = np.column_stack([_rank(ca[:, j]) for j in range(k)])
    design = np.column_stack([np.ones(n), rc])
    coef, *_ = np.linalg.lstsq(design, np.column_stack([rx, ry]), rcond=None)
    resid = np.column_stack([rx, ry]) - design @ coef
    ex, ey = resid[:, 0], resid[:, 1]
    x_const = float(ex @ ex) <= 1e-12 * float(np.sum((rx - rx.mean()) ** 2))
    y_const = float(ey @ ey) <= 1e-12 * float(np.sum((ry - ry.mean()) ** 2))
    if x_const or y_const:
        return _no_estimate(
            "partial_spearman", n, _variation_message(x_const, y_const, names, f" once {cov_text} is held constant")
        )
    r = _pearson(ex, ey)
    dof = n - k - 2
    se = math.sqrt((1.0 + r * r / 2.0) / (n - k - 3))
    lo, hi = _fisher_ci(r, se)
    p = _t_pvalue(r, dof)
    message = _summary(r, lo, hi, p, f"n = {_count(n, unit)}", qualifier=f"holding {cov_text} constant")
    return Correlation("partial_spearman", r, lo, hi, p, n, float(dof), True, message)


# --- lagged weekly correlations --------------------------------------------------------------------

LAGGED_COLUMNS = ["scope", "lag_weeks", "method", "r", "ci_low", "ci_high", "p", "n", "enough_data", "message",
                  "n_effective", "p_holm"]


def _monday_weeks(values: pd.Series, column: str) -> pd.Series:
    try:
        weeks = pd.to_datetime(values)
    except (ValueError, TypeError) as exc:
        raise InputError(f"column {column!r} must hold week-start dates (Mondays): {exc}") from exc
    if weeks.dt.tz is not None:
        weeks = weeks.dt.tz_localize(None)
    if weeks.isna().any():
        raise InputError(f"column {column!r} has {int(weeks.isna().sum())} missing week-start date(s)")
    bad = (weeks.dt.day_of_week != 0) | (weeks != weeks.dt.normalize())
    if bad.any():
        first = weeks[bad].iloc[0]
        raise InputError(f"column {column!r} must hold Monday dates (weeks start on Monday); found {first:%Y-%m-%d %a}")
    return weeks.astype("datetime64[ns]")


def lagged(
    weekly: pd.DataFrame,
    x: str,
    y: str,
    *,
    lags: Iterable[int] = DEFAULT_LAGS,
    subject: str = "athlete",
    week: str = "week_start",
    min_n: int = DEFAULT_MIN_N,
    min_effective_n: int = DEFAULT_MIN_EFFECTIVE_N,
) -> pd.DataFrame:
    """Correlate x of week w − lag with y of week w, per athlete and for the squad.

    ``weekly``: one row per (athlete, week), ``week`` holding Monday dates. For each lag (in
    calendar weeks; lag 0 = same week) x is moved forward by ``lag`` × 7 days within each athlete and
    joined to y on the calendar week, so a missing week leaves a gap rather than shifting later weeks
    onto the wrong partner.

    Returns one row per (scope, lag) with :data:`LAGGED_COLUMNS` and ``p_holm``: the squad first (scope
    "squad", :func:`association` within athletes, n in athlete-weeks), then each athlete in name order
    (scope = athlete name, :func:`association` of one athlete, n in weeks); lags in the order given. Every
    row allows for serial dependence and a season trend (``n_effective``: the independent weeks' worth);
    ``p_holm`` is Holm-adjusted over the lags of its scope, the family one lag profile shows. An athlete
    or lag with too few pairs gets a row with NaN r and a "not enough data" message.
    """
    min_n = _check_min_n(min_n)
    lag_list: Sequence[int] = [int(v) for v in lags]
    missing = [c for c in (subject, week, x, y) if c not in weekly.columns]
    if missing:
        raise InputError(
            f"weekly table lacks column(s) {', '.join(map(str, missing))}; have {', '.join(map(str, weekly.columns))}"
        )
    if weekly[subject].isna().any():
        raise InputError(f"column {subject!r} has missing athlete names")
    frame = pd.DataFrame(
        {
            "_subject": weekly[subject].to_numpy(),
            "_week": _monday_weeks(weekly[week], week).to_numpy(),
            "_x": _as_float(weekly[x]),
            "_y": _as_float(weekly[y]),
        }
    )
    dup = frame.duplicated(["_subject", "_week"])
    if dup.any():
        row = frame[dup].iloc[0]
        raise InputError(
            f"weekly table has more than one row for athlete {row['_subject']} in week {row['_week']:%Y-%m-%d}"
        )
    athletes = sorted(frame["_subject"].unique(), key=str)

    squad_rows: list[dict[str, Any]] = []
    athlete_rows: dict[Any, list[dict[str, Any]]] = {a: [] for a in athletes}
    for lag in lag_list:
        xs = frame[["_subject", "_week", "_x"]].copy()
        xs["_week"] = xs["_week"] + pd.Timedelta(weeks=lag)  # x of week v is paired with y of week v + lag
        pairs = xs.merge(frame[["_subject", "_week", "_y"]], on=["_subject", "_week"], how="inner")
        pairs = pairs[np.isfinite(pairs["_x"]) & np.isfinite(pairs["_y"])]
        pairs = pairs.rename(columns={"_week": "date", "_x": "x", "_y": "y"})
        squad = association(pairs, subject="_subject", min_n=min_n, min_effective_n=min_effective_n,
                            unit="athlete-weeks", names=(x, y))
        squad_rows.append(_lag_row("squad", lag, squad))
        by_athlete = dict(iter(pairs.groupby("_subject", sort=False)))
        for a in athletes:
            sub = by_athlete.get(a, pairs.iloc[0:0])
            res = association(sub, min_n=min_n, min_effective_n=min_effective_n, unit="weeks", names=(x, y))
            athlete_rows[a].append(_lag_row(str(a), lag, res))
    rows = squad_rows + [row for a in athletes for row in athlete_rows[a]]
    out = pd.DataFrame(rows, columns=LAGGED_COLUMNS)
    out["lag_weeks"] = out["lag_weeks"].astype("int64")
    out["n"] = out["n"].astype("int64")
    out["enough_data"] = out["enough_data"].astype(bool)
    for col in ("r", "ci_low", "ci_high", "p", "n_effective"):
        out[col] = out[col].astype("float64")
    out["p_holm"] = np.nan
    for _, idx in out.groupby("scope", sort=False).groups.items():
        out.loc[idx, "p_holm"] = holm_adjust(out.loc[idx, "p"].to_numpy())
    return out


def _lag_row(scope: str, lag: int, res: Correlation) -> dict[str, Any]:
    return {
        "scope": scope,
        "lag_weeks": lag,
        "method": res.method,
        "r": res.r,
        "ci_low": res.ci_low,
        "ci_high": res.ci_high,
        "p": res.p,
        "n": res.n,
        "enough_data": res.enough_data,
        "message": res.message,
        "n_effective": res.n_effective,
    }


# --- associations that stay honest when weeks and runs are not independent -------------------------

#: columns of the frame :func:`association` reads; ``km`` (training load) is optional, and so is a subject column
PAIRS_COLUMNS: tuple[str, ...] = ("date", "x", "y")
_EPOCH_MONDAY = np.datetime64("1970-01-05", "D")  # a Monday: week numbers count calendar weeks
#: serial correlations are summed up to this fraction of the span in weeks (Pyper & Peterman 1998: N/5)
ACF_SPAN_FRACTION = 5
_MIN_ACF_LAGS = 2
#: cap on the small-sample bias correction of the autocorrelations (fraction of the variance)
_BIAS_CAP = 0.3
_BIAS_ITERATIONS = 8
_MIN_TREND_WEEKS = 3  # a trend needs at least three distinct weeks


def holm_adjust(p_values: Any) -> np.ndarray:
    """Holm's (1979) step-down adjusted p values of a family of tests; NaN stays NaN and is not counted.

    Holm S (1979), "A simple sequentially rejective multiple test procedure", Scand. J. Statist. 6:65–70:
    with the m finite p values sorted, p_adj(i) = max over j ≤ i of min(1, (m − j + 1)·p(j)). Rejecting where
    p_adj < 0.05 keeps the chance of *any* false alarm in the family at most 5 %, whatever the dependence
    between the tests (the lags and markers of one grid are strongly dependent, which rules out methods
    that assume independence).
    """
    p = np.asarray(p_values, dtype=float).ravel()
    out = np.full(p.shape, np.nan)
    finite = np.flatnonzero(np.isfinite(p))
    m = finite.size
    if m == 0:
        return out.reshape(np.shape(p_values))
    order = finite[np.argsort(p[finite], kind="stable")]
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(scaled)
    return out.reshape(np.shape(p_values))


def _week_numbers(dates: pd.Series, what: str) -> np.ndarray:
    """Calendar week of each date (weeks start on Monday) as a float count from a Monday epoch."""
    try:
        when = pd.to_datetime(dates)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{what}: column 'date' must hold dates: {exc}") from exc
    if getattr(when.dt, "tz", None) is not None:
        when = when.dt.tz_localize(None)
    if when.isna().any():
        raise InputError(f"{what}: column 'date' has {int(when.isna().sum())} missing date(s)")
    days = when.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    return np.floor((days - _EPOCH_MONDAY).astype("int64") / 7.0)


def _trend_design(weeks: np.ndarray, extra: np.ndarray | None, remove_trend: bool) -> np.ndarray:
    """Intercept, a straight line over time (when asked and ≥ 3 distinct weeks), and extra covariates.

    ``weeks``: calendar week numbers (squad) or their ranks (one athlete's partial Spearman)."""
    columns = [np.ones(weeks.size)]
    if remove_trend and np.unique(weeks).size >= _MIN_TREND_WEEKS:
        span = max(float(weeks.max() - weeks.min()), 1.0)
        columns.append(2.0 * (weeks - weeks.min()) / span - 1.0)
    if extra is not None:
        columns.extend(np.asarray(extra, dtype=float).reshape(weeks.size, -1).T)
    return np.column_stack(columns)


def _lag_products(e: np.ndarray, weeks: np.ndarray, max_lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Sums of e_i·e_j over ordered pairs i ≠ j whose weeks are k apart (k = 0…max_lag), and their counts.

    Lag 0 is two *different* pairs of the same week (runs sharing the week's state). Computed from week
    sums, so the cost is weeks × lags, not pairs².
    """
    first = int(weeks.min())
    index = (weeks - first).astype(int)
    size = int(index.max()) + 1
    s = np.bincount(index, weights=e, minlength=size)
    q = np.bincount(index, weights=e * e, minlength=size)
    c = np.bincount(index, minlength=size).astype(float)
    products = np.zeros(max_lag + 1)
    counts = np.zeros(max_lag + 1)
    products[0] = float(np.sum(s * s - q))
    counts[0] = float(np.sum(c * (c - 1.0)))
    for k in range(1, min(max_lag, size - 1) + 1):
        products[k] = 2.0 * float(s[:-k] @ s[k:])
        counts[k] = 2.0 * float(c[:-k] @ c[k:])
    return products, counts


def _serial_correlation(parts: list[tuple[np.ndarray, np.ndarray, int]], max_lag: int) -> np.ndarray:
    """Autocorrelation ρ(k) of residual series at calendar-week lags 0…max_lag, pooled over subjects.

    ``parts``: (residuals, weeks, number of fitted terms) per subject. ρ(0) is the correlation of two
    different pairs of one week. A sample autocorrelation of a short series from which a mean and trend
    were fitted is biased towards minus the variance of that fit (Marriott & Pope 1954; Priestley 1981,
    §5.3): E[ρ̂(k)] ≈ (ρ(k) − b)/(1 − b), with b = p·S/n² (p fitted terms, S = n + Σ counts·ρ, the
    series' own variance-inflation sum). Solved for ρ by fixed-point iteration, with b capped at
    :data:`_BIAS_CAP`; uncorrected, a persistent habit looks far less persistent than it is and the
    effective n comes out too large (measured: 8–9 % false positives per run instead of 5 %).
    """
    scaled, counts, sizes, terms = [], [], [], []
    for e, weeks, p in parts:
        variance = float(e @ e) / e.size
        products, count = _lag_products(e, weeks, max_lag)
        scaled.append(products / variance if variance > 0 else np.zeros_like(products))
        counts.append(count)
        sizes.append(e.size)
        terms.append(p)
    total = np.sum(counts, axis=0)
    weight = np.where(total > 0, total, 1.0)
    raw = np.sum(scaled, axis=0) / weight
    rho = np.clip(raw, -1.0, 1.0)
    for _ in range(_BIAS_ITERATIONS):
        corrected = np.zeros_like(raw)
        for sc, count, n, p in zip(scaled, counts, sizes, terms, strict=True):
            s_own = n + float(count @ rho)
            b = min(_BIAS_CAP, p * s_own / (n * n))
            corrected += sc * (1.0 - b) + count * b
        rho = np.clip(corrected / weight, -1.0, 1.0)
    return np.where(total > 0, rho, 0.0)


def _pairs_groups(pairs: pd.DataFrame, subject: str | None, hold_km: bool) -> list[dict[str, np.ndarray]]:
    """The complete pairs per subject (name order), each sorted by week: arrays week, x, y, km."""
    need = [*PAIRS_COLUMNS, *(["km"] if hold_km else []), *([subject] if subject else [])]
    if not isinstance(pairs, pd.DataFrame):
        raise InputError(f"association needs a frame with columns {', '.join(need)}, got {type(pairs).__name__}")
    missing = [c for c in need if c not in pairs.columns]
    if missing:
        raise InputError(
            f"the pairs lack column(s) {', '.join(missing)}; have {', '.join(map(str, pairs.columns))}"
        )
    week = _week_numbers(pairs["date"], "the pairs")
    x, y = _as_float(pairs["x"]), _as_float(pairs["y"])
    km = _as_float(pairs["km"]) if hold_km else np.zeros(len(pairs))
    who = pairs[subject] if subject else pd.Series(np.zeros(len(pairs)), index=pairs.index)
    keep = np.isfinite(x) & np.isfinite(y) & np.isfinite(km) & who.notna().to_numpy()
    codes, names = pd.factorize(who[keep], sort=False)
    week, x, y, km = week[keep], x[keep], y[keep], km[keep]
    order = np.lexsort((week, codes))
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    by_name = sorted(range(len(names)), key=lambda i: str(names[i]))
    groups = []
    for i in by_name:
        idx = order[bounds[i]:bounds[i + 1]]
        groups.append({"week": week[idx], "x": x[idx], "y": y[idx], "km": km[idx]})
    return groups


def association(
    pairs: pd.DataFrame,
    *,
    subject: str | None = None,
    min_n: int = DEFAULT_MIN_N,
    min_effective_n: int = DEFAULT_MIN_EFFECTIVE_N,
    hold_km: bool = False,
    remove_trend: bool = True,
    unit: str = "pairs",
    names: tuple[str, str] = ("x", "y"),
    km_name: str = "km",
) -> Correlation:
    """The association of x and y over time-ordered pairs, with p and 95 % CI that allow for serial dependence.

    ``pairs``: a frame with ``date`` (the outcome's date: a run's local date or a week's Monday), ``x``
    (e.g. consistency, 0-1), ``y`` (the outcome in its unit) and, with ``hold_km``, ``km`` (training load,
    held constant). ``subject`` names a column of athletes: then the result is the squad's within-athlete
    association. ``unit`` names a pair in messages ("weeks", "runs", "athlete-weeks"); ``names`` name x and
    y, ``km_name`` the load.

    Method (docs/statistics.md says why):

    1. **Season trend out.** For one athlete x, y and the calendar week are ranked (Spearman 1904) and x's
       and y's ranks each regressed on an intercept and the week's rank (and the load's rank when held
       constant); r is Pearson's r of the residuals: the partial Spearman correlation holding time constant,
       as ``pingouin.partial_corr(method="spearman")`` with the week as a covariate. For the squad the
       raw values are residualised per athlete the same way (one intercept and one slope per athlete), and r
       is the pooled correlation of the residuals: the repeated-measures correlation of Bakdash & Marusich
       (2017) with each athlete's own trend.
    2. **Effective n.** Under no association, Var(r) ≈ Σ_ij ρ_x(t_i − t_j)·ρ_y(t_i − t_j) / n² (Bartlett
       1935; Pyper & Peterman 1998; Dutilleul 1993), where ρ are the autocorrelations of the residual series at
       the pairs' distance in calendar weeks, lag 0 between different runs of one week (they share its state),
       summed up to a fifth of the span (at least 2 weeks), bias-corrected (:func:`_serial_correlation`) and
       pooled over the squad's athletes. For the squad the athletes' terms are weighted by their residual
       variances. n_eff = 1/Var(r), at most n, then scaled by (n − fitted terms + 1)/n for the trend (and load)
       terms taken out. ``n_effective`` reports it: what the pairs are worth as independent ones.
    3. **95 % CI** tanh(artanh r ± 1.96·se) with se² = (1 + r²/2)/(n_eff − 3) for one athlete (Bonett &
       Wright 2000) and 1/(n_eff − 3) for the squad (Fisher 1921); **p** is the two-sided normal p of the
       same z = artanh(r)/se, so p < 0.05 exactly when the CI excludes 0 and the words never contradict p.
       ``dof`` reports n_eff − 3, the n − 3 of Fisher's variance.

    Fewer than ``min_n`` pairs, or an effective n below ``min_effective_n``, gives "not enough data" with NaN
    numbers. The words come from the CI (:func:`describe_interval`): a CI holding 0 reads "no clear
    association". Validated by simulation through the real pipeline (``benchmarks/inference.py``).
    """
    min_n = _check_min_n(min_n)
    min_effective_n = _check_min_n(min_effective_n)
    if min_effective_n < 4:
        raise InputError(f"min_effective_n must be at least 4 (the CI needs n_eff − 3 > 0), got {min_effective_n}")
    all_groups = _pairs_groups(pairs, subject, hold_km)
    squad = subject is not None
    method = "repeated_measures_serial" if squad else ("partial_spearman_serial" if hold_km else "spearman_serial")
    qualifiers = [q for q in ("within athletes" if squad else "", f"holding {km_name} constant" if hold_km else "")
                  if q]
    qualifier = " ".join(qualifiers)

    groups, dropped = [], 0
    for g in all_groups:
        need_rows = 4 + int(hold_km)
        if g["x"].size < need_rows:
            dropped += 1
            continue
        groups.append(g)
    n = int(sum(g["x"].size for g in (groups if squad else all_groups)))
    k = len(groups)
    from_text = f" from {k} athlete{'' if k == 1 else 's'}" if squad else ""
    dropped_note = ""
    if squad and dropped:
        dropped_note = f"; {dropped} athlete{'' if dropped == 1 else 's'} with fewer than 4 pairs left out"
    need = max(min_n, 4 + int(hold_km))
    if n < need:
        return _no_estimate(method, n, f"not enough data: {_count(n, unit)}{from_text}, need {need}{dropped_note}")

    residual_x, residual_y, terms = [], [], []
    for g in groups:
        x, y, km, time = g["x"], g["y"], g["km"], g["week"].astype(float)
        if not squad:  # a partial Spearman correlation holding time (and load) constant: everything ranked
            x, y, km, time = _rank(x), _rank(y), _rank(km), _rank(time)
        design = _trend_design(time, km if hold_km else None, remove_trend)
        coef, *_ = np.linalg.lstsq(design, np.column_stack([x, y]), rcond=None)
        resid = np.column_stack([x, y]) - design @ coef
        residual_x.append(resid[:, 0])
        residual_y.append(resid[:, 1])
        terms.append(int(np.linalg.matrix_rank(design)))
    weeks = [g["week"] for g in groups]
    sxx = np.array([float(e @ e) for e in residual_x])
    syy = np.array([float(e @ e) for e in residual_y])
    scale_x = float(np.sum([np.sum((g["x"] - g["x"].mean()) ** 2) for g in groups])) or 1.0
    scale_y = float(np.sum([np.sum((g["y"] - g["y"].mean()) ** 2) for g in groups])) or 1.0
    x_const = sxx.sum() <= 1e-12 * (scale_x if squad else n**3)
    y_const = syy.sum() <= 1e-12 * (scale_y if squad else n**3)
    if x_const or y_const:
        where = " within athletes" if squad else ""
        if hold_km:
            where += f" once {km_name} is held constant"
        return _no_estimate(method, n, _variation_message(x_const, y_const, names, where) + dropped_note)

    r = float(np.clip(sum(float(a @ b) for a, b in zip(residual_x, residual_y, strict=True))
                      / math.sqrt(sxx.sum() * syy.sum()), -1.0, 1.0))
    span = max(int(w.max() - w.min()) + 1 for w in weeks)
    max_lag = max(_MIN_ACF_LAGS, span // ACF_SPAN_FRACTION)
    rho_x = _serial_correlation(list(zip(residual_x, weeks, terms, strict=True)), max_lag)
    rho_y = _serial_correlation(list(zip(residual_y, weeks, terms, strict=True)), max_lag)
    variance = 0.0
    for ex, w, a, b in zip(residual_x, weeks, sxx, syy, strict=True):
        _, counts = _lag_products(ex, w, max_lag)
        size = ex.size
        s_pair = size + float(counts @ (rho_x * rho_y))
        variance += a * b * max(s_pair, 0.0) / (size * size)
    variance /= sxx.sum() * syy.sum()
    n_raw = min(float(n), 1.0 / variance) if variance > 0 else float(n)
    lost = sum(terms) - 1
    n_eff = n_raw * (n - lost) / n
    worth = f"worth about {max(1, round(n_eff))} independent {unit}"
    if n_eff < min_effective_n:
        message = f"not enough data: {_count(n, unit)}{from_text} are {worth}, need {min_effective_n}{dropped_note}"
        return replace(_no_estimate(method, n, message), n_effective=float(n_eff))
    dof = n_eff - 3.0
    se = math.sqrt(((1.0 + r * r / 2.0) if not squad else 1.0) / dof)
    lo, hi = _fisher_ci(r, se)
    p = _fisher_pvalue(r, se)
    symbol = "r_rm" if squad else "r"
    message = _summary(r, lo, hi, p, f"n = {_count(n, unit)}{from_text}, {worth}", symbol=symbol,
                       qualifier=qualifier) + dropped_note
    return Correlation(method, r, lo, hi, p, n, dof, True, message, n_effective=n_eff, trend_removed=remove_trend)
