"""AppTest of the Import page: uploads, the athlete choice, the import report and what reaches the store."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from app_harness import assert_no_exception, open_app
from conftest import ADMIN
from fit_fixtures import Stretch, run_file

from analysis.errors import InputError
from analysis.ingest import pipeline
from analysis.io import read_strength_log
from analysis.store import Store

PAGE = "app_pages/import_files.py"
FIT = "application/octet-stream"


def good_fit() -> bytes:
    """A 40-minute run at 3 m/s written by the project's FIT writer (a date no sample athlete ran on)."""
    return run_file([Stretch(600, 2.8), Stretch(1800, 3.0), Stretch(600, 2.9)])


def corrupt_fit(good: bytes) -> bytes:
    """A FIT header followed by garbage: recognised as FIT, then unreadable."""
    return good[:14] + b"\xff" * 500


def snapshot(store_dir) -> dict[str, pd.DataFrame]:
    with Store(store_dir) as store:
        return {"runs": store.runs(ADMIN), "athletes": store.athletes(ADMIN), "log": store.strength_log(ADMIN)}


def report_table(at) -> pd.DataFrame:
    [table] = [df.value for df in at.dataframe if "status" in df.value.columns]
    return table


def import_button(at):
    [button] = [b for b in at.button if b.label == "Import"]
    return button


def test_good_file_imports_and_corrupt_file_fails_with_its_reason(store_copy, monkeypatch):
    before = snapshot(store_copy)
    good = good_fit()
    at = open_app(store_copy, monkeypatch, page=PAGE)
    at.file_uploader[0].set_value([("morning run.fit", good, FIT), ("same run again.fit", good, FIT),
                                   ("bad.fit", corrupt_fit(good), FIT)])
    at.radio[0].set_value("A new athlete")
    at.run()
    at.text_input[0].set_value("Zoë")
    at.run()
    assert not import_button(at).disabled
    import_button(at).click()
    at.run()
    assert_no_exception(at)

    report = report_table(at).set_index("file")
    assert report.loc["morning run.fit", "status"] == "imported"
    assert report.loc["same run again.fit", "status"] == "duplicate"
    assert report.loc["bad.fit", "status"] == "failed"
    assert "damaged" in report.loc["bad.fit", "reason"]
    assert report.loc["morning run.fit", "cadence_unit"]  # the unit detected is reported
    assert any("1 imported, 1 duplicate, 1 failed" in i.value for i in at.info)
    [error] = at.error
    assert "bad" in error.value and "damaged" in error.value

    after = snapshot(store_copy)
    new = after["runs"][~after["runs"]["run_id"].isin(before["runs"]["run_id"])]
    assert list(new["run_id"]) == [hashlib.sha256(good).hexdigest()]
    assert list(new["athlete"]) == ["Zoë"]
    assert report.loc["morning run.fit", "distance_km"] == pytest.approx(new["distance_km"].iloc[0], abs=5e-4)
    # Nothing else changed: the old runs, the other athletes and the strength log are as they were.
    old = after["runs"][after["runs"]["run_id"].isin(before["runs"]["run_id"])]
    pd.testing.assert_frame_equal(old.reset_index(drop=True), before["runs"].reset_index(drop=True))
    pd.testing.assert_frame_equal(after["log"], before["log"])
    assert sorted(after["athletes"]["athlete"]) == sorted([*before["athletes"]["athlete"], "Zoë"])

    assert [b for b in at.button if b.label == "Open the newest imported run in the Run explorer"]
    # The report stays after the next rerun, and the uploaders were emptied.
    at.run()
    assert report_table(at).set_index("file").loc["bad.fit", "status"] == "failed"
    assert import_button(at).disabled


