"""Grade from altitude over distance, and Minetti's energy cost of running on a grade."""

from __future__ import annotations

import numpy as np

# Minetti's fitted polynomial is valid for grades between -45 % and +45 %.
MINETTI_GRADE_LIMIT = 0.45
# Altitude is resampled on this distance grid before smoothing; fine enough for 10 m windows.
_GRID_STEP_M = 2.0


def minetti_cost(grade: np.ndarray | float) -> np.ndarray:
    """Energy cost of running in J/kg/m at a grade (rise over run, e.g. 0.05 for 5 %).

    Cr(i) = 155.4i⁵ − 30.4i⁴ − 43.3i³ + 46.3i² + 19.5i + 3.6 (Minetti et al. 2002, J Appl Physiol
    93:1039–1046), with i clamped to ±0.45, the range the polynomial was fitted on.
    """
    i = np.clip(np.asarray(grade, dtype="float64"), -MINETTI_GRADE_LIMIT, MINETTI_GRADE_LIMIT)
    return ((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + 3.6


def grade_factor(grade: np.ndarray | float) -> np.ndarray:
    """Cr(i) / Cr(0): how many metres of flat running one metre on this grade costs (1 on the flat)."""
    return minetti_cost(grade) / 3.6


def smoothed_altitude(distance_m: np.ndarray, altitude_m: np.ndarray, window_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Altitude as a smooth function of distance: (grid distances in m, smoothed altitudes in m).

    Samples with both values are placed on a regular 2 m distance grid (linear interpolation;
    samples at one distance, as when standing, are averaged), then a centred moving average of
    `window_m` is applied. Near the ends the window shrinks symmetrically, so a constant grade
    stays exactly that grade. Returns two empty arrays when fewer than two distinct distances
    carry an altitude.
    """
    ok = np.isfinite(distance_m) & np.isfinite(altitude_m)
    if ok.sum() < 2:
        return np.empty(0), np.empty(0)
    d, inverse = np.unique(distance_m[ok], return_inverse=True)
    if len(d) < 2:
        return np.empty(0), np.empty(0)
    alt = np.bincount(inverse, weights=altitude_m[ok]) / np.bincount(inverse)
    grid = np.arange(d[0], d[-1] + _GRID_STEP_M, _GRID_STEP_M)
    on_grid = np.interp(grid, d, alt)
    half = max(int(round(window_m / _GRID_STEP_M / 2)), 0)
    if half == 0 or len(grid) < 3:
        return grid, on_grid
    k = np.arange(len(grid))
    h = np.minimum(np.minimum(k, len(grid) - 1 - k), half)
    csum = np.concatenate(([0.0], np.cumsum(on_grid)))
    smooth = (csum[k + h + 1] - csum[k - h]) / (2 * h + 1)
    return grid, smooth


def elevation_gain_m(smoothed: np.ndarray) -> float:
    """Total climb in metres: the sum of rises of the smoothed altitude (NaN without altitude)."""
    if len(smoothed) < 2:
        return float("nan")
    rises = np.diff(smoothed)
    return float(rises[rises > 0].sum())
