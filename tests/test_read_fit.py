"""read_activity on FIT files written by the project's FIT writer, with hand-computed answers."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from fit_fixtures import START, Stretch, records_for, run_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import InputError
from analysis.io import COLUMN_NAMES, read_activity
from analysis.io import cadence as cadence_units
from analysis.io.fit_writer import FitWriter, SessionSpec, encode_activity
from analysis.io.samples import check_samples

TWO_STRETCHES = [Stretch(600, 3.0, 85.5, 140), Stretch(600, 3.2, 87.25, 155, interval_s=5)]


@pytest.fixture(scope="module")
def run():
    return read_activity(run_file(TWO_STRETCHES, dynamics=True), filename="two-stretches.fit")


def test_frame_meets_the_contract(run):
    check_samples(run.samples)
    assert tuple(run.samples.columns) == COLUMN_NAMES
    assert str(run.samples["time"].dt.tz) == "UTC"


def test_every_column_has_the_hand_computed_value(run):
    s = run.samples
    # 600 samples at 1 s, then 120 at 5 s: the stretch boundary is sample 600.
    assert len(s) == 600 + 120
    assert s["elapsed_s"].iloc[599] == 599.0
    assert s["elapsed_s"].iloc[600] == 604.0
    assert s["time"].iloc[0] == pd.Timestamp(START)
    assert s["distance_m"].iloc[599] == pytest.approx(599 * 3.0)
    assert s["distance_m"].iloc[-1] == pytest.approx(599 * 3.0 + 120 * 5 * 3.2)
    assert s["speed_mps"].iloc[0] == 3.0 and s["speed_mps"].iloc[-1] == 3.2
    assert s["heart_rate_bpm"].iloc[0] == 140 and s["heart_rate_bpm"].iloc[-1] == 155
    # per-leg 85 + 64/128 → 171 steps/min; 87 + 32/128 → 174.5 steps/min
    assert s["cadence_spm"].iloc[0] == 171.0
    assert s["cadence_spm"].iloc[-1] == 174.5
    assert s["altitude_m"].iloc[0] == pytest.approx(20.0)
    assert s["lat_deg"].iloc[0] == pytest.approx(51.5, abs=1e-7)
    assert s["lon_deg"].iloc[0] == pytest.approx(-0.12, abs=1e-7)
    # 599 * 3 m due north is 599 * 3 / 111,195 m per degree
    assert s["lat_deg"].iloc[599] - 51.5 == pytest.approx(599 * 3.0 / 111_195.08, rel=1e-5)
    assert s["power_w"].isna().all()
    assert s["stance_time_ms"].iloc[0] == pytest.approx(250.0)
    assert s["stance_time_balance_pct"].iloc[0] == pytest.approx(49.5)
    assert s["vertical_oscillation_mm"].iloc[0] == pytest.approx(85.0)
    assert s["step_length_mm"].iloc[0] == pytest.approx(1100.0)
    assert s["vertical_ratio_pct"].iloc[0] == pytest.approx(7.7)


def test_metadata(run):
    assert run.sport == "running" and run.sub_sport == "generic"
    assert run.source_format == "fit" and run.reader == "fit_fast"
    assert run.file_name == "two-stretches.fit"
    assert run.start_time == pd.Timestamp(START)
    assert run.utc_offset_s == 3600
    assert run.local_start_time == pd.Timestamp(START).tz_localize(None) + timedelta(hours=1)
    assert run.cadence_unit == cadence_units.PER_LEG
    assert [e.kind for e in run.timer_events] == ["start", "stop"]
    assert run.pauses == 0
    assert run.distance_m == pytest.approx(599 * 3.0 + 600 * 3.2)
    assert run.duration_s == 599 + 600
    assert run.warnings == ()


def test_smart_recording_interval_is_reported():
    activity = read_activity(run_file([Stretch(900, 3.0, interval_s=4)]))
    assert activity.sample_interval_s == 4.0
    assert activity.samples["elapsed_s"].diff().dropna().eq(4.0).all()


def test_timer_pauses_become_events():
    stop, restart = START + timedelta(seconds=300), START + timedelta(seconds=420)
    data = run_file([Stretch(900, 3.0)], timer_stops=[(stop, restart)])
    activity = read_activity(data)
    assert [(e.kind, e.time) for e in activity.timer_events] == [
        ("start", pd.Timestamp(START)), ("stop", pd.Timestamp(stop)), ("start", pd.Timestamp(restart)),
        ("stop", pd.Timestamp(START + timedelta(seconds=899))),
    ]
    assert activity.pauses == 1


def test_missing_channels_are_nan_columns_not_absent():
    data = run_file([Stretch(300, 3.0, cadence_per_leg=None, heart_rate_bpm=None)], altitude_m=None)
    s = read_activity(data).samples
    check_samples(s)
    for column in ("heart_rate_bpm", "cadence_spm", "altitude_m", "power_w", "stance_time_ms"):
        assert s[column].isna().all(), column
    assert read_activity(data).cadence_unit == cadence_units.NONE


def test_heart_rate_of_zero_is_missing_and_said():
    activity = read_activity(run_file([Stretch(300, 3.0, heart_rate_bpm=0)]))
    assert activity.samples["heart_rate_bpm"].isna().all()
    assert any("Heart rate was 0" in w for w in activity.warnings)


def test_cadence_already_in_steps_per_minute_is_kept():
    # A footpod that writes 172 steps/min into the per-leg field must not become 344.
    activity = read_activity(run_file([Stretch(300, 3.2, cadence_per_leg=172)]))
    assert activity.samples["cadence_spm"].median() == 172
    assert activity.cadence_unit == cadence_units.STEPS


def test_cycling_cadence_is_not_turned_into_steps():
    activity = read_activity(run_file([Stretch(300, 8.0, cadence_per_leg=90)], sport="cycling"))
    assert activity.sport == "cycling"
    assert activity.samples["cadence_spm"].isna().all()
    assert activity.cadence_unit == cadence_units.NOT_STEPS


def test_multisport_keeps_only_the_running_session():
    bike = records_for([Stretch(600, 8.0, cadence_per_leg=90, heart_rate_bpm=130)])
    run_start = START + timedelta(seconds=700)
    run = records_for([Stretch(900, 3.3, cadence_per_leg=88, heart_rate_bpm=160)], start=run_start,
                      distance_offset_m=bike[-1]["distance"])
    data = encode_activity([SessionSpec("cycling", tuple(bike)), SessionSpec("running", tuple(run))])
    activity = read_activity(data)
    assert activity.sport == "running"
    assert len(activity.samples) == 900
    assert activity.samples["time"].iloc[0] == pd.Timestamp(run_start)
    assert activity.samples["cadence_spm"].median() == 176
    assert [(s.sport, s.kept) for s in activity.sessions] == [("cycling", False), ("running", True)]
    assert any("Multisport" in w and "cycling" in w for w in activity.warnings)
    assert activity.distance_m == pytest.approx(899 * 3.3)


def test_generic_sport_that_moves_like_running_is_treated_as_a_run():
    activity = read_activity(run_file([Stretch(600, 3.1, cadence_per_leg=86)], sport="generic"))
    assert activity.sport == "running"
    assert any("generic" in w for w in activity.warnings)


def test_generic_sport_at_walking_pace_stays_generic():
    activity = read_activity(run_file([Stretch(600, 1.4, cadence_per_leg=55)], sport="generic"))
    assert activity.sport == "generic"


def test_distance_is_computed_from_positions_when_the_file_has_none():
    records = records_for([Stretch(600, 3.0)])
    for r in records:
        del r["distance"]
    activity = read_activity(encode_activity([SessionSpec("running", tuple(records))]))
    assert activity.distance_m == pytest.approx(599 * 3.0, rel=0.005)
    assert any("computed from the GPS positions" in w for w in activity.warnings)


def test_speed_is_derived_when_the_file_has_none():
    records = records_for([Stretch(120, 2.5)])
    for r in records:
        del r["enhanced_speed"]
    activity = read_activity(encode_activity([SessionSpec("running", tuple(records))]))
    assert activity.samples["speed_mps"].to_numpy() == pytest.approx(np.full(120, 2.5))


def test_legacy_speed_and_altitude_fields_are_used_when_enhanced_are_absent():
    writer = FitWriter()
    writer.write("record", timestamp=START, speed=2.75, altitude=-12.4, distance=0.0)
    writer.write("record", timestamp=START + timedelta(seconds=1), speed=2.75, altitude=-12.2, distance=2.75)
    s = read_activity(writer.to_bytes()).samples
    assert s["speed_mps"].tolist() == [2.75, 2.75]
    assert s["altitude_m"].tolist() == pytest.approx([-12.4, -12.2])


def test_a_record_stamped_earlier_than_the_one_before_is_left_out():
    records = records_for([Stretch(60, 3.0)])
    records[10], records[11] = records[11], records[10]
    activity = read_activity(encode_activity([SessionSpec("running", tuple(records))]))
    assert activity.samples["time"].is_monotonic_increasing
    assert len(activity.samples) == 59 and activity.dropped_samples == 1
    assert any("stamped earlier" in w for w in activity.warnings)


def test_a_clock_jump_mid_run_is_closed_and_a_garbage_stamp_dropped():
    records = records_for([Stretch(600, 3.0)])
    for r in records[200:]:
        r["timestamp"] += timedelta(days=20)  # the watch took GPS time 200 s into the run
    records[-1]["timestamp"] += timedelta(days=2)  # and the last record is garbage
    activity = read_activity(encode_activity([SessionSpec("running", tuple(records))]))
    s = activity.samples
    assert len(s) == 599 and activity.dropped_samples == 1
    assert s["elapsed_s"].diff().dropna().eq(1.0).all()  # the 20-day hole is gone
    assert s["time"].iloc[-1] == pd.Timestamp(records[-2]["timestamp"])  # the later, GPS-synced clock is kept
    assert any("clock jumped by 20 d" in w for w in activity.warnings)
    assert any("impossible times" in w for w in activity.warnings)


@pytest.mark.parametrize("make_source", ["path", "bytes", "bytesio", "named_file"])
def test_sources_path_bytes_and_file_objects_give_the_same_activity(tmp_path, make_source):
    data = run_file([Stretch(120, 3.0)])
    path = tmp_path / "morning.fit"
    path.write_bytes(data)
    source = {
        "path": lambda: path,
        "bytes": lambda: data,
        "bytesio": lambda: io.BytesIO(data),
        "named_file": lambda: path.open("rb"),
    }[make_source]()
    activity = read_activity(source, filename=None if make_source in ("path", "named_file") else "morning.fit")
    assert activity.file_name == "morning.fit"
    assert activity.file_sha256 == hashlib.sha256(data).hexdigest()
    assert len(activity.samples) == 120


def test_truncated_file_keeps_the_records_before_the_damage():
    data = run_file([Stretch(600, 3.0)])
    cut = data[: len(data) // 2]
    activity = read_activity(cut, filename="cut.fit")
    assert 0 < len(activity.samples) < 600
    # every kept sample is one the intact file has, unchanged
    full = read_activity(data).samples
    pd.testing.assert_frame_equal(activity.samples, full.iloc[: len(activity.samples)])
    assert any("cut off" in w for w in activity.warnings)


def test_file_cut_inside_the_header_is_refused():
    with pytest.raises(InputError, match="cut.fit"):
        read_activity(run_file([Stretch(60, 3.0)])[:13], filename="cut.fit")


def test_a_wrong_checksum_on_a_file_that_decodes_cleanly_is_read_with_a_warning():
    """Issue 19: a wrong file CRC alone (the FIT SDK's activity-filecrc.fit) no longer refuses a file whose
    every message decodes cleanly; the runner is told its data may be damaged."""
    good = run_file([Stretch(60, 3.0)])
    data = bytearray(good)
    data[-1] ^= 0xFF
    activity = read_activity(bytes(data), filename="bad.fit")
    assert activity.warnings[0].startswith("The file's checksum does not match its content")
    assert "may be damaged" in activity.warnings[0]
    pd.testing.assert_frame_equal(activity.samples, read_activity(good).samples)


def test_bad_checksum_with_a_sign_of_damage_is_refused_with_a_readable_reason():
    data = bytearray(run_file([Stretch(60, 3.0)]))
    data[15] = 0x01  # the reserved byte of the first definition, 0 in every intact file
    data[-1] ^= 0xFF
    with pytest.raises(InputError, match=r"bad\.fit.*checksum does not match.*reserved byte"):
        read_activity(bytes(data), filename="bad.fit")


def test_bad_checksum_with_a_message_that_does_not_decode_is_refused_as_before():
    data = bytearray(run_file([Stretch(60, 3.0)]))
    data[14] = 0x4F  # the first definition, re-aimed at local type 15: the messages after it have none
    data[-1] ^= 0xFF
    with pytest.raises(InputError, match=r"bad\.fit.*damaged and has no readable samples"):
        read_activity(bytes(data), filename="bad.fit")


def test_settings_file_without_records_is_refused():
    writer = FitWriter()
    writer.write("file_id", type="settings", manufacturer="garmin", product=1)
    with pytest.raises(InputError, match="no timed samples"):
        read_activity(writer.to_bytes(), filename="settings.fit")


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (b"hello, this is a text file\n", "neither a FIT nor a GPX"),
        (b'<?xml version="1.0"?><TrainingCenterDatabase></TrainingCenterDatabase>', "TCX"),
        (b"PK\x03\x04" + b"\0" * 40, "zip"),
    ],
)
def test_not_an_activity_is_refused_naming_the_file(content, needle):
    with pytest.raises(InputError) as caught:
        read_activity(content, filename="upload.bin")
    assert "upload.bin" in str(caught.value) and needle in str(caught.value)


def test_missing_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_activity(tmp_path / "nope.fit")


def test_input_error_is_a_value_error():
    assert issubclass(InputError, ValueError)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(min_size=0, max_size=400), st.integers(min_value=0, max_value=2000))
def test_garbage_after_a_valid_header_only_ever_raises_input_error(tail, position):
    good = run_file([Stretch(30, 3.0)])
    position = min(position, len(good))
    mutated = good[:position] + tail + good[position + len(tail):]
    try:
        activity = read_activity(mutated, filename="fuzz.fit")
    except InputError:
        return
    check_samples(activity.samples)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 120), st.floats(0.0, 7.0), st.floats(40.0, 110.0), st.integers(60, 200)),
        min_size=1, max_size=6,
    )
)
def test_written_runs_read_back_with_doubled_cadence_and_exact_distance(stretches):
    spec = [Stretch(n, speed, cad, hr) for n, speed, cad, hr in stretches]
    activity = read_activity(run_file(spec))
    check_samples(activity.samples)
    assert len(activity.samples) == sum(n for n, *_ in stretches)
    written = records_for(spec)
    expected_distance = np.round(np.array([r["distance"] for r in written]) * 100) / 100
    assert activity.samples["distance_m"].to_numpy() == pytest.approx(expected_distance, abs=0.006)
    expected_cadence = np.array([2 * (int(r["cadence"]) + round(r["fractional_cadence"] * 128) / 128)
                                 for r in written])
    if activity.cadence_unit == cadence_units.PER_LEG:
        assert activity.samples["cadence_spm"].to_numpy() == pytest.approx(expected_cadence)
    else:
        assert activity.cadence_unit == cadence_units.STEPS
        assert activity.samples["cadence_spm"].to_numpy() == pytest.approx(expected_cadence / 2)
