"""The TCX reader (issue 19): the fast lxml path against the ElementTree reference, and what real TCX does.

Test files are written by `tcx_from_records` (tests/fit_fixtures.py) from the same records the FIT and GPX
tests use, so sample counts and distances are checked against what was written. Every file read here goes
through both readers: "equal" is the same samples frame (timestamps exact, floats to 1e-9 relative, NaN
where NaN), the same metadata, timer events, sessions, warnings, dropped samples and cadence unit, and the
same refusal words; only `reader` differs ("lxml" vs "elementtree"). The corpus TCX files are compared the
same way (tests/test_corpus.py checks what they contain).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ADMIN, CORPUS_DIR, corpus_catalog
from fit_fixtures import (
    START,
    TCX_NS,
    TPX_NS,
    Stretch,
    fit_from_records,
    records_for,
    tcx_from_records,
    with_pause,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import InputError
from analysis.io import cadence as cadence_units
from analysis.io import read_activity, tcx_fast
from analysis.io.samples import check_samples
from analysis.io.source import find_activity_files
from analysis.io.tcx import MAX_TCX_TAGS, NAT, number, parse_time, read_tcx
from analysis.io.tcx_fast import numbers, parse_times, read_tcx_fast
from analysis.metrics import run_metrics

FALLBACK_NOTE = "the fast TCX reader did not handle this file"
METADATA = (
    "sport", "sub_sport", "start_time", "utc_offset_s", "device", "source_format", "file_name", "file_sha256",
    "cadence_unit", "timer_events", "sessions", "warnings", "dropped_samples", "perceived_effort", "feel",
)  # fmt: skip
RUN = [Stretch(1200, 3.2), Stretch(900, 3.0, cadence_per_leg=84.0, heart_rate_bpm=158),
       Stretch(600, 2.9, cadence_per_leg=83.0, heart_rate_bpm=165)]  # 45 min: eligible for every metric


def outcome(reader, data: bytes, name: str):
    """(activity, None) or (None, the InputError message)."""
    try:
        return reader(data, name, hashlib.sha256(data).hexdigest()), None
    except InputError as exc:
        return None, str(exc)


def assert_same_activity(fast, ref) -> None:
    assert ref.reader == "elementtree"
    assert fast.reader == "lxml", fast.warnings[-1:]
    for name in METADATA:
        assert getattr(fast, name) == getattr(ref, name), name
    check_samples(fast.samples)
    assert fast.samples["time"].equals(ref.samples["time"])  # exact, to the nanosecond
    pd.testing.assert_frame_equal(fast.samples, ref.samples, check_exact=False, rtol=1e-9, atol=0.0)


def same(data: bytes, name: str = "run.tcx"):
    """Both readers refuse with the same words, or both read the same activity (fast path, no fallback).

    Returns the reference's activity, or None when both refused.
    """
    ref, ref_error = outcome(read_tcx, data, name)
    fast, fast_error = outcome(read_tcx_fast, data, name)
    assert fast_error == ref_error
    if ref is not None:
        assert_same_activity(fast, ref)
    return ref


def read(data: bytes, name: str = "run.tcx"):
    """The activity both readers agree on (the test fails if either refuses)."""
    activity = same(data, name)
    assert activity is not None, outcome(read_tcx, data, name)[1]
    return activity


def refusal(data: bytes, name: str = "run.tcx") -> str:
    """The refusal both readers give (the test fails if either reads the file)."""
    assert same(data, name) is None
    return outcome(read_tcx, data, name)[1]


def run_records(stretches=RUN, **kwargs) -> list[dict]:
    return records_for(stretches, **kwargs)


# --------------------------------------------------------------------------------------------
# A Garmin Connect export, channel by channel, against what was written
# --------------------------------------------------------------------------------------------


def test_a_run_reads_back_what_was_written():
    records = run_records(altitude_m=40.0)
    for r in records:
        r["power"] = 260
    activity = read(tcx_from_records(records, lap_starts=range(0, len(records), 1000)))
    s = activity.samples
    assert len(s) == len(records) and activity.dropped_samples == 0
    assert activity.source_format == "tcx" and activity.sport == "running" and activity.sub_sport == "generic"
    assert activity.device == "Forerunner 945"
    assert activity.start_time == pd.Timestamp(START) and activity.utc_offset_s is None
    assert activity.cadence_unit == cadence_units.PER_LEG
    assert activity.distance_m == pytest.approx(records[-1]["distance"] - records[0]["distance"], abs=1e-3)
    np.testing.assert_allclose(s["distance_m"], [r["distance"] for r in records], atol=5e-4)
    np.testing.assert_allclose(s["speed_mps"], [r["enhanced_speed"] for r in records], atol=5e-4)
    np.testing.assert_allclose(s["lat_deg"], [r["position_lat"] for r in records], atol=1e-9)
    np.testing.assert_allclose(s["altitude_m"], [r["enhanced_altitude"] for r in records], atol=5e-4)
    assert s["heart_rate_bpm"].tolist() == [float(r["heart_rate"]) for r in records]
    assert s["cadence_spm"].tolist() == [2.0 * int(r["cadence"]) for r in records]  # TCX cadence is whole
    assert s["power_w"].eq(260).all()
    assert activity.pauses == 0 and [e.kind for e in activity.timer_events] == ["start", "stop"]
    assert activity.warnings == ()


def test_the_same_run_as_fit_and_tcx_gives_the_same_metrics():
    records = run_records()
    for r in records:
        r["fractional_cadence"] = 0.0  # TCX writes whole cadence; the FIT copy says the same
    tcx = read(tcx_from_records(records, lap_starts=(0, 1200, 2100)))
    fit = read_activity(fit_from_records(records), filename="run.fit")
    assert len(tcx.samples) == len(fit.samples)
    assert tcx.distance_m == pytest.approx(fit.distance_m, abs=0.01)
    mt, mf = run_metrics(tcx), run_metrics(fit)
    assert mt.eligible and mf.eligible
    for name in ("moving_time_s", "pace_decay_pct", "cadence_drift_spm", "decoupling_pct", "baseline_cadence_spm"):
        assert getattr(mt, name) == pytest.approx(getattr(mf, name), rel=1e-3, abs=1e-3), name
    assert mt.pace_decay_pct > 5 and mt.cadence_drift_spm < 0  # the planted fade


@pytest.mark.parametrize(
    "leading",
    [b"\n", b"\n\n          ", b"\r\n\t ", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n  ", b"  \n\xef\xbb\xbf"],
    ids=["newline", "strava-indent", "crlf-tab", "bom", "bom-newline", "newline-bom"],
)
def test_whitespace_or_a_bom_before_the_declaration(leading):
    records = run_records([Stretch(120, 3.0)])
    plain = read(tcx_from_records(records))
    data = tcx_from_records(records, leading=leading)
    activity = read(data)
    pd.testing.assert_frame_equal(activity.samples, plain.samples)
    assert read_activity(data, filename="strava.tcx").reader == "lxml"  # recognised by content too


@pytest.mark.parametrize(
    ("tcd_prefix", "tpx_prefix"),
    [(None, "ns3"), (None, "x"), (None, None), ("tcd", "ns3"), ("tcd", None), ("ns0", "ae")],
)
def test_namespaces_are_matched_by_uri_whatever_the_prefix(tcd_prefix, tpx_prefix):
    records = run_records([Stretch(90, 3.0)])
    expected = read(tcx_from_records(records)).samples
    activity = read(tcx_from_records(records, tcd_prefix=tcd_prefix, tpx_prefix=tpx_prefix))
    pd.testing.assert_frame_equal(activity.samples, expected)
    assert activity.samples["cadence_spm"].eq(170).all() and activity.samples["speed_mps"].eq(3.0).all()


def test_a_prefix_bound_to_another_namespace_is_not_the_extension():
    records = run_records([Stretch(90, 3.0)])
    data = tcx_from_records(records).replace(f'xmlns:ns3="{TPX_NS}"'.encode(), b'xmlns:ns3="urn:someone:else"')
    activity = read(data)
    assert activity.samples["cadence_spm"].isna().all() and activity.cadence_unit == cadence_units.NONE
    assert activity.samples["speed_mps"].to_numpy() == pytest.approx(3.0)  # from DistanceMeters, not TPX


def test_a_file_without_namespaces_is_read():
    records = run_records([Stretch(90, 3.0)])
    data = tcx_from_records(records, tpx_prefix=None)
    data = data.replace(f' xmlns="{TCX_NS}"'.encode(), b"").replace(f' xmlns="{TPX_NS}"'.encode(), b"")
    assert b"xmlns=" not in data
    activity = read(data)
    assert len(activity.samples) == 90 and activity.samples["cadence_spm"].eq(170).all()


def test_foreign_elements_and_lap_values_are_never_samples():
    records = run_records([Stretch(60, 3.0)])
    data = tcx_from_records(records, cadence="Cadence")  # lap-level <Cadence>, <DistanceMeters>, <Value> too
    junk = (
        b"<ns3:Speed xmlns:ns3='urn:other'>99</ns3:Speed><Notes>DistanceMeters 5</Notes>"
        b"<Extensions><Other xmlns='urn:x'><Speed>77</Speed></Other></Extensions>"
    )
    data = data.replace(b"<HeartRateBpm>", junk + b"<HeartRateBpm>", 5)
    activity = read(data)
    s = activity.samples
    assert len(s) == 60
    assert s["speed_mps"].max() == pytest.approx(3.0) and s["cadence_spm"].eq(170).all()
    assert s["heart_rate_bpm"].eq(150).all()


def test_the_first_element_of_a_name_counts():
    records = run_records([Stretch(30, 3.0)])
    data = tcx_from_records(records)
    doubled = data.replace(b"<HeartRateBpm><Value>150</Value></HeartRateBpm>",
                           b"<HeartRateBpm><Value>150</Value><Value>99</Value></HeartRateBpm>"
                           b"<HeartRateBpm><Value>98</Value></HeartRateBpm>", 1)
    doubled = doubled.replace(b"<ns3:RunCadence>85</ns3:RunCadence>",
                              b"<ns3:RunCadence>85</ns3:RunCadence><ns3:RunCadence>40</ns3:RunCadence>", 1)
    doubled = doubled.replace(b"</Extensions>", b"</Extensions><Extensions><ns3:TPX><ns3:Watts>500</ns3:Watts>"
                              b"</ns3:TPX></Extensions>", 1)
    activity = read(doubled)
    assert activity.samples["heart_rate_bpm"].iloc[0] == 150 and activity.samples["cadence_spm"].iloc[0] == 170
    assert activity.samples["power_w"].isna().all()


# --------------------------------------------------------------------------------------------
# Cadence: per leg or steps, decided per file as for FIT and GPX
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("element", ["RunCadence", "Cadence"])
def test_per_leg_cadence_is_doubled(element):
    activity = read(tcx_from_records(run_records([Stretch(300, 3.0, cadence_per_leg=88.0)]), cadence=element))
    assert activity.cadence_unit == cadence_units.PER_LEG and activity.samples["cadence_spm"].eq(176).all()


@pytest.mark.parametrize("element", ["RunCadence", "Cadence"])
def test_a_footpod_writing_steps_is_kept(element):
    activity = read(tcx_from_records(run_records([Stretch(300, 3.0, cadence_per_leg=172.0)]), cadence=element))
    assert activity.cadence_unit == cadence_units.STEPS and activity.samples["cadence_spm"].eq(172).all()


def test_run_cadence_wins_over_a_plain_cadence():
    records = run_records([Stretch(60, 3.0, cadence_per_leg=86.0)])
    data = tcx_from_records(records).replace(b"<HeartRateBpm>", b"<Cadence>60</Cadence><HeartRateBpm>")
    assert read(data).samples["cadence_spm"].eq(172).all()


def test_pedalling_cadence_of_a_ride_is_not_steps():
    activity = read(tcx_from_records(run_records([Stretch(300, 8.0, cadence_per_leg=90.0)]), sport="Biking",
                                     cadence="Cadence"))
    assert activity.sport == "cycling" and activity.cadence_unit == cadence_units.NOT_STEPS
    assert activity.samples["cadence_spm"].isna().all()


# --------------------------------------------------------------------------------------------
# Trackpoints: treadmills, time-only points, laps, pauses
# --------------------------------------------------------------------------------------------


def test_a_treadmill_run_without_positions_is_kept():
    records = run_records([Stretch(600, 2.8)])
    activity = read(tcx_from_records(records, positions=False))
    s = activity.samples
    assert len(s) == 600 and s["lat_deg"].isna().all() and s["lon_deg"].isna().all()
    assert activity.distance_m == pytest.approx(records[-1]["distance"], abs=1e-3)
    assert activity.warnings == ()


def test_trackpoints_with_only_a_time_are_left_out():
    records = run_records([Stretch(100, 3.0)])
    data = tcx_from_records(records, pretty=False)
    marker = "<Trackpoint><Time>{}</Time></Trackpoint>"
    points = data.split(b"<Trackpoint>")
    # Garmin writes a time-only trackpoint at each lap start; here before points 0, 40 and 70
    for k in (70, 40, 1):
        stamp = re.search(rb"<Time>([^<]+)</Time>", points[k]).group(1).decode()
        points.insert(k, marker.format(stamp).encode()[len(b"<Trackpoint>"):])
    activity = read(b"<Trackpoint>".join(points))
    assert len(activity.samples) == 100 and activity.dropped_samples == 3
    assert activity.distance_m == pytest.approx(records[-1]["distance"], abs=1e-3)


def test_several_laps_are_one_run_without_pauses():
    records = run_records([Stretch(1800, 3.0)])
    activity = read(tcx_from_records(records, lap_starts=range(0, 1800, 333)))
    assert len(activity.samples) == 1800 and activity.pauses == 0
    assert activity.distance_m == pytest.approx(records[-1]["distance"], abs=1e-3)
    assert [s.kept for s in activity.sessions] == [True]


@pytest.mark.parametrize("as_new_track", [True, False], ids=["new-track", "time-gap"])
def test_a_pause_is_a_timer_stop_and_not_moving_time(as_new_track):
    paused, (stop, restart) = with_pause(run_records([Stretch(1900, 3.0)]), after=999, seconds=240)
    track_starts = (1000,) if as_new_track else ()
    activity = read(tcx_from_records(paused, lap_starts=(0, 1500), track_starts=track_starts))
    assert len(activity.samples) == len(paused)
    assert activity.pauses == 1
    kinds = [(e.kind, e.time, e.source) for e in activity.timer_events]
    assert kinds[1:3] == [("stop", pd.Timestamp(stop), "segment"), ("start", pd.Timestamp(restart), "segment")]
    assert activity.distance_m == pytest.approx(paused[-1]["distance"], abs=1e-3)
    m = run_metrics(activity)
    assert m.elapsed_time_s == pytest.approx(1899 + 240)
    assert m.moving_time_s == pytest.approx(1899, abs=1)
    which = "new track within a lap" if as_new_track else "gap of more than 15 s"
    assert any(which in w for w in activity.warnings), activity.warnings


def test_no_distance_is_invented_across_a_timer_stop_when_it_comes_from_positions():
    records = run_records([Stretch(600, 3.0)])
    moved = [dict(r, position_lat=r["position_lat"] + (0.01 if i >= 300 else 0.0)) for i, r in enumerate(records)]
    activity = read(tcx_from_records(moved, distance=False, track_starts=(300,)))
    assert activity.distance_m == pytest.approx(records[-1]["distance"] - 3.0, rel=1e-4)  # the 1.1 km jump is out
    assert any("computed from the GPS positions" in w for w in activity.warnings)


def test_missing_distances_are_filled_from_positions():
    records = run_records([Stretch(300, 3.0)])
    data = tcx_from_records(records)
    for k in (0, 1, 2, 150, 151, 298, 299):
        data = data.replace(f"<DistanceMeters>{records[k]['distance']:.3f}</DistanceMeters>".encode(), b"", 1)
    activity = read(data)
    np.testing.assert_allclose(activity.samples["distance_m"], [r["distance"] for r in records], atol=0.01)
    assert any("7 of 300 trackpoints record no distance" in w for w in activity.warnings)


# --------------------------------------------------------------------------------------------
# Sport, device, times
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "sport"), [("Running", "running"), ("running", "running"), ("Biking", "cycling"),
                           ("Walking", "walking")],
)
def test_sport_names(written, sport):
    assert read(tcx_from_records(run_records([Stretch(120, 3.0)]), sport=written)).sport == sport


def test_other_that_moves_like_a_run_is_a_run_with_the_fit_warning():
    activity = read(tcx_from_records(run_records([Stretch(600, 3.0)]), sport="Other"))
    assert activity.sport == "running"
    assert ("The file labels the sport 'Other', but its speed and cadence are those of running; "
            "treated as a run.") in activity.warnings
    fit = read_activity(fit_from_records(run_records([Stretch(600, 3.0)]), sport="generic"), filename="g.fit")
    assert fit.sport == "running" and any("'generic', but its speed and cadence" in w for w in fit.warnings)


def test_other_that_walks_stays_other():
    activity = read(tcx_from_records(run_records([Stretch(600, 1.3, cadence_per_leg=55.0)]), sport="Other"))
    assert activity.sport == "generic"


def test_no_sport_says_so():
    activity = read(tcx_from_records(run_records([Stretch(120, 1.3, cadence_per_leg=55.0)]), sport=None))
    assert activity.sport == "generic" and "the file does not say which sport it is" in activity.warnings


def test_creator_name_is_the_device():
    assert read(tcx_from_records(run_records([Stretch(30, 3.0)]), creator=" Polar V800 ")).device == "Polar V800"
    assert read(tcx_from_records(run_records([Stretch(30, 3.0)]), creator=None)).device == "unknown"


@pytest.mark.parametrize(("offset_s", "digits"), [(7200, 0), (-19800, 3), (0, 6), (3600, 9)])
def test_local_times_with_an_offset_are_utc_and_give_the_offset(offset_s, digits):
    records = run_records([Stretch(60, 3.0)])
    activity = read(tcx_from_records(records, offset_s=offset_s, fraction_digits=digits))
    assert activity.start_time == pd.Timestamp(START)
    assert activity.utc_offset_s == offset_s
    assert activity.local_start_time == pd.Timestamp(START + timedelta(seconds=offset_s)).tz_localize(None)
    assert activity.samples["time"].iloc[-1] == pd.Timestamp(START + timedelta(seconds=59))


def test_z_times_have_no_local_offset():
    assert read(tcx_from_records(run_records([Stretch(60, 3.0)]), fraction_digits=0)).utc_offset_s is None


def test_fractional_seconds_are_kept_to_the_microsecond():
    data = tcx_from_records(run_records([Stretch(3, 3.0)]), fraction_digits=0)
    data = data.replace(b"06:30:01Z", b"06:30:01.123456789Z").replace(b"06:30:02Z", b"06:30:02.5+00:00")
    times = read(data).samples["time"]
    assert times.iloc[1] == pd.Timestamp("2026-03-02T06:30:01.123456Z")
    assert times.iloc[2] == pd.Timestamp("2026-03-02T06:30:02.5Z")


# --------------------------------------------------------------------------------------------
# Several activities, refusals, fallbacks
# --------------------------------------------------------------------------------------------


def _two_activities(second_sport: str) -> bytes:
    run = tcx_from_records(run_records([Stretch(600, 3.0)]))
    ride = tcx_from_records(run_records([Stretch(300, 8.0)], start=START + timedelta(hours=1)), sport=second_sport)
    body = re.search(rb"<Activity .*</Activity>", ride, re.S).group(0)
    return run.replace(b"</Activity></Activities>", b"</Activity>" + body + b"</Activities>")


def test_a_multisport_file_keeps_the_running_activities():
    activity = read(_two_activities("Biking"))
    assert activity.sport == "running" and len(activity.samples) == 600
    assert [(s.sport, s.kept) for s in activity.sessions] == [("running", True), ("cycling", False)]
    assert any(w.startswith("Multisport file (2 activities: running, cycling)") for w in activity.warnings)


def test_two_runs_in_one_file_are_joined_with_a_pause_between():
    activity = read(_two_activities("Running"))
    assert len(activity.samples) == 900 and activity.pauses == 1 and len(activity.sessions) == 2


@pytest.mark.parametrize(
    ("label", "edit", "needle"),
    [
        ("course", lambda d: re.sub(rb"<Activities>.*</Activities>", b"<Courses><Course><Name>loop</Name><Track>"
                                    b"<Trackpoint><Time>2026-03-02T06:30:00Z</Time></Trackpoint></Track></Course>"
                                    b"</Courses>", d, flags=re.S), "course"),
        ("empty", lambda d: re.sub(rb"<Lap .*</Lap>", b"", d, flags=re.S), "without any trackpoints"),
        ("times only", lambda d: re.sub(rb"<(Position|AltitudeMeters|DistanceMeters|HeartRateBpm|Extensions)>"
                                        rb".*?</\1>", b"", d, flags=re.S), "beyond its time"),
        ("untimed", lambda d: d.replace(b"<Time>", b"<When>").replace(b"</Time>", b"</When>"), "no readable time"),
        ("clock not set", lambda d: d.replace(b"2026-03-02", b"1601-01-01"), "clock was not set"),
        ("not tcx", lambda d: d.replace(b"TrainingCenterDatabase>", b"TrainingCentre>")
         .replace(b"<TrainingCenterDatabase ", b"<TrainingCentre "), "is not a TCX activity"),
        ("version 1", lambda d: d.replace(b"TrainingCenterDatabase/v2\"", b"TrainingCenterDatabase/v1\""),
         "schema we do not read"),
        ("broken xml", lambda d: d.replace(b"</Trackpoint>", b"</Trackpont>", 1), "is not valid TCX"),
        ("deep", lambda d: d.replace(b"<Notes>", b"").replace(b"<Extensions>", b"<Extensions>" + b"<a>" * 300
                                     + b"</a>" * 300, 1), "more than 256 deep"),
    ],
)
def test_refusals_are_the_same(label, edit, needle):
    message = refusal(edit(tcx_from_records(run_records([Stretch(100, 3.0)]))), f"{label}.tcx")
    assert message.startswith(f"{label}.tcx: ") and needle in message


def test_a_few_untimed_trackpoints_are_left_out_with_a_warning():
    data = tcx_from_records(run_records([Stretch(300, 3.0)]))
    data = data.replace(b"<Time>2026-03-02T06:31:00.000Z</Time>", b"<Time>soon</Time>")
    activity = read(data)
    assert len(activity.samples) == 299 and activity.dropped_samples == 1
    assert "1 of 300 trackpoints have no readable time and were left out." in activity.warnings


def test_a_declared_single_byte_encoding_is_not_decoded_twice():
    data = tcx_from_records(run_records([Stretch(30, 3.0)]), creator="Läufer®").decode()
    data = data.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1")
    assert read(data).device == "Läufer®"


def test_an_unexpected_error_in_the_fast_path_falls_back(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(tcx_fast, "parse_times", broken)
    data = tcx_from_records(run_records([Stretch(30, 3.0)]))
    fast, _ = outcome(read_tcx_fast, data, "bug.tcx")
    ref, _ = outcome(read_tcx, data, "bug.tcx")
    assert fast.reader == "elementtree" and fast.warnings[:-1] == ref.warnings
    assert fast.warnings[-1].startswith(FALLBACK_NOTE) and "RuntimeError: simulated bug" in fast.warnings[-1]
    pd.testing.assert_frame_equal(fast.samples, ref.samples)


def test_a_file_libxml2_refuses_but_expat_reads_falls_back_with_a_warning():
    data = tcx_from_records(run_records([Stretch(30, 3.0)])).replace(b'version="1.0"', b'version="2.0"', 1)
    ref, _ = outcome(read_tcx, data, "v2.tcx")
    fast, _ = outcome(read_tcx_fast, data, "v2.tcx")
    assert ref.reader == fast.reader == "elementtree"
    assert FALLBACK_NOTE in fast.warnings[-1] and "lxml" in fast.warnings[-1]
    pd.testing.assert_frame_equal(fast.samples, ref.samples)


def test_the_tag_cap_is_checked_before_parsing(monkeypatch):
    import analysis.io.tcx as tcx_module

    monkeypatch.setattr(tcx_module, "MAX_TCX_TAGS", 1000)
    monkeypatch.setattr(tcx_fast.etree, "fromstring", lambda *a, **k: pytest.fail("lxml parsed a refused file"))
    data = tcx_from_records(run_records([Stretch(100, 3.0)]))
    assert data.count(b"<") > 1000 > MAX_TCX_TAGS / 10_000
    for reader in (read_tcx, read_tcx_fast):
        with pytest.raises(InputError, match="tags"):
            reader(data, "long.tcx", "0")


# --------------------------------------------------------------------------------------------
# read_activity, gzip, folders and the ingest
# --------------------------------------------------------------------------------------------


def test_read_activity_backends():
    data = tcx_from_records(run_records([Stretch(60, 3.0)]))
    assert read_activity(data).reader == "lxml"
    assert read_activity(data, backend="elementtree").reader == "elementtree"
    assert read_activity(data, backend="reference").reader == "elementtree"
    assert read_activity(data, backend="gpxpy").reader == "lxml"  # a GPX backend: TCX stays on its fast path


def test_a_gzipped_tcx_is_read_with_the_identity_of_its_content(tmp_path):
    data = tcx_from_records(run_records([Stretch(60, 3.0)]), leading=b"\n  ")
    path = tmp_path / "12345.tcx.gz"
    path.write_bytes(gzip.compress(data))
    activity = read_activity(path)
    assert len(activity.samples) == 60 and activity.file_name == "12345.tcx.gz"
    assert activity.file_sha256 == hashlib.sha256(data).hexdigest()


def test_a_gzip_bomb_is_refused_by_read_activity():
    bomb = gzip.compress(b" " * 50_000_000, compresslevel=9)  # 50 MB of spaces in ~50 KB
    with pytest.raises(InputError, match="times its size"):
        read_activity(bomb, filename="bomb.tcx.gz")


def test_find_activity_files_picks_tcx_and_gzipped_files(tmp_path):
    for name in ("a.tcx", "b.TCX", "c.tcx.gz", "d.FIT.GZ", "e.gpx", "notes.txt", "f.gz", "g.tcx.zip"):
        (tmp_path / "x" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "x" / name).write_bytes(b"")
    assert [p.name for p in find_activity_files(tmp_path)] == ["a.tcx", "b.TCX", "c.tcx.gz", "d.FIT.GZ", "e.gpx"]


def test_a_strava_export_with_tcx_gz_is_imported(tmp_path):
    from analysis.ingest.pipeline import ingest
    from analysis.store import Store

    records = run_records()
    export = io.BytesIO()
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("activities/111.tcx.gz", gzip.compress(tcx_from_records(records, leading=b"\n    ")))
        archive.writestr("activities/112.tcx", tcx_from_records(records[:600], sport="Biking"))
    with Store(tmp_path / "store") as store:
        report = ingest([("export.zip", export.getvalue())], athlete="Ana", store=store, viewer=ADMIN, workers=1)
        rows = report.set_index("file")
        assert rows.loc["export.zip/activities/111.tcx.gz", "status"] == "imported"
        assert rows.loc["export.zip/activities/112.tcx", "status"] == "skipped"
        assert "cycling" in rows.loc["export.zip/activities/112.tcx", "reason"]
        runs = store.runs(ADMIN)
        assert len(runs) == 1 and runs["source_format"].iloc[0] == "tcx"


# --------------------------------------------------------------------------------------------
# The corpus: every TCX file, both readers
# --------------------------------------------------------------------------------------------

TCX_ROWS = [r for r in corpus_catalog() if r["kind"] == "tcx"]


@pytest.mark.corpus
@pytest.mark.timeout(30)
@pytest.mark.parametrize("row", TCX_ROWS, ids=[r["local_path"] for r in TCX_ROWS])
def test_corpus_file_gives_the_same_activity_or_refusal(corpus_dir, row):
    data = (CORPUS_DIR / row["local_path"]).read_bytes()
    name = Path(row["local_path"]).name
    ref, ref_error = outcome(read_tcx, data, name)
    fast, fast_error = outcome(read_tcx_fast, data, name)
    assert fast_error == ref_error
    if ref is not None:
        assert_same_activity(fast, ref)
        assert not any(FALLBACK_NOTE in w for w in fast.warnings)


@pytest.mark.corpus
def test_corpus_has_tcx_files_read_by_both(corpus_dir):
    read_count = sum(outcome(read_tcx_fast, (CORPUS_DIR / r["local_path"]).read_bytes(), "x.tcx")[0] is not None
                     for r in TCX_ROWS)
    assert len(TCX_ROWS) >= 14 and read_count >= 13, (len(TCX_ROWS), read_count)


# --------------------------------------------------------------------------------------------
# Conversions in bulk against the reference's one by one
# --------------------------------------------------------------------------------------------


def assert_times_match(texts: list[str | None]) -> None:
    expected = [parse_time(t) for t in texts]
    got_us, got_offset = parse_times(texts)
    assert got_us.dtype == np.int64 and got_offset.dtype == np.float64
    for text, (us, offset), g_us, g_offset in zip(texts, expected, got_us, got_offset, strict=True):
        assert g_us == us, text
        assert (np.isnan(offset) and np.isnan(g_offset)) or g_offset == offset, text


def test_parse_time_known_cases():
    assert parse_time("2023-05-01T07:00:00+02:00") == (
        int(datetime(2023, 5, 1, 5, tzinfo=UTC).timestamp()) * 1_000_000, 7200.0)
    us, offset = parse_time("2023-05-01T05:00:00.1234567Z")
    assert us == int(datetime(2023, 5, 1, 5, tzinfo=UTC).timestamp()) * 1_000_000 + 123456 and np.isnan(offset)
    assert parse_time("2023-05-01T05:00:00")[0] == parse_time("2023-05-01T05:00:00Z")[0]  # no zone: UTC
    assert parse_time("2023-05-01T05:00:00-0530")[1] == -19800.0
    for bad in (None, "", "2023-02-29T00:00:00Z", "2023-05-01T24:00:00Z", "2023-05-01T23:59:60Z",
                "2023-05-01T05:00:00+24:00", "yesterday", "2023-05-01", "٢٠٢٣-05-01T05:00:00Z"):
        assert parse_time(bad)[0] == NAT, bad
    assert_times_match([
        None, "2024-05-04T07:30:00Z", "2024-05-04T07:30:00.5Z", "2024-05-04T07:30:00.123456789+02:00",
        "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2024-04-31T12:00:00Z", "2024-13-01T00:00:00Z",
        "2024-00-10T00:00:00Z", "2024-05-04T24:00:00Z", "2024-05-04T23:60:00Z", "2024-05-04T23:59:60Z",
        "0000-01-01T00:00:00Z", "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00",
        "2024-05-04T07:30:00+25:00", "2024-05-04T07:30:00+05:", "2024-05-04T07:30:00+0530", "2024-05-04T07:30:00+01",
        " 2024-05-04T07:30:00Z", "2024-05-04T07:30:00Z\n", "\n\t2024-05-04T07:30:00Z\n  ", "2024-05-04 07:30:00",
        "2024-05-04t07:30:00z", "2024-05-04T07:30:00." + "1" * 30 + "Z", "x" * 100, "2024-05-04T07:30:00−02:00",
    ])


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
    st.sampled_from([("", ""), (" ", ""), ("", " "), ("", "\n"), ("\n\t", "\n")]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _time_text), min_size=1, max_size=30))
def test_parse_times_agrees_with_parse_time_on_random_texts(texts):
    assert_times_match(texts)


_number_text = st.one_of(
    st.integers(-5, 300).map(str),
    st.floats(-10, 300, allow_nan=False).map(lambda x: f"{x:.3f}"),
    st.sampled_from(["", " 140 ", "\n 12.5\n", "abc", "nan", "inf", "-inf", "1e2", "1_0", "0x10", "1,5", "٣"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), _number_text), max_size=30))
def test_numbers_agree_with_number_on_random_texts(texts):
    expected = np.array([number(t) for t in texts], dtype=np.float64)
    np.testing.assert_array_equal(numbers(texts), expected)


# --------------------------------------------------------------------------------------------
# Random small TCX documents: both readers, same answer
# --------------------------------------------------------------------------------------------

_value = st.one_of(st.none(), _number_text)


def _element(tag: str, value: str | None) -> str:
    return f"<{tag}/>" if value is None else f"<{tag}>{value}</{tag}>"


@st.composite
def _trackpoint(draw, t: float, zone: str, x: str, odd: bool) -> str:
    parts = []
    stamp = (START + timedelta(seconds=t)).strftime("%Y-%m-%dT%H:%M:%S") + zone
    if odd and draw(st.integers(0, 4)) == 0:
        stamp = draw(st.one_of(st.none(), _time_text))
    if stamp is not None:
        parts.append(f"<Time>{stamp}</Time>")
    if draw(st.integers(0, 4)):
        lat = draw(st.one_of(st.floats(-89, 89).map(lambda v: f"{v:.6f}"), _number_text))
        lon = draw(st.floats(-179, 179).map(lambda v: f"{v:.6f}"))
        parts.append(f"<Position><LatitudeDegrees>{lat}</LatitudeDegrees><LongitudeDegrees>{lon}"
                     "</LongitudeDegrees></Position>")
    for tag in ("AltitudeMeters", "DistanceMeters", "Cadence", "SensorState"):
        if draw(st.integers(0, 2)) == 0:
            parts.append(_element(tag, draw(_value)))
    if draw(st.booleans()):
        parts.append(f"<HeartRateBpm>{_element('Value', draw(_value))}</HeartRateBpm>")
    if draw(st.booleans()):
        kids = draw(st.lists(st.builds(_element, st.sampled_from([f"{x}Speed", f"{x}RunCadence", f"{x}Watts",
                                                                  f"{x}Other", "Speed"]), _value), max_size=4))
        tpx_open = f"<{x}TPX>" if x else f'<TPX xmlns="{TPX_NS}">'
        parts.append(f"<Extensions>{tpx_open}{''.join(kids)}</{x}TPX></Extensions>")
    if draw(st.integers(0, 10)) == 0:
        parts.insert(draw(st.integers(0, len(parts))), "<!-- c -->")
    return "<Trackpoint>" + "".join(draw(st.permutations(parts))) + "</Trackpoint>"


@st.composite
def tcx_documents(draw) -> bytes:
    """A small TCX document: laps, tracks (some empty), odd times and values now and then."""
    odd = draw(st.integers(0, 3)) == 0
    x = draw(st.sampled_from(["ns3:", "ae:", ""]))
    zone = draw(st.sampled_from(["Z", "", "+02:00", ".500Z"]))
    step = draw(st.integers(1, 5))
    t = 0.0
    activities = []
    for _ in range(draw(st.sampled_from([1, 1, 1, 2]))):
        laps = []
        for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2, 3]))):
            tracks = []
            for _ in range(draw(st.sampled_from([0, 1, 1, 1, 1, 2]))):
                points = []
                for _ in range(draw(st.sampled_from([0, *range(1, 9), *range(5, 12)]))):
                    t += step * draw(st.sampled_from([1, 1, 1, 1, 1, 0, -1, 30]))
                    points.append(draw(_trackpoint(t, zone, x, odd)))
                tracks.append("<Track>" + "".join(points) + "</Track>")
            head = "<TotalTimeSeconds>60</TotalTimeSeconds><DistanceMeters>100</DistanceMeters>"
            laps.append(f'<Lap StartTime="2026-03-02T06:30:00Z">{head}{"".join(tracks)}</Lap>')
        sport = draw(st.sampled_from([None, "Running", "Other", "Biking", ""]))
        sport_attr = "" if sport is None else f' Sport="{sport}"'
        creator = draw(st.sampled_from(["", "<Creator><Name>Forerunner 945</Name></Creator>", "<Creator/>"]))
        activities.append(f"<Activity{sport_attr}><Id>x</Id>{''.join(laps)}{creator}</Activity>")
    declaration = f' xmlns:{x[:-1]}="{TPX_NS}"' if x else ""
    leading = draw(st.sampled_from(["", "\n  ", "\ufeff"]))
    return (
        f'{leading}<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns="{TCX_NS}"{declaration}>'
        f"<Activities>{''.join(activities)}</Activities></TrainingCenterDatabase>"
    ).encode()


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tcx_documents())
def test_random_documents_give_the_same_outcome(data):
    same(data, "random.tcx")
