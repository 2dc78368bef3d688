"""Distances from positions and speeds from distances, shared by the FIT and GPX readers."""

from __future__ import annotations

import numpy as np

# Mean Earth radius (IUGG), metres; the haversine error against WGS-84 is under 0.5 %.
EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1_deg, lon1_deg, lat2_deg, lon2_deg) -> np.ndarray:
    """Great-circle (haversine) distance in metres between points 1 and 2, element by element (numpy
    broadcasting: a scalar point 2 gives every point's distance to it); NaN where a position is missing."""
    lat1, lon1 = np.radians(np.asarray(lat1_deg, dtype="float64")), np.radians(np.asarray(lon1_deg, dtype="float64"))
    lat2, lon2 = np.radians(np.asarray(lat2_deg, dtype="float64")), np.radians(np.asarray(lon2_deg, dtype="float64"))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def haversine_steps_m(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Great-circle distance in metres from each point to the next (length n-1; NaN where a position is missing)."""
    lat = np.asarray(lat_deg, dtype="float64")
    lon = np.asarray(lon_deg, dtype="float64")
    return haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])


def cumulative_distance_m(lat_deg: np.ndarray, lon_deg: np.ndarray, breaks: np.ndarray | None = None) -> np.ndarray:
    """Cumulative 2-D distance in metres along the points, starting at 0.

    Steps with a missing position add nothing. `breaks` (bool, length n) marks points that start
    a new segment: the step into such a point adds nothing, because the watch was paused between.
    """
    n = len(lat_deg)
    if n == 0:
        return np.zeros(0)
    steps = haversine_steps_m(lat_deg, lon_deg)
    steps = np.where(np.isfinite(steps), steps, 0.0)
    if breaks is not None:
        steps = np.where(np.asarray(breaks, dtype=bool)[1:], 0.0, steps)
    return np.concatenate(([0.0], np.cumsum(steps)))


def speed_from_distance(elapsed_s: np.ndarray, distance_m: np.ndarray) -> np.ndarray:
    """Speed in m/s over the interval ending at each sample (the first takes the next interval's).

    Intervals of zero or negative duration (duplicate or reversed timestamps) give NaN rather
    than an infinite speed.
    """
    t = np.asarray(elapsed_s, dtype="float64")
    d = np.asarray(distance_m, dtype="float64")
    if len(t) < 2:
        return np.full(len(t), np.nan)
    dt = np.diff(t)
    dd = np.diff(d)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(dt > 0, dd / dt, np.nan)
    return np.concatenate(([v[0]], v))
