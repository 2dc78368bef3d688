"""A Garmin Connect account export (issue 19, part 3): nested archives read, non-activity files summarised."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from conftest import ADMIN
from fit_fixtures import Stretch, run_file

from analysis.ingest.pipeline import SKIPPED_GROUP_MIN, ingest
from analysis.io.fit_writer import FitWriter
from analysis.store import Store


def _monitoring_fit(serial: int) -> bytes:
    writer = FitWriter()
    writer.write("file_id", type=32, manufacturer="garmin", product=1, serial_number=serial,
                 time_created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    return writer.to_bytes()


def _account_export(monitoring: int, json_files: int, odd: int = 1) -> bytes:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as part:
        part.writestr("2026-03-02-run.fit", run_file([Stretch(1800, 3.2)]))
        for i in range(monitoring):
            part.writestr(f"{i}_WELLNESS.fit", _monitoring_fit(i))
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as export:
        export.writestr("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", inner.getvalue())
        for i in range(json_files):
            export.writestr(f"DI_CONNECT/DI-Connect-Wellness/{i}_sleepData.json", json.dumps({"night": i}))
        for i in range(odd):
            export.writestr(f"DI_CONNECT/photo{i}.jpg", b"\xff\xd8\xff\xe0" + bytes(100))
    return outer.getvalue()


def test_thousands_of_non_activity_files_are_one_line_per_kind(tmp_path):
    with Store(tmp_path) as store:
        report = ingest([("garmin.zip", _account_export(1200, 300))], athlete="Ana", store=store, viewer=ADMIN,
                        workers=0)
        assert len(store.runs(ADMIN)) == 1
    assert len(report) == 4  # the run, one line for the monitoring files, one for the JSON, the photo alone
    run = report[report["status"] == "imported"]
    assert run["file"].tolist() == ["garmin.zip/DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip/"
                                    "2026-03-02-run.fit"]
    lines = report.set_index("file")["reason"]
    assert lines["garmin.zip: 1,200 files"].startswith("1,200 files like DI_CONNECT/DI-Connect-Uploaded-Files/")
    assert "is a FIT monitoring (all-day tracking) file" in lines["garmin.zip: 1,200 files"]
    assert "looks like JSON data" in lines["garmin.zip: 300 files"]
    assert "JPEG" in lines["garmin.zip/DI_CONNECT/photo0.jpg"]  # fewer than SKIPPED_GROUP_MIN: listed by name


def test_a_few_files_of_one_kind_are_still_listed_one_by_one(tmp_path):
    with Store(tmp_path) as store:
        report = ingest([("garmin.zip", _account_export(SKIPPED_GROUP_MIN - 1, 0))], athlete="Ana", store=store,
                        viewer=ADMIN,
                        workers=0)
    assert (report["file"].str.endswith("_WELLNESS.fit")).sum() == SKIPPED_GROUP_MIN - 1
