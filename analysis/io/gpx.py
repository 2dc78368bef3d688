"""Read a recorded GPX track into an `Activity` (DESIGN.md §2, §3, §7).

GPX carries positions, times and elevation in the standard and everything else (heart rate,
cadence, power, speed) in vendor extensions with different namespaces and tag names. We read
the extensions by *local* tag name, so Garmin TrackPointExtension v1/v2, cluetrust gpxdata,
Amazfit, Holux and bare `<hr>`/`<cad>` all land in the same canonical columns.

Two readers share everything but the XML walk (issue 8). `read_gpx` here lets gpxpy 1.6.2 parse
the file: it is the reference, and the fallback. `analysis.io.gpx_fast.read_gpx_fast` walks an lxml
tree and parses times in bulk. Both call `decode_checked` (the parser-trap checks) before any XML
parser runs, hand the same intermediate (`ParsedGpx`) to `build_activity`, and so differ only in
`Activity.reader`.

Units in the returned samples: time UTC, seconds, metres, metres per second, beats per minute,
steps per minute (per-leg GPX cadence is doubled, see `analysis.io.cadence`), watts, degrees.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

import gpxpy
import gpxpy.gpx
import gpxpy.parser
import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.io import xml_guard
from analysis.io.activity import Activity, SessionSummary, TimerEvent
from analysis.io.cadence import NONE, to_steps_per_min
from analysis.io.geo import cumulative_distance_m, speed_from_distance
from analysis.io.samples import conform_samples
from analysis.io.timeline import repair_timeline
from analysis.io.xml_guard import MAX_STRAY_XMLNS, MAX_XMLNS_DECLARATIONS  # noqa: F401  (re-exported)

# gpxpy parses with lxml whenever lxml is importable, and lxml is installed for the fast path.
# The reference stays on the standard library's expat parser, as before lxml arrived, because with
# lxml gpxpy (1) re-encodes the text to UTF-8 but lets lxml decode it by the declared encoding, so a
# declared-Latin-1 file's creator "Läufer" came out as "LÃ¤ufer"; (2) registers every namespace prefix
# of every upload in lxml's process-wide registry, which cannot be restored like ElementTree's below;
# and (3) an independent parser keeps the fast path's equality tests a real cross-check.
gpxpy.parser.mod_etree = ElementTree

# gpxpy pre-scans the text for namespace declarations with a regex and registers each one in
# ElementTree's process-wide prefix map. Both are quadratic: distinct declarations make every
# registration loop over a growing map (8,000 took 2 s, 32,000 took 41 s), and stray "xmlns"
# tokens not followed by "=" make the regex scan far ahead each time (32,000 in 190 KB took 2 s).
# Real files declare a handful; Movescount repeats the *same* declaration on every point, which
# is cheap, so `xml_guard` counts distinct declarations and stray tokens (MAX_XMLNS_DECLARATIONS,
# MAX_STRAY_XMLNS, 100 each), not occurrences.
# Even 100 stray tokens are slow when each is followed by megabytes without an "=" (100 tokens before
# 10 MB of text took the regex 0.6 s; at the 64 MB file cap, 4 s). So the characters the regex would
# scan are summed (`gpxpy_prescan_chars`) and capped: 20 million is ~0.1 s of scanning, and real files
# need under 1 % of it (Movescount's one declaration per point: ~60 characters per point).
MAX_PRESCAN_CHARS = 20_000_000
# A handful of untimed points in a recorded track (a converter glitch) are dropped with a warning;
# more than this share means the file is a drawn route, not a recording, and is refused.
MAX_UNTIMED_SHARE = 0.01

# Local tag names (lower case) of extension elements, per canonical channel. The first element
# of a point that matches wins, so a file with both Amazfit `heartrate` and Garmin `hr` is read once.
_EXTENSION_TAGS = {
    "hr": "heart_rate_bpm",
    "heartrate": "heart_rate_bpm",
    "bpm": "heart_rate_bpm",
    "cad": "cadence",
    "cadence": "cadence",
    "rpm": "cadence",
    "runcadence": "cadence",
    "power": "power_w",
    "powerinwatts": "power_w",
    "watts": "power_w",
    "speed": "speed_mps",
}
CHANNELS = ("heart_rate_bpm", "cadence", "power_w", "speed_mps")

# `<trk><type>` as written by Garmin Connect (words), Strava (its activity-type numbers:
# 1 Ride, 4 Hike, 9 Run, 10 Walk, 16 Swim, 17 VirtualRide) and others, lower-cased.
_SPORT_TYPES: dict[str, tuple[str, str]] = {
    "running": ("running", "generic"),
    "run": ("running", "generic"),
    "9": ("running", "generic"),
    "street_running": ("running", "street"),
    "track_running": ("running", "track"),
    "trail_running": ("running", "trail"),
    "trailrun": ("running", "trail"),
    "treadmill_running": ("running", "treadmill"),
    "indoor_running": ("running", "indoor"),
    "virtual_run": ("running", "virtual"),
    "1": ("cycling", "generic"),
    "ride": ("cycling", "generic"),
    "cycling": ("cycling", "generic"),
    "biking": ("cycling", "generic"),
    "road_biking": ("cycling", "road"),
    "mountain_biking": ("cycling", "mountain"),
    "gravel_cycling": ("cycling", "gravel"),
    "indoor_cycling": ("cycling", "indoor_cycling"),
    "17": ("cycling", "virtual_activity"),
    "virtualride": ("cycling", "virtual_activity"),
    "10": ("walking", "generic"),
    "walk": ("walking", "generic"),
    "walking": ("walking", "generic"),
    "4": ("hiking", "generic"),
    "hike": ("hiking", "generic"),
    "hiking": ("hiking", "generic"),
    "16": ("swimming", "generic"),
    "swim": ("swimming", "generic"),
    "swimming": ("swimming", "generic"),
}

# A file without a sport whose cadence, read as steps/min, sits in this band is a run: walking
# is ~100–130 steps/min and per-leg pedalling doubled lands here too, hence the speed check below.
_RUN_CADENCE_SPM = (130.0, 220.0)
# Median moving speed above which a whole activity cannot be a run (2:47 min/km; the marathon
# world record is 5.9 m/s) — keeps a bike ride with cadence ~85 rpm from being called a run.
_RUN_MAX_MEDIAN_SPEED_MPS = 6.0
# Cyclists coast: a bike ride in the corpus has cadence 0 on 15 % of its samples at ≥ 2 m/s,
# the runs at most 0.5 %. Above this share a sport-less file is not called a run.
_RUN_MAX_COASTING_SHARE = 0.05
_NO_SPORT = "the file does not say which sport it is"
# Times outside these years are a broken clock, and beyond them pandas' nanosecond range ends.
_YEARS = (1900, 2200)


@dataclass(frozen=True)
class PointArrays:
    """Per-point values of every track point, in file order (arrays of equal length).

    `time` is datetime64[us], naive UTC, NaT where the point has no time or one gpxpy cannot read
    (gpxpy keeps microseconds, so nothing is lost before the nanosecond frame).
    """

    time: np.ndarray  # datetime64[us], UTC
    lat: np.ndarray  # float64 degrees, as written (checked later)
    lon: np.ndarray  # float64 degrees
    ele: np.ndarray  # float64 metres, NaN where absent
    segment: np.ndarray  # int64, running number of the non-empty segment
    where: np.ndarray  # int64 (n, 3): track, segment, point numbers in the file, 1-based
    ext: dict[str, np.ndarray]  # float64 per channel of CHANNELS, NaN where absent or not a number


@dataclass(frozen=True)
class ParsedGpx:
    """What a GPX reader hands to `build_activity`: the points and the few facts about the file it needs."""

    points: PointArrays
    n_tracks: int  # tracks with at least one point
    n_segments: int  # segments with at least one point
    track_type: str | None  # <type> of the first track with points (GPX 1.1 only, as gpxpy reads it)
    creator: str | None  # the <gpx creator="..."> attribute
    route_points: int  # <rtept> in all routes (a planned route, when there are no track points)
    waypoints: int


def read_gpx(data: bytes, file_name: str, sha256: str) -> Activity:
    """Read the track points of a GPX file as an `Activity`, parsed by gpxpy (the reference reader).

    All tracks and segments are joined in time order; no distance is counted across a segment
    gap, and each gap becomes a timer stop/start pair (source "segment"). Raises `InputError`
    for anything a runner has to fix: not GPX, a route instead of a recording, points without
    times, or a file built to stall the parser.
    """
    warnings: list[str] = []
    text = decode_checked(data, file_name, warnings)
    gpx = _parse(text, file_name)
    return build_activity(_from_gpxpy(gpx), file_name, sha256, warnings, reader="gpxpy")


def build_activity(parsed: ParsedGpx, file_name: str, sha256: str, warnings: list[str], *, reader: str) -> Activity:
    """Everything after the XML, shared by both readers: checks, time line, positions, channels, sport.

    `warnings` holds what `decode_checked` said; the sentences found here are appended to it.
    """
    points = parsed.points
    n = len(points.time)
    _check_times(parsed, file_name, warnings)

    timed = ~np.isnat(points.time)
    timeline = repair_timeline(points.time[timed].astype("datetime64[ns]").astype("int64"))
    warnings.extend(timeline.warnings)
    keep = np.zeros(n, dtype=bool)
    keep[np.flatnonzero(timed)[timeline.keep]] = True
    dropped = n - int(keep.sum())

    times = timeline.times_ns.astype("datetime64[ns]")
    segment = points.segment[keep]
    n = len(times)
    lat, lon, ele = points.lat[keep], points.lon[keep], points.ele[keep]
    ext = {c: points.ext[c][keep] for c in CHANNELS}

    bad_position = ~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    # (0, 0) is what several devices write before the first satellite fix; nobody runs there.
    bad_position |= (lat == 0) & (lon == 0)
    if bad_position.any() and not bad_position.all():
        warnings.append(f"{int(bad_position.sum())} of {n} points have no usable position (left out of distance)")
    lat = np.where(bad_position, np.nan, lat)
    lon = np.where(bad_position, np.nan, lon)
    ele = np.where(np.isfinite(ele), ele, np.nan)

    # A segment starts wherever the segment number changes (segments with all points dropped vanish).
    starts = np.concatenate(([True], segment[1:] != segment[:-1])) if n else np.zeros(0, dtype=bool)
    start_time = pd.Timestamp(times[0]).tz_localize("UTC")
    elapsed_s = (times - times[0]) / np.timedelta64(1, "s")
    distance_m = cumulative_distance_m(lat, lon, breaks=starts)

    derived_speed = speed_from_distance(elapsed_s, distance_m)
    file_speed = ext["speed_mps"]
    file_speed = np.where(np.isfinite(file_speed) & (file_speed >= 0), file_speed, np.nan)
    # Device speed is smoother than speed from GPS positions; fill the points it skipped.
    speed_mps = np.where(np.isfinite(file_speed), file_speed, derived_speed)

    heart_rate = ext["heart_rate_bpm"]
    # 0 is "strap not worn"; 255 is the FIT "invalid" sentinel that some converters copy through.
    heart_rate = np.where((heart_rate > 0) & (heart_rate < 255), heart_rate, np.nan)
    cadence_raw = ext["cadence"]
    cadence_raw = np.where(cadence_raw >= 0, cadence_raw, np.nan)
    power = ext["power_w"]
    power = np.where((power >= 0) & (power < 65535), power, np.nan)

    sport, sub_sport = _sport(parsed.track_type, warnings)
    cadence_spm, cadence_unit = to_steps_per_min(cadence_raw, speed_mps, sport)
    if sport == "generic" and cadence_unit != NONE:
        sport, cadence_spm, cadence_unit = _infer_running(cadence_spm, cadence_unit, speed_mps, warnings)

    n_tracks, n_segments = parsed.n_tracks, parsed.n_segments
    if n_tracks > 1:
        joined = f"{n_tracks} tracks" + (f" ({n_segments} track segments)" if n_segments > n_tracks else "")
        warnings.append(f"{joined} joined; the gaps between them count as pauses")
    elif n_segments > 1:
        warnings.append(f"{n_segments} track segments joined; the gaps between them count as pauses")

    samples = conform_samples(
        {
            "time": pd.DatetimeIndex(times).tz_localize("UTC"),
            "elapsed_s": elapsed_s,
            "distance_m": distance_m,
            "speed_mps": speed_mps,
            "heart_rate_bpm": heart_rate,
            "cadence_spm": cadence_spm,
            "altitude_m": ele,
            "lat_deg": lat,
            "lon_deg": lon,
            "power_w": power,
        }
    )
    end_time = samples["time"].iloc[-1]
    return Activity(
        samples=samples,
        sport=sport,
        sub_sport=sub_sport,
        start_time=start_time,
        utc_offset_s=None,  # GPX times are UTC (or carry their own offset); the local offset is unknown
        device=(parsed.creator or "").strip() or "unknown",
        source_format="gpx",
        file_name=file_name,
        file_sha256=sha256,
        cadence_unit=cadence_unit,
        reader=reader,
        timer_events=_segment_events(samples["time"], starts),
        sessions=(SessionSummary(sport, sub_sport, start_time, end_time, kept=True),),
        warnings=tuple(warnings),
        dropped_samples=dropped,
    )


def decode_checked(data: bytes, file_name: str, warnings: list[str]) -> str:
    """Check the raw bytes for parser traps, then decode them to text (UTF-8 unless declared otherwise).

    Both readers call this before any XML parser sees the file (DESIGN.md §7): the checks of
    `analysis.io.xml_guard` (DTD/entities, namespace floods, the defusedxml prolog gate) and gpxpy's own
    pre-scan budget.
    """
    if data.startswith(xml_guard.BOM):
        data = data[len(xml_guard.BOM):]
    xml_guard.refuse_dtd(data, file_name, "GPX")
    xml_guard.refuse_namespace_floods(data, file_name, "GPX")
    scan = gpxpy_prescan_chars(data)
    if scan > MAX_PRESCAN_CHARS:
        raise InputError(
            f"has 'xmlns' marks far from any value (the GPX reader would scan {scan / 1e6:,.0f} million "
            f"characters to find them; at most {MAX_PRESCAN_CHARS / 1e6:,.0f} million are allowed); files from "
            "watches and apps never look like this: export the activity again",
            file_name=file_name,
        )
    text = xml_guard.decode_text(data, warnings)
    xml_guard.prolog_gate(text, file_name, "GPX")
    return text


def gpxpy_prescan_chars(data: bytes) -> int:
    """Upper bound on the characters gpxpy's namespace regexes scan in `data` (bytes ≥ characters).

    gpxpy 1.6.2 (`gpxpy/parser.py`) runs `\\sxmlns:?[^=]*="[^"]+"` over the whole text: from every
    "xmlns" the regex scans to the next "=", and past its quote to the closing one, then backtracks
    over the same stretch when it fails. Likewise `\\sxsi:schemaLocation="[^"]+"` scans from each
    "schemaLocation" to a closing quote. The sum of those distances is what makes the pre-scan
    quadratic in the number of far-apart marks (issue 9: a 480 KB file took 30 s); counted here in
    linear time with numpy, before any regex runs.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    size = len(buf)
    starts = np.concatenate([_find_all(buf, b"xmlns"), _find_all(buf, b"schemaLocation")])
    if not len(starts):
        return 0
    # Offsets of each mark, then `size` standing for "none before the end of the file".
    equals = np.append(np.flatnonzero(buf == ord("=")), size)
    quotes = np.append(np.flatnonzero((buf == ord('"')) | (buf == ord("'"))), size)
    equal_at = equals[np.searchsorted(equals, starts)]
    opening = quotes[np.searchsorted(quotes, np.minimum(equal_at + 1, size))]
    closing = quotes[np.searchsorted(quotes, np.minimum(opening + 1, size))]
    return int((closing - starts).sum())


