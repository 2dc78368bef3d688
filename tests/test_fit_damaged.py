"""Slightly broken FIT files (issue 19, part 5): a wrong checksum on a file that decodes cleanly, and
messages that give one field twice (Zwift).

A complete file whose file CRC or header CRC is wrong but whose every message decodes cleanly is read,
with a warning that its data may be damaged; one whose damage shows in the decoding is refused, or
read up to the damage, as before (`analysis.io.fit`'s docstring says exactly what "cleanly" means).
Both decoders give the same samples and the same warnings. A field given twice in a message keeps
its first valid value. Files come from our writer (`analysis.io.fit_writer`: `bad_data_crc`,
`bad_header_crc`, `repeat_invalid`) and from the corpus.
"""

from __future__ import annotations

import struct
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from attack_files import fit_tiny_messages
from conftest import CORPUS_DIR
from fit_fixtures import START, Stretch, records_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fit_fast import FALLBACK_NOTE, assert_same_activity, read_both

from analysis.errors import InputError
from analysis.io import fit as fit_module
from analysis.io import read_activity
from analysis.io.fit_crc import crc16
from analysis.io.fit_fast import MAX_REFERENCE_WORK, checksum_mismatches, count_messages
from analysis.io.fit_writer import FitWriter, SessionSpec, encode_activity

NO_DISTANCE = "records no distance"


def _records(n: int = 120, speed: float = 3.0) -> tuple[dict, ...]:
    return tuple(records_for([Stretch(n, speed)]))


def _run(**options) -> bytes:
    return encode_activity([SessionSpec("running", _records())], utc_offset_s=3600, **options)


def _both_read(data: bytes, name: str = "file.fit"):
    """The fast and the reference path's Activities, which must be the same; the fast one."""
    fast, reference = read_both(data, name)
    assert not isinstance(fast, InputError), fast
    assert not isinstance(reference, InputError), reference
    assert_same_activity(fast, reference)
    assert fast.warnings == reference.warnings  # no fallback note either: the fast decoder read it
    return fast


def _both_refused(data: bytes, name: str = "file.fit") -> str:
    fast, reference = read_both(data, name)
    assert isinstance(fast, InputError), fast.warnings
    assert isinstance(reference, InputError), reference.warnings
    assert str(fast) == str(reference)
    assert str(fast).startswith(f"{name}: ")
    return str(fast)


def _recrc(content: bytes) -> bytes:
    """`content` (header + data, CRC dropped) with a correct header CRC and file CRC."""
    header = bytearray(content[:14])
    struct.pack_into("<H", header, 12, crc16(bytes(header[:12])))
    body = bytes(header) + content[14:]
    return body + struct.pack("<H", crc16(body))


def _with_bad_crc(data: bytes) -> bytes:
    return data[:-2] + struct.pack("<H", struct.unpack("<H", data[-2:])[0] ^ 0x1000)


def _record_layouts(data: bytes, mesg_num: int = 20) -> list[tuple[int, list[tuple[int, int, int]]]]:
    """(position of the first data message after it, fields) of each definition of `mesg_num` (record) in
    a file our writer wrote (normal headers, little-endian): fields as (number, offset in the message, size)."""
    out, p, end = [], data[0], data[0] + struct.unpack_from("<I", data, 4)[0]
    sizes: dict[int, int] = {}
    while p < end:
        header = data[p]
        if header & 0x40:
            number, n = struct.unpack_from("<HB", data, p + 3)
            fields, offset = [], 0
            for i in range(n):
                field_number, size = data[p + 6 + 3 * i], data[p + 7 + 3 * i]
                fields.append((field_number, offset, size))
                offset += size
            sizes[header & 0x0F] = offset
            p += 6 + 3 * n
            if header & 0x20:
                sizes[header & 0x0F] += sum(data[p + 2 + 3 * i] for i in range(data[p]))
                p += 1 + 3 * data[p]
            if number == mesg_num:
                out.append((p, fields))
        else:
            p += 1 + sizes[header & 0x0F]
    return out


# --------------------------------------------------------------------------------------------
# a wrong checksum on a file that decodes cleanly


