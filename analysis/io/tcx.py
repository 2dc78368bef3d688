"""Read a TCX activity (Garmin Training Center Database v2) into an `Activity` (DESIGN.md §2, §3, §7).

TCX is what Strava's bulk export holds for many runs (`activities/<id>.tcx.gz`) and what Garmin
Connect, Polar Flow, Suunto and Runtastic offer beside FIT and GPX. The layout:

    TrainingCenterDatabase / Activities / Activity[@Sport] / Lap[@StartTime]* / Track* / Trackpoint*
    Trackpoint: Time, Position/LatitudeDegrees|LongitudeDegrees, AltitudeMeters, DistanceMeters,
                HeartRateBpm/Value, Cadence, Extensions/TPX/Speed|RunCadence|Watts
    Activity / Creator / Name  (the device)

Elements are matched by namespace URI, never by prefix: TCX v2 (`TCD_NS`, or no namespace at all, as a
few converters write it) for the structure, and the ActivityExtension v2 (`AE_NS`) for `TPX`, whether the
file writes `ns3:TPX`, `<TPX xmlns="...">` or any other prefix. Lap-level elements that share names with
trackpoint ones (a lap's `DistanceMeters`, `AverageHeartRateBpm/Value`, `Cadence`) are never read as
samples. Of each element the first of its name counts.

What real files do, and what happens:
- whitespace or a BOM before `<?xml` (Strava's uploads): stripped before parsing;
- `RunCadence` (TPX) is per leg; some Polar and Suunto files put running cadence in the trackpoint's
  `Cadence`: either is decided per file with `analysis.io.cadence.to_steps_per_min`, as FIT and GPX;
- trackpoints without a position (a treadmill) are kept; trackpoints with only a time (Garmin writes one
  at each lap start) are left out, and counted in `dropped_samples`;
- several laps are one run; a new `<Track>` inside a lap (how a watch writes a timer pause) and any gap
  longer than `PAUSE_GAP_MIN_S` and `PAUSE_GAP_FACTOR` times the usual interval are pauses: timer
  stop/start events (source "segment"), as GPX segment breaks;
- `DistanceMeters` is the watch's cumulative distance; trackpoints without it get a distance from the GPS
  positions (or the speed) between their neighbours; a file without any gets it from positions;
- `Sport` "Running" is running, "Biking" cycling, "Other" is checked with
  `analysis.io.cadence.running_if_it_moves_like_one`, like FIT's "generic";
- times with an offset (`+02:00`), `Z` or none (UTC), with fractions: UTC; the offset of the first sample's
  time is `utc_offset_s` when written as a number, else None;
- several `<Activity>` elements (a multisport session): only running ones are kept when there are others.

Two readers share everything but the XML walk, as for GPX: `read_tcx` here streams the file through the
standard library's expat parser (defusedxml's, elements cleared as they are read); `analysis.io.tcx_fast`
walks an lxml tree and converts numbers and times in bulk. Both run `decode_checked` first and hand the
same `ParsedTcx` to `build_activity`, so they differ only in `Activity.reader`.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

import numpy as np
import pandas as pd
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import iterparse as defused_iterparse

from analysis.errors import InputError
from analysis.io import xml_guard
from analysis.io.activity import Activity, SessionSummary, TimerEvent
from analysis.io.cadence import running_if_it_moves_like_one, to_steps_per_min
from analysis.io.geo import cumulative_distance_m, speed_from_distance
from analysis.io.samples import conform_samples
from analysis.io.timeline import repair_timeline

TCD_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
AE_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
READER = "elementtree"  # `Activity.reader` of the reference path; the fast path is "lxml"

# A 24-hour run at 1 Hz with every channel is ~2.6 million "<" (~30 per trackpoint); a 64 MB file of real
# trackpoints ~4 million. Counted on the bytes before parsing, this bounds the tree either parser builds
# (a 64 MB file of "<a/>" would be 16 million elements, ~2 GB in lxml).
MAX_TCX_TAGS = 6_000_000
# libxml2's own limit without huge_tree; the reference parser (expat) has none, so it is checked here.
MAX_DEPTH = 256
MAX_UNTIMED_SHARE = 0.01  # as GPX: a handful of trackpoints without a readable time are left out
# A gap between trackpoints longer than both is a pause (the metrics' defaults, analysis.metrics.settings).
PAUSE_GAP_MIN_S = 15.0
PAUSE_GAP_FACTOR = 5.0
_YEARS = (1900, 2200)  # outside: the watch's clock was not set
_WHITESPACE = b" \t\r\n"

# Per trackpoint, in this order; `ParsedTcx.values` has one float64 array per name.
CHANNELS = ("lat", "lon", "altitude", "distance", "heart_rate", "cadence", "run_cadence", "speed", "power")
TPX_CHANNELS = {"Speed": "speed", "RunCadence": "run_cadence", "Watts": "power"}

# `Activity/@Sport` (the schema allows Running, Biking, Other; apps write other words too), lower-cased.
_SPORTS = {"running": "running", "biking": "cycling", "cycling": "cycling", "other": "generic"}
_NO_SPORT = "the file does not say which sport it is"

# xsd:dateTime as TCX writers use it. Digits are ASCII only, so all texts of one shape (digits replaced)
# match or fail together: analysis.io.tcx_fast relies on that to parse times in bulk.
TIME_PATTERN = re.compile(
    r"\s*([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?\s*"
)
NAT = np.iinfo(np.int64).min  # "no time", in int64 microseconds
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class ActivityHead:
    """What one `<Activity>` says about itself."""

    sport: str | None  # the Sport attribute as written
    creator: str | None  # Creator/Name text as written
    laps: int


@dataclass(frozen=True)
class ParsedTcx:
    """What a TCX reader hands to `build_activity`: every trackpoint of every activity, in file order."""

    time_us: np.ndarray  # int64 microseconds since 1970 UTC; NAT where absent or unreadable
    offset_s: np.ndarray  # float64 UTC offset the time was written with; NaN for "Z", none or no time
    values: dict[str, np.ndarray]  # float64 per CHANNELS; NaN where absent, empty or not a finite number
    activity: np.ndarray  # int64 index into `activities`
    lap: np.ndarray  # int64 running number of the <Lap> in the file
    track: np.ndarray  # int64 running number of the <Track> in the file
    activities: tuple[ActivityHead, ...]
    courses: int  # <Course> elements: a planned route, when there are no activity trackpoints


# ----------------------------------------------------------------------------------------------------
# before any parser


def decode_checked(data: bytes, file_name: str, warnings: list[str]) -> tuple[str, bytes]:
    """Strip what comes before `<?xml`, check the bytes for parser traps, and decode them.

    Returns the text and the same document as UTF-8 bytes (both parsers are told it is UTF-8, so a
    declared encoding is never applied twice). Both readers call this before any XML parser runs.
    """
    data = strip_leading(data)
    xml_guard.refuse_dtd(data, file_name, "TCX")
    xml_guard.refuse_namespace_floods(data, file_name, "TCX")
    xml_guard.refuse_attribute_floods(data, file_name, "TCX")
    tags = data.count(b"<")
    if tags > MAX_TCX_TAGS:
        raise InputError(
            f"has {tags:,} tags; a TCX file of a whole day at one sample per second has about 2.6 million, and "
            f"more than {MAX_TCX_TAGS:,} is refused: export the activity as FIT, or in parts",
            file_name=file_name,
        )
    fallback = len(warnings)
    text = xml_guard.decode_text(data, warnings)
    xml_guard.prolog_gate(text, file_name, "TCX")
    utf8 = data if len(warnings) == fallback and not _declares_other_encoding(data) else text.encode("utf-8")
    return text, utf8


def strip_leading(data: bytes) -> bytes:
    """`data` without the BOMs and whitespace some writers put before `<?xml` (Strava: newlines and spaces)."""
    while True:
        stripped = data.lstrip(_WHITESPACE)
        if stripped.startswith(xml_guard.BOM):
            stripped = stripped[len(xml_guard.BOM):]
        if stripped == data:
            return data
        data = stripped


_ENCODING_DECLARATION = re.compile(rb"""\A<\?xml[^>]*?encoding\s*=\s*["']\s*(?!utf-?8\b)""", re.IGNORECASE)