def _find_all(buf: np.ndarray, needle: bytes) -> np.ndarray:
    """Start offsets of every occurrence of `needle` in `buf` (vectorised; overlaps impossible here)."""
    n = len(needle)
    if len(buf) < n:
        return np.empty(0, dtype=np.int64)
    hits = np.flatnonzero(buf[: len(buf) - n + 1] == needle[0])
    for k in range(1, n):
        hits = hits[buf[hits + k] == needle[k]]
    return hits


def _parse(text: str, file_name: str) -> gpxpy.gpx.GPX:
    """Parse with gpxpy; its errors become messages a runner can act on."""
    # gpxpy registers every namespace prefix it sees in ElementTree's process-wide map, which
    # would grow with each uploaded file in a long-running server; put it back as it was.
    saved = dict(getattr(ElementTree, "_namespace_map", {}))
    try:
        return gpxpy.parse(text)
    except gpxpy.gpx.GPXXMLSyntaxException as exc:
        detail = re.sub(r"^Error parsing XML:\s*", "", str(exc))
        detail = re.sub(r":\s*line (\d+), column (\d+)", r" at line \1, column \2", detail)
        if detail.startswith("unbound prefix"):
            # e.g. mapstogpx.com writes <gpxdata:cadence> without declaring gpxdata.
            detail = "a tag uses a namespace prefix the file never declares: " + detail
        raise InputError(f"is not valid GPX ({detail}); export it again", file_name=file_name) from None
    except gpxpy.gpx.GPXException as exc:
        detail = str(exc)
        if "mandatory" in detail and ("latitude" in detail or "longitude" in detail):
            detail = "a track point has no lat/lon position, which GPX requires"
        raise InputError(f"is not valid GPX ({detail}); export it again", file_name=file_name) from None
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError) as exc:
        # gpxpy assumes well-formed GPX in places and trips over odd files with plain Python errors.
        raise InputError(
            f"is not valid GPX ({type(exc).__name__}: {exc}); export it again", file_name=file_name
        ) from None
    finally:
        namespace_map = getattr(ElementTree, "_namespace_map", None)
        if isinstance(namespace_map, dict):
            namespace_map.clear()
            namespace_map.update(saved)


