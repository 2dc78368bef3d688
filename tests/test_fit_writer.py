"""The project's FIT writer, checked by reading its files back with fitparse (an independent decoder)."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime, timedelta

import fitparse
import pytest
from fit_fixtures import START, Stretch, records_for, run_file
from fitparse.utils import FitCRCError

from analysis.io.fit_crc import crc16
from analysis.io.fit_writer import FitWriter, SessionSpec, encode_activity


def _messages(data: bytes) -> list:
    return list(fitparse.FitFile(io.BytesIO(data), check_crc=True).get_messages())


def _values(data: bytes, name: str) -> list[dict]:
    return [m.get_values() for m in _messages(data) if m.name == name]


def test_crc_of_a_file_including_its_crc_is_zero():
    data = run_file([Stretch(60, 3.0)])
    assert crc16(data) == 0
    header = data[:14]
    assert crc16(header[:12]) == struct.unpack("<H", header[12:14])[0]


def test_crc_matches_the_fit_sdk_reference_value():
    # The FIT SDK's CRC-16 (poly 0xA001, reflected, init 0) gives 0xBB3D for the ASCII digits 1-9,
    # the standard "check" value of CRC-16/ARC.
    assert crc16(b"123456789") == 0xBB3D


def test_record_fields_round_trip_through_fitparse_with_scale_and_offset():
    writer = FitWriter()
    t = datetime(2026, 1, 5, 7, 0, 0, tzinfo=UTC)
    writer.write("file_id", type="activity", manufacturer="garmin", product=3113, time_created=t)
    writer.write(
        "record", timestamp=t, position_lat=51.123456, position_long=-0.654321, enhanced_altitude=123.4,
        heart_rate=151, cadence=86, fractional_cadence=0.75, distance=1234.56, enhanced_speed=3.456,
        power=287, stance_time=243.5, stance_time_balance=49.27, vertical_oscillation=87.3,
        step_length=1123.4, vertical_ratio=7.81,
    )
    (rec,) = _values(writer.to_bytes(), "record")
    assert rec["timestamp"] == t.replace(tzinfo=None)
    assert rec["position_lat"] * 180 / 2**31 == pytest.approx(51.123456, abs=1e-7)
    assert rec["position_long"] * 180 / 2**31 == pytest.approx(-0.654321, abs=1e-7)
    assert rec["enhanced_altitude"] == pytest.approx(123.4)
    assert rec["heart_rate"] == 151
    assert rec["cadence"] == 86
    assert rec["fractional_cadence"] == 0.75
    assert rec["distance"] == pytest.approx(1234.56)
    assert rec["enhanced_speed"] == pytest.approx(3.456)
    assert rec["power"] == 287
    assert rec["stance_time"] == pytest.approx(243.5)
    assert rec["stance_time_balance"] == pytest.approx(49.27)
    assert rec["vertical_oscillation"] == pytest.approx(87.3)
    assert rec["step_length"] == pytest.approx(1123.4)
    assert rec["vertical_ratio"] == pytest.approx(7.81)
    (file_id,) = _values(writer.to_bytes(), "file_id")
    assert file_id["manufacturer"] == "garmin"
    assert file_id["type"] == "activity"


def test_none_writes_the_invalid_sentinel_which_fitparse_reads_as_missing():
    writer = FitWriter()
    t = datetime(2026, 1, 5, 7, tzinfo=UTC)
    writer.write("record", timestamp=t, heart_rate=None, cadence=None, distance=None)
    body = writer.to_bytes()
    assert b"\xff" in body  # uint8 invalid for heart rate and cadence
    (rec,) = _values(body, "record")
    assert rec["heart_rate"] is None and rec["cadence"] is None and rec["distance"] is None


def test_big_endian_files_decode_to_the_same_values():
    little = run_file([Stretch(30, 3.1, 84.5, 141)])
    records = records_for([Stretch(30, 3.1, 84.5, 141)])
    big = encode_activity([SessionSpec("running", tuple(records))], big_endian=True, utc_offset_s=3600)
    assert big != little
    assert _values(big, "record") == _values(little, "record")


def test_field_sets_that_change_mid_file_are_redefined():
    writer = FitWriter()
    t = datetime(2026, 1, 5, 7, tzinfo=UTC)
    writer.write("record", timestamp=t, heart_rate=120)
    writer.write("record", timestamp=t + timedelta(seconds=1), heart_rate=121, cadence=80)
    writer.write("record", timestamp=t + timedelta(seconds=2), heart_rate=122)
    recs = _values(writer.to_bytes(), "record")
    # One shared layout would give every record a cadence key (None where invalid); a redefinition gives none.
    assert [r["heart_rate"] for r in recs] == [120, 121, 122]
    assert recs[1]["cadence"] == 80 and "cadence" not in recs[0]


def test_more_than_sixteen_layouts_reuse_local_message_types():
    writer = FitWriter()
    t = datetime(2026, 1, 5, 7, tzinfo=UTC)
    optional = ["heart_rate", "cadence", "power", "distance", "enhanced_speed"]
    written = []
    for mask in range(1, 32):  # 31 different field sets
        fields = {name: 100 + i for i, name in enumerate(optional) if mask >> i & 1}
        writer.write("record", timestamp=t + timedelta(seconds=mask), **fields)
        written.append(fields)
    recs = _values(writer.to_bytes(), "record")
    assert len(recs) == 31
    for rec, fields in zip(recs, written, strict=True):
        for name, value in fields.items():
            assert rec[name] == pytest.approx(value)


def test_encode_activity_writes_sessions_events_and_local_time():
    data = run_file([Stretch(120, 3.0), Stretch(120, 3.5)], timer_stops=[(START + timedelta(seconds=100),
                                                                         START + timedelta(seconds=130))],
                    utc_offset_s=-5 * 3600)
    events = [(e["event"], e["event_type"]) for e in _values(data, "event")]
    assert events == [("timer", "start"), ("timer", "stop_all"), ("timer", "start"), ("timer", "stop_all")]
    (session,) = _values(data, "session")
    assert session["sport"] == "running"
    assert session["start_time"] == START.replace(tzinfo=None)
    assert session["total_distance"] == pytest.approx(119 * 3.0 + 120 * 3.5, abs=0.01)
    (activity,) = _values(data, "activity")
    assert activity["local_timestamp"] - activity["timestamp"] == timedelta(hours=-5)


def test_unknown_fields_are_refused_by_the_writer():
    with pytest.raises(KeyError):
        FitWriter().write("record", not_a_field=1)


# --------------------------------------------------------------------------------------------
# damaged files on request (tests/test_fit_damaged.py): checked against fitparse too


def _records_of(data: bytes, *, check_crc: bool = True) -> list:
    return [m for m in fitparse.FitFile(io.BytesIO(data), check_crc=check_crc).get_messages() if m.name == "record"]


def test_the_damage_options_default_to_the_same_bytes():
    records = tuple(records_for([Stretch(30, 3.0)]))
    plain = encode_activity([SessionSpec("running", records)])
    assert plain == encode_activity([SessionSpec("running", records)], repeat_invalid=(), invalid_copy_first=False,
                                    bad_header_crc=False, bad_data_crc=False)


def test_a_bad_data_crc_is_what_fitparse_refuses_and_nothing_else_changes():
    records = tuple(records_for([Stretch(30, 3.0)]))
    good = encode_activity([SessionSpec("running", records)])
    bad = encode_activity([SessionSpec("running", records)], bad_data_crc=True)
    assert bad[:-2] == good[:-2] and bad[-2:] != good[-2:] and crc16(bad) != 0
    with pytest.raises(FitCRCError):
        _messages(bad)
    assert [m.get_values() for m in _records_of(bad, check_crc=False)] == [m.get_values() for m in _records_of(good)]


def test_a_bad_header_crc_is_what_fitparse_refuses_and_the_file_crc_covers_it():
    records = tuple(records_for([Stretch(30, 3.0)]))
    good = encode_activity([SessionSpec("running", records)])
    bad = encode_activity([SessionSpec("running", records)], bad_header_crc=True)
    assert bad[:12] == good[:12] and bad[14:-2] == good[14:-2]
    stored = struct.unpack("<H", bad[12:14])[0]
    assert stored not in (0, crc16(bad[:12]))
    assert crc16(bad) == 0  # the file CRC is right, over the wrong header CRC
    with pytest.raises(FitCRCError):
        _messages(bad)
    assert len(_records_of(bad, check_crc=False)) == 30


@pytest.mark.parametrize("invalid_first", [False, True])
def test_repeated_record_fields_carry_one_valid_copy_and_one_invalid(invalid_first):
    records = tuple(records_for([Stretch(5, 3.0)]))
    data = encode_activity([SessionSpec("running", records)], repeat_invalid=("distance", "heart_rate"),
                           invalid_copy_first=invalid_first)
    for message, written in zip(_records_of(data), records, strict=True):
        for number, name in ((5, "distance"), (3, "heart_rate")):
            copies = [f for f in message.fields if f.def_num == number and f.field_def is not None]
            values = [f.value for f in copies]
            expected = pytest.approx(written[name])
            assert values == ([None, expected] if invalid_first else [expected, None]), name
        assert message.get_value("enhanced_speed") == pytest.approx(3.0)  # other fields once, as written


def test_zwift_s_invalid_compressed_speed_distance():
    t = datetime(2026, 1, 5, 7, tzinfo=UTC)
    writer = FitWriter()
    writer.write("record", timestamp=t, distance=12.5, compressed_speed_distance=None, speed=3.25)
    (message,) = _records_of(writer.to_bytes())
    # fitparse lists each field's components (field 8: speed, distance; field 6: enhanced_speed) just
    # before the field: distance and speed each come twice, the invalid copy between the valid ones.
    assert [(f.name, f.value) for f in message.fields][1:] == [
        ("distance", 12.5), ("speed", None), ("distance", None), ("compressed_speed_distance", None),
        ("enhanced_speed", 3.25), ("speed", 3.25),
    ]
    assert message.get_values()["distance"] is None  # what the last copy, the invalid one, would give


def test_repeating_an_unknown_field_is_refused_by_the_writer():
    with pytest.raises(KeyError):
        FitWriter(repeat_invalid=("not_a_field",))
