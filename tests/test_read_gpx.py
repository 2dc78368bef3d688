"""GPX reader: hand-built files with known answers, hostile files, a property test, and the real corpus.

Every GPX here is a string written by the test itself, read through the public entry point
`analysis.io.read_activity(bytes, filename=...)`.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta

import gpxpy
import numpy as np
import pandas as pd
import pytest
from conftest import corpus_catalog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import InputError
from analysis.io import read_activity
from analysis.io.cadence import NONE, NOT_STEPS, PER_LEG, STEPS
from analysis.io.gpx import MAX_XMLNS_DECLARATIONS, read_gpx
from analysis.io.samples import COLUMN_NAMES, check_samples
from analysis.io.source import sha256_hex

T0 = datetime(2024, 5, 4, 7, 30, 0, tzinfo=UTC)
NS_GPX = "http://www.topografix.com/GPX/1/1"
NS_TPX1 = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
NS_TPX2 = "http://www.garmin.com/xmlschemas/TrackPointExtension/v2"
NS_GPXDATA = "http://www.cluetrust.com/XML/GPXDATA/1/0"
NS_PWR = "http://www.garmin.com/xmlschemas/PowerExtension/v1"
# One metre of latitude in degrees on the haversine sphere used by analysis.io.geo (R = 6,371,008.8 m).
M_PER_DEG = math.pi / 180 * 6_371_008.8


def iso(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def trkpt(lat: float, lon: float, t: str | None, *, ele: float | None = None, ext: str = "") -> str:
    """One <trkpt>; `t` is the literal time text (None for no <time>), `ext` the inner XML of <extensions>."""
    parts = [f'<trkpt lat="{lat!r}" lon="{lon!r}">']
    if ele is not None:
        parts.append(f"<ele>{ele}</ele>")
    if t is not None:
        parts.append(f"<time>{t}</time>")
    if ext:
        parts.append(f"<extensions>{ext}</extensions>")
    parts.append("</trkpt>")
    return "".join(parts)


def gpx_doc(
    *segments: list[str],
    sport: str | None = "running",
    creator: str = "Garmin Connect",
    tracks: list[list[list[str]]] | None = None,
    head: str = "",
    body_extra: str = "",
) -> str:
    """A GPX 1.1 document with one track of the given segments (or several `tracks` of segments)."""
    tracks = tracks if tracks is not None else [list(segments)]
    trks = []
    for segs in tracks:
        type_xml = f"<type>{sport}</type>" if sport is not None else ""
        segs_xml = "".join("<trkseg>" + "".join(pts) + "</trkseg>" for pts in segs)
        trks.append(f"<trk><name>Morning Run</name>{type_xml}{segs_xml}</trk>")
    return (
        f'{head}<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gpx creator="{creator}" version="1.1" xmlns="{NS_GPX}" xmlns:gpxtpx="{NS_TPX1}" '
        f'xmlns:tpx2="{NS_TPX2}" xmlns:gpxdata="{NS_GPXDATA}" xmlns:pwr="{NS_PWR}">\n'
        f"<metadata><time>{iso(0)}</time></metadata>{body_extra}" + "".join(trks) + "</gpx>\n"
    )


def read(text: str | bytes, name: str = "run.gpx"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_activity(data, filename=name)


def tpx1(hr: float | str | None = None, cad: float | str | None = None) -> str:
    inner = (f"<gpxtpx:hr>{hr}</gpxtpx:hr>" if hr is not None else "") + (
        f"<gpxtpx:cad>{cad}</gpxtpx:cad>" if cad is not None else ""
    )
    return f"<gpxtpx:TrackPointExtension>{inner}</gpxtpx:TrackPointExtension>"


def straight_run(n: int, *, step_s: float = 1.0, step_m: float = 3.0, ext=lambda i: "") -> list[str]:
    """n points heading north along the Greenwich meridian, `step_m` metres and `step_s` seconds apart."""
    return [trkpt(1.0 + i * step_m / M_PER_DEG, 0.5, iso(i * step_s), ele=10.0 + i, ext=ext(i)) for i in range(n)]


# --------------------------------------------------------------------------------------------
# Known answers, column by column
# --------------------------------------------------------------------------------------------


def test_two_points_at_the_equator_every_column_and_unit():
    pts = [
        trkpt(0.0, 10.0, iso(0), ele=5.0, ext=tpx1(hr=150, cad=85)),
        trkpt(0.001, 10.0, iso(10), ele=7.5, ext=tpx1(hr=152, cad=85)),
    ]
    text = gpx_doc(pts)
    act = read(text, "equator.gpx")
    s = act.samples
    check_samples(s)
    assert tuple(s.columns) == COLUMN_NAMES
    assert len(s) == 2
    # time: UTC, tz-aware, as written
    assert str(s["time"].dt.tz) == "UTC"
    assert s["time"].iloc[0] == pd.Timestamp("2024-05-04T07:30:00Z")
    assert s["time"].iloc[1] == pd.Timestamp("2024-05-04T07:30:10Z")
    assert s["elapsed_s"].tolist() == [0.0, 10.0]
    # 0.001° of latitude ≈ 111.19 m (2πR/360/1000)
    assert s["distance_m"].iloc[0] == 0.0
    assert s["distance_m"].iloc[1] == pytest.approx(111.19, rel=1e-3)
    # speed from distance: 111.19 m / 10 s; the first point takes the next interval's speed
    assert s["speed_mps"].tolist() == pytest.approx([11.119, 11.119], rel=1e-3)
    assert s["heart_rate_bpm"].tolist() == [150.0, 152.0]
    assert s["cadence_spm"].tolist() == [170.0, 170.0]  # 85 per leg → 170 steps/min
    assert act.cadence_unit == PER_LEG
    assert s["altitude_m"].tolist() == [5.0, 7.5]
    assert s["lat_deg"].tolist() == [0.0, 0.001]
    assert s["lon_deg"].tolist() == [10.0, 10.0]
    for col in ("power_w", "stance_time_ms", "stance_time_balance_pct", "vertical_oscillation_mm",
                "step_length_mm", "vertical_ratio_pct"):
        assert s[col].isna().all(), col
    # metadata
    assert act.sport == "running" and act.sub_sport == "generic"
    assert act.start_time == pd.Timestamp("2024-05-04T07:30:00Z")
    assert act.utc_offset_s is None
    assert act.device == "Garmin Connect"
    assert act.source_format == "gpx" and act.reader == "lxml"
    assert act.file_name == "equator.gpx"
    assert act.file_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert len(act.sessions) == 1
    sess = act.sessions[0]
    assert (sess.sport, sess.sub_sport, sess.kept) == ("running", "generic", True)
    assert sess.start_time == act.start_time and sess.end_time == pd.Timestamp("2024-05-04T07:30:10Z")
    assert [(e.kind, e.source) for e in act.timer_events] == [("start", "segment"), ("stop", "segment")]
    assert act.warnings == ()


def test_read_gpx_directly_uses_the_given_name_and_digest():
    act = read_gpx(gpx_doc(straight_run(3)).encode(), "given.gpx", "abc123")
    assert act.file_name == "given.gpx" and act.file_sha256 == "abc123"


def test_footpod_steps_per_minute_is_kept():
    act = read(gpx_doc(straight_run(20, ext=lambda i: tpx1(cad=172))))
    assert act.cadence_unit == STEPS
    assert (act.samples["cadence_spm"] == 172.0).all()


def test_times_with_offsets_become_utc_and_naive_times_are_utc():
    pts = [
        trkpt(1.0, 1.0, "2024-05-04T09:30:00+02:00"),
        trkpt(1.0001, 1.0, "2024-05-04T07:30:05"),  # no zone: GPX times are UTC
        trkpt(1.0002, 1.0, "2024-05-04T07:30:10.500Z"),
    ]
    s = read(gpx_doc(pts)).samples
    assert list(s["time"]) == [
        pd.Timestamp("2024-05-04T07:30:00Z"),
        pd.Timestamp("2024-05-04T07:30:05Z"),
        pd.Timestamp("2024-05-04T07:30:10.5Z"),
    ]
    assert s["elapsed_s"].tolist() == [0.0, 5.0, 10.5]


# --------------------------------------------------------------------------------------------
# Extensions from different vendors
# --------------------------------------------------------------------------------------------


def test_trackpointextension_v2_speed_is_taken_from_the_file():
    ext = lambda i: (  # noqa: E731
        f"<tpx2:TrackPointExtension><tpx2:hr>{140 + i}</tpx2:hr><tpx2:cad>88</tpx2:cad>"
        f"<tpx2:speed>3.21</tpx2:speed></tpx2:TrackPointExtension>"
    )
    act = read(gpx_doc(straight_run(5, step_m=5.0, ext=ext)))
    s = act.samples
    # positions say 5 m/s; the device said 3.21 m/s and the device wins
    assert s["speed_mps"].tolist() == pytest.approx([3.21] * 5)
    assert s["heart_rate_bpm"].tolist() == [140, 141, 142, 143, 144]
    assert (s["cadence_spm"] == 176).all()


def test_speed_from_positions_when_the_file_has_none():
    s = read(gpx_doc(straight_run(5, step_s=2.0, step_m=7.0))).samples
    assert s["speed_mps"].tolist() == pytest.approx([3.5] * 5, rel=1e-6)
    assert s["distance_m"].tolist() == pytest.approx([0, 7, 14, 21, 28], rel=1e-6)


def test_cluetrust_gpxdata_hr_and_cadence():
    ext = lambda i: "<gpxdata:hr>131</gpxdata:hr><gpxdata:cadence>80</gpxdata:cadence>"  # noqa: E731
    act = read(gpx_doc(straight_run(4, ext=ext)))
    assert (act.samples["heart_rate_bpm"] == 131).all()
    assert (act.samples["cadence_spm"] == 160).all()


def test_bare_hr_and_cad_without_namespace():
    # Some exporters write undeclared-namespace-free tags straight into <extensions>.
    act = read(gpx_doc(straight_run(4, ext=lambda i: "<hr>120</hr><cad>90</cad>")))
    assert (act.samples["heart_rate_bpm"] == 120).all()
    assert (act.samples["cadence_spm"] == 180).all()


def test_amazfit_heartrate_tag():
    act = read(gpx_doc(straight_run(4, ext=lambda i: f"<heartrate>{100 + i}</heartrate>")))
    assert act.samples["heart_rate_bpm"].tolist() == [100, 101, 102, 103]
    assert act.cadence_unit == NONE and act.samples["cadence_spm"].isna().all()


def test_holux_bpm_and_rpm():
    ext = lambda i: '<speed src="gps">2.5</speed><bpm>145</bpm><rpm>82</rpm><mbar>1002.5</mbar>'  # noqa: E731
    act = read(gpx_doc(straight_run(4, ext=ext)))
    s = act.samples
    assert (s["heart_rate_bpm"] == 145).all()
    assert (s["cadence_spm"] == 164).all()
    assert (s["speed_mps"] == 2.5).all()


def test_power_extension_in_watts():
    ext = lambda i: f"{tpx1(hr=150)}<pwr:PowerInWatts>{250 + i}</pwr:PowerInWatts>"  # noqa: E731
    s = read(gpx_doc(straight_run(3, ext=ext))).samples
    assert s["power_w"].tolist() == [250, 251, 252]


def test_first_matching_tag_wins_and_namespaces_and_case_are_ignored():
    # Amazfit writes both its own <heartrate> and Garmin's <hr>; the first is used.
    ext = lambda i: '<HeartRate>111</HeartRate><x:HR xmlns:x="urn:other">99</x:HR>'  # noqa: E731
    s = read(gpx_doc(straight_run(3, ext=ext))).samples
    assert (s["heart_rate_bpm"] == 111).all()


def test_non_numeric_and_zero_heart_rate_become_nan():
    hrs = ["abc", "0", "-5", "", "150", "255"]
    pts = straight_run(len(hrs), ext=lambda i: tpx1(hr=hrs[i], cad="x" if i == 0 else 85))
    s = read(gpx_doc(pts)).samples
    hr = s["heart_rate_bpm"].tolist()
    assert all(math.isnan(v) for v in hr[:4]) and hr[4] == 150 and math.isnan(hr[5])
    assert math.isnan(s["cadence_spm"].iloc[0]) and (s["cadence_spm"].iloc[1:] == 170).all()


def test_missing_elevation_is_nan_and_zero_zero_position_is_no_position():
    pts = [
        trkpt(0.0, 0.0, iso(0)),  # what some devices write before the first satellite fix
        trkpt(1.0, 1.0, iso(1), ele=12.0),
        trkpt(1.0 + 3 / M_PER_DEG, 1.0, iso(2)),
    ]
    act = read(gpx_doc(pts))
    s = act.samples
    assert math.isnan(s["lat_deg"].iloc[0]) and math.isnan(s["lon_deg"].iloc[0])
    assert math.isnan(s["altitude_m"].iloc[0]) and s["altitude_m"].iloc[1] == 12.0
    # no 157 km jump from (0, 0) to (1, 1)
    assert s["distance_m"].tolist() == pytest.approx([0.0, 0.0, 3.0], abs=1e-6)
    assert any("no usable position" in w for w in act.warnings)


# --------------------------------------------------------------------------------------------
# Segments, tracks, ordering
# --------------------------------------------------------------------------------------------


def test_two_segments_no_distance_across_the_gap_and_stop_start_events():
    seg1 = [trkpt(1.0 + i * 3 / M_PER_DEG, 0.5, iso(i)) for i in range(3)]
    # the second segment resumes 500 m further north, 2 minutes later
    seg2 = [trkpt(1.0 + (500 + i * 3) / M_PER_DEG, 0.5, iso(120 + i)) for i in range(3)]
    act = read(gpx_doc(seg1, seg2))
    s = act.samples
    assert s["distance_m"].tolist() == pytest.approx([0, 3, 6, 6, 9, 12], abs=1e-6)
    assert s["elapsed_s"].tolist() == [0, 1, 2, 120, 121, 122]
    events = [(e.kind, e.time, e.source) for e in act.timer_events]
    assert events == [
        ("start", pd.Timestamp(iso(0)), "segment"),
        ("stop", pd.Timestamp(iso(2)), "segment"),
        ("start", pd.Timestamp(iso(120)), "segment"),
        ("stop", pd.Timestamp(iso(122)), "segment"),
    ]
    assert act.pauses == 1
    assert "2 track segments joined; the gaps between them count as pauses" in act.warnings
    assert act.distance_m == pytest.approx(12.0, abs=1e-6)


def test_empty_segment_is_not_a_pause():
    act = read(gpx_doc(straight_run(3), [], [trkpt(2.0, 0.5, iso(10))]))
    assert act.pauses == 1
    assert "2 track segments joined; the gaps between them count as pauses" in act.warnings


def test_several_tracks_are_joined_with_a_warning():
    t1 = [[trkpt(1.0, 0.5, iso(0)), trkpt(1.0001, 0.5, iso(5))]]
    t2 = [[trkpt(1.01, 0.5, iso(600)), trkpt(1.0101, 0.5, iso(605))]]
    act = read(gpx_doc(tracks=[t1, t2]))
    assert len(act.samples) == 4
    assert act.pauses == 1
    assert "2 tracks joined; the gaps between them count as pauses" in act.warnings
    assert act.distance_m == pytest.approx(2 * 0.0001 * M_PER_DEG, rel=1e-6)


def test_a_point_stamped_earlier_than_the_one_before_is_left_out_and_file_order_kept():
    pts = [
        trkpt(1.0, 0.5, iso(5)),
        trkpt(1.0001, 0.5, iso(0)),  # earlier than the point before it: a clock glitch
        trkpt(1.0002, 0.5, iso(10)),
        trkpt(1.0003, 0.5, iso(10)),  # duplicate time is kept
    ]
    act = read(gpx_doc(pts))
    s = act.samples
    assert len(s) == 3 and act.dropped_samples == 1
    assert s["time"].is_monotonic_increasing
    # re-sorting would send the path back to 1.0001 and invent distance; the file's path order is kept
    assert s["lat_deg"].tolist() == [1.0, 1.0002, 1.0003]
    assert act.start_time == pd.Timestamp(iso(5))
    assert s["elapsed_s"].tolist() == [0, 5, 5]
    assert any("stamped earlier than the one before" in w for w in act.warnings)
    assert s["distance_m"].iloc[-1] == pytest.approx(0.0003 * 111_195.08, rel=1e-3)


def test_a_few_points_without_time_are_left_out_with_a_warning():
    pts = [trkpt(1.0 + i * 1e-4, 0.5, iso(i)) for i in range(150)]
    pts[70] = trkpt(1.007, 0.5, None)
    act = read(gpx_doc(pts))
    assert len(act.samples) == 149 and act.dropped_samples == 1
    assert any("1 of 150 track points have no time and were left out" in w for w in act.warnings)


# --------------------------------------------------------------------------------------------
# Sport
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_text", "sport", "sub_sport"),
    [
        ("running", "running", "generic"),
        ("Running", "running", "generic"),  # Amazfit
        ("run", "running", "generic"),
        ("9", "running", "generic"),  # Strava's code for Run
        (" 9 ", "running", "generic"),
        ("trail_running", "running", "trail"),
        ("treadmill_running", "running", "treadmill"),
        ("1", "cycling", "generic"),
        ("Ride", "cycling", "generic"),
        ("cycling", "cycling", "generic"),
        ("biking", "cycling", "generic"),
        ("10", "walking", "generic"),
        ("walking", "walking", "generic"),
        ("4", "hiking", "generic"),
        ("hiking", "hiking", "generic"),
        ("alpineTour", "alpinetour", "generic"),  # outdooractive: kept as given, lower case
    ],
)
def test_sport_from_track_type(type_text, sport, sub_sport):
    act = read(gpx_doc(straight_run(3), sport=type_text))
    assert (act.sport, act.sub_sport) == (sport, sub_sport)
    assert (act.sessions[0].sport, act.sessions[0].sub_sport) == (sport, sub_sport)
    assert not any("sport" in w for w in act.warnings)


def test_cycling_cadence_is_not_steps():
    act = read(gpx_doc(straight_run(3, ext=lambda i: tpx1(cad=90)), sport="1"))
    assert act.cadence_unit == NOT_STEPS
    assert act.samples["cadence_spm"].isna().all()


def test_no_type_is_generic_with_a_warning():
    act = read(gpx_doc(straight_run(3), sport=None))
    assert (act.sport, act.sub_sport) == ("generic", "generic")
    assert act.warnings == ("the file does not say which sport it is",)


def test_no_type_but_running_cadence_is_inferred_as_running():
    act = read(gpx_doc(straight_run(20, ext=lambda i: tpx1(cad=85)), sport=None))
    assert act.sport == "running"
    assert act.cadence_unit == PER_LEG
    (warning,) = act.warnings
    assert "does not say which sport" in warning and "inferred from its cadence" in warning


def test_no_type_walking_cadence_stays_generic():
    act = read(gpx_doc(straight_run(20, step_m=1.4, ext=lambda i: tpx1(cad=55)), sport=None))
    assert act.sport == "generic"
    assert (act.samples["cadence_spm"] == 110).all()


def test_no_type_bike_speed_with_pedalling_cadence_is_not_called_a_run():
    # 85 rpm doubles to 170 "steps/min", but 8 m/s for the whole ride is no run.
    act = read(gpx_doc(straight_run(20, step_m=8.0, ext=lambda i: tpx1(cad=85)), sport=None))
    assert act.sport == "generic"
    assert act.warnings == ("the file does not say which sport it is",)


def test_no_type_coasting_with_pedalling_cadence_is_not_called_a_run():
    # Town riding at 4.5 m/s, but the cadence drops to 0 while rolling: a cyclist coasting.
    act = read(gpx_doc(straight_run(20, step_m=4.5, ext=lambda i: tpx1(cad=0 if i % 4 == 0 else 85)), sport=None))
    assert act.sport == "generic"


# --------------------------------------------------------------------------------------------
# Device, encodings
# --------------------------------------------------------------------------------------------


def test_device_is_creator_or_unknown():
    assert read(gpx_doc(straight_run(2), creator="StravaGPX")).device == "StravaGPX"
    assert read(gpx_doc(straight_run(2), creator="")).device == "unknown"


def test_utf8_bom_and_declared_latin1_are_read():
    text = gpx_doc(straight_run(3)).replace("Morning Run", "Läufchen")
    assert len(read(b"\xef\xbb\xbf" + text.encode("utf-8")).samples) == 3
    latin = text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1")
    assert len(read(latin).samples) == 3


def test_undeclared_latin1_falls_back_with_a_warning():
    text = gpx_doc(straight_run(3)).replace("Morning Run", "Läufchen")
    act = read(text.encode("latin-1"))
    assert len(act.samples) == 3
    assert any("not valid UTF-8" in w for w in act.warnings)


# --------------------------------------------------------------------------------------------
# Files that are not a recorded activity, or are broken or hostile
# --------------------------------------------------------------------------------------------


def test_missing_time_names_the_count_and_the_first_point():
    pts = [trkpt(1.0, 0.5, iso(0)), trkpt(1.25, 0.75, None), trkpt(1.5, 0.5, None), trkpt(1.6, 0.5, iso(3))]
    with pytest.raises(InputError) as err:
        read(gpx_doc(pts), "notimes.gpx")
    msg = str(err.value)
    assert msg.startswith("notimes.gpx: ")
    assert "2 of 4 track points have no time" in msg
    assert "track 1, segment 1, point 2" in msg and "1.25000, 0.75000" in msg


def test_unparseable_time_counts_as_missing():
    pts = [trkpt(1.0, 0.5, iso(0)), trkpt(1.1, 0.5, "yesterday")]
    with pytest.raises(InputError, match="1 of 2 track points have no time"):
        read(gpx_doc(pts))


def test_a_track_without_any_time_is_called_a_planned_route():
    with pytest.raises(InputError, match="3 of 3 track points have no time.*planned route"):
        read(gpx_doc([trkpt(1.0 + i / 1000, 0.5, None) for i in range(3)]))


def test_route_only_file():
    route = (
        '<?xml version="1.0"?><gpx version="1.1" creator="planner" xmlns="http://www.topografix.com/GPX/1/1">'
        '<rte><name>Sunday long run</name><rtept lat="1.0" lon="2.0"/><rtept lat="1.1" lon="2.0"/></rte></gpx>'
    )
    with pytest.raises(InputError, match="contains a planned route, not a recorded activity") as err:
        read(route, "course.gpx")
    assert str(err.value).startswith("course.gpx: ")


def test_waypoints_only_file():
    wpts = '<gpx version="1.1" creator="x"><wpt lat="1.0" lon="2.0"><name>Water</name></wpt></gpx>'
    with pytest.raises(InputError, match="planned route"):
        read(wpts)


def test_no_points_at_all():
    with pytest.raises(InputError, match="has no track points"):
        read('<gpx version="1.1" creator="x"><trk><trkseg></trkseg></trk></gpx>')


def test_broken_xml_says_where():
    text = gpx_doc(straight_run(3)).replace("</trkseg>", "</trksgx>")
    with pytest.raises(InputError) as err:
        read(text, "broken.gpx")
    msg = str(err.value)
    assert msg.startswith("broken.gpx: is not valid GPX (mismatched tag at line ")
    assert "export it again" in msg


def test_point_without_position_is_explained():
    text = gpx_doc(["<trkpt><time>2024-05-04T07:30:00Z</time></trkpt>", *straight_run(2)])
    with pytest.raises(InputError, match="no lat/lon position"):
        read(text)


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE gpx [\n<!ENTITY a "aaaaaaaaaa">\n<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">\n'
    ']>\n<gpx version="1.1" creator="&b;"><trk><trkseg></trkseg></trk></gpx>'
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<gpx version="1.1" creator="&xxe;"></gpx>'
)


@pytest.mark.parametrize(
    "text",
    [
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        '<?xml version="1.0"?><!doctype gpx><gpx version="1.1"></gpx>',
        '<?xml version="1.0"?><!DOCTYPE gpx SYSTEM "http://example.com/gpx.dtd"><gpx version="1.1"></gpx>',
    ],
)
def test_dtd_and_entities_are_refused_before_parsing(text, monkeypatch):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("gpxpy.parse was called on a file with a DTD")

    monkeypatch.setattr(gpxpy, "parse", must_not_parse)
    with pytest.raises(InputError, match="DTD or XML entities"):
        read(text, "evil.gpx")


def test_too_many_distinct_namespaces_are_refused_before_parsing(monkeypatch):
    n = MAX_XMLNS_DECLARATIONS + 1
    ext = "".join(f'<n{i}:x xmlns:n{i}="urn:ns:{i}">1</n{i}:x>' for i in range(n))
    text = gpx_doc([trkpt(1.0, 0.5, iso(0), ext=ext)])
    monkeypatch.setattr(gpxpy, "parse", lambda *a, **k: pytest.fail("parsed a namespace bomb"))
    with pytest.raises(InputError, match="different XML namespaces"):
        read(text)


def test_stray_xmlns_tokens_are_refused():
    text = gpx_doc(straight_run(2)).replace("<metadata>", "<metadata><desc>" + " xmlns" * 500 + "</desc>")
    with pytest.raises(InputError, match="has 500 malformed .xmlns. marks"):
        read(text)


def test_the_same_declaration_on_every_point_is_fine():
    # Movescount declares gpxtpx again inside every point's extension: 1,000+ times, one namespace.
    ext = lambda i: f'<gpxtpx:TrackPointExtension xmlns:gpxtpx="{NS_TPX1}"><gpxtpx:hr>140</gpxtpx:hr></gpxtpx:TrackPointExtension>'  # noqa: E501, E731
    act = read(gpx_doc(straight_run(3 * MAX_XMLNS_DECLARATIONS, ext=ext)))
    assert len(act.samples) == 3 * MAX_XMLNS_DECLARATIONS
    assert (act.samples["heart_rate_bpm"] == 140).all()


def test_namespace_registrations_do_not_leak_between_files():
    import xml.etree.ElementTree as ElementTree

    before = dict(ElementTree._namespace_map)
    ext = "".join(f'<leak{i}:x xmlns:leak{i}="urn:leak:{i}">1</leak{i}:x>' for i in range(20))
    read(gpx_doc([trkpt(1.0, 0.5, iso(0), ext=ext)]))
    assert dict(ElementTree._namespace_map) == before


def test_clock_not_set_is_refused():
    pts = [trkpt(1.0, 0.5, "1601-01-01T00:00:00Z"), trkpt(1.1, 0.5, iso(0))]
    with pytest.raises(InputError, match="clock was not set"):
        read(gpx_doc(pts))


# --------------------------------------------------------------------------------------------
# Property: any valid recorded track gives a frame that honours the contract
# --------------------------------------------------------------------------------------------

_point = st.tuples(
    st.floats(-89.9, 89.9, allow_nan=False),
    st.floats(-180.0, 180.0, allow_nan=False),
    st.integers(1, 600),  # seconds since the previous point
    st.one_of(st.none(), st.integers(30, 220)),  # heart rate
    st.booleans(),  # starts a new segment
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_point, min_size=1, max_size=40))
def test_property_random_tracks_honour_the_contract(points):
    segments: list[list[str]] = [[]]
    t = 0
    for lat, lon, dt_s, hr, new_segment in points:
        t += dt_s
        if new_segment and segments[-1]:
            segments.append([])
        segments[-1].append(trkpt(lat, lon, iso(t), ext=tpx1(hr=hr) if hr else ""))
    act = read(gpx_doc(*segments))
    s = act.samples
    check_samples(s)
    assert len(s) == len(points)
    d = s["distance_m"].to_numpy()
    assert d[0] == 0.0 and np.all(np.diff(d) >= 0)
    assert np.all(np.diff(s["elapsed_s"].to_numpy()) > 0)
    assert act.pauses == len(segments) - 1
    assert s["heart_rate_bpm"].notna().sum() == sum(1 for p in points if p[3])


# --------------------------------------------------------------------------------------------
# Real files (../shared/corpus)
# --------------------------------------------------------------------------------------------

GPX_ROWS = [r for r in corpus_catalog() if r["kind"] == "gpx"]


def _gpxpy_length_m(path) -> float:
    """Independent answer: gpxpy's own 2-D length, summed per segment (no distance across gaps)."""
    return gpxpy.parse(path.read_text(encoding="utf-8-sig")).length_2d()


