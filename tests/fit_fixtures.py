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


TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
TPX_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"


def _tcx_time(t: datetime, offset_s: int | None, fraction_digits: int) -> str:
    """`t` as TCX writes it: UTC with "Z", or local time with "+hh:mm"; `fraction_digits` of the second."""
    local = t.astimezone(UTC) if offset_s is None else t.astimezone(UTC) + timedelta(seconds=offset_s)
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if fraction_digits:
        text += "." + f"{local.microsecond:06d}000"[:fraction_digits]
    if offset_s is None:
        return text + "Z"
    sign = "-" if offset_s < 0 else "+"
    hours, minutes = divmod(abs(offset_s) // 60, 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def tcx_from_records(
    records: Sequence[dict],
    *,
    sport: str | None = "Running",
    creator: str | None = "Forerunner 945",
    lap_starts: Sequence[int] = (0,),
    track_starts: Sequence[int] = (),
    cadence: str | None = "RunCadence",
    tpx_prefix: str | None = "ns3",
    tcd_prefix: str | None = None,
    leading: bytes = b"",
    offset_s: int | None = None,
    fraction_digits: int = 3,
    positions: bool = True,
    speed: bool = True,
    distance: bool = True,
    pretty: bool = True,
) -> bytes:
    """The same run as a Garmin-style TCX (TrainingCenterDatabase v2), the way Garmin Connect exports it.

    - `lap_starts`: record indices that begin a `<Lap>` (0 first); `track_starts`: indices that begin a new
      `<Track>` inside their lap (how a watch writes a timer pause). Each lap carries the lap-level elements
      real files have (`DistanceMeters`, `AverageHeartRateBpm/Value`, `Cadence`, `LX/AvgRunCadence`), which
      a reader must not take for trackpoint values.
    - `cadence`: "RunCadence" (TPX, the ActivityExtension), "Cadence" (a plain trackpoint element, as Polar
      and Suunto write running cadence) or None. Whole numbers, as the schema has them (fractions dropped).
    - `tpx_prefix`: prefix of the ActivityExtension namespace, or None for `<TPX xmlns="...">` with
      unprefixed children; `tcd_prefix`: prefix of the TCX namespace itself (None = default namespace).
    - `leading`: bytes before `<?xml` (Strava writes whitespace there, some tools a BOM).
    - `offset_s`: times written as local time with this UTC offset ("+02:00") instead of "Z".
    - `positions`, `speed`, `distance`: write `Position`, `TPX/Speed`, `DistanceMeters` (a treadmill has no
      position). A record's "power" (W) goes to `TPX/Watts`.
    """
    t = f"{tcd_prefix}:" if tcd_prefix else ""
    x = f"{tpx_prefix}:" if tpx_prefix else ""
    tpx_open = f"<{x}TPX>" if tpx_prefix else f'<TPX xmlns="{TPX_NS}">'
    lx_open = f"<{x}LX>" if tpx_prefix else f'<LX xmlns="{TPX_NS}">'
    nl = "\n" if pretty else ""
    laps = sorted(set(lap_starts) | {0})
    tracks = set(track_starts) | set(laps)

    def point(r: dict) -> str:
        parts = [f"<{t}Time>{_tcx_time(r['timestamp'], offset_s, fraction_digits)}</{t}Time>"]
        if positions and r.get("position_lat") is not None:
            parts.append(
                f"<{t}Position><{t}LatitudeDegrees>{r['position_lat']:.9f}</{t}LatitudeDegrees>"
                f"<{t}LongitudeDegrees>{r['position_long']:.9f}</{t}LongitudeDegrees></{t}Position>"
            )
        if r.get("enhanced_altitude") is not None:
            parts.append(f"<{t}AltitudeMeters>{r['enhanced_altitude']:.3f}</{t}AltitudeMeters>")
        if distance and r.get("distance") is not None:
            parts.append(f"<{t}DistanceMeters>{r['distance']:.3f}</{t}DistanceMeters>")
        if r.get("heart_rate") is not None:
            parts.append(f"<{t}HeartRateBpm><{t}Value>{r['heart_rate']}</{t}Value></{t}HeartRateBpm>")
        if cadence == "Cadence" and r.get("cadence") is not None:
            parts.append(f"<{t}Cadence>{int(r['cadence'])}</{t}Cadence>")
        ext = []
        if speed and r.get("enhanced_speed") is not None:
            ext.append(f"<{x}Speed>{r['enhanced_speed']:.3f}</{x}Speed>")
        if cadence == "RunCadence" and r.get("cadence") is not None:
            ext.append(f"<{x}RunCadence>{int(r['cadence'])}</{x}RunCadence>")
        if r.get("power") is not None:
            ext.append(f"<{x}Watts>{int(r['power'])}</{x}Watts>")
        if ext:
            parts.append(f"<{t}Extensions>{tpx_open}{''.join(ext)}</{x}TPX></{t}Extensions>")
        return f"<{t}Trackpoint>{''.join(parts)}</{t}Trackpoint>"

    body: list[str] = []
    bounds = [*laps, len(records)]
    for lap_no, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
        if a >= b:
            continue
        lap = records[a:b]
        first_d = records[a - 1]["distance"] if a else lap[0].get("distance", 0.0)
        lap_distance = (lap[-1].get("distance") or 0.0) - (first_d or 0.0)
        seconds = (lap[-1]["timestamp"] - lap[0]["timestamp"]).total_seconds()
        hr = [r["heart_rate"] for r in lap if r.get("heart_rate") is not None]
        cad = [r["cadence"] for r in lap if r.get("cadence") is not None]
        head = [
            f"<{t}TotalTimeSeconds>{seconds:.1f}</{t}TotalTimeSeconds>",
            f"<{t}DistanceMeters>{lap_distance:.2f}</{t}DistanceMeters>",
            f"<{t}Calories>{10 * (lap_no + 1)}</{t}Calories>",
        ]
        if hr:
            mean_hr = round(sum(hr) / len(hr))
            head.append(f"<{t}AverageHeartRateBpm><{t}Value>{mean_hr}</{t}Value></{t}AverageHeartRateBpm>")
        head.append(f"<{t}Intensity>Active</{t}Intensity>")
        if cad and cadence == "Cadence":
            head.append(f"<{t}Cadence>{round(sum(cad) / len(cad))}</{t}Cadence>")
        head.append(f"<{t}TriggerMethod>Manual</{t}TriggerMethod>")
        tracks_here = [i for i in range(a, b) if i in tracks]
        track_bounds = [*tracks_here, b]
        chunks = []
        for c, d in zip(track_bounds, track_bounds[1:], strict=False):
            chunks.append(f"<{t}Track>{nl}" + nl.join(point(r) for r in records[c:d]) + f"{nl}</{t}Track>")
        tail = ""
        if cad:
            tail = (f"<{t}Extensions>{lx_open}<{x}AvgSpeed>3.0</{x}AvgSpeed>"
                    f"<{x}AvgRunCadence>{round(sum(cad) / len(cad))}</{x}AvgRunCadence></{x}LX></{t}Extensions>")
        start = _tcx_time(lap[0]["timestamp"], offset_s, fraction_digits)
        body.append(f'<{t}Lap StartTime="{start}">{"".join(head)}{nl}{nl.join(chunks)}{tail}</{t}Lap>')

    sport_attr = f' Sport="{sport}"' if sport is not None else ""
    activity_id = _tcx_time(records[0]["timestamp"], offset_s, fraction_digits) if records else ""
    device = (
        f'<{t}Creator xsi:type="Device_t"><{t}Name>{creator}</{t}Name><{t}UnitId>3993846615</{t}UnitId>'
        f"<{t}ProductID>3113</{t}ProductID></{t}Creator>"
        if creator is not None else ""
    )
    tcd_decl = f'xmlns:{tcd_prefix}="{TCX_NS}"' if tcd_prefix else f'xmlns="{TCX_NS}"'
    tpx_decl = f' xmlns:{tpx_prefix}="{TPX_NS}"' if tpx_prefix else ""
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{t}TrainingCenterDatabase xsi:schemaLocation="{TCX_NS} '
        'http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd" '
        f'{tcd_decl}{tpx_decl} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"<{t}Activities><{t}Activity{sport_attr}><{t}Id>{activity_id}</{t}Id>\n"
        + nl.join(body)
        + f"{nl}{device}</{t}Activity></{t}Activities>\n"
        f'<{t}Author xsi:type="Application_t"><{t}Name>Connect Api</{t}Name></{t}Author>\n'
        f"</{t}TrainingCenterDatabase>\n"
    )
    return leading + text.encode()
