"""Decide per file whether recorded cadence is per leg or already steps per minute.

FIT `record.cadence`, GPX `cad` and TCX `RunCadence` count one leg's cycles per minute
(strides/min); a few footpods store steps/min. Running medians are 75–95 per leg and
150–190 steps/min, walking ~50–60 per leg, so a moving median below 120 can only be
per-leg and one at or above it can only be steps. The threshold sits in the gap.
"""

from __future__ import annotations

import numpy as np

PER_LEG_MAX = 120.0
FOOT_SPORTS = frozenset({"running", "walking", "hiking", "generic", "training", "fitness_equipment", "unknown"})

PER_LEG = "per leg in file, doubled to steps/min"
STEPS = "steps/min in file, kept"
NONE = "no cadence in file"
NOT_STEPS = "pedal/stroke cadence, not steps: not kept"


def to_steps_per_min(
    cadence: np.ndarray, speed_mps: np.ndarray | None, sport: str
) -> tuple[np.ndarray, str]:
    """Return (cadence in steps/min, the unit decision as a readable phrase).

    The median is taken over samples with cadence > 0 and, when speed is known, speed
    ≥ 1 m/s, so standing at traffic lights does not drag it down.
    """
    cadence = np.asarray(cadence, dtype="float64")
    valid = np.isfinite(cadence) & (cadence > 0)
    if not valid.any():
        return np.full(cadence.shape, np.nan) if not np.isfinite(cadence).any() else cadence, NONE
    if sport not in FOOT_SPORTS:
        return np.full(cadence.shape, np.nan), NOT_STEPS
    moving = valid
    if speed_mps is not None:
        speed = np.asarray(speed_mps, dtype="float64")
        with np.errstate(invalid="ignore"):
            moving_fast = valid & (speed >= 1.0)
        if moving_fast.sum() >= 10:
            moving = moving_fast
    median = float(np.median(cadence[moving]))
    if median < PER_LEG_MAX:
        return cadence * 2.0, PER_LEG
    return cadence, STEPS