def _declares_other_encoding(data: bytes) -> bool:
    return _ENCODING_DECLARATION.match(data[:200]) is not None


# ----------------------------------------------------------------------------------------------------
# texts to numbers and times (the rules both readers follow)


def number(text: str | None) -> float:
    """A trackpoint value: `float()` of the text; NaN when absent, empty, not a number or not finite."""
    if text is None:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def parse_time(text: str | None) -> tuple[int, float]:
    """(microseconds since 1970 UTC, the written UTC offset in seconds) of a TCX time text.

    (NAT, NaN) when there is no text or it is not a date and time `TIME_PATTERN` accepts with a real
    calendar date (no month 13, hour 24 or second 60). The offset is NaN for "Z" and for no offset
    (read as UTC). Fractions are truncated to microseconds.
    """
    if text is None:
        return NAT, math.nan
    match = TIME_PATTERN.fullmatch(text)
    if match is None:
        return NAT, math.nan
    year, month, day, hour, minute, second = (int(match.group(g)) for g in range(1, 7))
    try:
        days = dt.date(year, month, day).toordinal() - _EPOCH_ORDINAL
    except ValueError:
        return NAT, math.nan
    if hour > 23 or minute > 59 or second > 59:
        return NAT, math.nan
    offset = match.group(8)
    offset_s = 0
    if offset not in (None, "Z"):
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours > 23 or minutes > 59:
            return NAT, math.nan
        offset_s = (-1 if offset[0] == "-" else 1) * (hours * 3600 + minutes * 60)
    fraction = match.group(7)
    micro = int(fraction[1:7].ljust(6, "0")) if fraction else 0
    seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_s
    return seconds * 1_000_000 + micro, (float(offset_s) if offset not in (None, "Z") else math.nan)