@pytest.mark.corpus
def test_corpus_garmin_connect_run(corpus_dir):
    path = corpus_dir / "sports-lib/src/specs/fixtures/runs/gpx/6782987395.gpx"
    act = read_activity(path)
    s = act.samples
    check_samples(s)
    assert (act.sport, act.device, len(s)) == ("running", "Garmin Connect", 4967)
    assert act.cadence_unit == PER_LEG
    assert 150 <= s["cadence_spm"][s["cadence_spm"] > 0].median() <= 190
    assert act.distance_m == pytest.approx(_gpxpy_length_m(path), rel=5e-3)
    hr = s["heart_rate_bpm"]
    assert hr.notna().sum() == 4960  # the file has <ns3:hr> on 4,960 of its 4,967 points
    assert hr.dropna().between(40, 220).all()


@pytest.mark.corpus
def test_corpus_movescount_mixed_extensions(corpus_dir):
    path = corpus_dir / "Runalyze/tests/testfiles/gpx/Movescount-mixed-extensions.gpx"
    act = read_activity(path)
    s = act.samples
    # Garmin hr inside a per-point namespace declaration, cluetrust cadence and speed beside it
    assert s["heart_rate_bpm"].notna().all()
    assert s["cadence_spm"].notna().all()
    assert act.sport == "running"  # no <type>; inferred from cadence
    assert any("inferred from its cadence" in w for w in act.warnings)
    assert s["speed_mps"].iloc[0] == 0.5  # the file's gpxdata:speed, not one from positions