@pytest.mark.parametrize(
    ("options", "which"),
    [
        ({"bad_data_crc": True}, "checksum does"),
        ({"bad_header_crc": True}, "header checksum does"),
        ({"bad_data_crc": True, "bad_header_crc": True}, "header and data checksums do"),
        ({"bad_data_crc": True, "big_endian": True}, "checksum does"),
        ({"bad_data_crc": True, "compressed_timestamps": True, "developer_power": True}, "checksum does"),
    ],
    ids=["data", "header", "both", "big-endian", "compressed-and-developer"],
)
def test_a_wrong_checksum_on_a_clean_file_gives_the_file_with_a_warning(options, which):
    intact = {k: v for k, v in options.items() if not k.startswith("bad_")}
    data = _run(**options)
    assert checksum_mismatches(data) and not checksum_mismatches(_run(**intact))
    run = _both_read(data, "crc.fit")
    assert run.warnings[0] == (
        f"The file's {which} not match its content, so some of its data may be damaged; every message in it "
        "decoded cleanly, so it was read anyway: check that the run looks right."
    )
    good = read_activity(_run(**intact), filename="crc.fit")
    pd.testing.assert_frame_equal(run.samples, good.samples)
    assert run.warnings[1:] == good.warnings
    assert (run.sport, run.device, run.sessions, run.timer_events) == (good.sport, good.device, good.sessions,
                                                                      good.timer_events)


def test_a_header_crc_of_zero_means_not_computed_and_gives_no_warning():
    data = bytearray(_run())
    data[12:14] = b"\0\0"
    data = _recrc(bytes(data[:-2]))[:12] + b"\0\0" + bytes(data[14:-2])
    data = data + struct.pack("<H", crc16(data))
    assert checksum_mismatches(data) == ()
    assert not _both_read(data).warnings


def test_a_chain_with_one_bad_checksum_is_read_and_each_file_is_judged_on_its_own():
    """Two FIT files in one (a chained file): the second's CRC is wrong and its times start after the
    first's. Each file's timeline is judged within the file."""
    first = _run()
    later = tuple(dict(r, timestamp=r["timestamp"] + timedelta(hours=1)) for r in _records())
    second = encode_activity([SessionSpec("running", later)], bad_data_crc=True)
    run = _both_read(first + second, "chain.fit")
    assert run.warnings[0].startswith("The file's checksum does not match")
    assert len(run.samples) == 240


def test_a_chain_whose_bad_file_is_followed_by_a_cut_off_one_is_refused():
    data = _run(bad_data_crc=True) + _run()[:-500]
    assert "a later file of the chain is cut off" in _both_refused(data, "chain.fit")


# --------------------------------------------------------------------------------------------
# a wrong checksum and damage that shows: refused, or read up to the damage, as before


def _flip_distance_of_record(data: bytes, index: int, metres: float) -> bytes:
    """Add `metres` to the distance of the record `index` (content changed, CRCs left as they were)."""
    (start, fields), = _record_layouts(data)
    (offset, size), = [(o, s) for number, o, s in fields if number == 5]
    # records follow their definition back to back in the writer's file, one message per second
    stride = 1 + sum(s for _, _, s in fields)
    at = start + index * stride + 1 + offset
    assert data[start + index * stride] == data[start]  # a record's header
    raw = struct.unpack_from("<I", data, at)[0] + int(metres * 100)
    out = bytearray(data)
    struct.pack_into("<I", out, at, raw)
    return bytes(out)


def _plain_run_with_one_layout() -> bytes:
    writer = FitWriter()
    records = _records()
    writer.write("file_id", type="activity", manufacturer="development", product=1, time_created=START)
    for record in records:
        writer.write("record", **record)
    writer.write("session", timestamp=records[-1]["timestamp"], start_time=START, sport="running",
                 total_elapsed_time=119.0, total_distance=records[-1]["distance"])
    return writer.to_bytes()


def test_a_bad_checksum_and_a_distance_that_goes_down_is_refused():
    intact = _plain_run_with_one_layout()
    assert _both_read(intact).distance_m > 300
    damaged = _flip_distance_of_record(intact, 50, -100.0)
    assert "the distance goes down" in _both_refused(damaged, "down.fit")
    # with the CRCs put right, it is an intact file: read as it is (the distance goes down there)
    assert len(_both_read(_recrc(damaged[:-2])).samples) == 120


def test_a_bad_checksum_and_a_record_stamped_before_the_one_before_it_is_refused():
    records = list(_records())
    records[60] = dict(records[60], timestamp=records[60]["timestamp"] - timedelta(seconds=30))
    data = encode_activity([SessionSpec("running", tuple(records))], bad_data_crc=True)
    assert "stamped earlier than the one before it" in _both_refused(data, "back.fit")
    # intact, the same file is read: the timeline repair drops the sample, with its own warning
    good = _both_read(encode_activity([SessionSpec("running", tuple(records))]))
    assert any("stamped earlier" in w for w in good.warnings)