# ----------------------------------------------------------------------------------------------------
# the reference reader


def read_tcx(data: bytes, file_name: str, sha256: str) -> Activity:
    """Read a TCX file as an `Activity` with the standard library's parser (the reference reader).

    Raises `InputError` for anything a runner has to fix: not TCX v2, a course instead of an activity,
    trackpoints without times, an unset clock, broken XML, or a file built to stall the parser.
    """
    warnings: list[str] = []
    text, _ = decode_checked(data, file_name, warnings)
    parsed = _parse_reference(text, file_name)
    return build_activity(parsed, file_name, sha256, warnings, reader=READER)


class TcxNames:
    """Clark-notation tags ("{namespace}Local" or "Local") of the structure and extension elements of a file."""

    def __init__(self, namespace: str):
        s = f"{{{namespace}}}" if namespace else ""
        self.namespace = namespace
        for local in ("Activities", "Activity", "MultiSportSession", "FirstSport", "NextSport", "Lap", "Track",
                      "Trackpoint", "Time", "Position", "LatitudeDegrees", "LongitudeDegrees", "AltitudeMeters",
                      "DistanceMeters", "HeartRateBpm", "Value", "Cadence", "Extensions", "Creator", "Name",
                      "Courses", "Course"):
            setattr(self, local, s + local)
        extension_spaces = [f"{{{AE_NS}}}", s]
        self.TPX = frozenset(p + "TPX" for p in extension_spaces)
        self.tpx_channel = {p + local: channel for p in extension_spaces for local, channel in TPX_CHANNELS.items()}