def test_strength_log_from_a_folder_upload_goes_to_the_chosen_athlete(store_copy, monkeypatch):
    before = snapshot(store_copy)
    csv = (b"date,exercise,sets,reps,back_soreness,notes\n"
           b"2026-03-02,Dead bug,3,10,,\n"
           b"2026-03-02,Clamshell (band),3,15,,\n"
           b"2026-03-03,,,,4,after the long run\n")
    expected = read_strength_log(csv, athlete="Ben")
    at = open_app(store_copy, monkeypatch, page=PAGE)
    folder = [u for u in at.file_uploader if u.accept_directory]
    assert len(folder) == 1 and not at.file_uploader[0].accept_directory
    folder[0].set_value([("logs/ben.csv", csv, "text/csv")])
    at.run()
    at.selectbox(key="import_existing_athlete").set_value("Ben")
    at.run()
    import_button(at).click()
    at.run()
    assert_no_exception(at)

    [row] = report_table(at).to_dict("records")
    assert (row["status"], row["kind"], row["athlete"]) == ("imported", "strength", "Ben")
    after = snapshot(store_copy)
    added = len(after["log"]) - len(before["log"])
    assert added == len(expected) == 3
    ben_new = after["log"][after["log"]["athlete"] == "Ben"]
    assert (ben_new["notes"] == "after the long run").sum() == 1
    pd.testing.assert_frame_equal(after["runs"], before["runs"])


def test_import_waits_for_files_and_a_name(store_copy, monkeypatch):
    at = open_app(store_copy, monkeypatch, page=PAGE)
    assert import_button(at).disabled
    assert any("choose files or a folder" in c.value for c in at.caption)
    at.file_uploader[0].set_value(("run.fit", good_fit(), FIT))
    at.radio[0].set_value("A new athlete")
    at.run()
    assert import_button(at).disabled
    assert any("type the new athlete's name" in c.value for c in at.caption)
    at.text_input[0].set_value("   ")  # blank is not a name
    at.run()
    assert import_button(at).disabled
    at.text_input[0].set_value("ben")  # an existing athlete under another case: files go to Ben
    at.run()
    assert not import_button(at).disabled
    assert any("Ben already exists" in i.value for i in at.info)



def test_a_batch_refused_as_a_whole_is_an_error_not_a_traceback(store_copy, monkeypatch):
    """InputError for the whole batch (the store refusing it, e.g. a name it cannot take) is shown as an error."""
    def refuse(sources, *, athlete, store, progress=None, **kwargs):
        raise InputError(f"athlete name {athlete!r} is refused")

    monkeypatch.setattr(pipeline, "ingest", refuse)  # the page imports ingest from here on every run
    before = snapshot(store_copy)
    at = open_app(store_copy, monkeypatch, page=PAGE)
    at.file_uploader[0].set_value(("run.fit", good_fit(), FIT))
    at.run()
    import_button(at).click()
    at.run()
    assert_no_exception(at)
    [error] = at.error
    assert error.value.startswith("Nothing was imported") and "refused" in error.value
    assert not [df for df in at.dataframe if "status" in df.value.columns]  # no report from an earlier import
    after = snapshot(store_copy)
    for name in before:
        pd.testing.assert_frame_equal(after[name], before[name])


def test_drop_positions_stores_the_run_without_them_and_the_report_says_so(store_copy, monkeypatch):
    good = good_fit()
    at = open_app(store_copy, monkeypatch, page=PAGE)
    box = at.checkbox(key="import_drop_positions")
    assert box.label == "Drop GPS positions (no maps for these runs)" and not box.value and box.help
    at.file_uploader[0].set_value([("morning run.fit", good, FIT)])
    at.selectbox(key="import_existing_athlete").set_value("Ben")
    at.run()
    at.checkbox(key="import_drop_positions").check()
    at.run()
    assert any("without GPS positions" in c.value for c in at.caption)
    import_button(at).click()
    at.run()
    assert_no_exception(at)
    [row] = report_table(at).to_dict("records")
    assert row["status"] == "imported" and "GPS positions dropped at import (privacy option)" in row["warnings"]
    with Store(store_copy) as store:
        samples = store.samples(ADMIN, hashlib.sha256(good).hexdigest())
    assert len(samples) == 3000 and samples[["lat_deg", "lon_deg"]].isna().all().all()
    assert samples["distance_m"].iloc[-1] > 8000  # distance as read from the file, kept


