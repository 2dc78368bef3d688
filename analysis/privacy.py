"""Privacy: where a runner lives must not be readable from the dashboard, its maps or its exports.

A run usually starts and ends at home, so the first and last points of a track are an address. Two
options keep it private (DESIGN.md §7, issue 9):

- **Drop positions at import** (`drop_positions`): latitude and longitude are blanked before a run is
  stored, so the store never holds them. Distance and speed were already computed by the reader from
  them (or recorded by the watch), and no metric uses positions, so every metric is the same; only the
  map is lost.
- **Privacy radius** (`privacy_radius_m`, default 200 m, kept in the store): maps and position exports
  hide the start and end of every track (`hidden_positions`, `hide_ends`), as Strava's "hide start and
  end of activities" does.

The settings are data, the "privacy" group of the one settings registry (`analysis.settings`): name,
default, unit, bounds and help, defined once here, that the pages and the documentation read.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from analysis.io.activity import Activity
from analysis.io.geo import haversine_m
from analysis.settings import Setting, register

POSITION_COLUMNS = ("lat_deg", "lon_deg")
POSITIONS_DROPPED_WARNING = "GPS positions dropped at import (privacy option)"
NO_POSITIONS_WARNING = "no GPS positions in the file; none stored (privacy option)"


# The registry's row type (name, default, unit, inclusive bounds, help): one shape for every setting the pages render.
PRIVACY_SETTINGS: tuple[Setting, ...] = register(
    "privacy",
    Setting(
        "privacy_radius_m", 200.0, "m", 0.0, 2000.0,
        "Maps hide every point within this distance of where a run starts and where it ends, and the whole "
        "stretch until the track first leaves that circle and after it last enters the end circle, so the "
        "line does not lead to a front door. Exported samples with positions are hidden the same way. "
        "0 shows everything. Metrics never use positions, so they do not change."),
)
PRIVACY_SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in PRIVACY_SETTINGS}
DEFAULT_PRIVACY_RADIUS_M: float = PRIVACY_SETTINGS_BY_NAME["privacy_radius_m"].default


def validate_privacy_radius_m(value: object) -> float:
    """`value` as a radius in metres within the setting's bounds; `InputError` saying what is allowed otherwise
    (the registry's `Setting.validate`: the message names privacy_radius_m and its bounds; 0 shows everything)."""
    return PRIVACY_SETTINGS_BY_NAME["privacy_radius_m"].validate(value)


def valid_positions(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """True where a sample holds a position: both finite, on the globe, and not (0, 0).

    (0, 0) is what some watches write before they have a GPS fix: a point in the Gulf of Guinea, not a run.
    """
    lat = np.asarray(lat_deg, dtype="float64")
    lon = np.asarray(lon_deg, dtype="float64")
    with np.errstate(invalid="ignore"):
        return (np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
                & ~((lat == 0) & (lon == 0)))


def hidden_positions(lat_deg: np.ndarray, lon_deg: np.ndarray, radius_m: float) -> np.ndarray:
    """Which samples' positions to hide (bool, one per sample) for a privacy radius of `radius_m` metres.

    Hidden, as Strava's "hide start and end of activities" does: the whole stretch until the track first
    leaves the circle of `radius_m` around its first *valid* position (`valid_positions`: a watch's (0, 0)
    before its GPS fix is not the start), everything after it last enters the circle around its last valid
    position, and any other position inside either circle (a route that passes home mid-run). `radius_m` 0
    hides nothing.

    Why: a run usually starts and ends at the runner's door, so the ends of the line are an address. With
    the ends cut this way the line first appears where the runner left the circle, somewhere on its edge, and
    never runs into it; a map that also drops the line across a hidden middle stretch (`run_map` breaks it)
    shows no point inside either circle. A limit to be aware of: the shown ends of many runs from one home all
    lie about `radius_m` from it, so someone who sees many of them can narrow the home down to a circle; keep
    maps among the people who may see them, or drop positions at import.
    """
    lat = np.asarray(lat_deg, dtype="float64")
    lon = np.asarray(lon_deg, dtype="float64")
    if lat.shape != lon.shape:
        raise ValueError(f"lat_deg and lon_deg differ in length ({lat.shape} and {lon.shape})")
    radius = float(radius_m)
    if not math.isfinite(radius) or radius < 0:
        raise ValueError(f"radius_m must be 0 or more metres, not {radius_m!r}")
    hidden = np.zeros(lat.shape, dtype=bool)
    valid = valid_positions(lat, lon)
    if radius == 0 or not valid.any():
        return hidden
    index = np.flatnonzero(valid)
    first, last = index[0], index[-1]
    with np.errstate(invalid="ignore"):
        near_start = valid & (haversine_m(lat, lon, lat[first], lon[first]) <= radius)
        near_end = valid & (haversine_m(lat, lon, lat[last], lon[last]) <= radius)
    hidden |= near_start | near_end
    outside_start = np.flatnonzero(valid & ~near_start)
    outside_end = np.flatnonzero(valid & ~near_end)
    if len(outside_start) == 0 or len(outside_end) == 0:  # the track never leaves a circle: all of it is home
        hidden[:] = True
        return hidden
    hidden[: outside_start[0]] = True  # until the track first leaves the start circle
    hidden[outside_end[-1] + 1:] = True  # after it last enters the end circle
    return hidden


def hide_ends(lat_deg: np.ndarray, lon_deg: np.ndarray, radius_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Copies of `lat_deg` and `lon_deg` (degrees) with the positions `hidden_positions` picks set to NaN."""
    hidden = hidden_positions(lat_deg, lon_deg, radius_m)
    lat = np.array(lat_deg, dtype="float64", copy=True)
    lon = np.array(lon_deg, dtype="float64", copy=True)
    lat[hidden] = np.nan
    lon[hidden] = np.nan
    return lat, lon


def drop_positions(activity: Activity) -> Activity:
    """`activity` without GPS positions: `lat_deg`/`lon_deg` all NaN, a warning saying so for the import report.

    Everything else is kept as the reader made it: `distance_m` and `speed_mps` were computed (or recorded)
    before this, and no metric reads positions, so the run's metrics are the same with and without them.
    """
    samples = activity.samples
    had = bool(valid_positions(samples["lat_deg"].to_numpy(), samples["lon_deg"].to_numpy()).any())
    stripped = samples.copy()
    # In place on the copy's float block (loc with all rows), so the frame keeps the contract's layout.
    stripped.loc[:, list(POSITION_COLUMNS)] = np.nan
    warning = POSITIONS_DROPPED_WARNING if had else NO_POSITIONS_WARNING
    return dataclasses.replace(activity, samples=stripped, warnings=(*activity.warnings, warning))