def test_a_bad_checksum_and_a_jump_of_more_than_six_hours_is_refused():
    records = list(_records())
    records[-5:] = [dict(r, timestamp=r["timestamp"] + timedelta(hours=7)) for r in records[-5:]]
    data = encode_activity([SessionSpec("running", tuple(records))], bad_data_crc=True)
    assert "more than 6 h apart" in _both_refused(data, "jump.fit")


def test_a_bad_checksum_and_a_record_without_a_time_is_refused():
    records = list(_records())
    records[10] = {k: v for k, v in records[10].items() if k != "timestamp"}
    data = encode_activity([SessionSpec("running", tuple(records))], bad_data_crc=True)
    assert "a record has no timestamp" in _both_refused(data, "untimed.fit")


@pytest.mark.parametrize(
    ("byte", "value", "needle"),
    [
        (15, 0x01, "reserved byte"),  # the first definition's reserved byte
        (16, 0x02, "unknown architecture"),  # its architecture: neither little (0) nor big-endian (1)
        (14, 0x50, "reserved bit"),  # its header: bit 4 is reserved
    ],
)
def test_a_bad_checksum_and_a_definition_no_intact_file_has_is_refused(byte, value, needle):
    data = bytearray(_run(bad_data_crc=True))
    assert data[14] == 0x40 and data[15] == 0 and data[16] == 0  # the file_id definition
    data[byte] = value
    assert needle in _both_refused(bytes(data), "odd.fit")


def test_a_bad_checksum_and_an_unknown_base_type_is_refused():
    data = bytearray(_run(bad_data_crc=True))
    assert data[14 + 6 + 2] == 0x00  # file_id's first field, `type`: enum
    data[14 + 6 + 2] = 0x0E  # no FIT base type has this number
    assert "unknown base type" in _both_refused(bytes(data), "odd.fit")


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        (1, 7, "developer field 0 of index 0 is not declared"),  # field_definition_number: declares field 7
        (0, 3, "undeclared developer data index 3"),  # developer_data_index: an index never opened
        (2, 0x0E, "unknown type 14"),  # fit_base_type_id: no such base type
        (1, 0xFF, "lacks a valid field 1"),  # invalid
    ],
)
def test_a_bad_checksum_and_a_developer_field_fitparse_could_not_look_up_is_refused(field, value, needle):
    """fitparse looks developer fields up in what developer_data_id and field_description messages
    declared, and fails on one they did not; the fast decoder skips them by size. For a file with a bad
    checksum, the strict walk checks the declarations as fitparse would, so both paths refuse alike."""
    data = bytearray(_run(developer_power=True, bad_data_crc=True))
    (start, fields), = _record_layouts(bytes(data), 206)  # the writer's one field_description
    (offset,) = [o for number, o, _ in fields if number == field]
    data[start + 1 + offset] = value
    assert needle in _both_refused(bytes(data), "dev.fit")


def test_a_bad_checksum_and_a_message_without_a_definition_is_treated_as_before():
    """The fast decoder cannot read a data message of an undefined local type, so the file goes the
    reference path's way, as it always did: what fitparse or Garmin's SDK decoded before the damage,
    with a warning, or a refusal. No checksum warning: it did not decode cleanly."""
    data = _run()
    (start, _), = _record_layouts(data)
    broken = bytearray(data)
    broken[start + 200 * 0] = broken[start] | 0x0F  # the first record now names local type 15
    fast, reference = read_both(_with_bad_crc(bytes(broken)), "undefined.fit")
    assert type(fast) is type(reference)
    if isinstance(fast, InputError):
        assert str(fast) == str(reference)
    else:
        assert fast.warnings[0].startswith(FALLBACK_NOTE) and "undefined local type" in fast.warnings[0]
        assert_same_activity(fast, reference)
        assert not any("checksum" in w for w in fast.warnings)


def test_a_cut_off_file_keeps_the_samples_before_the_cut_as_before():
    data = _run()
    run = _both_read(data[: len(data) * 2 // 3], "cut.fit")
    assert any("cut off" in w for w in run.warnings) and not any("checksum" in w for w in run.warnings)


FLIP_OPTIONS = (
    {},
    {"big_endian": True},
    {"compressed_timestamps": True, "developer_power": True},
    {"repeat_invalid": ("distance", "heart_rate")},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FLIP_OPTIONS), st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=7))
