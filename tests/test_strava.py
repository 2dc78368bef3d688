"""Strava bulk exports (issue 19, part 2): activities.csv joined to the export's files, through the real ingest."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import zipfile
from datetime import UTC, datetime

import pandas as pd
import pytest
from conftest import ADMIN
from fit_fixtures import SessionSpec, Stretch, encode_activity, gpx_from_records, records_for, tcx_from_records

from analysis import check_in as ci
from analysis.cli import main as cli_main
from analysis.ingest.pipeline import ingest
from analysis.ingest.strava import is_activity_list, read_activity_list
from analysis.store import Store

# The header of a real export (2023): repeated names, the first Distance in km, the second in metres.
HEADER = ("Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,"
          "Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,Athlete Weight,"
          "Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,Average Speed,Elevation Gain,Perceived Exertion")
# Older exports wrap some header cells in HTML.
SPAN_HEADER = HEADER.replace("Activity Type", '<span class="translation_missing" title="translation missing: en-US.'
                             'lib.export.portability_exporter.activities.horton_values.type">Activity Type</span>')


def _row(activity_id, name, kind, filename, effort="", date='"Mar 2, 2026, 6:30:00 AM"'):
    return (f'{activity_id},{date},{name},{kind},,1800,5.76,150,20,false,,,{filename},,,1800,1790,5760.0,3.3,3.2,'
            f"12,{effort}")


def _run(day: int, **session) -> tuple[list[dict], bytes]:
    records = records_for([Stretch(1800, 3.2)], start=datetime(2026, 3, day, 6, 30, tzinfo=UTC))
    return records, encode_activity([SessionSpec("running", tuple(records), **session)], utc_offset_s=3600)


def export_zip(rows: list[str], files: dict[str, bytes], *, header: str = HEADER, root: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{root}activities.csv", "\n".join([header, *rows]) + "\n")
        for name, data in files.items():
            archive.writestr(f"{root}{name}", data)
    return buffer.getvalue()


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "store") as s:
        yield s


def _runs(store: Store) -> pd.DataFrame:
    return store.runs(ADMIN).set_index("file_name")


def test_an_export_imports_every_run_with_its_name_and_perceived_exertion(store):
    _, fit = _run(2, workout_rpe=40)
    gpx_records, _ = _run(3)
    _, ride = _run(4)
    tcx_records, _ = _run(5)
    files = {"activities/101.fit.gz": gzip.compress(fit), "activities/102.gpx.gz": gzip.compress(
        gpx_from_records(gpx_records)), "activities/103.fit.gz": gzip.compress(ride),
        "activities/106.tcx.gz": gzip.compress(b"\n  " + tcx_from_records(tcx_records))}  # Strava's blank start
    rows = [_row(101, "Long one", "Run", "activities/101.fit.gz", "6"),
            _row(102, '"Tempo Tuesday, with a comma"', "Trail Run", "activities/102.gpx.gz"),
            _row(103, "Commute", "Ride", "activities/103.fit.gz"),
            _row(104, "Lost run", "Run", "activities/104.tcx.gz", "5"),
            _row(105, "Yoga", "Yoga", ""),
            _row(106, "Treadmill intervals", "Run", "activities/106.tcx.gz", "7")]
    report = ingest([("export.zip", export_zip(rows, files))], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    by_file = report.set_index("file")
    assert by_file.loc["export.zip/activities/101.fit.gz", "status"] == "imported"
    assert by_file.loc["export.zip/activities/102.gpx.gz", "status"] == "imported"
    assert "“Commute” (Ride" in by_file.loc["export.zip/activities/103.fit.gz", "reason"]
    assert by_file.loc["export.zip/activities/103.fit.gz", "status"] == "skipped"
    missing = by_file.loc["export.zip/activities/104.tcx.gz"]
    assert missing["status"] == "skipped" and "row 5" in missing["reason"] and "no such file" in missing["reason"]
    summary = by_file.loc["export.zip/activities.csv", "reason"]
    assert "6 activities" in summary and "3 runs found" in summary and "1 has no file" in summary

    runs = _runs(store)
    assert len(runs) == 3
    tcx_run = runs.loc["export.zip/activities/106.tcx.gz"]
    assert (tcx_run["source_format"], tcx_run["activity_name"], tcx_run["perceived_effort"]) == (
        "tcx", "Treadmill intervals", 7.0)
    fit_run = runs.loc["export.zip/activities/101.fit.gz"]
    assert fit_run["activity_name"] == "Long one"
    assert (fit_run["perceived_effort"], fit_run["effort_source"]) == (6.0, "strava")
    assert fit_run["watch_perceived_effort"] == 4.0  # the watch's own answer is kept behind Strava's
    gpx_run = runs.loc["export.zip/activities/102.gpx.gz"]
    assert gpx_run["activity_name"] == "Tempo Tuesday, with a comma" and pd.isna(gpx_run["perceived_effort"])

    # a check-in ranks above Strava; deleting it gives Strava's answer back
    saved = ci.save_check_in(store, ADMIN, ci.CheckIn("Ana", dt.date(2026, 3, 2),
                                               runs=(ci.RunAnswer(fit_run["run_id"], 8),)))
    assert _runs(store).loc["export.zip/activities/101.fit.gz", "effort_source"] == "check-in"
    ci.delete_check_in(store, ADMIN, saved.check_in_id)
    again = _runs(store).loc["export.zip/activities/101.fit.gz"]
    assert (again["perceived_effort"], again["effort_source"]) == (6.0, "strava")


def test_an_export_unpacked_into_a_folder_and_an_old_header_with_html(store, tmp_path):
    _, fit = _run(2)
    folder = tmp_path / "export_12345"
    (folder / "activities").mkdir(parents=True)
    (folder / "activities" / "7.fit").write_bytes(fit)
    (folder / "activities.csv").write_text("\n".join([SPAN_HEADER, _row(7, "Easy", "Run", "activities/7.fit", "3")]))
    report = ingest([folder], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    assert "imported" in set(report["status"])
    run = store.runs(ADMIN).iloc[0]
    assert (run["activity_name"], run["perceived_effort"]) == ("Easy", 3.0)


def test_a_duplicate_run_still_takes_the_lists_name_and_effort(store):
    _, fit = _run(2)
    ingest([("run.fit", fit)], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    report = ingest([("export.zip", export_zip([_row(9, "Race day", "Run", "activities/9.fit.gz", "9")],
                                               {"activities/9.fit.gz": gzip.compress(fit)}))],
                    athlete="Ana", store=store, viewer=ADMIN, workers=0)
    row = report.set_index("file").loc["export.zip/activities/9.fit.gz"]
    assert row["status"] == "duplicate" and "“Race day”" in row["reason"]
    run = store.runs(ADMIN).iloc[0]
    assert (run["file_name"], run["activity_name"], run["perceived_effort"]) == ("run.fit", "Race day", 9.0)


def test_a_bad_perceived_exertion_is_left_out_with_the_row_named():
    listed = read_activity_list(("\n".join([HEADER, _row(1, "A", "Run", "activities/1.fit", "11"),
                                            _row(2, "B", "Run", "activities/2.fit", "hard")])).encode(), "a.csv")
    assert [a.listing.perceived_effort for a in listed.activities] == [None, None]
    assert listed.warnings == ("row 2: Perceived Exertion '11' is not a number from 1 to 10; left out",
                               "row 3: Perceived Exertion 'hard' is not a number from 1 to 10; left out")


def test_the_list_is_found_by_its_header_not_its_name():
    assert is_activity_list(HEADER.encode()) and is_activity_list(SPAN_HEADER.encode())
    assert not is_activity_list(b"date,athlete,session_type,exercise\n")
    assert not is_activity_list(b"\x0e\x10\x00\x00")


def test_a_list_too_big_is_refused_and_its_runs_still_import(store):
    _, fit = _run(2)
    huge = [_row(i, "x" * 50, "Run", f"activities/{i}.fit") for i in range(210_000)]  # over the 200,000-row cap
    report = ingest([("export.zip", export_zip(huge, {"activities/1.fit": fit}))], athlete="Ana", store=store,
                    viewer=ADMIN,
                    workers=0)
    by_file = report.set_index("file")
    assert "could not be used as Strava's activity list" in by_file.loc["export.zip/activities.csv", "reason"]
    assert by_file.loc["export.zip/activities/1.fit", "status"] == "imported"
    assert pd.isna(store.runs(ADMIN)["activity_name"].iloc[0])


def test_names_are_exported_with_formula_cells_escaped(store, tmp_path):
    _, fit = _run(2)
    ingest([("export.zip", export_zip([_row(1, "=HYPERLINK(1)", "Run", "activities/1.fit")],
                                      {"activities/1.fit": fit}))], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    store.close()
    assert cli_main(["export", "--store", str(tmp_path / "store"), "--out", str(tmp_path / "out")]) == 0
    text = (tmp_path / "out" / "runs.csv").read_text()
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text
