"""Garmin's post-run self-evaluation (issue 18): session fields 192 `workout_feel` (0-100) and 193
`workout_rpe` (Borg CR10 × 10) become `Activity.feel` and `Activity.perceived_effort` (0-10).

Every decoder path gives the same values: the fast decoder, fitparse (which names the fields
`unknown_192` / `unknown_193`) and Garmin's SDK (which names them `workout_feel` / `workout_rpe`).
Files come from our writer, plus the corpus files whose sessions carry the fields.
"""

from __future__ import annotations

import io
import os
import struct
from datetime import timedelta

import fitparse
import pytest
from conftest import CORPUS_DIR, corpus_catalog
from fit_fixtures import START, Stretch, records_for

from analysis.io import fit as fit_reader
from analysis.io import read_activity
from analysis.io.fit import _WANTED, FitMessages, build_activity, self_evaluation
from analysis.io.fit_fast import MESSAGE_FIELDS, UNKNOWN_SESSION_FIELDS, UnsupportedFit, decode_fit
from analysis.io.fit_writer import SessionSpec, encode_activity

BACKENDS = ("fast", "fitparse")
SELF_EVALUATION_WARNING = "self-evaluation"


def _records(minutes: int = 3, *, start=START, distance_offset_m: float = 0.0) -> tuple[dict, ...]:
    return tuple(records_for([Stretch(minutes * 60, 3.0)], start=start, distance_offset_m=distance_offset_m))


def _run(feel=None, rpe=None, **options) -> bytes:
    return encode_activity([SessionSpec("running", _records(), workout_feel=feel, workout_rpe=rpe)], **options)


def _read(data: bytes, backend: str):
    return read_activity(io.BytesIO(data), filename="run.fit", backend=backend)


def _read_sdk(data: bytes):
    """The Garmin FIT SDK path (the fallback for files fitparse cannot read), forced."""
    messages, errors = fit_reader._decode_garmin_sdk(data)
    assert not errors
    return build_activity(messages, name="run.fit", sha256="0" * 64, reader="garmin-fit-sdk", warnings=[])


def _all_paths(data: bytes, *, sdk: bool = True) -> list:
    return [_read(data, backend) for backend in BACKENDS] + ([_read_sdk(data)] if sdk else [])


def _self_evaluation_warnings(activity) -> list[str]:
    return [w for w in activity.warnings if SELF_EVALUATION_WARNING in w]


# --------------------------------------------------------------------------------------------
# files from our writer


@pytest.mark.parametrize("options", [{}, {"big_endian": True}, {"compressed_timestamps": True},
                                     {"developer_power": True}], ids=["plain", "big-endian", "compressed", "dev"])
def test_rpe_70_and_feel_75_read_the_same_by_every_path(options):
    data = _run(feel=75, rpe=70, **options)
    sdk = not options.get("compressed_timestamps")  # Garmin's Python SDK refuses compressed timestamps
    paths = _all_paths(data, sdk=sdk)
    assert [a.reader for a in paths] == ["fit_fast", "fitparse", "garmin-fit-sdk"][: len(paths)]
    for activity in paths:
        assert activity.perceived_effort == 7.0, activity.reader
        assert activity.feel == 75.0, activity.reader
        assert isinstance(activity.perceived_effort, float) and isinstance(activity.feel, float)
        assert not _self_evaluation_warnings(activity)


def test_the_sdk_fallback_inside_read_fit_gives_them_too(monkeypatch):
    """When fitparse fails on a file, the reference path reads it with Garmin's SDK: same values."""
    data = _run(feel=25, rpe=35)

    def fitparse_fails(_data):
        return FitMessages(), RuntimeError("simulated fitparse failure")

    monkeypatch.setattr(fit_reader, "_decode_fitparse", fitparse_fails)
    activity = _read(data, "fitparse")
    assert activity.reader == "garmin-fit-sdk"
    assert (activity.perceived_effort, activity.feel) == (3.5, 25.0)


def test_the_names_each_decoder_gives():
    data = _run(feel=75, rpe=70)
    sdk, _ = fit_reader._decode_garmin_sdk(data)
    assert {k: sdk["session"][0][k] for k in ("workout_feel", "workout_rpe")} == {"workout_feel": 75, "workout_rpe": 70}
    reference, error = fit_reader._decode_fitparse(data)
    assert error is None
    assert {k: reference["session"][0][k] for k in ("unknown_192", "unknown_193")} == {
        "unknown_192": 75, "unknown_193": 70}
    fast = decode_fit(data, "run.fit", _WANTED).messages["session"][0]
    assert (fast["unknown_192"], fast["unknown_193"]) == (75, 70)


def test_absent_fields_give_none():
    data = _run()
    for activity in _all_paths(data):
        assert activity.perceived_effort is None and activity.feel is None
        assert not _self_evaluation_warnings(activity)


