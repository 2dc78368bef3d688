"""The fast FIT decoder gives exactly what the fitparse path gives: on the whole corpus, and on
random files from our writer (big- and little-endian, compressed timestamps, developer fields,
redefinitions, chained and cut-off files). Plus its checksum, refusals and fallback.

Equality: timestamps and every non-float column exact, floats within 1e-9 relative, the same
NaNs; the same sport, sub-sport, start, UTC offset, device, timer events, sessions, dropped
samples and warnings (the fast path may add one note when it hands a file to fitparse).
"""

from __future__ import annotations

import io
import os
import struct
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from conftest import CORPUS_DIR, corpus_catalog
from fit_fixtures import START
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import InputError
from analysis.io import read_activity
from analysis.io.fit_crc import crc16
from analysis.io.fit_writer import SessionSpec, encode_activity

FIT_ROWS = [r for r in corpus_catalog() if r["kind"] == "fit"]
# Corpus files the fast decoder hands to fitparse, and why. Any other file doing so is a regression.
FALLBACKS = {
    "python-fitparse/tests/files/activity-settings-corruptheader.fit": "after the end of the FIT data",
    "python-fitparse/tests/files/coros-pace-2-cycling-misaligned-fields.fit": "not a multiple of",
    "python-fitparse/tests/files/nick.fit": "runs past the end",
    "python-fitparse/tests/files/strava-android-app-201.10-b1218918.fit": "undefined local type",
}
FALLBACK_NOTE = "Read with the reference decoder (fitparse)"
METADATA = ("sport", "sub_sport", "start_time", "utc_offset_s", "device", "cadence_unit", "timer_events",
            "sessions", "dropped_samples", "source_format", "file_name", "file_sha256")


def read_both(data: bytes, name: str = "file.fit"):
    """(fast, reference) Activities, or the InputError each raised."""
    out = []
    for backend in ("fast", "fitparse"):
        try:
            out.append(read_activity(io.BytesIO(data), filename=name, backend=backend))
        except InputError as exc:
            out.append(exc)
    return out


def assert_same_activity(fast, reference) -> None:
    a, b = fast.samples, reference.samples
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for column in a.columns:
        left, right = a[column], b[column]
        assert left.dtype == right.dtype, column
        if pd.api.types.is_float_dtype(left):
            assert (left.isna() == right.isna()).all(), f"{column}: different missing values"
            np.testing.assert_allclose(left.to_numpy(), right.to_numpy(), rtol=1e-9, atol=0, equal_nan=True,
                                       err_msg=column)
        else:
            assert left.equals(right), column
    for name in METADATA:
        assert getattr(fast, name) == getattr(reference, name), name
    assert tuple(w for w in fast.warnings if not w.startswith(FALLBACK_NOTE)) == reference.warnings


def assert_paths_agree(data: bytes, name: str = "file.fit", *, fast_reader: str | None = "fit_fast"):
    fast, reference = read_both(data, name)
    if isinstance(reference, InputError):
        assert isinstance(fast, InputError), f"fitparse path refused ({reference}); the fast path read it"
        assert name in str(fast)
        return None
    assert not isinstance(fast, InputError), f"fast path refused ({fast}); the fitparse path read it"
    assert_same_activity(fast, reference)
    if fast_reader:
        assert fast.reader == fast_reader, fast.warnings
    return fast


# --------------------------------------------------------------------------------------------
# the corpus


@pytest.mark.corpus
@pytest.mark.timeout(60)
@pytest.mark.parametrize("row", FIT_ROWS, ids=[r["local_path"] for r in FIT_ROWS])
def test_corpus_fast_equals_fitparse(corpus_dir, row):
    data = (CORPUS_DIR / row["local_path"]).read_bytes()
    name = os.path.basename(row["local_path"])
    expected_fallback = FALLBACKS.get(row["local_path"])
    fast = assert_paths_agree(data, name, fast_reader=None)
    if fast is None:
        return
    notes = [w for w in fast.warnings if w.startswith(FALLBACK_NOTE)]
    if expected_fallback:
        assert notes and expected_fallback in notes[0], fast.warnings
    else:
        assert fast.reader == "fit_fast" and not notes, fast.warnings