def test_any_flipped_bit_is_judged_alike_by_both_paths(options, where, bit):
    """A bit flipped anywhere in the header or data, CRCs left stale: both paths refuse alike, or give
    the same samples and warnings; a file read as it is (not handed to the reference path) says why.
    (Every byte of these four files, one random bit each, agreed when this was written: 5,878 cases.)"""
    data = bytearray(encode_activity([SessionSpec("running", _records(40))], **options))
    position = where % (len(data) - 2)
    data[position] ^= 1 << bit
    fast, reference = read_both(bytes(data), "flip.fit")
    if isinstance(fast, InputError) or isinstance(reference, InputError):
        assert isinstance(fast, InputError) and isinstance(reference, InputError), (fast, reference)
        return
    assert_same_activity(fast, reference)
    if not fast.warnings or not fast.warnings[0].startswith(FALLBACK_NOTE):
        assert fast.warnings[0].startswith("The file's") and "may be damaged" in fast.warnings[0]


# --------------------------------------------------------------------------------------------
# a field given twice in one message: the first valid value


def test_a_repeated_field_number_keeps_the_first_valid_value():
    """Zwift's record definitions name each field twice: a valid copy, then one holding 0xFF... Before,
    the invalid copy won: no distance (rebuilt from GPS, with a warning) and no heart rate."""
    fields = ("distance", "heart_rate", "enhanced_speed", "enhanced_altitude", "cadence")
    plain = read_activity(_run())
    for invalid_first in (False, True):
        data = _run(repeat_invalid=fields, invalid_copy_first=invalid_first)
        (_, layout), = _record_layouts(data)
        numbers = [number for number, _, _ in layout]
        assert numbers.count(5) == 2 and numbers.count(3) == 2  # distance and heart rate, twice each
        run = _both_read(data, "zwift.fit")
        assert not any(NO_DISTANCE in w for w in run.warnings)
        pd.testing.assert_frame_equal(run.samples, plain.samples)


def test_of_two_valid_copies_the_first_is_kept():
    data = _run(repeat_invalid=("distance",))
    (start, layout), = _record_layouts(data)
    (first, _, _), (second, copy_offset, _) = [f for f in layout if f[0] == 5]
    stride = 1 + sum(size for _, _, size in layout)
    out = bytearray(data[:-2])
    for i in range(120):  # the invalid copy becomes a valid distance, 1 km more than the first
        at = start + i * stride
        assert out[at] == data[start]
        struct.pack_into("<I", out, at + 1 + copy_offset, 100_000 + 300 * i)
    run = _both_read(_recrc(bytes(out)), "two.fit")
    assert run.samples["distance_m"].iloc[-1] == pytest.approx(3.0 * 119)


def test_a_repeated_timestamp_field_keeps_the_first_valid_time():
    plain = read_activity(_run())
    for invalid_first in (False, True):
        run = _both_read(_run(repeat_invalid=("timestamp",), invalid_copy_first=invalid_first))
        pd.testing.assert_frame_equal(run.samples, plain.samples)


def test_compressed_timestamps_after_a_repeated_timestamp_field_go_to_the_reference_path():
    """The time accumulator of compressed headers follows the last valid field 253 of a message in
    fitparse; the fast decoder does not mirror that for repeated fields and hands the file over."""
    records = list(_records())
    records[60:] = [dict(r, timestamp=r["timestamp"] + timedelta(seconds=60)) for r in records[60:]]
    # after the minute's pause, record 60 carries its time as a field (twice), the others in their headers
    data = encode_activity([SessionSpec("running", tuple(records))], repeat_invalid=("timestamp",),
                           compressed_timestamps=True)
    fast, reference = read_both(data, "compressed.fit")
    assert fast.warnings[0].startswith(FALLBACK_NOTE) and "repeat field 253" in fast.warnings[0]
    assert_same_activity(fast, reference)
    assert len(fast.samples) == 120


def test_zwift_s_invalid_compressed_speed_distance_does_not_hide_the_distance():
    """What the corpus's Zwift files do: `distance` (field 5), then `compressed_speed_distance` (8) =
    0xFFFFFF, whose components are speed and distance again; fitparse lists those just before field 8."""
    records = tuple(dict(r, compressed_speed_distance=None) for r in _records())
    run = _both_read(encode_activity([SessionSpec("running", records)]), "zwift.fit")
    assert not any(NO_DISTANCE in w for w in run.warnings)
    pd.testing.assert_frame_equal(run.samples, read_activity(_run()).samples)


