"""Builders of FIT files with exactly known content, written by the project's own FIT writer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from analysis.io.fit_writer import SessionSpec, encode_activity

START = datetime(2026, 3, 2, 6, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Stretch:
    """A stretch of a run at constant speed, per-leg cadence and heart rate."""

    seconds: int
    speed_mps: float
    cadence_per_leg: float | None = 85.5
    heart_rate_bpm: int | None = 150
    interval_s: int = 1


def records_for(
    stretches: Sequence[Stretch],
    *,
    start: datetime = START,
    lat0: float = 51.5,
    lon0: float = -0.12,
    altitude_m: float | None = 20.0,
    dynamics: bool = False,
    distance_offset_m: float = 0.0,
) -> list[dict]:
    """Records for consecutive stretches, heading due north; distance integrates speed exactly.

    Per-leg cadence is split into the integer `cadence` and `fractional_cadence` (1/128 units),
    as Garmin watches write it.
    """
    records: list[dict] = []
    t = start
    distance = distance_offset_m
    metres_per_degree_lat = 6_371_008.8 * 3.141592653589793 / 180.0
    first = True
    for stretch in stretches:
        steps = stretch.seconds // stretch.interval_s
        for _ in range(steps):
            if not first:
                t += timedelta(seconds=stretch.interval_s)
                distance += stretch.speed_mps * stretch.interval_s
            first = False
            record: dict = {
                "timestamp": t,
                "position_lat": lat0 + (distance - distance_offset_m) / metres_per_degree_lat,
                "position_long": lon0,
                "distance": distance,
                "enhanced_speed": stretch.speed_mps,
                "heart_rate": stretch.heart_rate_bpm,
            }
            if altitude_m is not None:
                record["enhanced_altitude"] = altitude_m
            if stretch.cadence_per_leg is not None:
                whole = int(stretch.cadence_per_leg)
                record["cadence"] = whole
                record["fractional_cadence"] = stretch.cadence_per_leg - whole
            if dynamics:
                record.update(stance_time=250.0, stance_time_balance=49.5, vertical_oscillation=85.0,
                              step_length=1100.0, vertical_ratio=7.7)
            records.append(record)
    return records


def run_file(stretches: Sequence[Stretch], *, sport: str = "running", sub_sport: str = "generic", **kwargs) -> bytes:
    utc_offset_s = kwargs.pop("utc_offset_s", 3600)
    timer_stops = kwargs.pop("timer_stops", ())
    records = records_for(stretches, **kwargs)
    return encode_activity([SessionSpec(sport, tuple(records), sub_sport)], utc_offset_s=utc_offset_s,
                           timer_stops=timer_stops)
