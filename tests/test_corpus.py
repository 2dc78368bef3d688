"""Every FIT/GPX/TCX file of the real-file corpus (../shared/corpus, CATALOG.csv) through read_activity.

Parametrised over the catalogue, like sweatpy's example-file tests. Each file is either read
into a valid frame or refused with InputError, never anything else. Files that the reference
libraries (fitparse 1.2.0, gpxpy 1.6.2) read with timed samples must be read, and agree with
them. A hang guard (pytest-timeout) stops any single file at 10 s; speed itself is measured in
benchmarks/, not here.
"""

from __future__ import annotations

import functools
import io
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS_DIR, corpus_catalog

from analysis.errors import InputError
from analysis.io import read_activity
from analysis.io.samples import check_samples
from analysis.metrics import FATIGUE_METRICS, run_metrics

ACTIVITY_ROWS = [r for r in corpus_catalog() if r["kind"] in ("fit", "gpx", "tcx")]
# The one real file the catalogue says fitparse 1.2.0 cannot read but a maintained reader can.
FALLBACK_FILES = {"python-fitparse/tests/files/coros-pace-2-cycling-misaligned-fields.fit": 11272}
RUNNING_PACE_MPS = 2.0  # faster than 8:20 min/km: cadence here is running cadence, not walking


def _expected_readable(row: dict) -> bool:
    """Whether the reference library reads this GPX file with timed points (FIT: see test_fit_agrees_with_fitparse)."""
    if row["kind"] == "fit":
        return False
    return row["parses_with_gpxpy"] == "yes" and int(row["n_points"] or 0) > 0 and row["time_frac"] == "1.0"


def _read_or_refuse(row: dict):
    return _read_or_refuse_path(row["local_path"])


@functools.cache
def _read_or_refuse_path(local_path: str):
    """Read once per session: the metrics test below reuses what the read test decoded."""
    path = CORPUS_DIR / local_path
    try:
        return read_activity(path), None
    except InputError as exc:
        assert path.name in str(exc), "the message must name the file"
        return None, exc


def _fitparse_reference(path: Path) -> tuple[int, float]:
    """Record messages with a timestamp, and last minus first recorded distance (m), per fitparse.

    Only the device's own fields count: Connect IQ apps (swim-via-iq.fit) add developer fields
    that are also called "distance" and "speed", which get_values() would let win.
    """
    import fitparse
    from fitparse.records import DevFieldDefinition

    count, distances = 0, []
    for message in fitparse.FitFile(io.BytesIO(path.read_bytes())).get_messages("record"):
        values = {f.name: f.value for f in message.fields if not isinstance(f.field_def, DevFieldDefinition)}
        if values.get("timestamp") is None:
            continue
        count += 1
        if isinstance(values.get("distance"), (int, float)):
            distances.append(values["distance"])
    return count, (distances[-1] - distances[0]) if len(distances) > 1 else float("nan")


def _gpxpy_reference(path: Path) -> tuple[int, float]:
    import gpxpy

    gpx = gpxpy.parse(path.read_text(encoding="utf-8-sig"))
    points = sum(len(seg.points) for trk in gpx.tracks for seg in trk.segments)
    return points, gpx.length_2d()


def test_corpus_is_present(corpus_dir):
    assert len([r for r in ACTIVITY_ROWS if r["kind"] != "tcx"]) >= 300, (
        f"expected 300+ FIT/GPX rows in {corpus_dir / 'CATALOG.csv'}")
    assert len([r for r in ACTIVITY_ROWS if r["kind"] == "tcx"]) >= 14, f"expected 14 TCX rows in {corpus_dir}"


@pytest.mark.corpus
@pytest.mark.timeout(10)
@pytest.mark.parametrize("row", ACTIVITY_ROWS, ids=[r["local_path"] for r in ACTIVITY_ROWS])
def test_corpus_file_is_read_or_refused(corpus_dir, row):
    activity, refusal = _read_or_refuse(row)
    if _expected_readable(row):
        assert refusal is None, f"the reference library reads it, we refused: {refusal}"
    if activity is None:
        return
    check_samples(activity.samples)
    assert len(activity.samples) > 0
    assert activity.file_sha256 and activity.source_format == row["kind"]
    assert activity.samples["time"].is_monotonic_increasing
    assert not any("could not be read as" in w for w in activity.warnings)


