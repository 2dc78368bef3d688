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


# Files labelled with one of these sports are checked for running by `running_if_it_moves_like_one`.
UNLABELLED_SPORTS = frozenset({"generic", "training"})


def looks_like_running(steps_per_min: np.ndarray, speed_mps: np.ndarray) -> bool:
    """Whether the moving median cadence (steps/min) and speed are both in running ranges."""
    steps_per_min = np.asarray(steps_per_min, dtype="float64")
    speed_mps = np.asarray(speed_mps, dtype="float64")
    with np.errstate(invalid="ignore"):
        moving = np.isfinite(speed_mps) & (speed_mps >= 1.0) & np.isfinite(steps_per_min) & (steps_per_min > 0)
    if moving.sum() < 60:
        return False
    cad = float(np.median(steps_per_min[moving]))
    speed = float(np.median(speed_mps[moving]))
    return 140.0 <= cad <= 210.0 and 1.8 <= speed <= 6.5


def running_if_it_moves_like_one(
    sport: str, steps_per_min: np.ndarray, speed_mps: np.ndarray, warnings: list[str], *, label: str | None = None
) -> str:
    """Sport "running" for a file labelled 'generic'/'training' that moves like a run (with a warning), else `sport`.

    `label` is the sport as the file names it (TCX "Other"), for the warning; default `sport`.
    Shared by the FIT and TCX readers.
    """
    if sport in UNLABELLED_SPORTS and looks_like_running(steps_per_min, speed_mps):
        warnings.append(
            f"The file labels the sport '{label or sport}', but its speed and cadence are those of running; "
            "treated as a run."
        )
        return "running"
    return sport