def root_namespace(tag: str, file_name: str) -> str:
    """The namespace of a TCX root element: TCX v2 or none; anything else is refused."""
    namespace, _, local = tag[1:].rpartition("}") if tag.startswith("{") else ("", "", tag)
    if local != "TrainingCenterDatabase":
        raise InputError(
            f"is not a TCX activity (its root element is <{local}>, not <TrainingCenterDatabase>); "
            "export the activity again",
            file_name=file_name,
        )
    if namespace not in (TCD_NS, ""):
        raise InputError(
            f"is a TCX file of a schema we do not read ({namespace}); only Training Center Database v2 "
            "files are read: export the activity again as TCX, FIT or GPX",
            file_name=file_name,
        )
    return namespace


def _first(element, tag: str):
    """The first child with `tag` (ElementTree's find() without its path parsing), or None."""
    for child in element:
        if child.tag == tag:
            return child
    return None


class Collector:
    """Trackpoint values in file order, as both readers gather them (texts, one list per channel)."""

    def __init__(self) -> None:
        self.times: list[str | None] = []
        self.texts: dict[str, list[str | None]] = {c: [] for c in CHANNELS}
        self.tracks: list[tuple[int, int, int, int]] = []  # (activity, lap, track, trackpoints) per track
        self.activities: list[ActivityHead] = []


def _parse_reference(text: str, file_name: str) -> ParsedTcx:
    """Stream the document through expat (defusedxml), clearing each trackpoint once read."""
    found = Collector()
    events = defused_iterparse(io.StringIO(text), events=("start", "end"), forbid_dtd=True)
    stack: list = []
    names: TcxNames | None = None
    courses = 0
    lap_no = track_no = -1
    sport: str | None = None
    creator: str | None = None
    creator_found = False
    laps = 0
    track_points = 0
    try:
        for event, element in events:
            if event == "start":
                stack.append(element)
                depth = len(stack)
                if depth > MAX_DEPTH:
                    raise InputError(
                        f"nests elements more than {MAX_DEPTH} deep; TCX files have about 10 levels: "
                        "export the activity again",
                        file_name=file_name,
                    )
                if depth == 1:
                    names = TcxNames(root_namespace(element.tag, file_name))
                    continue
                tag = element.tag
                if tag == names.Activity and _is_activity_path(stack, names):
                    sport, creator, creator_found, laps = element.get("Sport"), None, False, 0
                elif tag == names.Lap and depth >= 4 and stack[-2].tag == names.Activity and _is_activity_path(
                        stack[:-1], names):
                    lap_no += 1
                    laps += 1
                elif tag == names.Track and _in_lap(stack, names):
                    track_no += 1
                    track_points = 0
                continue
            # "end"
            stack.pop()
            tag = element.tag
            if tag == names.Trackpoint and len(stack) >= 2 and stack[-1].tag == names.Track and _in_lap(stack, names):
                _collect_point(element, names, found)
                track_points += 1
                stack[-1].remove(element)  # bounded memory: a read trackpoint is gone
            elif tag == names.Track and _in_lap([*stack, element], names):
                if track_points:
                    found.tracks.append((len(found.activities), lap_no, track_no, track_points))
                track_points = 0
            elif tag == names.Creator and not creator_found and stack and stack[-1].tag == names.Activity and (
                    _is_activity_path(stack, names)):
                name = _first(element, names.Name)
                creator, creator_found = (None if name is None else name.text), True
            elif tag == names.Activity and _is_activity_path([*stack, element], names):
                found.activities.append(ActivityHead(sport, creator, laps))
                stack[-1].remove(element)
            elif tag == names.Lap and stack and stack[-1].tag == names.Activity:
                stack[-1].remove(element)
            elif tag == names.Course and len(stack) == 2 and stack[-1].tag == names.Courses:
                courses += 1
                stack[-1].remove(element)
    except ElementTree.ParseError as exc:
        raise InputError(f"is not valid TCX ({_parse_error_text(exc)}); export it again", file_name=file_name) from None
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):  # the byte check and gate came first
        raise xml_guard.dtd_refusal(file_name, "TCX") from None
    return to_parsed(found, courses, parse_times=_reference_times, numbers=_reference_numbers)