# --------------------------------------------------------------------------------------------
# the corpus

FILECRC = "python-fitparse/tests/files/activity-filecrc.fit"
CHAINED_FILECRC = "python-fitparse/tests/files/activity-activity-filecrc.fit"
EMPTY_ACTIVITIES = "sports-lib/src/specs/fixtures/others/empty-activities.fit"
# The Zwift files of the catalogue: their records carry distance (5) and compressed_speed_distance (8).
ZWIFT = (
    "FITfileR/inst/extdata/Activities/zwift-turbo.fit",
    "Runalyze/tests/testfiles/fit/Zwift-bad-training-effect.fit",
    "Runalyze/tests/testfiles/fit/hr-only-zeros.fit",
    "python-fitparse/tests/files/null_compressed_speed_dist.fit",
    "sportstracker/st-exerciseviewer/misc/testdata/garmin-fit/Zwift-Cycling_Indoor-Assioma_Uno.fit",
)


@pytest.mark.corpus
def test_the_fit_sdk_example_with_a_wrong_crc_is_read_with_the_warning(corpus_dir):
    """The catalogue: fitparse stops at "CRC Mismatch", fitdecode (lenient) reads 14 records."""
    data = (CORPUS_DIR / FILECRC).read_bytes()
    assert checksum_mismatches(data) == ("data",)
    run = _both_read(data, "activity-filecrc.fit")
    assert len(run.samples) == 14 and run.dropped_samples == 0
    assert run.warnings[0].startswith("The file's checksum does not match") and "may be damaged" in run.warnings[0]


@pytest.mark.corpus
def test_the_chained_example_with_a_wrong_crc_is_read_as_an_intact_chain_would_be(corpus_dir):
    """Two copies of the same 14 records, chained; the second copy's CRC is wrong. Each copy decodes
    cleanly; across the chain the second copy steps back in time, so the timeline repair drops it as it
    would in an intact chain (28 records in all, as fitdecode reads)."""
    data = (CORPUS_DIR / CHAINED_FILECRC).read_bytes()
    assert checksum_mismatches(data) == ("data",)
    run = _both_read(data, "activity-activity-filecrc.fit")
    assert len(run.samples) + run.dropped_samples == 28
    assert run.warnings[0].startswith("The file's checksum does not match")
    assert any("stamped earlier than the one before them" in w for w in run.warnings[1:])
    single = read_activity(CORPUS_DIR / FILECRC)
    assert run.distance_m == pytest.approx(single.distance_m)


@pytest.mark.corpus
def test_a_wrong_crc_and_a_broken_header_stays_refused(corpus_dir):
    message = _both_refused((CORPUS_DIR / EMPTY_ACTIVITIES).read_bytes(), "empty-activities.fit")
    assert "checksum does not match" in message


def _definition_fields(data: bytes, mesg_num: int) -> list[list[int]]:
    out, p, end = [], data[0], data[0] + struct.unpack_from("<I", data, 4)[0]
    sizes: dict[int, int] = {}
    while p < end:
        header = data[p]
        if header & 0x80:
            p += 1 + sizes[(header >> 5) & 3]
        elif header & 0x40:
            number, n = struct.unpack_from("<HB", data, p + 3)
            numbers = [data[p + 6 + 3 * i] for i in range(n)]
            sizes[header & 0x0F] = sum(data[p + 7 + 3 * i] for i in range(n))
            q = p + 6 + 3 * n
            if header & 0x20:
                sizes[header & 0x0F] += sum(data[q + 2 + 3 * i] for i in range(data[q]))
                q += 1 + 3 * data[q]
            if number == mesg_num:
                out.append(numbers)
            p = q
        else:
            p += 1 + sizes[header & 0x0F]
    return out


@pytest.mark.corpus
@pytest.mark.parametrize("local_path", ZWIFT)
def test_zwift_files_keep_their_recorded_distance(corpus_dir, local_path):
    """None of these repeats a field number; each record gives distance twice (field 5, valid, and the
    components of compressed_speed_distance, 0xFFFFFF). Before, the invalid one won and the distance
    was rebuilt from the (virtual) GPS track, with a warning."""
    import fitparse

    data = (CORPUS_DIR / local_path).read_bytes()
    definitions = _definition_fields(data, 20)
    assert definitions and all(len(set(d)) == len(d) and 5 in d and 8 in d for d in definitions)
    run = _both_read(data, local_path.rsplit("/", 1)[-1])
    assert not any(NO_DISTANCE in w for w in run.warnings)
    sessions = [m.get_value("total_distance") for m in fitparse.FitFile(str(CORPUS_DIR / local_path)).get_messages(
        "session")]
    assert len(sessions) == 1
    assert run.distance_m == pytest.approx(sessions[0], rel=0.01)
    assert np.isfinite(run.samples["distance_m"]).all()


