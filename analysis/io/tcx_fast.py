"""The fast TCX path: an lxml tree walk, numbers and times converted in bulk, giving what `read_tcx` gives.

`read_tcx_fast` returns an `Activity` identical to `analysis.io.tcx.read_tcx` (the ElementTree
reference) except for `reader` ("lxml"). It shares everything but the XML walk and the text
conversions with it: `decode_checked` (leading whitespace, DTD/entity refusal, namespace, attribute and
tag caps, encodings, the defusedxml prolog gate) runs first, and the same intermediate (`ParsedTcx`)
goes through the same `build_activity`.

Where the reference spends its time: expat's events and ElementTree's elements, then a `float()` and a
regular expression per value. Here libxml2 builds the tree (blank text dropped, so fewer nodes), one
Python loop visits only the elements that matter, `float` runs over whole channels at C speed, and the
times of one layout ("shape": the text with its digits masked) share one regular-expression match and
are then read as numpy digit columns. See `benchmarks/decode_tcx.py` for the numbers.

The parser is `analysis.io.xml_guard.hardened_lxml_parser`: no entities, no DTD, no network, libxml2's
limits (nesting 256 deep, 10 MB per text). Anything libxml2 refuses and any unexpected error here send the
file to `read_tcx`, with a warning saying so, so a refusal's words are always the reference's.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from lxml import etree

from analysis.errors import InputError
from analysis.io.activity import Activity
from analysis.io.tcx import (
    CHANNELS,
    NAT,
    TIME_PATTERN,
    TPX_CHANNELS,
    ActivityHead,
    Collector,
    ParsedTcx,
    TcxNames,
    build_activity,
    decode_checked,
    number,
    parse_time,
    read_tcx,
    root_namespace,
    to_parsed,
)
from analysis.io.time_shapes import group_by_shape
from analysis.io.xml_guard import hardened_lxml_parser

__all__ = ["read_tcx_fast", "read_tcx", "parse_times", "numbers"]

READER = "lxml"
_UNSET = object()  # "no such child yet", as distinct from a child without text (None)
_US = 1_000_000


class _Unsupported(Exception):
    """Something this path does not read exactly as the reference; the reference reads the file instead."""


def read_tcx_fast(data: bytes, file_name: str, sha256: str) -> Activity:
    """Read a TCX file exactly as `analysis.io.tcx.read_tcx` does, faster (benchmarks/decode_tcx.py).

    Raises `InputError` exactly where the reference does. A file this path cannot read is read by the
    reference instead, with a warning appended that says so.
    """
    warnings: list[str] = []
    _, utf8 = decode_checked(data, file_name, warnings)
    try:
        return build_activity(parse(utf8, file_name), file_name, sha256, warnings, reader=READER)
    except InputError:
        raise  # the shared checks refused the file: the reference refuses it the same way
    except _Unsupported as exc:
        reason = str(exc)
    except Exception as exc:  # a bug in this path must cost speed, never a file
        reason = f"{type(exc).__name__}: {exc}"
    activity = read_tcx(data, file_name, sha256)
    note = f"the fast TCX reader did not handle this file ({reason}); it was read with ElementTree instead"
    return dataclasses.replace(activity, warnings=(*activity.warnings, note))


def parse(utf8: bytes, file_name: str) -> ParsedTcx:
    """The document's trackpoints, from an lxml tree (the `ParsedTcx` the reference builds)."""
    parser = hardened_lxml_parser(remove_comments=True, remove_pis=True, remove_blank_text=True, encoding="utf-8")
    try:
        root = etree.fromstring(utf8, parser)
    except etree.XMLSyntaxError as exc:
        raise _Unsupported(f"lxml: {exc}") from None
    if any(e.level >= etree.ErrorLevels.ERROR for e in parser.error_log):
        raise _Unsupported(f"lxml recovered from an error: {parser.error_log[0]}")
    names = TcxNames(root_namespace(root.tag, file_name))
    found = Collector()
    walk = _Walk(names, found)
    courses = 0
    for child in root:
        tag = child.tag
        if tag == names.Activities:
            for item in child:
                if item.tag == names.Activity:
                    walk.activity(item)
                elif item.tag == names.MultiSportSession:
                    for part in item:
                        if part.tag in (names.FirstSport, names.NextSport):
                            for activity in part:
                                if activity.tag == names.Activity:
                                    walk.activity(activity)
        elif tag == names.Courses:
            courses += sum(1 for course in child if course.tag == names.Course)
    return to_parsed(found, courses, parse_times=parse_times, numbers=numbers)