RUNNING_ROWS = [
    r for r in ACTIVITY_ROWS
    if r["kind"] == "fit" and "running" in r["sport"].split("|") and r["parses_with_fitparse"] == "yes"
    or r["kind"] == "gpx" and r["has_cad"] == "True"
]


@pytest.mark.corpus
@pytest.mark.parametrize("row", RUNNING_ROWS, ids=[r["local_path"] for r in RUNNING_ROWS])
def test_running_cadence_is_in_steps_per_minute(corpus_dir, row):
    activity, refusal = _read_or_refuse(row)
    assert refusal is None, refusal
    s = activity.samples
    at_pace = (s["speed_mps"] >= RUNNING_PACE_MPS) & (s["cadence_spm"] > 0)
    if activity.sport != "running" or at_pace.sum() < 60:
        pytest.xfail(f"not enough running-pace samples with cadence ({int(at_pace.sum())}) to judge the unit")
    median = float(s.loc[at_pace, "cadence_spm"].median())
    assert 130 <= median <= 210, f"median cadence {median} steps/min ({activity.cadence_unit})"


FIT_REFERENCE_ROWS = [r for r in ACTIVITY_ROWS if r["kind"] == "fit" and r["parses_with_fitparse"] == "yes"]
# Where totals differ from fitparse's first-to-last record by design, and why.
KNOWN_DIFFERENCES = {
    "muktihari-fit/testdata/chained_Activity_activity_poolswim.fit":
        "two activities chained in one file, each with its own distance counter",
}


@pytest.mark.corpus
@pytest.mark.timeout(20)
@pytest.mark.parametrize("row", FIT_REFERENCE_ROWS, ids=[r["local_path"] for r in FIT_REFERENCE_ROWS])
def test_fit_agrees_with_fitparse(corpus_dir, row):
    count, distance = _fitparse_reference(corpus_dir / row["local_path"])
    activity, refusal = _read_or_refuse(row)
    if count == 0:
        assert refusal is not None, "fitparse finds no timed records, so the file must be refused"
        assert "no timed samples" in str(refusal)
        return
    assert refusal is None, f"fitparse reads {count} timed records, we refused: {refusal}"
    if any(not s.kept for s in activity.sessions):
        pytest.xfail("multisport: only the running part is kept, so totals differ by design")
    if row["local_path"] in KNOWN_DIFFERENCES:
        pytest.xfail(KNOWN_DIFFERENCES[row["local_path"]])
    assert len(activity.samples) + activity.dropped_samples == count
    assert activity.dropped_samples <= 0.005 * count or any("clock jumped" in w for w in activity.warnings)
    if np.isfinite(distance) and distance > 0:
        assert activity.distance_m == pytest.approx(distance, rel=0.005)


GPX_REFERENCE_ROWS = [r for r in ACTIVITY_ROWS if r["kind"] == "gpx" and _expected_readable(r)]


@pytest.mark.corpus
@pytest.mark.timeout(20)
@pytest.mark.parametrize("row", GPX_REFERENCE_ROWS, ids=[r["local_path"] for r in GPX_REFERENCE_ROWS])
def test_gpx_agrees_with_gpxpy(corpus_dir, row):
    activity, refusal = _read_or_refuse(row)
    assert refusal is None, refusal
    points, length_m = _gpxpy_reference(corpus_dir / row["local_path"])
    assert len(activity.samples) + activity.dropped_samples == points
    if length_m > 100:
        # gpxpy adds the jumps between segments; we do not (the watch was paused there)
        assert activity.distance_m <= length_m * 1.005
        if len(activity.timer_events) <= 2:
            assert activity.distance_m == pytest.approx(length_m, rel=0.005)


