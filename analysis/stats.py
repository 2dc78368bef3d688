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
* Strength words follow Cohen's (1988, *Statistical power analysis for the behavioral sciences*,
  2nd ed.) conventions for r: 0.1 small, 0.3 medium, 0.5 large.

This module is pure Python (numpy, pandas, scipy); no streamlit import.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri, stdtr

from analysis.errors import InputError

__all__ = [
    "Correlation",
    "Setting",
    "STATS_SETTINGS",
    "DEFAULT_MIN_N",
    "DEFAULT_LAGS",
    "LAGGED_COLUMNS",
    "describe_strength",
    "spearman",
    "repeated_measures_corr",
    "partial_spearman",
    "lagged",
    "settings_table",
]


# --- settings (one data table; the settings page and docs read it) ---------------------------------


@dataclass(frozen=True)
class Setting:
    """One user-adjustable statistics setting: its name, default value, unit and help text."""

    name: str
    default: Any
    unit: str
    help: str


STATS_SETTINGS: tuple[Setting, ...] = (
    Setting(
        name="min_n",
        default=8,
        unit="pairs (weeks; athlete-weeks for the squad)",
        help=(
            "Fewest pairs a correlation may rest on. With fewer, the app says 'not enough data' "
            "instead of showing a number: with 7 pairs even r = 0.7 has a 95 % CI from about −0.2 to 0.96."
        ),
    ),
    Setting(
        name="max_lag_weeks",
        default=4,
        unit="weeks",
        help=(
            "Longest delay looked at between strength consistency and a later outcome: lag 2 pairs "
            "the consistency of week w − 2 with the outcome of week w. Lags count calendar weeks, "
            "so a week with no data is a gap, never skipped over."
        ),
    ),
)

_SETTINGS_BY_NAME = {s.name: s for s in STATS_SETTINGS}
DEFAULT_MIN_N: int = _SETTINGS_BY_NAME["min_n"].default
DEFAULT_LAGS = range(0, _SETTINGS_BY_NAME["max_lag_weeks"].default + 1)

_CONFIDENCE = 0.95
_Z_CRIT = float(ndtri(1 - (1 - _CONFIDENCE) / 2))  # 1.959964 for a two-sided 95 % interval


def settings_table() -> pd.DataFrame:
    """The settings as a frame (name, default, unit, help) for display."""
    return pd.DataFrame([asdict(s) for s in STATS_SETTINGS], columns=["name", "default", "unit", "help"])


# --- result type -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Correlation:
    """One correlation with everything needed to read it honestly.

    ``method``: "spearman", "repeated_measures" or "partial_spearman". ``r``: the coefficient
    (dimensionless, −1…1). ``ci_low``/``ci_high``: its 95 % confidence interval. ``p``: two-sided
    p value for "no association". ``n``: pairs used after dropping missing values. ``dof``: degrees
    of freedom of the t test (None when there is no estimate). ``enough_data``: False when n is
    below the minimum (or the data cannot give an estimate); then r, CI and p are NaN. ``message``:
    the result in plain words, or why there is no number.
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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_NAN = float("nan")


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


def _summary(r: float, lo: float, hi: float, p: float, n_text: str, *, symbol: str = "r", qualifier: str = "") -> str:
    words = describe_strength(r)
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

LAGGED_COLUMNS = ["scope", "lag_weeks", "method", "r", "ci_low", "ci_high", "p", "n", "enough_data", "message"]


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
) -> pd.DataFrame:
    """Correlate x of week w − lag with y of week w, per athlete and for the squad.

    ``weekly``: one row per (athlete, week), ``week`` holding Monday dates. For each lag (in
    calendar weeks; lag 0 = same week) x is moved forward by ``lag`` × 7 days within each athlete and
    joined to y on the calendar week, so a missing week leaves a gap rather than shifting later weeks
    onto the wrong partner.

    Returns one row per (scope, lag) with :data:`LAGGED_COLUMNS`: the squad first (scope "squad",
    :func:`repeated_measures_corr` across athletes, n in athlete-weeks), then each athlete in name
    order (scope = athlete name, :func:`spearman`, n in weeks); lags in the order given. An athlete
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
        squad = repeated_measures_corr(pairs, "_x", "_y", "_subject", min_n=min_n, unit="athlete-weeks", names=(x, y))
        squad_rows.append(_lag_row("squad", lag, squad))
        by_athlete = dict(iter(pairs.groupby("_subject", sort=False)))
        for a in athletes:
            sub = by_athlete.get(a)
            xv = sub["_x"] if sub is not None else np.zeros(0)
            yv = sub["_y"] if sub is not None else np.zeros(0)
            res = spearman(xv, yv, min_n=min_n, unit="weeks", names=(x, y))
            athlete_rows[a].append(_lag_row(str(a), lag, res))
    rows = squad_rows + [row for a in athletes for row in athlete_rows[a]]
    out = pd.DataFrame(rows, columns=LAGGED_COLUMNS)
    out["lag_weeks"] = out["lag_weeks"].astype("int64")
    out["n"] = out["n"].astype("int64")
    out["enough_data"] = out["enough_data"].astype(bool)
    for col in ("r", "ci_low", "ci_high", "p"):
        out[col] = out[col].astype("float64")
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
    }