def _from_gpxpy(gpx: gpxpy.gpx.GPX) -> ParsedGpx:
    """Gather every track point of a gpxpy document in file order."""
    time: list[dt.datetime | None] = []
    lat: list[float] = []
    lon: list[float] = []
    ele: list[float] = []
    segment: list[int] = []
    where: list[tuple[int, int, int]] = []
    ext: dict[str, list[float]] = {c: [] for c in CHANNELS}
    tracks_used = 0
    segment_no = 0
    track_type = None
    for t, track in enumerate(gpx.tracks, start=1):
        track_used = False
        for s, seg in enumerate(track.segments, start=1):
            if not seg.points:
                continue  # an empty <trkseg/> is neither a pause nor data
            track_used = True
            for p, point in enumerate(seg.points, start=1):
                time.append(None if point.time is None else utc_naive(point.time))
                lat.append(_float(point.latitude))
                lon.append(_float(point.longitude))
                ele.append(_float(point.elevation))
                segment.append(segment_no)
                where.append((t, s, p))
                values = _extension_values(point.extensions)
                if np.isnan(values["speed_mps"]) and point.speed is not None:
                    values["speed_mps"] = _float(point.speed)  # GPX 1.0 has <speed> (m/s) in the point itself
                for channel in CHANNELS:
                    ext[channel].append(values[channel])
            segment_no += 1
        if track_used and not tracks_used:
            track_type = track.type
        tracks_used += track_used

    points = PointArrays(
        time=np.array(time, dtype="datetime64[us]"),
        lat=np.array(lat, dtype="float64"),
        lon=np.array(lon, dtype="float64"),
        ele=np.array(ele, dtype="float64"),
        segment=np.array(segment, dtype="int64"),
        where=np.array(where, dtype="int64").reshape(-1, 3),
        ext={c: np.array(ext[c], dtype="float64") for c in CHANNELS},
    )
    return ParsedGpx(
        points=points,
        n_tracks=tracks_used,
        n_segments=segment_no,
        track_type=track_type,
        creator=gpx.creator,
        route_points=sum(len(r.points) for r in gpx.routes),
        waypoints=len(gpx.waypoints),
    )


