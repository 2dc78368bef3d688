"""Repair the time axis of a recording: clock jumps, garbage stamps, steps back in time.

Real files do all three (see corpus `origin_flag` "edge case"): a Forerunner whose clock jumped
20 days forward when GPS time arrived mid-run; a ride resumed a month later; a Strava app file
whose last sample is stamped 2085; GPX files with a point a second earlier than the one before.
The path order of the file is trusted over the stamps, so samples are never re-sorted: sorting
would send the track zig-zagging back to a misplaced point and invent distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLOCK_JUMP_NS = np.int64(6 * 3600 * 10**9)  # no pause inside one recording is this long; a clock jump is
MIN_BLOCK_SAMPLES = 10  # a run of fewer samples beyond a jump is garbage, not a part of the activity


@dataclass(frozen=True)
class Timeline:
    keep: np.ndarray  # bool per input sample, file order
    times_ns: np.ndarray  # int64 ns since epoch (UTC) of the kept samples, non-decreasing
    warnings: tuple[str, ...]

    @property
    def dropped(self) -> int:
        return int((~self.keep).sum())


def _describe(ns: float) -> str:
    seconds = abs(ns) / 1e9
    days, rem = divmod(seconds, 86400)
    hours = rem / 3600
    return f"{int(days)} d {hours:.1f} h" if days else f"{hours:.1f} h"


def repair_timeline(times_ns: np.ndarray) -> Timeline:
    """Return which samples to keep and their (possibly shifted) times, with readable warnings.

    1. The recording is cut into blocks wherever consecutive stamps differ by more than 6 h.
       The largest block is the anchor; blocks of fewer than 10 samples are dropped as garbage
       stamps; larger blocks are shifted to follow on from their neighbour one sample interval
       later (or earlier), because the samples are real and only the clock was wrong.
    2. A sample stamped earlier than one before it is dropped (the file's order is kept).
    """
    t = np.asarray(times_ns, dtype="int64").copy()
    n = len(t)
    keep = np.ones(n, dtype=bool)
    warnings: list[str] = []
    if n < 2:
        return Timeline(keep, t, ())
    steps = np.diff(t)
    positive = steps[steps > 0]
    interval = np.int64(np.median(positive)) if len(positive) else np.int64(10**9)
    cuts = np.flatnonzero(np.abs(steps) > CLOCK_JUMP_NS) + 1
    if len(cuts):
        bounds = list(zip(np.concatenate(([0], cuts)), np.concatenate((cuts, [n])), strict=True))
        sizes = [b - a for a, b in bounds]
        anchor = max(range(len(bounds)), key=lambda i: (sizes[i], i))
        garbage = 0
        moved = 0
        largest_jump = 0.0
        for direction in (1, -1):
            neighbour = bounds[anchor]
            index = anchor + direction
            while 0 <= index < len(bounds):
                a, b = bounds[index]
                if b - a < MIN_BLOCK_SAMPLES:
                    keep[a:b] = False
                    garbage += b - a
                else:
                    if direction == 1:
                        shift = t[neighbour[1] - 1] + interval - t[a]
                    else:
                        shift = t[neighbour[0]] - interval - t[b - 1]
                    t[a:b] += shift
                    moved += b - a
                    largest_jump = max(largest_jump, abs(float(shift)))
                    neighbour = (a, b)
                index += direction
        if garbage:
            warnings.append(f"{garbage:,} samples with impossible times (far from the rest) were left out.")
        if moved:
            warnings.append(
                f"The watch's clock jumped by {_describe(largest_jump)} during the recording; "
                f"{moved:,} samples were moved to join the rest (distance and order kept)."
            )
    kept_idx = np.flatnonzero(keep)
    kept_t = t[kept_idx]
    backwards = kept_t < np.maximum.accumulate(kept_t)
    if backwards.any():
        keep[kept_idx[backwards]] = False
        warnings.append(
            f"{int(backwards.sum()):,} samples stamped earlier than the one before them were left out."
        )
    return Timeline(keep, t[keep], tuple(warnings))