TCX_ROWS = [r for r in ACTIVITY_ROWS if r["kind"] == "tcx"]
# What each corpus TCX file is: (samples, trackpoints left out, sport, device), or the refusal's words.
# Left out: a trackpoint with only a time (Garmin and Polar write one at a lap start or at the very start).
TCX_EXPECTED: dict[str, tuple[int, int, str, str] | str] = {
    "GoldenCheetah/test/runs/10kUNLP2014-Garmin15.tcx": (686, 0, "running", "Forerunner 15"),
    "Runalyze/tests/testfiles/tcx/First-point-empty.tcx": (23, 1, "cycling", "unknown"),
    "Runalyze/tests/testfiles/tcx/Runtastic.tcx": (22, 0, "running", "unknown"),
    "Runalyze/tests/testfiles/tcx/Treadmill-doubled-cadence.tcx": (262, 0, "running", "unknown"),
    "Runalyze/tests/testfiles/tcx/Wrong-time-zone-by-polar.tcx": (1922, 1, "running", "Polar V800"),
    "Runalyze/tests/testfiles/tcx/missing-distances.tcx": (36, 0, "running", "Garmin Forerunner 310XT"),
    "heartandsole/tests/testdata.tcx": (49, 0, "running", "Garmin Forerunner 220"),
    "runpandas/runpandas/tests/io/data/samples/2020-12-08T06_36_12-300_Running.tcx": (898, 0, "running", "unknown"),
    # No <TrainingCenterDatabase> root (the file starts at <Activities>) and an undeclared xsi: prefix.
    "runpandas/runpandas/tests/io/data/tcx/malformed.tcx": "nor a TCX one",
    "runpandas/runpandas/tests/io/data/tcx/run_garmin.tcx": (147, 0, "running", "Garmin Forerunner 620"),
    "sports-lib/samples/tcx/unknown_example.tcx": (752, 0, "running", "Suunto Spartan Ultra"),
    # Whitespace before <?xml (as Strava serves uploads), which the catalogue's XML check refused.
    "sports-lib/src/specs/fixtures/runs/tcx/6281425038.tcx": (1545, 0, "running", "Polar V800"),
    "sports-lib/src/specs/fixtures/runs/tcx/6860622783.tcx": (3101, 0, "running", "Forerunner 945"),
    "sportstracker/st-exerciseviewer/misc/testdata/garmin-tcx/Forerunner405-Running_CadenceSensor.tcx":
        (269, 1, "running", "Forerunner 405 Software Version 2.80"),
}
# Where the samples' distance cannot match the laps' DistanceMeters, and why.
TCX_DISTANCE_EXCEPTIONS = {
    "Runalyze/tests/testfiles/tcx/First-point-empty.tcx":
        "a 2-minute excerpt of a 55-minute lap: the lap's 18.7 km are the whole ride's",
    "sports-lib/samples/tcx/unknown_example.tcx":
        "18 of its 32 laps have no trackpoints: the samples cover 5.0 km of the laps' 5.7 km",
}
TCX_NS = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"


def _tcx_laps(path: Path) -> tuple[int, float]:
    """Trackpoints and the sum of the laps' own DistanceMeters, by ElementTree on the file itself."""
    import xml.etree.ElementTree as ElementTree

    root = ElementTree.fromstring(path.read_bytes().lstrip())
    laps = list(root.iter(f"{TCX_NS}Lap"))
    return (sum(1 for _ in root.iter(f"{TCX_NS}Trackpoint")),
            sum(float(lap.findtext(f"{TCX_NS}DistanceMeters") or 0) for lap in laps))


def test_every_corpus_tcx_file_has_an_expectation():
    assert sorted(TCX_EXPECTED) == sorted(r["local_path"] for r in TCX_ROWS)


@pytest.mark.corpus
@pytest.mark.timeout(20)
@pytest.mark.parametrize("row", TCX_ROWS, ids=[r["local_path"] for r in TCX_ROWS])
def test_tcx_file_reads_what_it_holds(corpus_dir, row):
    activity, refused = _read_or_refuse(row)
    expected = TCX_EXPECTED[row["local_path"]]
    if isinstance(expected, str):
        assert refused is not None and expected in str(refused), refused
        return
    assert refused is None, refused
    samples, dropped, sport, device = expected
    assert (len(activity.samples), activity.dropped_samples, activity.sport, activity.device) == expected
    assert activity.reader == "lxml" and activity.source_format == "tcx"
    trackpoints, lap_distance = _tcx_laps(corpus_dir / row["local_path"])
    assert samples + dropped == trackpoints
    if row["local_path"] in TCX_DISTANCE_EXCEPTIONS:
        assert activity.distance_m < 0.9 * lap_distance, TCX_DISTANCE_EXCEPTIONS[row["local_path"]]
    else:
        assert activity.distance_m == pytest.approx(lap_distance, rel=0.01)
    s = activity.samples
    at_pace = (s["speed_mps"] >= RUNNING_PACE_MPS) & (s["cadence_spm"] > 0)
    if activity.sport == "running" and at_pace.sum() >= 60:
        assert 150 <= float(s.loc[at_pace, "cadence_spm"].median()) <= 200, activity.cadence_unit