def test_invalid_0xff_gives_none():
    data = _run(feel=255, rpe=255)
    reference, _ = fit_reader._decode_fitparse(data)
    assert reference["session"][0]["unknown_192"] is None  # the fields are there, marked invalid
    for activity in _all_paths(data):
        assert activity.perceived_effort is None and activity.feel is None
        assert not _self_evaluation_warnings(activity)


def test_one_answered_the_other_not():
    for activity in _all_paths(_run(feel=255, rpe=40)):
        assert (activity.perceived_effort, activity.feel) == (4.0, None)
    for activity in _all_paths(_run(feel=0)):
        assert (activity.perceived_effort, activity.feel) == (None, 0.0)


def test_the_ends_of_the_scales_are_kept():
    for activity in _all_paths(_run(feel=100, rpe=100)):
        assert (activity.perceived_effort, activity.feel) == (10.0, 100.0)
    for activity in _all_paths(_run(feel=0, rpe=0)):
        assert (activity.perceived_effort, activity.feel) == (0.0, 0.0)


def test_out_of_range_values_are_left_out_with_a_warning():
    data = _run(feel=120, rpe=130)
    paths = _all_paths(data)
    for activity in paths:
        assert activity.perceived_effort is None and activity.feel is None
        warnings = _self_evaluation_warnings(activity)
        assert len(warnings) == 2, activity.warnings
        assert "perceived effort of 13 out of 10" in warnings[0] and "0-10 scale" in warnings[0]
        assert "feel of 120" in warnings[1] and "0-100 scale" in warnings[1]
    assert paths[0].warnings == paths[1].warnings == paths[2].warnings


def test_one_out_of_range_keeps_the_other():
    for activity in _all_paths(_run(feel=101, rpe=60)):
        assert (activity.perceived_effort, activity.feel) == (6.0, None)
        assert len(_self_evaluation_warnings(activity)) == 1


def _multisport(specs: list[tuple[str, int | None, int | None]]) -> bytes:
    """Sessions back to back, 3 minutes each: (sport, feel, rpe)."""
    sessions, start, distance = [], START, 0.0
    for sport, feel, rpe in specs:
        records = _records(start=start, distance_offset_m=distance)
        sessions.append(SessionSpec(sport, records, workout_feel=feel, workout_rpe=rpe))
        start = records[-1]["timestamp"] + timedelta(seconds=1)
        distance = records[-1]["distance"] + 3.0
    return encode_activity(sessions)


def test_a_multisport_file_takes_the_running_sessions():
    data = _multisport([("cycling", 25, 30), ("transition", None, None), ("running", 75, 70)])
    for activity in _all_paths(data):
        assert activity.sport == "running"
        assert [s.kept for s in activity.sessions] == [False, False, True]
        assert (activity.perceived_effort, activity.feel) == (7.0, 75.0), activity.reader


def test_a_multisport_file_ignores_other_sports_when_the_run_has_none():
    data = _multisport([("cycling", 25, 30), ("running", None, None)])
    for activity in _all_paths(data):
        assert (activity.perceived_effort, activity.feel) == (None, None)
    data = _multisport([("cycling", 120, 150), ("running", 50, 20)])  # out of range, but not the run's
    for activity in _all_paths(data):
        assert (activity.perceived_effort, activity.feel) == (2.0, 50.0)
        assert not _self_evaluation_warnings(activity)


def test_a_multisport_file_takes_the_first_running_session_with_a_value():
    data = _multisport([("running", 255, None), ("cycling", 10, 10), ("running", 60, 80), ("running", 90, 90)])
    for activity in _all_paths(data):
        assert (activity.perceived_effort, activity.feel) == (8.0, 60.0)


def test_self_evaluation_on_session_dicts():
    warnings: list[str] = []
    sessions = [{"sport": "cycling", "workout_rpe": 10}, {"sport": "running", "unknown_193": 55, "unknown_192": None}]
    assert self_evaluation(sessions, warnings) == (1.0, None)
    assert self_evaluation(sessions, warnings, running_only=True) == (None, None)  # no start time: not kept
    sessions[1]["start_time"] = START
    assert self_evaluation(sessions, warnings, running_only=True) == (5.5, None)
    assert self_evaluation([{"workout_feel": (50, 60), "workout_rpe": True}], warnings) == (None, None)
    assert not warnings


# --------------------------------------------------------------------------------------------
# the writer


def _session_definitions(data: bytes) -> list[list[tuple[int, int, int]]]:
    """(number, size, base type) of each session definition in our writer's little-endian file."""
    fit = fitparse.FitFile(io.BytesIO(data), check_crc=True)
    return [[(f.def_num, f.size, f.base_type.identifier) for f in m.field_defs]
            for m in fit.get_messages(with_definitions=True) if m.type == "definition" and m.mesg_num == 18]