def test_uploads_over_the_per_import_cap_disable_import_and_say_why(store_copy, monkeypatch):
    good = good_fit()
    monkeypatch.setattr(pipeline, "MAX_UPLOAD_BYTES", 2 * len(good) - 1)  # the page reads the cap on every run
    at = open_app(store_copy, monkeypatch, page=PAGE)
    at.file_uploader[0].set_value([("a.fit", good, FIT)])
    at.selectbox(key="import_existing_athlete").set_value("Ben")
    at.run()
    assert not import_button(at).disabled  # one file is under the cap
    at.file_uploader[0].set_value([("a.fit", good, FIT), ("b.fit", good + b"\0", FIT)])
    at.run()
    assert_no_exception(at)
    assert import_button(at).disabled
    [caption] = [c.value for c in at.caption if c.value.startswith("Cannot import")]
    total, cap = f"{(2 * len(good) + 1) / 1e3:.0f} KB", f"{(2 * len(good) - 1) / 1e3:.0f} KB"
    assert caption == (f"Cannot import: the upload holds {total}; one import takes at most {cap}: "
                       "import the files in parts.")
    assert import_button(at).help.startswith("the upload holds")


# ----------------------------------------------------------------------------------------------------
# strength logs with bad rows, and logs overlapping a stored one

STRONG_HEADER = (b"Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,"
                 b"Workout Notes,RPE\n")  # as the Strong app writes it
JAN_8 = [b"2026-01-08 07:31:54,Core,45m,Plank,1,0,0,0,60,,,", b"2026-01-08 07:31:54,Core,45m,Dead Bug,1,0,10,0,0,,,"]
JAN_10 = [b"2026-01-10 07:30:00,Hips,40m,Clamshell (Band),1,0,15,0,0,,,"]
JAN_12 = [b"2026-01-12 07:30:00,Core,40m,Side Plank,1,0,0,0,45,,,",
          b"2026-01-12 07:30:00,Core,40m,Glute Bridge,1,10,12,0,0,,,"]
BAD_WEIGHT = b"2026-01-08 07:31:54,Core,45m,Bird Dog,1,heavy,8,0,0,,,"  # row 4 below
WITH_BAD_ROW = STRONG_HEADER + b"\n".join([*JAN_8, BAD_WEIGHT, *JAN_10]) + b"\n"
CHOICE_LABELS = ("Replace the old file", "Keep both")


def strong(*rows: bytes) -> bytes:
    return STRONG_HEADER + b"\n".join(rows) + b"\n"


def buttons(at, *labels: str) -> list:
    return [b for b in at.button if b.label in labels]


def good_rows_buttons(at) -> list:
    return [b for b in at.button if b.key == "import_good_rows"]


def ben_strong_entries(store_dir) -> pd.DataFrame:
    log = snapshot(store_dir)["log"]
    return log[(log["athlete"] == "Ben") & (log["source_format"] == "strong")]


def upload_for_ben(at, name: str, data: bytes, *, skip_bad_rows: bool = False):
    at.file_uploader[0].set_value([(name, data, "text/csv")])
    at.selectbox(key="import_existing_athlete").set_value("Ben")
    at.run()
    if skip_bad_rows:
        at.checkbox(key="import_skip_bad_rows").check()
        at.run()
    import_button(at).click()
    at.run()
    assert_no_exception(at)
    return at