class _Walk:
    """Visits activities, laps, tracks and trackpoints in file order, numbering laps and tracks as the reference."""

    def __init__(self, names: TcxNames, found: Collector):
        self.names = names
        self.found = found
        self.lap_no = -1
        self.track_no = -1

    def activity(self, element: etree._Element) -> None:
        names, found = self.names, self.found
        creator = _UNSET
        laps = 0
        index = len(found.activities)
        for child in element:
            tag = child.tag
            if tag == names.Lap:
                laps += 1
                self.lap_no += 1
                for track in child:
                    if track.tag != names.Track:
                        continue
                    self.track_no += 1
                    count = self.trackpoints(track)
                    if count:
                        found.tracks.append((index, self.lap_no, self.track_no, count))
            elif tag == names.Creator and creator is _UNSET:
                creator = None
                for part in child:
                    if part.tag == names.Name:
                        creator = part.text
                        break
        found.activities.append(ActivityHead(element.get("Sport"), None if creator is _UNSET else creator, laps))

    def trackpoints(self, track: etree._Element) -> int:
        """Gather the texts of every trackpoint of `track`; the first child of each name counts."""
        names = self.names
        t = self.found.texts
        add_time = self.found.times.append
        add_lat, add_lon = t["lat"].append, t["lon"].append
        add_alt, add_dist = t["altitude"].append, t["distance"].append
        add_hr, add_cad = t["heart_rate"].append, t["cadence"].append
        add_speed, add_run_cadence, add_power = t["speed"].append, t["run_cadence"].append, t["power"].append
        TP, TIME, POS = names.Trackpoint, names.Time, names.Position
        LAT, LON = names.LatitudeDegrees, names.LongitudeDegrees
        ALT, DIST, HR, VALUE, CAD, EXT = (names.AltitudeMeters, names.DistanceMeters, names.HeartRateBpm, names.Value,
                                          names.Cadence, names.Extensions)
        tpx_tags, tpx_channel = names.TPX, names.tpx_channel
        count = 0
        for point in track:
            if point.tag != TP:
                continue
            count += 1
            time = pos = alt = dist = hr = cad = ext = _UNSET
            for child in point:
                tag = child.tag
                if tag == TIME:
                    if time is _UNSET:
                        time = child.text
                elif tag == POS:
                    if pos is _UNSET:
                        pos = child
                elif tag == ALT:
                    if alt is _UNSET:
                        alt = child.text
                elif tag == DIST:
                    if dist is _UNSET:
                        dist = child.text
                elif tag == HR:
                    if hr is _UNSET:
                        hr = child
                elif tag == CAD:
                    if cad is _UNSET:
                        cad = child.text
                elif tag == EXT:
                    if ext is _UNSET:
                        ext = child
            add_time(None if time is _UNSET else time)
            lat = lon = None
            if pos is not _UNSET:
                lat = lon = _UNSET
                for part in pos:
                    if part.tag == LAT:
                        if lat is _UNSET:
                            lat = part.text
                    elif part.tag == LON:
                        if lon is _UNSET:
                            lon = part.text
                lat = None if lat is _UNSET else lat
                lon = None if lon is _UNSET else lon
            add_lat(lat)
            add_lon(lon)
            add_alt(None if alt is _UNSET else alt)
            add_dist(None if dist is _UNSET else dist)
            value = None
            if hr is not _UNSET:
                for part in hr:
                    if part.tag == VALUE:
                        value = part.text
                        break
            add_hr(value)
            add_cad(None if cad is _UNSET else cad)
            speed = run_cadence = power = None
            if ext is not _UNSET:
                for tpx in ext:
                    if tpx.tag in tpx_tags:
                        seen = set()
                        for part in tpx:
                            channel = tpx_channel.get(part.tag)
                            if channel is None or channel in seen:
                                continue
                            seen.add(channel)
                            if channel == "speed":
                                speed = part.text
                            elif channel == "run_cadence":
                                run_cadence = part.text
                            else:
                                power = part.text
                        break
            add_speed(speed)
            add_run_cadence(run_cadence)
            add_power(power)
        return count