def test_the_corpus_is_mostly_read_by_the_fast_path(corpus_dir):
    assert len(FIT_ROWS) >= 200
    assert len(FALLBACKS) <= 0.03 * len(FIT_ROWS)


# --------------------------------------------------------------------------------------------
# random files from our writer

OPTIONAL = ("position_lat", "position_long", "altitude", "enhanced_altitude", "heart_rate", "cadence",
            "fractional_cadence", "distance", "speed", "enhanced_speed", "power", "stance_time",
            "vertical_oscillation", "step_length", "vertical_ratio", "stance_time_balance")


@st.composite
def activities(draw):
    n = draw(st.integers(1, 120))
    # A few layouts, chosen per record: devices redefine messages as sensors come and go.
    layouts = draw(st.lists(st.sets(st.sampled_from(OPTIONAL)), min_size=1, max_size=4))
    gaps = draw(st.lists(st.sampled_from([1, 1, 1, 2, 5, 31, 32, 33, 90]), min_size=n, max_size=n))
    records, t, distance = [], START, 0.0
    for i in range(n):
        t += timedelta(seconds=gaps[i])
        distance += draw(st.floats(0, 6))
        rec: dict = {"timestamp": t}
        for field in draw(st.sampled_from(layouts)):
            missing = draw(st.booleans()) and draw(st.booleans())  # a quarter written as invalid
            value = {
                "position_lat": 46.0 + i * 1e-5, "position_long": 7.0 - i * 1e-5,
                "altitude": 400 + i * 0.2, "enhanced_altitude": 401 + i * 0.2, "heart_rate": 120 + i % 60,
                "cadence": 80 + i % 10, "fractional_cadence": 0.5, "distance": distance,
                "speed": 2.5 + (i % 7) * 0.1, "enhanced_speed": 2.6 + (i % 7) * 0.1, "power": 200 + i % 50,
                "stance_time": 240.0, "vertical_oscillation": 82.5, "step_length": 1100.0, "vertical_ratio": 7.5,
                "stance_time_balance": 49.5,
            }[field]
            rec[field] = None if missing else value
        if draw(st.booleans()):
            rec["dev_power"] = draw(st.none() | st.integers(0, 600))
        records.append(rec)
    options = {
        "big_endian": draw(st.booleans()),
        "compressed_timestamps": draw(st.booleans()),
        "developer_power": draw(st.booleans()),
        "utc_offset_s": draw(st.sampled_from([None, 0, 3600, -18000])),
    }
    if not options["developer_power"]:
        for rec in records:
            rec.pop("dev_power", None)
    sport = draw(st.sampled_from(["running", "running", "generic", "cycling"]))
    return encode_activity([SessionSpec(sport, tuple(records))], **options)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(activities())