@pytest.mark.corpus
def test_tcx_quirks_of_real_files(corpus_dir):
    polar = read_activity(corpus_dir / "Runalyze/tests/testfiles/tcx/Wrong-time-zone-by-polar.tcx")
    assert polar.utc_offset_s == 3600 and polar.start_time.isoformat() == "2016-04-10T17:40:59+00:00"
    assert polar.cadence_unit == "per leg in file, doubled to steps/min"  # plain <Cadence>, per leg
    treadmill = read_activity(corpus_dir / "Runalyze/tests/testfiles/tcx/Treadmill-doubled-cadence.tcx")
    assert treadmill.cadence_unit == "steps/min in file, kept" and treadmill.samples["lat_deg"].isna().all()
    strava = read_activity(corpus_dir / "sports-lib/src/specs/fixtures/runs/tcx/6281425038.tcx")
    assert strava.device == "Polar V800"  # Creator/Name, not the training plan's <Name>Running</Name>
    suunto = read_activity(corpus_dir / "sports-lib/samples/tcx/unknown_example.tcx")
    assert suunto.pauses == 6 and any("gaps of more than" in w for w in suunto.warnings)


@pytest.mark.corpus
@pytest.mark.parametrize("local_path", sorted(FALLBACK_FILES))
def test_file_fitparse_cannot_read_is_read_by_the_fallback(corpus_dir, local_path):
    activity = read_activity(corpus_dir / local_path)
    assert activity.reader == "garmin-fit-sdk"
    assert len(activity.samples) == FALLBACK_FILES[local_path]
    assert any("Garmin's FIT SDK" in w for w in activity.warnings)


@pytest.mark.corpus
def test_truncated_real_file_keeps_records_before_the_damage(corpus_dir):
    activity = read_activity(corpus_dir / "python-fitparse/tests/files/nick.fit")
    assert len(activity.samples) == 14391
    assert any("damaged" in w or "cut off" in w for w in activity.warnings)


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("local_path", "needle"),
    [
        # A wrong file CRC, then 86 KB that are not FIT after a header promising no data. activity-filecrc.fit,
        # whose CRC alone is wrong, is read with a warning since issue 19 (tests/test_fit_damaged.py).
        ("sports-lib/src/specs/fixtures/others/empty-activities.fit", "checksum does not match"),
        ("sports-lib/src/specs/fixtures/others/empty-sessions.fit", "empty"),
        ("import-gpx/test/fixtures/invalid.gpx", "GPX"),
    ],
)
def test_broken_real_files_are_refused_in_words(corpus_dir, local_path, needle):
    with pytest.raises(InputError, match=needle):
        read_activity(corpus_dir / local_path)


# Plausible bounds for an eligible run (issue 4): larger values would mean a bug, not a runner.
PLAUSIBLE_PACE_DECAY_PCT = 60.0
PLAUSIBLE_CADENCE_DRIFT_SPM = 30.0


@pytest.mark.corpus
@pytest.mark.timeout(10)
@pytest.mark.parametrize("row", ACTIVITY_ROWS, ids=[r["local_path"] for r in ACTIVITY_ROWS])
def test_every_running_file_gets_plausible_metrics(corpus_dir, row):
    activity, _ = _read_or_refuse(row)
    if activity is None or activity.sport != "running":
        return
    m = run_metrics(activity)
    assert m.moving_time_s <= m.elapsed_time_s + 1e-6
    if not m.eligible:
        assert m.ineligible_reason and all(math.isnan(getattr(m, name)) for name in FATIGUE_METRICS)
        return
    assert m.moving_time_s >= 30 * 60
    assert m.pace_decay_basis in ("gap", "pace")
    assert abs(m.pace_decay_pct) < PLAUSIBLE_PACE_DECAY_PCT, m
    if not math.isnan(m.cadence_drift_spm):
        assert abs(m.cadence_drift_spm) < PLAUSIBLE_CADENCE_DRIFT_SPM, m
        assert 120 <= m.baseline_cadence_spm <= 220, m
    if not math.isnan(m.decoupling_pct):
        assert 60 <= m.avg_heart_rate_bpm <= 210, m
    for name in FATIGUE_METRICS:
        if math.isnan(getattr(m, name)):
            assert f"{name}:" in m.notes, f"{name} is blank without a reason"


def test_corpus_has_enough_eligible_runs_to_mean_something(corpus_dir):
    eligible = [r for r in ACTIVITY_ROWS if (a := _read_or_refuse(r)[0]) is not None and a.sport == "running"
                and run_metrics(a).eligible]
    assert len(eligible) >= 40, f"only {len(eligible)} eligible running files in the corpus"