def _is_activity_path(stack: list, names: TcxNames) -> bool:
    """Whether the last element of `stack` is an Activity where TCX puts one (plain or in a multisport session)."""
    tags = [e.tag for e in stack]
    if len(tags) == 3:
        return tags[1] == names.Activities and tags[2] == names.Activity
    if len(tags) == 5:
        return (tags[1] == names.Activities and tags[2] == names.MultiSportSession
                and tags[3] in (names.FirstSport, names.NextSport) and tags[4] == names.Activity)
    return False


def _in_lap(stack: list, names: TcxNames) -> bool:
    """Whether the last element of `stack` sits in a Lap of an Activity (stack[-1] is a Track)."""
    return len(stack) >= 5 and stack[-2].tag == names.Lap and stack[-3].tag == names.Activity and _is_activity_path(
        stack[:-2], names)


def _collect_point(point, names: TcxNames, found: Collector) -> None:
    """The texts of one trackpoint: the first child of each name counts."""
    texts = found.texts
    time = _first(point, names.Time)
    found.times.append(None if time is None else time.text)
    position = _first(point, names.Position)
    lat = lon = None
    if position is not None:
        lat_el, lon_el = _first(position, names.LatitudeDegrees), _first(position, names.LongitudeDegrees)
        lat = None if lat_el is None else lat_el.text
        lon = None if lon_el is None else lon_el.text
    texts["lat"].append(lat)
    texts["lon"].append(lon)
    for channel, tag in (("altitude", names.AltitudeMeters), ("distance", names.DistanceMeters),
                         ("cadence", names.Cadence)):
        child = _first(point, tag)
        texts[channel].append(None if child is None else child.text)
    heart = _first(point, names.HeartRateBpm)
    value = None if heart is None else _first(heart, names.Value)
    texts["heart_rate"].append(None if value is None else value.text)
    extension = {}
    extensions = _first(point, names.Extensions)
    if extensions is not None:
        tpx = next((c for c in extensions if c.tag in names.TPX), None)
        if tpx is not None:
            for child in tpx:
                channel = names.tpx_channel.get(child.tag)
                if channel is not None and channel not in extension:
                    extension[channel] = child.text
    for channel in TPX_CHANNELS.values():
        texts[channel].append(extension.get(channel))