def test_a_log_with_bad_rows_is_refused_by_default_and_the_page_offers_its_good_rows(store_copy, monkeypatch):
    before = snapshot(store_copy)
    at = open_app(store_copy, monkeypatch, page=PAGE)
    box = at.checkbox(key="import_skip_bad_rows")
    assert box.label == ("Import the good rows of a strength log that has bad rows (the rows left out are listed)")
    assert not box.value and box.help
    assert not buttons(at, *CHOICE_LABELS) and not good_rows_buttons(at)  # nothing held: no buttons
    upload_for_ben(at, "strong.csv", WITH_BAD_ROW)

    [row] = report_table(at).to_dict("records")
    assert row["status"] == "failed" and "row 4, column 'Weight'" in row["reason"]
    pd.testing.assert_frame_equal(snapshot(store_copy)["log"], before["log"])  # refused: nothing stored
    [hint] = [i.value for i in at.info if "refused only for bad rows" in i.value]
    assert "Tick *Import the good rows of a strength log that has bad rows" in hint
    assert not buttons(at, *CHOICE_LABELS)

    [again] = good_rows_buttons(at)
    assert again.label == "Import the good rows of strong\\.csv"  # markdown-escaped: the name is user text
    again.click()
    at.run()
    assert_no_exception(at)
    [row] = report_table(at).to_dict("records")
    assert row["status"] == "imported" and "row 4, column 'Weight'" in row["warnings"]
    [left_out] = [w.value for w in at.warning if "imported without some rows" in w.value]
    assert "1 row left out" in left_out and "row 4" in left_out
    added = ben_strong_entries(store_copy)
    assert list(added["exercise"]) == ["Plank", "Dead Bug", "Clamshell (Band)"]
    assert list(added["source_row"]) == [2, 3, 5]  # every row but the bad one
    assert not good_rows_buttons(at)  # nothing is held any more
    assert not [i for i in at.info if "refused only for bad rows" in i.value]


def test_ticking_the_box_imports_the_good_rows_at_once(store_copy, monkeypatch):
    at = open_app(store_copy, monkeypatch, page=PAGE)
    upload_for_ben(at, "strong.csv", WITH_BAD_ROW, skip_bad_rows=True)
    [row] = report_table(at).to_dict("records")
    assert row["status"] == "imported"
    assert any("row 4" in w.value for w in at.warning if "imported without some rows" in w.value)
    assert len(ben_strong_entries(store_copy)) == 3


def hold_an_overlapping_log(store_copy, monkeypatch):
    """Ben has January's Strong export stored; the page is given a newer export of the same log."""
    with Store(store_copy) as store:
        first = pipeline.ingest([("strong-january.csv", strong(*JAN_8, *JAN_10))], athlete="Ben", store=store,
                                viewer=ADMIN,
                                workers=0)
    assert list(first["status"]) == ["imported"]
    before = snapshot(store_copy)
    at = open_app(store_copy, monkeypatch, page=PAGE)
    assert not buttons(at, *CHOICE_LABELS)
    upload_for_ben(at, "strong-later.csv", strong(*JAN_8, *JAN_10, *JAN_12))
    return at, before


def test_an_overlapping_log_is_held_with_a_choice_to_replace_the_old_file(store_copy, monkeypatch):
    at, before = hold_an_overlapping_log(store_copy, monkeypatch)
    [row] = report_table(at).to_dict("records")
    assert row["status"] == "overlaps" and "strong-january.csv" in row["reason"]
    assert any("1 overlaps" in i.value for i in at.info)
    pd.testing.assert_frame_equal(snapshot(store_copy)["log"], before["log"])  # hold stores nothing
    assert len(ben_strong_entries(store_copy)) == 3
    assert [b.label for b in buttons(at, *CHOICE_LABELS)] == list(CHOICE_LABELS)

    buttons(at, "Replace the old file")[0].click()
    at.run()
    assert_no_exception(at)
    [row] = report_table(at).to_dict("records")
    assert (row["file"], row["status"]) == ("strong-later.csv", "imported")
    entries = ben_strong_entries(store_copy)
    assert len(entries) == 5 and list(entries["exercise"]).count("Plank") == 1  # swapped, not added
    others = snapshot(store_copy)["log"]
    pd.testing.assert_frame_equal(others[others["source_format"] != "strong"].reset_index(drop=True),
                                  before["log"][before["log"]["source_format"] != "strong"].reset_index(drop=True))
    assert not buttons(at, *CHOICE_LABELS)  # nothing held any more


def test_an_overlapping_log_can_be_kept_beside_the_old_one(store_copy, monkeypatch):
    at, _ = hold_an_overlapping_log(store_copy, monkeypatch)
    buttons(at, "Keep both")[0].click()
    at.run()
    assert_no_exception(at)
    assert report_table(at)["status"].tolist() == ["imported"]
    entries = ben_strong_entries(store_copy)
    assert len(entries) == 3 + 5 and list(entries["exercise"]).count("Plank") == 2
    assert not buttons(at, *CHOICE_LABELS)