def _check_times(parsed: ParsedGpx, file_name: str, warnings: list[str]) -> None:
    """Refuse routes, empty files, untimed tracks and unset clocks; warn about a few untimed points."""
    points = parsed.points
    n = len(points.time)
    if not n:
        if parsed.route_points or parsed.waypoints:
            raise InputError(
                "contains a planned route, not a recorded activity (no track points with times); "
                "export the activity you recorded, not the course",
                file_name=file_name,
            )
        raise InputError("has no track points; export the recorded activity again", file_name=file_name)

    missing = np.flatnonzero(np.isnat(points.time))
    if len(missing) > MAX_UNTIMED_SHARE * n:
        first = missing[0]
        t, s, p = (int(v) for v in points.where[first])
        lat, lon = points.lat[first], points.lon[first]
        route_hint = (
            "; it looks like a planned route or a drawn track, not a recorded activity" if len(missing) == n else ""
        )
        raise InputError(
            f"{len(missing)} of {n} track points have no time (the first is track {t}, "
            f"segment {s}, point {p} at {lat:.5f}, {lon:.5f}){route_hint}; "
            "a run needs a time on every point: export the recorded activity again",
            file_name=file_name,
        )
    if len(missing):
        t, s, p = (int(v) for v in points.where[missing[0]])
        warnings.append(
            f"{len(missing)} of {n} track points have no time and were left out "
            f"(the first is track {t}, segment {s}, point {p})."
        )

    years = points.time.astype("datetime64[Y]").astype("int64") + 1970
    unset = ~np.isnat(points.time) & ((years < _YEARS[0]) | (years > _YEARS[1]))
    if unset.any():
        first = int(np.flatnonzero(unset)[0])
        track, seg, p = (int(v) for v in points.where[first])
        stamp = points.time[first].item().isoformat()
        raise InputError(
            f"has a point dated {stamp} (track {track}, segment {seg}, point {p}); the watch's clock "
            "was not set: export the activity again after the watch has synced",
            file_name=file_name,
        )