def test_random_writer_files_fast_equals_fitparse(data):
    assert_paths_agree(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(activities(), st.floats(0.05, 0.999))
def test_cut_off_files_agree(data, fraction):
    cut = data[: max(14, int(len(data) * fraction))]
    fast, reference = read_both(cut)
    assert type(fast) is type(reference), (fast, reference)
    if isinstance(fast, InputError):
        return
    assert_same_activity(fast, reference)
    assert fast.reader == "fit_fast"
    assert any("cut off" in w for w in fast.warnings)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(activities(), activities())
def test_chained_files_agree(first, second):
    fast = assert_paths_agree(first + second)
    assert fast is not None


def test_compressed_timestamps_and_developer_fields_are_really_written():
    """The random files above only prove something if the writer's options change the bytes."""
    records = tuple({"timestamp": START + timedelta(seconds=i), "heart_rate": 150, "dev_power": 250}
                    for i in range(40))
    plain = encode_activity([SessionSpec("running", tuple({k: v for k, v in r.items() if k != "dev_power"}
                                                          for r in records))])
    fancy = encode_activity([SessionSpec("running", records)], compressed_timestamps=True, developer_power=True)
    assert sum(1 for b in fancy if b & 0x80) > 30  # compressed headers (plus some value bytes)
    assert len(fancy) != len(plain)
    run = assert_paths_agree(fancy)
    assert len(run.samples) == 40
    assert (run.samples["heart_rate_bpm"] == 150).all()
    assert run.samples["time"].diff().dropna().eq(pd.Timedelta(seconds=1)).all()


# --------------------------------------------------------------------------------------------
# checksums, refusals, backends


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=0, max_size=20_000))
def test_crc16_equals_fitparse(blob):
    from fitparse.records import Crc

    reference = Crc()
    reference.update(blob)
    assert crc16(blob) == reference.value


def test_crc16_large_input():
    from fitparse.records import Crc

    blob = np.random.default_rng(7).integers(0, 256, 300_001, dtype=np.uint8).tobytes()
    reference = Crc()
    reference.update(blob)
    assert crc16(blob) == reference.value


def _one_run() -> bytes:
    records = tuple({"timestamp": START + timedelta(seconds=i), "distance": 3.0 * i, "heart_rate": 140}
                    for i in range(300))
    return encode_activity([SessionSpec("running", records)])


def test_a_damaged_byte_that_breaks_the_timeline_is_refused_by_both_paths():
    """The flipped bit is in a record's timestamp, which then comes after the next record's: the file's
    checksum does not match and it does not decode cleanly (analysis.io.fit), so it is still refused."""
    data = bytearray(_one_run())
    data[len(data) // 2] ^= 0x01
    fast, reference = read_both(bytes(data), "damaged.fit")
    for refusal in (fast, reference):
        assert isinstance(refusal, InputError)
        assert "damaged.fit" in str(refusal) and "checksum" in str(refusal) and "stamped earlier" in str(refusal)
    assert str(fast) == str(reference)


def test_a_damaged_header_byte_that_nothing_reads_gives_the_file_with_a_warning():
    """The protocol version (covered by both CRCs, read by no decoder) no longer matches the checksums.
    Before issue 19 such a file was refused; now every message decodes cleanly, so both paths read it
    with the same warning, as fitdecode and Golden Cheetah do."""
    data = bytearray(_one_run())
    data[1] ^= 0x01
    run = assert_paths_agree(bytes(data), "header.fit")
    assert run.warnings[0].startswith("The file's header and data checksums do not match")
    pd.testing.assert_frame_equal(run.samples, read_activity(_one_run()).samples)


def test_backend_choice():
    data = _one_run()
    assert read_activity(data).reader == "fit_fast"
    assert read_activity(data, backend="fitparse").reader == "fitparse"
    assert read_activity(data, backend="reference").reader == "fitparse"
    with pytest.raises(ValueError, match="backend"):
        read_activity(data, backend="turbo")


def test_an_undefined_local_type_goes_to_the_reference_path():
    """A data message whose local type was never defined: fast path defers, the file is still read."""
    good = _one_run()
    header_size = good[0]
    body = bytearray(good[header_size:-2])
    body += bytes([0x0F])  # after the last message: a data header of local type 15, never defined
    header = bytearray(good[:header_size])
    struct.pack_into("<I", header, 4, len(body))
    struct.pack_into("<H", header, 12, crc16(bytes(header[:12])))
    content = bytes(header) + bytes(body)
    data = content + struct.pack("<H", crc16(content))
    run = read_activity(data, filename="odd.fit")
    assert run.warnings[0].startswith(FALLBACK_NOTE) and "undefined local type" in run.warnings[0]
    assert len(run.samples) == 300