# --------------------------------------------------------------------------------------------
# hostile files: a bad checksum never buys a more expensive path


def _tripwire(what: str):
    def tripped(*args, **kwargs):
        raise AssertionError(f"{what} was run")

    return tripped


def test_a_clean_file_with_a_bad_checksum_never_reaches_fitparse_on_the_fast_path(monkeypatch):
    import fitparse

    monkeypatch.setattr(fitparse, "FitFile", _tripwire("fitparse"))
    monkeypatch.setattr(fit_module, "_decode_garmin_sdk", _tripwire("Garmin's FIT SDK"))
    run = read_activity(_run(bad_data_crc=True), filename="crc.fit")
    assert run.reader == "fit_fast" and "checksum" in run.warnings[0]


def test_the_reference_path_decodes_a_bad_checksum_file_once_and_never_with_the_sdk(monkeypatch):
    import fitparse

    calls = []
    real = fitparse.FitFile

    def counted(*args, **kwargs):
        calls.append(kwargs.get("check_crc"))
        return real(*args, **kwargs)

    monkeypatch.setattr(fitparse, "FitFile", counted)
    monkeypatch.setattr(fit_module, "_decode_garmin_sdk", _tripwire("Garmin's FIT SDK"))
    run = read_activity(_run(bad_data_crc=True), filename="crc.fit", backend="fitparse")
    assert calls == [False] and run.reader == "fitparse"
    calls.clear()
    with pytest.raises(InputError, match="stamped earlier"):
        records = list(_records())
        records[5] = dict(records[5], timestamp=records[5]["timestamp"] - timedelta(seconds=9))
        read_activity(encode_activity([SessionSpec("running", tuple(records))], bad_data_crc=True),
                      filename="back.fit", backend="fitparse")
    assert calls == [False]


@pytest.mark.parametrize("backend", ["fast", "fitparse"])
@pytest.mark.parametrize(
    ("build", "refusal"),
    [
        (lambda: fit_tiny_messages(), "fewer than 2 bytes each on average"),
        (lambda: fit_tiny_messages(trailer=bytes([0x05])), "fewer than 2 bytes each on average"),
        (lambda: fit_tiny_messages(payload_bytes=1, trailer=bytes([0x05])), "reference decoder"),
    ],
    ids=["one-byte-messages", "one-byte-messages-fallback", "two-byte-messages-fallback"],
)
def test_hostile_files_with_a_bad_checksum_meet_the_same_caps_before_any_slow_decoder(
    monkeypatch, build, refusal, backend
):
    """The attack files of tests/attack_files.py, their CRC made wrong: refused by the same message cap
    and reference budget as with a correct CRC, before fitparse or Garmin's SDK sees them."""
    import fitparse

    monkeypatch.setattr(fitparse, "FitFile", _tripwire("fitparse"))
    monkeypatch.setattr(fit_module, "_decode_garmin_sdk", _tripwire("Garmin's FIT SDK"))
    data = _with_bad_crc(build())
    assert checksum_mismatches(data) == ("data",)
    with pytest.raises(InputError, match=refusal):
        read_activity(data, filename="hostile.fit", backend=backend)


def test_a_bad_checksum_file_of_many_clean_records_meets_the_reference_budget(monkeypatch):
    """Two-byte heart-rate records with no definition problem but no timestamps: over the reference
    budget, so the reference path refuses it before fitparse; the fast path finds records without a
    time, a sign of damage, and refuses it too."""
    import fitparse

    monkeypatch.setattr(fitparse, "FitFile", _tripwire("fitparse"))
    data = _with_bad_crc(fit_tiny_messages(payload_bytes=1))
    assert count_messages(data, MAX_REFERENCE_WORK)[1] > MAX_REFERENCE_WORK
    with pytest.raises(InputError, match="reference decoder"):
        read_activity(data, filename="hostile.fit", backend="fitparse")
    with pytest.raises(InputError, match="a record has no timestamp"):
        read_activity(data, filename="hostile.fit")