def utc_naive(t: dt.datetime) -> dt.datetime:
    """A time gpxpy parsed, as naive UTC: naive times are UTC already; aware ones are shifted by their offset.

    gpxpy's `SimpleTZ` accepts offsets up to ±99:99, which `datetime.utcoffset()` refuses beyond
    24 h, so its offset (minutes) is applied directly. A shift past year 1 or 9999 keeps the local
    time, which the clock check refuses anyway.
    """
    if t.tzinfo is None:
        return t
    minutes = getattr(t.tzinfo, "offset", None)
    offset = dt.timedelta(minutes=minutes) if isinstance(minutes, int) else t.utcoffset()
    naive = t.replace(tzinfo=None)
    if offset is None:
        return naive
    try:
        return naive - offset
    except OverflowError:
        return naive


def _float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def extension_channel(tag: str) -> str | None:
    """The canonical channel of an extension element, from its tag ("{namespace}local" or "prefix:local")."""
    return _EXTENSION_TAGS.get(tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower())


def extension_number(text: str | None) -> float:
    """An extension element's number; NaN when empty, not a number, or not finite."""
    number = _float((text or "").strip())
    return number if math.isfinite(number) else float("nan")


def _extension_values(extensions: list[object]) -> dict[str, float]:
    """Numbers from a track point's extension elements, by local tag name; NaN where absent or not a number.

    Elements are visited in document order and the first element of a channel wins, even when
    it holds no number.
    """
    values = dict.fromkeys(CHANNELS, float("nan"))
    found: set[str] = set()
    for root in extensions:
        iterate = getattr(root, "iter", None)
        if iterate is None:
            continue
        for element in iterate():
            tag = element.tag
            if not isinstance(tag, str):
                continue  # comments and processing instructions
            channel = extension_channel(tag)
            if channel is None or channel in found:
                continue
            found.add(channel)
            values[channel] = extension_number(element.text)
    return values