@pytest.mark.corpus
def test_corpus_break_between_segments(corpus_dir):
    path = corpus_dir / "Runalyze/tests/testfiles/gpx/break-between-trkseg.gpx"
    act = read_activity(path)
    assert act.pauses == 2
    assert "3 track segments joined; the gaps between them count as pauses" in act.warnings
    assert act.distance_m == pytest.approx(_gpxpy_length_m(path), rel=5e-3)


@pytest.mark.corpus
@pytest.mark.parametrize("row", GPX_ROWS, ids=[r["local_path"] for r in GPX_ROWS])
def test_corpus_every_gpx_reads_or_says_why(corpus_dir, row):
    """Real files either read into a valid frame or raise InputError; anything else is a reader bug.

    `read_gpx` is called directly because `read_activity` turns unforeseen errors into InputError.
    """
    data = (corpus_dir / row["local_path"]).read_bytes()
    name = row["local_path"].rsplit("/", 1)[-1]
    try:
        act = read_gpx(data, name, sha256_hex(data))
    except InputError as exc:
        assert str(exc).startswith(name + ": ")
        return
    check_samples(act.samples)
    assert len(act.samples) > 0
    assert act.samples["distance_m"].is_monotonic_increasing
    assert act.samples["time"].is_monotonic_increasing
