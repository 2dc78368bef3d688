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
    grade: float = 0.0  # rise over run; altitude changes by grade × distance


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
    altitude = altitude_m
    for stretch in stretches:
        steps = stretch.seconds // stretch.interval_s
        for _ in range(steps):
            if not first:
                t += timedelta(seconds=stretch.interval_s)
                distance += stretch.speed_mps * stretch.interval_s
                if altitude is not None:
                    altitude += stretch.grade * stretch.speed_mps * stretch.interval_s
            first = False
            record: dict = {
                "timestamp": t,
                "position_lat": lat0 + (distance - distance_offset_m) / metres_per_degree_lat,
                "position_long": lon0,
                "distance": distance,
                "enhanced_speed": stretch.speed_mps,
                "heart_rate": stretch.heart_rate_bpm,
            }
            if altitude is not None:
                record["enhanced_altitude"] = altitude
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


def with_pause(records: list[dict], after: int, seconds: int) -> tuple[list[dict], tuple[datetime, datetime]]:
    """Records with the runner standing with the timer stopped for `seconds` after record `after`.

    Like a watch, it writes a record at the restart with the distance where the runner stopped;
    every later record moves `seconds` later. Returns the records and the (stop, restart) pair.
    """
    stop = records[after]["timestamp"]
    restart = stop + timedelta(seconds=seconds)
    resumed = dict(records[after], timestamp=restart)
    later = [dict(r, timestamp=r["timestamp"] + timedelta(seconds=seconds)) for r in records[after + 1:]]
    return records[: after + 1] + [resumed] + later, (stop, restart)


def gpx_from_records(records: Sequence[dict], *, sport: str = "running") -> bytes:
    """The same run as a Garmin-style GPX 1.1 track (TrackPointExtension v1: hr, per-leg cad)."""
    points = []
    for r in records:
        ext = []
        if r.get("heart_rate") is not None:
            ext.append(f"<gpxtpx:hr>{r['heart_rate']}</gpxtpx:hr>")
        if r.get("cadence") is not None:
            ext.append(f"<gpxtpx:cad>{r['cadence'] + r.get('fractional_cadence', 0.0):.4f}</gpxtpx:cad>")
        ele = f"<ele>{r['enhanced_altitude']:.3f}</ele>" if r.get("enhanced_altitude") is not None else ""
        stamp = r["timestamp"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        points.append(
            f'<trkpt lat="{r["position_lat"]:.9f}" lon="{r["position_long"]:.9f}">{ele}<time>{stamp}</time>'
            f"<extensions><gpxtpx:TrackPointExtension>{''.join(ext)}</gpxtpx:TrackPointExtension></extensions>"
            "</trkpt>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="Core &amp; Cadence tests" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><type>{sport}</type><trkseg>{''.join(points)}</trkseg></trk></gpx>"
    ).encode()


def fit_from_records(records: Sequence[dict], *, sport: str = "running", sub_sport: str = "generic",
                     timer_stops: Sequence[tuple[datetime, datetime]] = (), utc_offset_s: int = 3600) -> bytes:
    return encode_activity([SessionSpec(sport, tuple(records), sub_sport)], utc_offset_s=utc_offset_s,
                           timer_stops=timer_stops)