def _reference_times(texts: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
    pairs = [parse_time(t) for t in texts]
    return (np.array([p[0] for p in pairs], dtype=np.int64).reshape(-1),
            np.array([p[1] for p in pairs], dtype=np.float64).reshape(-1))


def _reference_numbers(texts: list[str | None]) -> np.ndarray:
    return np.array([number(t) for t in texts], dtype=np.float64).reshape(-1)


def to_parsed(found: Collector, courses: int, *, parse_times, numbers) -> ParsedTcx:
    """The collected texts as a `ParsedTcx`, converted by the reader's own `parse_times` and `numbers`."""
    counts = np.array([t[3] for t in found.tracks], dtype=np.int64)

    def per_point(k: int) -> np.ndarray:
        return np.repeat(np.array([t[k] for t in found.tracks], dtype=np.int64), counts)

    time_us, offset_s = parse_times(found.times)
    return ParsedTcx(
        time_us=time_us,
        offset_s=offset_s,
        values={c: numbers(found.texts[c]) for c in CHANNELS},
        activity=per_point(0),
        lap=per_point(1),
        track=per_point(2),
        activities=tuple(found.activities),
        courses=courses,
    )


def _parse_error_text(exc: ElementTree.ParseError) -> str:
    detail = str(exc)
    return re.sub(r":\s*line (\d+), column (\d+)", r" at line \1, column \2", detail)


# ----------------------------------------------------------------------------------------------------
# shared by both readers: the activity


def build_activity(parsed: ParsedTcx, file_name: str, sha256: str, warnings: list[str], *, reader: str) -> Activity:
    """Everything after the XML, shared by both readers: checks, time line, distance, channels, sport, pauses."""
    values = parsed.values
    n_all = len(parsed.time_us)
    if not n_all:
        if parsed.courses:
            raise InputError(
                "is a TCX course (a planned route), not a recorded activity; export the activity you recorded",
                file_name=file_name,
            )
        raise InputError(
            "is a TCX file without any trackpoints (no recorded samples); export the activity again",
            file_name=file_name,
        )
    has_position = np.isfinite(values["lat"]) & np.isfinite(values["lon"])
    has_data = has_position.copy()
    for channel in CHANNELS[2:]:
        has_data |= np.isfinite(values[channel])
    if not has_data.any():
        raise InputError(
            f"has {n_all:,} trackpoints but none records anything beyond its time (no position, distance, "
            "heart rate, cadence or speed); export the activity again",
            file_name=file_name,
        )
    timed = parsed.time_us != NAT
    untimed = has_data & ~timed
    n_data = int(has_data.sum())
    if untimed.sum() > MAX_UNTIMED_SHARE * n_data:
        first = int(np.flatnonzero(untimed)[0])
        raise InputError(
            f"{int(untimed.sum()):,} of {n_data:,} trackpoints have no readable time (the first is trackpoint "
            f"{first + 1:,} of the file); a run needs a time on every sample: export the activity again",
            file_name=file_name,
        )
    if untimed.any():
        warnings.append(f"{int(untimed.sum())} of {n_data:,} trackpoints have no readable time and were left out.")

    years = (parsed.time_us[timed & has_data] // 1_000_000).astype("datetime64[s]").astype("datetime64[Y]").astype(
        np.int64) + 1970
    bad_years = (years < _YEARS[0]) | (years > _YEARS[1])
    if bad_years.any():
        raise InputError(
            f"has a trackpoint dated in the year {int(years[bad_years][0])}; the watch's clock was not set: "
            "export the activity again after the watch has synced",
            file_name=file_name,
        )

    usable = has_data & timed
    sports = [_sport(head.sport) for head in parsed.activities]
    present = sorted({int(a) for a in np.unique(parsed.activity[usable])})
    kept_activities = present
    running = [a for a in present if sports[a] == "running"]
    if running and len(running) < len(present):
        kept_activities = running
        parts = ", ".join(sports[a] for a in present)
        warnings.append(
            f"Multisport file ({len(present)} activities: {parts}); only the running "
            f"activit{'ies' if len(running) > 1 else 'y'} ({len(running)}) are kept as the run."
        )
        usable &= np.isin(parsed.activity, running)

    rows = np.flatnonzero(usable)
    timeline = repair_timeline(parsed.time_us[rows] * 1000)
    warnings.extend(timeline.warnings)
    rows = rows[timeline.keep]
    dropped = n_all - len(rows)
    times = timeline.times_ns.astype("datetime64[ns]")
    n = len(rows)

    col = {c: values[c][rows] for c in CHANNELS}
    lat, lon = col["lat"], col["lon"]
    bad_position = ~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    bad_position |= (lat == 0) & (lon == 0)  # what devices write before the first satellite fix
    recorded_position = np.isfinite(lat) | np.isfinite(lon)
    if (bad_position & recorded_position).any():
        warnings.append(f"{int((bad_position & recorded_position).sum())} of {n} trackpoints have no usable "
                        "position (left out of distance)")
    lat = np.where(bad_position, np.nan, lat)
    lon = np.where(bad_position, np.nan, lon)

    elapsed_s = (times - times[0]) / np.timedelta64(1, "s")
    starts, breaks, gaps, gap_s = _pause_starts(elapsed_s, parsed.lap[rows], parsed.track[rows],
                                                parsed.activity[rows])
    new_tracks = int(breaks[1:].sum())
    distance = _distance(col["distance"], lat, lon, col["speed"], elapsed_s, breaks, warnings)
    file_speed = np.where(col["speed"] >= 0, col["speed"], np.nan)
    speed = np.where(np.isfinite(file_speed), file_speed, speed_from_distance(elapsed_s, distance))

    heart_rate = np.where((col["heart_rate"] > 0) & (col["heart_rate"] < 255), col["heart_rate"], np.nan)
    power = np.where((col["power"] >= 0) & (col["power"] < 65535), col["power"], np.nan)
    raw_cadence = np.where(np.isfinite(col["run_cadence"]), col["run_cadence"], col["cadence"])
    raw_cadence = np.where(raw_cadence >= 0, raw_cadence, np.nan)

    first_activity = kept_activities[0]
    head = parsed.activities[first_activity]
    sport = sports[first_activity] if len({sports[a] for a in kept_activities}) == 1 else "multisport"
    if head.sport is None or not head.sport.strip():
        warnings.append(_NO_SPORT)
    cadence_spm, cadence_unit = to_steps_per_min(raw_cadence, speed, sport)
    sport = running_if_it_moves_like_one(sport, cadence_spm, speed, warnings, label=(head.sport or "").strip() or None)

    if new_tracks or gaps:
        parts = []
        if new_tracks:
            parts.append(f"{new_tracks} new track{'s' if new_tracks > 1 else ''} within a lap")
        if gaps:
            parts.append(f"{gaps} gap{'s' if gaps > 1 else ''} of more than {gap_s:.0f} s between trackpoints")
        pauses = new_tracks + gaps
        warnings.append(f"{pauses} pause{'s' if pauses > 1 else ''} found ({' and '.join(parts)}); "
                        "time in them is not moving time")

    samples = conform_samples(
        {
            "time": pd.DatetimeIndex(times).tz_localize("UTC"),
            "elapsed_s": elapsed_s,
            "distance_m": distance,
            "speed_mps": speed,
            "heart_rate_bpm": heart_rate,
            "cadence_spm": cadence_spm,
            "altitude_m": col["altitude"],
            "lat_deg": lat,
            "lon_deg": lon,
            "power_w": power,
        }
    )
    start_time = samples["time"].iloc[0]
    offset = parsed.offset_s[rows[0]]
    return Activity(
        samples=samples,
        sport=sport,
        sub_sport="generic",
        start_time=start_time,
        utc_offset_s=float(offset) if np.isfinite(offset) else None,
        device=(head.creator or "").strip() or "unknown",
        source_format="tcx",
        file_name=file_name,
        file_sha256=sha256,
        cadence_unit=cadence_unit,
        reader=reader,
        timer_events=_segment_events(samples["time"], starts),
        sessions=_sessions(parsed, sports, present, kept_activities, rows, samples["time"]),
        warnings=tuple(warnings),
        dropped_samples=dropped,
    )


def _sport(text: str | None) -> str:
    kind = (text or "").strip().lower()
    if not kind:
        return "generic"
    return _SPORTS.get(kind, kind)


def _pause_starts(
    elapsed_s: np.ndarray, lap: np.ndarray, track: np.ndarray, activity: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Samples that start after a pause: (every pause, the timer stops only, gaps, the gap threshold in s).

    A timer stop is a new Track in the same lap (how watches write one) or a new Activity; no distance is
    counted across it from positions, as the watch counted none. A gap longer than the threshold with no new
    Track is a pause too, but the runner may have moved on (a recording gap), so the distance from the
    positions on either side still counts. A new Lap alone is no pause.
    """
    n = len(elapsed_s)
    starts = np.zeros(n, dtype=bool)
    breaks = np.zeros(n, dtype=bool)
    if not n:
        return starts, breaks, 0, PAUSE_GAP_MIN_S
    starts[0] = breaks[0] = True
    dt = np.diff(elapsed_s)
    positive = dt[dt > 0]
    usual = float(np.median(positive)) if len(positive) else 1.0
    threshold = max(PAUSE_GAP_MIN_S, PAUSE_GAP_FACTOR * usual)
    breaks[1:] = (track[1:] != track[:-1]) & ((lap[1:] == lap[:-1]) | (activity[1:] != activity[:-1]))
    gap = (dt > threshold) & ~breaks[1:]
    starts[1:] = breaks[1:] | gap
    return starts, breaks, int(gap.sum()), threshold


def _distance(
    file_distance: np.ndarray, lat: np.ndarray, lon: np.ndarray, file_speed: np.ndarray, elapsed_s: np.ndarray,
    breaks: np.ndarray, warnings: list[str],
) -> np.ndarray:
    """The watch's DistanceMeters; trackpoints without one get it from positions (or speed) between their neighbours."""
    n = len(file_distance)
    known = np.isfinite(file_distance) & (file_distance >= 0)
    distance = np.where(known, file_distance, np.nan)
    if known.all():
        return distance
    reference, source = None, ""
    if (np.isfinite(lat) & np.isfinite(lon)).sum() >= 2:
        reference, source = cumulative_distance_m(lat, lon, breaks=breaks), "the GPS positions"
    elif np.isfinite(file_speed).sum() >= 2:
        speed = np.where(np.isfinite(file_speed) & (file_speed >= 0), file_speed, 0.0)
        steps = np.diff(elapsed_s) * (speed[1:] + speed[:-1]) / 2
        steps = np.where(breaks[1:], 0.0, steps)
        reference, source = np.concatenate(([0.0], np.cumsum(steps))), "the recorded speed"
    if not known.any():
        if reference is None:
            return distance
        warnings.append(f"The file records no distance; it was computed from {source}.")
        return reference
    if reference is None:
        return distance
    idx = np.flatnonzero(known)
    first, last = idx[0], idx[-1]
    filled = distance.copy()
    inner = np.arange(first, last + 1)
    filled[inner] = np.interp(reference[inner], reference[idx], distance[idx])
    filled[inner[known[inner]]] = distance[inner[known[inner]]]
    filled[:first] = distance[first] - (reference[first] - reference[:first])
    filled[last + 1:] = distance[last] + (reference[last + 1:] - reference[last])
    missing = n - int(known.sum())
    warnings.append(f"{missing:,} of {n:,} trackpoints record no distance; it was filled in from {source}.")
    return filled


def _segment_events(times: pd.Series, starts: np.ndarray) -> tuple[TimerEvent, ...]:
    """Start at the first sample, stop/start around every pause, stop at the last (as GPX segments)."""
    events: list[TimerEvent] = []
    for k, i in enumerate(np.flatnonzero(starts)):
        if k:
            events.append(TimerEvent(times.iloc[i - 1], "stop", source="segment"))
        events.append(TimerEvent(times.iloc[i], "start", source="segment"))
    events.append(TimerEvent(times.iloc[-1], "stop", source="segment"))
    return tuple(events)


def _sessions(parsed: ParsedTcx, sports: list[str], present: list[int], kept: list[int], rows: np.ndarray,
              times: pd.Series) -> tuple[SessionSummary, ...]:
    """One session per <Activity> with trackpoints, its times from its kept samples (or its own, when left out)."""
    sessions = []
    kept_activity = parsed.activity[rows]
    for a in present:
        mine = np.flatnonzero(kept_activity == a)
        if len(mine):
            start, end = times.iloc[mine[0]], times.iloc[mine[-1]]
        else:
            stamps = parsed.time_us[(parsed.activity == a) & (parsed.time_us != NAT)]
            start, end = (pd.Timestamp(int(stamps.min()) * 1000, tz="UTC"), pd.Timestamp(int(stamps.max()) * 1000,
                                                                                       tz="UTC"))
        sessions.append(SessionSummary(sports[a], "generic", start, end, kept=a in kept))
    return tuple(sessions)
