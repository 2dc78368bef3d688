"""The fast GPX path (issue 8): an lxml tree walk and bulk time parsing, giving what gpxpy gives.

`read_gpx_fast` returns an `Activity` identical to `analysis.io.gpx.read_gpx` (the gpxpy
reference) except for `reader` ("lxml"). It shares everything but the XML walk with it:
`decode_checked` (DTD/entity refusal, namespace counting, encodings) runs first, and the same
intermediate (`ParsedGpx`) goes through the same `build_activity`.

Where the time goes in gpxpy 1.6.2 (a 14,400-point run takes ~0.7 s here): a Python `find()`
per GPX field per point (25 fields), a regex and a `datetime` per time, a deep copy of every
extension. Here libxml2 builds the tree, one Python loop visits only the children that matter,
and the times are parsed together: texts of one layout ("shape") share one regex match, then
their digits are read as numpy columns. About 5-6x faster end to end (benchmarks/decode_gpx.py);
what is left is mostly libxml2's parse and one lxml element object per visited element.

What gpxpy reads, quirks included, is reproduced:
- the same text edit before parsing (gpxpy deletes the first default `xmlns="..."` it finds, so
  GPX tags are plain names) and the same text (the declared encoding is not applied twice);
- the first child of a name wins (`find()`), extensions are read in GPX 1.1 files only and
  `<speed>` in 1.0 only, as gpxpy's field lists for the two versions say;
- times: gpxpy's own regex decides validity; fractions are truncated to microseconds; offsets are
  read as its `SimpleTZ` reads them; impossible dates (month 13, 24:00, second 60) are no time;
- what makes gpxpy refuse a file (a point without lat/lon, a `<sat>` that is not a whole number, a
  bad `<bounds>` or track `<number>` ...) is detected and the file left to gpxpy, so the message
  is the reference's. gpxpy's own field code reads the few non-point elements (metadata, track,
  segment and route headers) from the lxml tree.
Anything this path does not reproduce (libxml2 refuses a few documents expat reads, such as
`<?xml version="2.0"?>`), and any unexpected error in it, sends the file to `read_gpx`, with a
warning saying so.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
from gpxpy import gpx as gpxpy_gpx
from gpxpy import gpxfield
from lxml import etree

from analysis.errors import InputError
from analysis.io.activity import Activity
from analysis.io.gpx import (
    CHANNELS,
    ParsedGpx,
    PointArrays,
    build_activity,
    decode_checked,
    extension_channel,
    extension_number,
    read_gpx,
    utc_naive,
)
from analysis.io.time_shapes import group_by_shape
from analysis.io.xml_guard import hardened_lxml_parser

__all__ = ["read_gpx_fast", "read_gpx", "parse_times"]

# gpxpy 1.6.2, GPXParser.parse: the default namespace declaration it deletes before parsing.
_GPXPY_DEFAULT_NS = re.compile(r"""\sxmlns=(['"])[^'"]+\1""")
# Offsets in the layouts parsed in bulk: "+hh", "+hhmm", "+hh:mm" (and "-").
_SIMPLE_OFFSET = re.compile(r"[+-][0-9]{2}(?::?[0-9]{2})?")
_US_PER_S = 1_000_000


_UNSET = object()  # "no such child yet", as distinct from a child without text (None)


class _ChannelOf(dict):
    """Extension tag -> canonical channel (or None), worked out once per tag and file."""

    def __missing__(self, tag: str) -> str | None:
        channel = self[tag] = extension_channel(tag)
        return channel


class _Unsupported(Exception):
    """Something this path does not reproduce exactly; gpxpy reads the file instead."""


def read_gpx_fast(data: bytes, file_name: str, sha256: str) -> Activity:
    """Read a GPX file exactly as `analysis.io.gpx.read_gpx` does, ~5-6x faster (benchmarks/decode_gpx.py).

    Raises `InputError` exactly where the reference does. A file this path cannot reproduce is
    read by the reference instead, with a warning appended that says so.
    """
    warnings: list[str] = []
    text = decode_checked(data, file_name, warnings)
    try:
        return build_activity(_parse(text), file_name, sha256, warnings, reader="lxml")
    except InputError:
        raise  # the shared checks refused the file: the reference would refuse it the same way
    except _Unsupported as exc:
        reason = str(exc)
    except Exception as exc:  # a bug in this path must cost speed, never a file
        reason = f"{type(exc).__name__}: {exc}"
    activity = read_gpx(data, file_name, sha256)
    note = f"the fast GPX reader did not handle this file ({reason}); it was read with gpxpy instead"
    return dataclasses.replace(activity, warnings=(*activity.warnings, note))


def _without_fields(cls: type, *names: str) -> type:
    """A gpxpy class whose field lists skip `names`, so gpxpy reads an element but for its many points."""
    return type(
        f"{cls.__name__}Head",
        (cls,),
        {
            "gpx_10_fields": [f for f in cls.gpx_10_fields if getattr(f, "name", None) not in names],
            "gpx_11_fields": [f for f in cls.gpx_11_fields if getattr(f, "name", None) not in names],
        },
    )


_GpxHead = _without_fields(gpxpy_gpx.GPX, "tracks", "waypoints", "routes")  # creator, metadata, <bounds>
_RouteHead = _without_fields(gpxpy_gpx.GPXRoute, "points")  # name, <number> ...
_TrackHead = _without_fields(gpxpy_gpx.GPXTrack, "segments")  # name, <number>, <type> ...
_SegmentHead = _without_fields(gpxpy_gpx.GPXTrackSegment, "points")  # extensions


def _checked_fields(fields: list[object], *, skip: tuple[str, ...]) -> dict[str, gpxfield.GPXField]:
    """Point child tags whose text gpxpy converts or checks, and refuses the file over, by tag."""
    return {
        f.tag: f
        for f in fields
        if isinstance(f, gpxfield.GPXField)
        and f.tag is not None
        and f.tag not in skip
        and (f.type_converter is not None or f.possible)
    }


# Track points: <ele> and <time> are read column-wise; the rest only checked (1.0 <speed> also used).
_TRACK_POINT_CHECKS = {
    "1.0": _checked_fields(gpxpy_gpx.GPXTrackPoint.gpx_10_fields, skip=("ele", "time")),  # course, speed, sat ...
    "1.1": _checked_fields(gpxpy_gpx.GPXTrackPoint.gpx_11_fields, skip=("ele", "time")),  # sat, fix ... no speed
}
# Waypoints and route points are only counted, but gpxpy reads every one of them; <time> never fails.
_OTHER_POINT_CHECKS = {
    "1.0": _checked_fields(gpxpy_gpx.GPXWaypoint.gpx_10_fields, skip=("time",)),
    "1.1": _checked_fields(gpxpy_gpx.GPXWaypoint.gpx_11_fields, skip=("time",)),
}
assert gpxpy_gpx.GPXRoutePoint.gpx_10_fields is gpxpy_gpx.GPXWaypoint.gpx_10_fields  # one check for both kinds
assert gpxpy_gpx.GPXRoutePoint.gpx_11_fields is gpxpy_gpx.GPXWaypoint.gpx_11_fields


def _gpxpy_fields(cls: type, element: etree._Element, version: str | None) -> object:
    """gpxpy's own reading of one element; what it refuses sends the file to gpxpy."""
    try:
        return gpxfield.gpx_fields_from_xml(cls, element, version)
    except Exception as exc:
        raise _Unsupported(f"gpxpy refuses <{element.tag}>: {exc}") from None


def _parse(text: str) -> ParsedGpx:
    """Parse with lxml and walk the tree the way gpxpy walks its ElementTree."""
    xml = _GPXPY_DEFAULT_NS.sub("", text, count=1)
    parser = hardened_lxml_parser(  # no entities, no DTD, no network, libxml2's limits (analysis.io.xml_guard)
        remove_comments=True,  # as ElementTree drops them: text around a comment joins up
        remove_pis=True,
        encoding="utf-8",  # the text is decoded already; a declared encoding must not be applied twice
    )
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise _Unsupported(f"lxml: {exc}") from None
    if any(e.level >= etree.ErrorLevels.ERROR for e in parser.error_log):
        raise _Unsupported(f"lxml recovered from an error: {parser.error_log[0]}")

    version = root.get("version")
    key = "1.1" if version == "1.1" else "1.0"  # gpxpy reads 1.1 fields only for exactly "1.1"
    head = _gpxpy_fields(_GpxHead, root, version)
    waypoints = list(root.iterchildren("wpt"))
    _check_points(waypoints, _OTHER_POINT_CHECKS[key])
    route_points = 0
    for rte in root.iterchildren("rte"):
        _gpxpy_fields(_RouteHead, rte, version)
        points = list(rte.iterchildren("rtept"))
        _check_points(points, _OTHER_POINT_CHECKS[key])
        route_points += len(points)
    return dataclasses.replace(
        _read_tracks(root, version), creator=head.creator, route_points=route_points, waypoints=len(waypoints)
    )


def _read_tracks(root: etree._Element, version: str | None) -> ParsedGpx:
    """Every track point's columns, in file order (creator, routes and waypoints left empty)."""
    v11 = version == "1.1"
    checked = _TRACK_POINT_CHECKS["1.1" if v11 else "1.0"]
    lat_text: list[str | None] = []
    lon_text: list[str | None] = []
    ele_text: list[str | None] = []
    time_text: list[str | None] = []
    ext_hits: list[tuple[int, dict[str, str | None]]] = []  # (point, {channel: text of its first element})
    extra: list[tuple[int, str, str | None]] = []  # (point, tag, text) of checked children
    where: list[tuple[int, int, int]] = []  # (track, segment, number of points) per non-empty segment
    channel_of = _ChannelOf()
    # Bound methods: this loop runs once per point, where attribute look-ups add up.
    add_lat, add_lon, add_ele, add_time = lat_text.append, lon_text.append, ele_text.append, time_text.append
    add_hits, add_extra = ext_hits.append, extra.append
    tracks_used = 0
    track_type = None
    i = 0
    for t, trk in enumerate(root.iterchildren("trk"), start=1):
        track = _gpxpy_fields(_TrackHead, trk, version)
        track_used = False
        for s, seg in enumerate(trk.iterchildren("trkseg"), start=1):
            _gpxpy_fields(_SegmentHead, seg, version)
            first_point = i
            for pt in seg.iterchildren("trkpt"):
                add_lat(pt.get("lat"))
                add_lon(pt.get("lon"))
                ele = time = ext = _UNSET  # gpxpy's find(): the first child of a name counts
                for child in pt:
                    tag = child.tag
                    if tag == "ele":
                        if ele is _UNSET:
                            ele = child.text
                    elif tag == "time":
                        if time is _UNSET:
                            time = child.text
                    elif tag == "extensions":
                        if ext is _UNSET:
                            ext = child
                    elif tag in checked:
                        add_extra((i, tag, child.text))
                add_ele(None if ele is _UNSET else ele)
                add_time(None if time is _UNSET else time)
                if ext is not _UNSET and v11:
                    hits: dict[str, str | None] = {}
                    for element in ext.iterdescendants():
                        channel = channel_of[element.tag]
                        if channel is not None and channel not in hits:
                            hits[channel] = element.text  # the first element of a channel wins, number or not
                    if hits:
                        add_hits((i, hits))
                i += 1
            if i > first_point:
                where.append((t, s, i - first_point))
                track_used = True
        if track_used and not tracks_used:
            track_type = track.type
        tracks_used += track_used

    n = i
    channels = {c: np.full(n, np.nan) for c in CHANNELS}
    for channel in CHANNELS:
        found = [(k, hits[channel]) for k, hits in ext_hits if channel in hits]
        if found:
            channels[channel][[k for k, _ in found]] = _extension_numbers([text for _, text in found])
    speed = _check_extra(extra, checked)
    if speed:  # GPX 1.0 <speed> (m/s) in the point itself: the channel is empty, extensions are 1.1 only
        channels["speed_mps"][list(speed)] = list(speed.values())

    counts = np.array([c for _, _, c in where], dtype="int64")
    segment_start = np.repeat(np.cumsum(counts) - counts, counts)
    points = PointArrays(
        time=parse_times(time_text),
        lat=_coordinates(lat_text, "lat"),
        lon=_coordinates(lon_text, "lon"),
        ele=_gpx_floats(ele_text, "ele"),
        segment=np.repeat(np.arange(len(where), dtype="int64"), counts),
        where=np.column_stack(
            (
                np.repeat(np.array([w[0] for w in where], dtype="int64"), counts),
                np.repeat(np.array([w[1] for w in where], dtype="int64"), counts),
                np.arange(n, dtype="int64") - segment_start + 1,
            )
        ).reshape(-1, 3),
        ext=channels,
    )
    return ParsedGpx(
        points=points,
        n_tracks=tracks_used,
        n_segments=len(where),
        track_type=track_type,
        creator=None,
        route_points=0,
        waypoints=0,
    )


def _check_points(elements: list[etree._Element], checked: dict[str, gpxfield.GPXField]) -> None:
    """Waypoints or route points: what gpxpy would refuse in them (position, <ele>, <sat> ...)."""
    if not elements:
        return
    _coordinates([e.get("lat") for e in elements], "lat")
    _coordinates([e.get("lon") for e in elements], "lon")
    _check_extra([(i, c.tag, c.text) for i, e in enumerate(elements) for c in e if c.tag in checked], checked)


def _coordinates(texts: list[str | None], name: str) -> np.ndarray:
    """lat/lon attributes as gpxpy reads them (mandatory; float of the stripped text)."""
    try:
        return np.fromiter(map(float, texts), np.float64, len(texts))
    except (TypeError, ValueError):
        # No position, or not a number: gpxpy refuses the file, with its own message.
        raise _Unsupported(f"a point's {name} is missing or not a number") from None


def _gpx_floats(texts: list[str | None], name: str) -> np.ndarray:
    """An optional GPX number (`<ele>`): NaN where absent or empty; what gpxpy cannot convert is refused.

    `float()` strips the same whitespace as gpxpy's `float(text.strip())`.
    """
    try:
        if None not in texts:
            return np.fromiter(map(float, texts), np.float64, len(texts))
        return np.fromiter((np.nan if s is None else float(s) for s in texts), np.float64, len(texts))
    except ValueError:
        raise _Unsupported(f"a track point's <{name}> is not a number") from None


def _extension_numbers(texts: list[str | None]) -> np.ndarray:
    """`extension_number` of every text, in bulk when every text is a finite number or not."""
    try:
        values = np.fromiter(map(float, texts), np.float64, len(texts))
    except (TypeError, ValueError):
        return np.fromiter(map(extension_number, texts), np.float64, len(texts))
    values[~np.isfinite(values)] = np.nan
    return values


def _check_extra(extra: list[tuple[int, str, str | None]], checked: dict[str, gpxfield.GPXField]) -> dict[int, float]:
    """Convert and check the first child of each checked tag per point as gpxpy does; the 1.0 speeds by point."""
    first: dict[tuple[int, str], str | None] = {}
    for i, tag, text in extra:
        first.setdefault((i, tag), text)
    speed: dict[int, float] = {}
    for (i, tag), text in first.items():
        if text is None:
            continue  # an empty element is no value to gpxpy, not an error
        field = checked[tag]
        try:
            value = field.type_converter.from_string(text) if field.type_converter else text
        except Exception:
            raise _Unsupported(f"a point's <{tag}> is not a number") from None
        if field.possible and value not in field.possible:
            raise _Unsupported(f"a point's <{tag}> is not one of {field.possible}")
        if tag == "speed":
            speed[i] = value
    return speed


def parse_times(texts: list[str | None]) -> np.ndarray:
    """GPX time texts as naive-UTC datetime64[us], NaT where gpxpy's reading gives no time.

    Equals `utc_naive(gpxpy.gpxfield.TIME_TYPE.from_string(text))` per text. Texts are grouped by
    shape (the text with every digit replaced by one mark): gpxpy's regex treats all digits alike,
    so one match decides validity and field positions for the whole group, whose digits are then
    read column by column. Non-ASCII, very long and unusual texts are converted one by one.
    """
    out = np.full(len(texts), np.datetime64("NaT", "us"))
    groups, slow = group_by_shape(texts)
    for example, codes, target in groups:
        values, one_by_one = _parse_shape(example, codes)
        out[target] = values
        slow.extend(target[one_by_one].tolist())
    for i in slow:
        parsed = gpxfield.TIME_TYPE.from_string(texts[i])
        out[i] = np.datetime64("NaT", "us") if parsed is None else np.datetime64(utc_naive(parsed), "us")
    return out


def _parse_shape(example: str, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Times of one shape: (datetime64[us] values, rows to convert one by one instead)."""
    rows = len(codes)
    nat = np.full(rows, np.datetime64("NaT", "us"))
    match = gpxfield.RE_TIMESTAMP.match(example)
    if match is None:
        return nat, np.zeros(rows, dtype=bool)  # gpxpy's parse_time raises, its converter gives None
    zone = match.group(8)
    if zone not in (None, "Z") and not _SIMPLE_OFFSET.fullmatch(zone):
        return nat, np.ones(rows, dtype=bool)  # a Unicode minus, a digit for a sign ...: one by one

    def number(start: int, end: int) -> np.ndarray:
        value = np.zeros(rows, dtype=np.int64)
        for k in range(start, end):
            value = value * 10 + (codes[:, k].astype(np.int64) - 48)
        return value

    year, month, day, hour, minute, second = (number(*match.span(g)) for g in range(1, 7))
    micro = np.zeros(rows, dtype=np.int64)
    if match.group(7):
        start, end = match.span(7)
        digits = min(end - start - 1, 6)  # gpxpy keeps the first six digits: truncation, not rounding
        micro = number(start + 1, start + 1 + digits) * 10 ** (6 - digits)
    offset_min = np.zeros(rows, dtype=np.int64)
    if zone not in (None, "Z"):
        start, end = match.span(8)
        sign = -1 if zone[0] == "-" else 1
        # SimpleTZ: hours are the first two digits, minutes the last two when there are four.
        minutes = number(end - 2, end) if len(zone) - 1 >= 4 else 0
        offset_min = sign * (number(start + 1, start + 3) * 60 + minutes)

    month_index = (year - 1970) * 12 + np.clip(month, 1, 12) - 1
    month_start = month_index.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    month_days = (month_index + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - month_start
    # What datetime() refuses is no time to gpxpy.
    valid = (
        (year >= 1)
        & (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (day <= month_days)
        & (hour <= 23)
        & (minute <= 59)
        & (second <= 59)
    )
    # Next to year 1 and 9999 the shift to UTC can leave datetime's range: one by one, like the reference.
    one_by_one = valid & ((year < 2) | (year > 9998))
    seconds = (month_start + day - 1) * 86_400 + hour * 3_600 + minute * 60 + second - offset_min * 60
    values = (seconds * _US_PER_S + micro).astype("datetime64[us]")
    return np.where(valid & ~one_by_one, values, nat), one_by_one