def test_the_writer_adds_proper_uint8_fields_only_when_asked():
    plain = _run()
    assert not any(number in UNKNOWN_SESSION_FIELDS for d in _session_definitions(plain) for number, _, _ in d)
    assert plain == encode_activity([SessionSpec("running", _records())])  # the default is unchanged
    data = _run(feel=75, rpe=70)
    (definition,) = _session_definitions(data)  # fitparse checked the CRC reading it
    assert definition[-2:] == [(192, 1, 0x02), (193, 1, 0x02)]
    assert len(data) == len(plain) + 2 * 3 + 2  # two field definitions, two bytes of data
    assert struct.unpack_from("<I", data, 4)[0] == len(data) - 16  # header's data size


# --------------------------------------------------------------------------------------------
# the fast renderer gives session messages what fitparse gives


def _restricted(messages: list[dict]) -> list[dict]:
    keys = MESSAGE_FIELDS | {f"unknown_{n}" for n in UNKNOWN_SESSION_FIELDS}
    return [{k: v for k, v in m.items() if k in keys} for m in messages]


@pytest.mark.parametrize("options", [{}, {"big_endian": True}, {"compressed_timestamps": True}])
@pytest.mark.parametrize("values", [(75, 70), (255, 255), (None, 40), (None, None)])
def test_fast_session_messages_equal_fitparse(values, options):
    data = _run(*values, **options)
    reference, error = fit_reader._decode_fitparse(data)
    assert error is None
    fast = decode_fit(data, "run.fit", _WANTED).messages
    for name in _WANTED:
        if name != "record":
            assert fast[name] == _restricted(reference[name]), name


# --------------------------------------------------------------------------------------------
# the corpus

# Corpus files whose session definitions carry 192/193, and what the run's self-evaluation is
# (perceived effort, feel). The two triathlon files define a session layout with them that no
# session message uses; four devices wrote the fields as invalid (not answered).
CORPUS_EXPECTED = {
    "GoldenCheetah/test/rides/Indoor_Cycling2smO2sensors.fit": (2.0, 50.0),
    "GoldenCheetah/test/roundtrip/Fr955v19.28andStryd.fit": (5.0, 25.0),
    "GoldenCheetah/test/swims/2024-10-20-104352-Pool Swim-BingiWatch.fit": (3.0, None),
    "GoldenCheetah/test/swims/Garmin945swimRRdata.fit": (None, None),
    "fit-parser/examples/road-with-power.fit": (None, None),
    "fit-parser/test/garmin-stamina.fit": (4.0, 50.0),
    "fitparser/tests/fixtures/20260129_day_25_-_testing.fit": (7.0, 75.0),
    "muktihari-fit/testdata/from_garmin_forums/triathlon_summary_first.fit": (None, None),
    "muktihari-fit/testdata/from_garmin_forums/triathlon_summary_last.fit": (None, None),
    "muktihari-fit/testdata/from_official_sdk/HrmPluginTestActivity.fit": (None, None),
    "sportstracker/st-exerciseviewer/misc/testdata/garmin-fit/Garmin_Fenix_6S_Pro-Cycling-Indoor-Assioma_Uno.fit": (
        None, None),
}


@pytest.mark.corpus
@pytest.mark.timeout(120)
@pytest.mark.parametrize("path", sorted(CORPUS_EXPECTED))
def test_corpus_self_evaluation_agrees(corpus_dir, path):
    data = (corpus_dir / path).read_bytes()
    name = os.path.basename(path)
    fast, reference = (read_activity(io.BytesIO(data), filename=name, backend=b) for b in BACKENDS)
    assert fast.reader == "fit_fast"
    expected = CORPUS_EXPECTED[path]
    assert (fast.perceived_effort, fast.feel) == expected
    assert (reference.perceived_effort, reference.feel) == expected
    messages, _ = fit_reader._decode_garmin_sdk(data)
    sdk = build_activity(messages, name=name, sha256="0" * 64, reader="garmin-fit-sdk", warnings=[])
    assert (sdk.perceived_effort, sdk.feel) == expected
    decoded = decode_fit(data, name, _WANTED).messages["session"]
    reference_sessions, _ = fit_reader._decode_fitparse(data)
    assert decoded == _restricted(reference_sessions["session"])


@pytest.mark.corpus
def test_no_other_corpus_file_has_a_self_evaluation(corpus_dir):
    """The list above is complete: no other corpus session message carries field 192 or 193."""
    carrying = set()
    for row in corpus_catalog():
        if row["kind"] != "fit" or row["local_path"] in CORPUS_EXPECTED:
            continue
        try:
            sessions = decode_fit((CORPUS_DIR / row["local_path"]).read_bytes(), "f.fit", _WANTED).messages["session"]
        except (UnsupportedFit, ValueError):
            continue
        if any(f"unknown_{n}" in s for s in sessions for n in UNKNOWN_SESSION_FIELDS):
            carrying.add(row["local_path"])
    assert not carrying