def _sport(track_type: str | None, warnings: list[str]) -> tuple[str, str]:
    """(sport, sub_sport) from the first track's <type>; ("generic", "generic") and a warning when absent."""
    kind = (track_type or "").strip().lower()
    if not kind:
        warnings.append(_NO_SPORT)
        return "generic", "generic"
    if kind in _SPORT_TYPES:
        return _SPORT_TYPES[kind]
    return kind, "generic"


def _infer_running(
    cadence_spm: np.ndarray,
    cadence_unit: str,
    speed_mps: np.ndarray,
    warnings: list[str],
) -> tuple[str, np.ndarray, str]:
    """Call a sport-less file a run when its cadence looks like running steps, unless it moves like a bike."""
    valid = np.isfinite(cadence_spm) & (cadence_spm > 0)
    if not valid.any():
        return "generic", cadence_spm, cadence_unit
    median_spm = float(np.median(cadence_spm[valid]))
    moving = np.isfinite(speed_mps) & (speed_mps >= 1.0)
    median_speed = float(np.median(speed_mps[moving])) if moving.any() else 0.0
    rolling = np.isfinite(speed_mps) & (speed_mps >= 2.0) & np.isfinite(cadence_spm)
    coasting = float(np.mean(cadence_spm[rolling] == 0)) if rolling.any() else 0.0
    if (
        _RUN_CADENCE_SPM[0] <= median_spm <= _RUN_CADENCE_SPM[1]
        and median_speed <= _RUN_MAX_MEDIAN_SPEED_MPS
        and coasting <= _RUN_MAX_COASTING_SHARE
    ):
        # Say what we decided instead of only that the file was silent.
        warnings[warnings.index(_NO_SPORT)] = (
            f"{_NO_SPORT}; running was inferred from its cadence (median {median_spm:.0f} steps/min)"
        )
        # "generic" and "running" are both foot sports, so the steps/min already computed stand.
        return "running", cadence_spm, cadence_unit
    return "generic", cadence_spm, cadence_unit


def _segment_events(times: pd.Series, starts: np.ndarray) -> tuple[TimerEvent, ...]:
    """Start at the first point, stop/start around every segment gap, stop at the last point."""
    first_of_segment = np.flatnonzero(starts)
    events: list[TimerEvent] = []
    for k, i in enumerate(first_of_segment):
        if k:
            events.append(TimerEvent(times.iloc[i - 1], "stop", source="segment"))
        events.append(TimerEvent(times.iloc[i], "start", source="segment"))
    events.append(TimerEvent(times.iloc[-1], "stop", source="segment"))
    return tuple(events)