# ----------------------------------------------------------------------------------------------------
# bulk conversions, equal to the reference's per-text `number` and `parse_time`


def numbers(texts: list[str | None]) -> np.ndarray:
    """`analysis.io.tcx.number` of every text, in bulk where every text is a number."""
    n = len(texts)
    if None in texts:
        present = [i for i, text in enumerate(texts) if text is not None]
        out = np.full(n, np.nan)
        if present:
            out[present] = numbers([texts[i] for i in present])
        return out
    try:
        values = np.fromiter(map(float, texts), np.float64, n)
    except ValueError:
        return np.fromiter(map(number, texts), np.float64, n)
    values[~np.isfinite(values)] = np.nan
    return values


def parse_times(texts: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """`analysis.io.tcx.parse_time` of every text: (int64 microseconds UTC or NAT, float64 offsets or NaN).

    Texts are grouped by length, then by shape (every digit replaced by one mark): `TIME_PATTERN` treats
    all ASCII digits alike, so one match decides validity and field positions for a whole group, whose
    digits are then read as numpy columns. Non-ASCII, very long and unusual texts go one by one.
    """
    out = np.full(len(texts), NAT, dtype=np.int64)
    offsets = np.full(len(texts), np.nan)
    groups, slow = group_by_shape(texts)
    for example, codes, target in groups:
        out[target], offsets[target] = _parse_shape(example, codes)
    for i in slow:
        out[i], offsets[i] = parse_time(texts[i])
    return out, offsets


def _parse_shape(example: str, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Times of one shape (rows of ASCII codes): microseconds or NAT, and the written offset or NaN."""
    rows = len(codes)
    nat = np.full(rows, NAT, dtype=np.int64)
    none = np.full(rows, np.nan)
    match = TIME_PATTERN.fullmatch(example)
    if match is None:
        return nat, none

    def digits(start: int, end: int) -> np.ndarray:
        value = np.zeros(rows, dtype=np.int64)
        for k in range(start, end):
            value = value * 10 + (codes[:, k].astype(np.int64) - 48)
        return value

    year, month, day, hour, minute, second = (digits(*match.span(g)) for g in range(1, 7))
    micro = np.zeros(rows, dtype=np.int64)
    if match.group(7):
        start, end = match.span(7)
        kept = min(end - start - 1, 6)  # truncated to microseconds, as the reference does
        micro = digits(start + 1, start + 1 + kept) * 10 ** (6 - kept)
    zone = match.group(8)
    offset_s = np.zeros(rows, dtype=np.int64)
    offset_ok = np.ones(rows, dtype=bool)
    if zone not in (None, "Z"):
        start, end = match.span(8)
        sign = -1 if zone[0] == "-" else 1
        hours = digits(start + 1, start + 3)
        minutes = digits(end - 2, end) if end - start > 3 else np.zeros(rows, dtype=np.int64)
        offset_ok = (hours <= 23) & (minutes <= 59)
        offset_s = sign * (hours * 3600 + minutes * 60)

    month_index = (year - 1970) * 12 + np.clip(month, 1, 12) - 1
    month_start = month_index.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    month_days = (month_index + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - month_start
    valid = (
        (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
        & (hour <= 23) & (minute <= 59) & (second <= 59) & offset_ok
    )
    seconds = (month_start + day - 1) * 86_400 + hour * 3_600 + minute * 60 + second - offset_s
    values = np.where(valid, seconds * _US + micro, NAT)
    written = none if zone in (None, "Z") else np.where(valid, offset_s.astype(np.float64), math.nan)
    return values, written


assert set(TPX_CHANNELS.values()) <= set(CHANNELS)
