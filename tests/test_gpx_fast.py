"""The fast GPX path (lxml) against the gpxpy reference (issue 8): every corpus GPX file and random documents.

"Equal" is what the issue asks: the same samples frame (timestamps exact, floats to 1e-9 relative,
NaN where NaN), the same sport, sub_sport, start, offset, device, timer events, sessions, warnings,
dropped samples and cadence unit; only `reader` differs ("lxml" vs "gpxpy"). Where the reference
refuses a file, the fast path refuses it with the same message.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import gpxpy.parser
import numpy as np
import pandas as pd
import pytest
from conftest import CORPUS_DIR, corpus_catalog
from gpxpy import gpxfield
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import InputError
from analysis.io import gpx_fast
from analysis.io.gpx import MAX_XMLNS_DECLARATIONS, read_gpx, utc_naive
from analysis.io.gpx_fast import parse_times, read_gpx_fast

NS_GPX11 = "http://www.topografix.com/GPX/1/1"
NS_GPX10 = "http://www.topografix.com/GPX/1/0"
NS_TPX1 = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
NS_TPX2 = "http://www.garmin.com/xmlschemas/TrackPointExtension/v2"
NS_GPXDATA = "http://www.cluetrust.com/XML/GPXDATA/1/0"
NS_PWR = "http://www.garmin.com/xmlschemas/PowerExtension/v1"
DECLARATIONS = (
    f'xmlns:gpxtpx="{NS_TPX1}" xmlns:tpx2="{NS_TPX2}" xmlns:gpxdata="{NS_GPXDATA}" xmlns:pwr="{NS_PWR}"'
)
T0 = datetime(2024, 5, 4, 7, 30, 0, tzinfo=UTC)
FALLBACK_NOTE = "the fast GPX reader did not handle this file"
METADATA = (
    "sport", "sub_sport", "start_time", "utc_offset_s", "device", "source_format", "file_name", "file_sha256",
    "cadence_unit", "timer_events", "sessions", "warnings", "dropped_samples",
)  # fmt: skip


def outcome(reader, data: bytes, name: str):
    """(activity, None) or (None, the InputError message)."""
    try:
        return reader(data, name, hashlib.sha256(data).hexdigest()), None
    except InputError as exc:
        return None, str(exc)


def assert_same_activity(fast, ref) -> None:
    assert ref.reader == "gpxpy"
    assert fast.reader == "lxml", fast.warnings[-1]
    for name in METADATA:
        assert getattr(fast, name) == getattr(ref, name), name
    assert list(fast.samples.columns) == list(ref.samples.columns)
    assert (fast.samples.dtypes == ref.samples.dtypes).all()
    assert fast.samples["time"].equals(ref.samples["time"])  # exact, to the nanosecond
    pd.testing.assert_frame_equal(fast.samples, ref.samples, check_exact=False, rtol=1e-9, atol=0.0)


def assert_same_outcome(data: bytes, name: str = "run.gpx"):
    """Both readers refuse with the same words, or both read the same activity (fast path, no fallback)."""
    ref, ref_error = outcome(read_gpx, data, name)
    fast, fast_error = outcome(read_gpx_fast, data, name)
    assert fast_error == ref_error
    if ref is not None:
        assert_same_activity(fast, ref)
    return ref


def iso(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def doc(points: str, *, version: str = "1.1", head: str = "", track_head: str = "<type>running</type>") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="{version}" creator="Edge 530" xmlns="{NS_GPX11}" '
        f"{DECLARATIONS}>{head}<trk>{track_head}<trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


def run_points(n: int, inner=lambda i: "") -> str:
    return "".join(
        f'<trkpt lat="{47 + i * 1e-4:.7f}" lon="8.5"><ele>{400 + i}</ele><time>{iso(i)}</time>{inner(i)}</trkpt>'
        for i in range(n)
    )


def tpx(hr: object, cad: object) -> str:
    return (
        f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr><gpxtpx:cad>{cad}</gpxtpx:cad>"
        "</gpxtpx:TrackPointExtension></extensions>"
    )


# --------------------------------------------------------------------------------------------
# The real corpus: every GPX file in CATALOG.csv
# --------------------------------------------------------------------------------------------

GPX_ROWS = [r for r in corpus_catalog() if r["kind"] == "gpx"]


@pytest.mark.corpus
@pytest.mark.timeout(30)
@pytest.mark.parametrize("row", GPX_ROWS, ids=[r["local_path"] for r in GPX_ROWS])
def test_corpus_file_gives_the_same_activity_or_refusal(corpus_dir, row):
    data = (CORPUS_DIR / row["local_path"]).read_bytes()
    assert_same_outcome(data, row["local_path"].rsplit("/", 1)[-1])


@pytest.mark.corpus
def test_corpus_has_gpx_files_read_by_both(corpus_dir):
    read = sum(
        outcome(read_gpx_fast, (CORPUS_DIR / r["local_path"]).read_bytes(), "x.gpx")[0] is not None for r in GPX_ROWS
    )
    assert len(GPX_ROWS) >= 90 and read >= 50, (len(GPX_ROWS), read)


# --------------------------------------------------------------------------------------------
# Hand-made files: what gpxpy reads in its own way
# --------------------------------------------------------------------------------------------


def test_garmin_run_is_read_on_the_fast_path():
    ref = assert_same_outcome(doc(run_points(30, lambda i: tpx(140 + i % 5, 85))))
    assert len(ref.samples) == 30 and ref.samples["cadence_spm"].eq(170).all()


def test_reference_parser_stays_expat_even_with_lxml_installed():
    # gpxpy picks lxml when it can import it; the reference must not change because the fast path needs lxml.
    assert gpxpy.parser.library() == "STDLIB"


def test_declared_latin1_creator_is_not_decoded_twice():
    text = doc(run_points(3)).decode().replace("UTF-8", "ISO-8859-1").replace("Edge 530", "Läufer®")
    ref = assert_same_outcome(text.encode("latin-1"))
    assert ref.device == "Läufer®"
    undeclared = assert_same_outcome(text.replace("ISO-8859-1", "UTF-8").encode("latin-1"))
    assert any("not valid UTF-8" in w for w in undeclared.warnings)


@pytest.mark.parametrize(
    "stamp",
    [
        "2024-05-04T07:30:00Z",
        "2024-05-04T09:30:00+02:00",
        "2024-05-04T02:00:00-0530",
        "2024-05-04T08:30:00+01",
        "2024-05-04T07:30:00.1234567Z",  # gpxpy truncates to microseconds
        "2024-05-04 07:30:00",  # no zone: UTC
        "2024-5-4T7:30:0Z",  # one-digit fields
        "2024-05-04T07:30:00−02:00",  # a Unicode minus, which gpxpy's regex accepts
        "2024-05-04T07:30:00Z\n",  # "$" matches before a final newline
    ],
)
def test_time_layouts(stamp):
    points = f'<trkpt lat="47.0" lon="8.5"><time>{stamp}</time></trkpt>' + run_points(3).replace(
        "2024-05-04T07:30:0", "2024-05-04T08:30:0"
    )
    assert_same_outcome(doc(points))


def test_gpx_10_speed_is_used_and_extensions_ignored():
    points = run_points(5, lambda i: f"<speed>{2.5 + i}</speed><course>90</course>" + tpx(150, 80))
    ref = assert_same_outcome(doc(points, version="1.0"))
    assert ref.samples["speed_mps"].tolist() == [2.5, 3.5, 4.5, 5.5, 6.5]
    assert ref.samples["heart_rate_bpm"].isna().all()  # GPX 1.0 has no extensions for gpxpy
    assert ref.sport == "generic"  # nor a track <type>


def test_first_child_of_a_name_wins_and_comments_vanish():
    points = (
        '<trkpt lat="47.0" lon="8.5"><ele>1</ele><ele>x</ele><time>2024-05-04T07:<!-- c -->30:00Z</time>'
        "<time>garbage</time><extensions><gpxdata:hr>150</gpxdata:hr></extensions><extensions>"
        "<gpxdata:hr>99</gpxdata:hr></extensions></trkpt>" + run_points(3).replace("T07:30:0", "T07:31:0")
    )
    ref = assert_same_outcome(doc(points))
    assert ref.samples["altitude_m"].iloc[0] == 1 and ref.samples["heart_rate_bpm"].iloc[0] == 150


@pytest.mark.parametrize(
    ("label", "points", "head", "track_head"),
    [
        ("no lat", '<trkpt lon="8.5"><time>2024-05-04T07:30:00Z</time></trkpt>', "", ""),
        ("lat not a number", '<trkpt lat="north" lon="8.5"><time>2024-05-04T07:30:00Z</time></trkpt>', "", ""),
        ("blank ele", run_points(2).replace("<ele>400</ele>", "<ele> </ele>"), "", ""),
        ("sat not whole", run_points(2, lambda i: "<sat>7.5</sat>"), "", ""),
        ("unknown fix", run_points(2, lambda i: "<fix>4d</fix>"), "", ""),
        ("bad hdop", run_points(2, lambda i: "<hdop>-</hdop>"), "", ""),
        ("bad bounds", run_points(2), '<metadata><bounds minlat="x"/></metadata>', ""),
        ("bad track number", run_points(2), "", "<number>two</number>"),
        ("bad waypoint", run_points(2), '<wpt lat="1" lon="x"/>', ""),
        ("bad route point", run_points(2), '<rte><rtept lat="1" lon="2"><ele>high</ele></rtept></rte>', ""),
        ("bad route number", run_points(2), "<rte><number>1.5</number></rte>", ""),
        ("broken xml", run_points(2).replace("</trkpt>", "</trkpoint>", 1), "", ""),
        ("unbound prefix", run_points(2, lambda i: "<extensions><foo:hr>1</foo:hr></extensions>"), "", ""),
        ("no times", run_points(3).replace("<time>", "<when>").replace("</time>", "</when>"), "", ""),
        ("route only", "", '<rte><rtept lat="1" lon="2"/><rtept lat="1.1" lon="2"/></rte>', ""),
        ("waypoints only", "", '<wpt lat="1" lon="2"/>', ""),
        ("no points", "", "", ""),
        ("clock not set", run_points(12).replace("2024-05-04", "1601-01-01"), "", ""),
    ],
)
def test_refusals_are_the_same(label, points, head, track_head):
    ref = assert_same_outcome(doc(points, head=head, track_head=track_head), f"{label}.gpx")
    assert ref is None, f"{label}: the reference was expected to refuse this file"


def test_sport_comes_from_the_first_track_with_points():
    empty = "<trk><type>cycling</type><trkseg></trkseg></trk>"
    ref = assert_same_outcome(doc(run_points(3), head=empty))
    assert ref.sport == "running"


def test_checked_fields_that_gpxpy_accepts_stay_on_the_fast_path():
    extra = "<sat> 7 </sat><hdop>1.5</hdop><fix>3d</fix><magvar>2</magvar><name>p</name><sym>x</sym><sat>bad</sat>"
    assert_same_outcome(doc(run_points(4, lambda i: extra), head='<wpt lat="1" lon="2"><sat>3</sat></wpt>'))


def test_a_file_lxml_refuses_but_gpxpy_reads_falls_back_with_a_warning():
    data = doc(run_points(3)).replace(b'version="1.0" encoding', b'version="2.0" encoding')  # expat ignores it
    ref, _ = outcome(read_gpx, data, "v2.gpx")
    fast, _ = outcome(read_gpx_fast, data, "v2.gpx")
    assert fast.reader == "gpxpy" and ref.reader == "gpxpy"
    assert fast.warnings[:-1] == ref.warnings
    assert FALLBACK_NOTE in fast.warnings[-1] and "lxml" in fast.warnings[-1]
    pd.testing.assert_frame_equal(fast.samples, ref.samples)


def test_an_unexpected_error_in_the_fast_path_falls_back(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(gpx_fast, "_read_tracks", broken)
    fast, _ = outcome(read_gpx_fast, doc(run_points(3)), "bug.gpx")
    assert fast.reader == "gpxpy"
    assert fast.warnings[-1].startswith(FALLBACK_NOTE) and "RuntimeError: simulated bug" in fast.warnings[-1]


def test_parser_traps_are_refused_before_lxml_parses(monkeypatch):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("lxml parsed a refused file")

    monkeypatch.setattr(gpx_fast.etree, "fromstring", must_not_parse)
    evil = b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa">]><gpx version="1.1" creator="&a;"></gpx>'
    with pytest.raises(InputError, match="DTD or XML entities"):
        read_gpx_fast(evil, "evil.gpx", "0")
    bomb = "".join(f'<n{i}:x xmlns:n{i}="urn:ns:{i}">1</n{i}:x>' for i in range(MAX_XMLNS_DECLARATIONS + 1))
    with pytest.raises(InputError, match="different XML namespaces"):
        read_gpx_fast(doc(run_points(1, lambda i: f"<extensions>{bomb}</extensions>")), "bomb.gpx", "0")


# --------------------------------------------------------------------------------------------
# Times in bulk against gpxpy's parse_time, one by one
# --------------------------------------------------------------------------------------------


def reference_time(text: str | None) -> np.datetime64:
    parsed = None if text is None else gpxfield.TIME_TYPE.from_string(text)
    return np.datetime64("NaT", "us") if parsed is None else np.datetime64(utc_naive(parsed), "us")


def assert_times_match(texts: list[str | None]) -> None:
    expected = np.array([reference_time(t) for t in texts], dtype="datetime64[us]")
    got = parse_times(texts)
    assert got.dtype == np.dtype("datetime64[us]")
    same = (got == expected) | (np.isnat(got) & np.isnat(expected))
    mismatch = [(t, g, e) for t, g, e, ok in zip(texts, got, expected, same, strict=True) if not ok]
    assert not mismatch, mismatch[:5]


def test_parse_times_known_cases():
    assert_times_match(
        [
            None,
            "2024-05-04T07:30:00Z",
            "2024-05-04T07:30:00.5Z",
            "2024-05-04T07:30:00.123456789+02:00",
            "2024-02-29T12:00:00Z",  # leap day
            "2023-02-29T12:00:00Z",  # no such day: no time
            "2024-04-31T12:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-00-10T00:00:00Z",
            "2024-05-04T24:00:00Z",
            "2024-05-04T23:60:00Z",
            "2024-05-04T23:59:60Z",  # a leap second is no time to datetime()
            "0000-01-01T00:00:00Z",
            "0001-01-01T00:30:00+01:00",  # before year 1 in UTC: the local time is kept
            "9999-12-31T23:30:00-01:00",
            "2024-05-04T07:30:00+25:00",  # beyond what datetime accepts as an offset
            "2024-05-04T07:30:00+05:",
            "2024-05-04T07:30:00Z05",  # gpxpy's sign class [+-−] is a range that contains "Z" and digits
            "2024-05-04T07:30:00123",
            "2024-05-04T07:30:00−05:30",
            " 2024-05-04T07:30:00Z",
            "2024-05-04T07:30:00Z ",
            "2024-05-04T07:30:00Z\n",
            "٢٠٢٤-05-04T07:30:00Z",  # Arabic-Indic digits: not [0-9]
            "2024-05-04",
            "yesterday",
            "2024-05-04T07:30:00." + "1" * 16 + "Z",
            "x" * 100,
        ]
    )


_digits = st.integers(0, 99).map(str)
_time_text = st.builds(
    lambda y, mo, d, sep, h, mi, s, frac, zone, pad: f"{pad[0]}{y}-{mo}-{d}{sep}{h}:{mi}:{s}{frac}{zone}{pad[1]}",
    st.one_of(st.integers(1890, 2210).map(str), st.sampled_from(["0000", "0001", "9999", "202", "20245"])),
    st.one_of(st.integers(0, 13).map(lambda m: f"{m:02d}"), _digits),
    st.one_of(st.integers(0, 32).map(lambda d: f"{d:02d}"), _digits),
    st.sampled_from(["T", " ", "t", "_"]),
    st.one_of(st.integers(0, 25).map(lambda h: f"{h:02d}"), _digits),
    st.integers(0, 61).map(lambda m: f"{m:02d}"),
    st.integers(0, 61).map(lambda s: f"{s:02d}"),
    st.one_of(st.just(""), st.text("0123456789", min_size=0, max_size=16).map(lambda f: "." + f)),
    st.one_of(
        st.sampled_from(["", "Z", "z", "+00:00", "-00:00", "+05:30", "-0800", "+01", "−02:00", "+5", "+05:", "Z1"]),
        st.tuples(st.sampled_from("+-"), st.integers(0, 99), st.integers(0, 99)).map(
            lambda t: f"{t[0]}{t[1]:02d}:{t[2]:02d}"
        ),
    ),
    st.sampled_from([("", ""), (" ", ""), ("", " "), ("", "\n"), ("\n", "")]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _time_text), min_size=1, max_size=30))
def test_parse_times_agrees_with_gpxpy_on_random_texts(texts):
    assert_times_match(texts)


# --------------------------------------------------------------------------------------------
# Random small GPX documents: both readers, same answer
# --------------------------------------------------------------------------------------------

_number = st.one_of(
    st.integers(0, 300).map(str),
    st.floats(-10, 300, allow_nan=False).map(lambda x: f"{x:.2f}"),
    st.sampled_from(["", " 140 ", "abc", "nan", "inf", "-5", "1e2", "1_0", "0", "255", "65535"]),
)
_value = st.one_of(st.none(), _number)  # None: a self-closing element


def _element(tag: str, value: str | None) -> str:
    return f"<{tag}/>" if value is None else f"<{tag}>{value}</{tag}>"


# Extension elements the readers know (and a few they do not), in the ways real files write them.
_extension = st.one_of(
    st.builds(
        lambda kids: "<gpxtpx:TrackPointExtension>" + "".join(kids) + "</gpxtpx:TrackPointExtension>",
        st.lists(
            st.builds(_element, st.sampled_from(["gpxtpx:hr", "gpxtpx:cad", "gpxtpx:atemp", "gpxtpx:HR"]), _value),
            max_size=3,
        ),
    ),
    st.builds(
        lambda kids: "<tpx2:TrackPointExtension>" + "".join(kids) + "</tpx2:TrackPointExtension>",
        st.lists(st.builds(_element, st.sampled_from(["tpx2:hr", "tpx2:cad", "tpx2:speed", "tpx2:course"]), _value)),
    ),
    st.builds(_element, st.sampled_from(["gpxdata:hr", "gpxdata:cadence", "gpxdata:speed", "gpxdata:temp"]), _value),
    st.builds(_element, st.sampled_from(["hr", "cad", "heartrate", "bpm", "rpm", "Cadence", "power", "speed"]), _value),
    st.builds(lambda v: f"<pwr:PowerExtension>{_element('pwr:PowerInWatts', v)}</pwr:PowerExtension>", _value),
    st.builds(lambda v: f"<foo xmlns='urn:other'><bar><hr>{v or ''}</hr></bar></foo>", _value),
)
# Children gpxpy converts or checks, and others it only keeps as text.
_checked_child = st.sampled_from(
    ["<sat>7</sat>", "<hdop>1.2</hdop>", "<fix>3d</fix>", "<name>p</name>", "<speed>3.1</speed>", "<course>9</course>",
     "<magvar> 4 </magvar>", "<desc>&lt;ok&gt;</desc>", "<sym/>"]
)  # fmt: skip
# What makes gpxpy refuse a file (or drop a point's time), for the rare hostile document.
_hostile_child = st.sampled_from(["<sat>x</sat>", "<fix>4d</fix>", "<ele>high</ele>", "<hdop></hdop>", "<ele> </ele>"])
_hostile_lat = st.sampled_from(["x", "", "1,5", "nan"])


@st.composite
def _point(draw, t: float, zone: str, fraction: bool, hostile: bool, odd_times: bool) -> str:
    lat = draw(st.one_of(st.floats(-89, 89).map(lambda x: f"{x:.6f}"), st.sampled_from(["0", " 47.1 ", "+47", "1e1"])))
    if hostile and draw(st.integers(0, 5)) == 0:
        lat = draw(_hostile_lat)
    lon = draw(st.floats(-179, 179).map(lambda x: f"{x:.6f}"))
    stamp = (T0 + timedelta(seconds=t)).strftime("%Y-%m-%dT%H:%M:%S")
    if fraction:
        stamp += f".{draw(st.integers(0, 999)):03d}"
    time = stamp + zone
    if odd_times and draw(st.integers(0, 3)) == 0:
        time = draw(st.one_of(st.none(), _time_text))
    parts = []
    ele = draw(st.one_of(st.none(), st.floats(-100, 5000).map(lambda x: f"{x:.1f}"), st.sampled_from(["", " 12 "])))
    if ele is not None:
        parts.append(_element("ele", ele or None))
    if time is not None:
        parts.append(f"<time>{time}</time>")
    if draw(st.integers(0, 5)) == 0:
        parts.append(draw(_checked_child))
    if hostile and draw(st.integers(0, 5)) == 0:
        parts.append(draw(_hostile_child))
    extensions = draw(st.lists(_extension, max_size=3))
    if extensions:
        parts.append("<extensions>" + "".join(extensions) + "</extensions>")
    if draw(st.integers(0, 12)) == 0:
        parts.insert(draw(st.integers(0, len(parts))), "<!-- a comment -->")
    return f'<trkpt lat="{lat}" lon="{lon}">' + "".join(draw(st.permutations(parts))) + "</trkpt>"


@st.composite
def gpx_documents(draw) -> bytes:
    """A small GPX document; one in six is hostile (something gpxpy refuses), one in four has odd times."""
    hostile = draw(st.integers(0, 5)) == 0
    odd_times = draw(st.integers(0, 3)) == 0
    version = draw(st.sampled_from(["1.1", "1.1", "1.1", "1.0"]))
    default_ns = draw(st.sampled_from([f' xmlns="{NS_GPX11}"', f' xmlns="{NS_GPX10}"', ""]))
    zone = draw(st.sampled_from(["Z", "", "+02:00", "-0500"]))
    fraction = draw(st.booleans())
    creator = draw(st.sampled_from(["Garmin Connect", "StravaGPX", "Läufer &amp; Co", ""]))
    step = draw(st.integers(1, 5))
    t = draw(st.integers(-3, 3)) * 3600.0
    tracks = []
    for _ in range(draw(st.integers(1, 2))):
        segments = []
        for _ in range(draw(st.sampled_from([0, 1, 1, 1, 1, 1, 1, 2, 3]))):  # empty tracks and segments now and then
            points = []
            for _ in range(draw(st.sampled_from([0, *range(1, 9), *range(3, 9)]))):
                t += step * draw(st.sampled_from([1, 1, 1, 1, 1, 0, -1, 30]))
                points.append(draw(_point(t, zone, fraction, hostile, odd_times)))
            segments.append("<trkseg>" + "".join(points) + "</trkseg>")
        sport = draw(st.sampled_from([None, "running", "9", "cycling", "Run", "trail_running", ""]))
        type_xml = "" if sport is None else f"<type>{sport}</type>"
        tracks.append(f"<trk><name>r</name>{type_xml}{''.join(segments)}</trk>")
    waypoints = draw(st.sampled_from(["", '<wpt lat="1" lon="2"><name>w</name><sat>4</sat></wpt>']))
    if hostile and draw(st.booleans()):
        bad = ['<wpt lat="1" lon="x"/>', '<rte><rtept lat="1" lon="2"><fix>5d</fix></rtept></rte>']
        waypoints += draw(st.sampled_from(bad))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="{version}" creator="{creator}"{default_ns} '
        f"{DECLARATIONS}><metadata><time>{iso(0)}</time></metadata>{waypoints}{''.join(tracks)}</gpx>"
    ).encode()


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(gpx_documents())
def test_random_documents_give_the_same_outcome(data):
    assert_same_outcome(data, "random.gpx")
