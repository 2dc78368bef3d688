"""python -m analysis read: one line per file, exit 1 when any file was refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ADMIN
from fit_fixtures import Stretch, run_file

from analysis.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_read_prints_one_json_row_per_file_and_exits_0(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "easy.FIT").write_bytes(run_file([Stretch(120, 3.0)]))
    (tmp_path / "notes.txt").write_text("not an activity")  # not .fit/.gpx: not picked from a folder
    assert main(["read", str(tmp_path), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["file"] for r in rows] == ["easy.FIT"]
    assert rows[0]["status"] == "read" and rows[0]["samples"] == 120 and rows[0]["median_cadence_spm"] == 171.0


def test_a_refused_file_is_reported_and_the_exit_code_is_1(tmp_path, capsys):
    good = tmp_path / "good.fit"
    good.write_bytes(run_file([Stretch(60, 3.0)]))
    bad = tmp_path / "bad.fit"
    bad.write_bytes(b"not a fit file at all")
    assert main(["read", str(bad), str(good)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("file=bad.fit  status=failed  reason=bad.fit: is neither a FIT nor a GPX")
    assert "status=read" in out[1]


def test_module_entry_point_has_help():
    result = subprocess.run([sys.executable, "-m", "analysis", "--help"], cwd=REPO_ROOT, capture_output=True,
                            text=True, check=True)
    assert "read" in result.stdout


# ----------------------------------------------------------------------------------------------------
# ingest: strength logs with bad rows (--skip-bad-rows) and overlapping a stored log (--on-overlap)

STRONG_HEADER = ("Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,"
                 "Workout Notes,RPE\n")  # as the Strong app writes it
JAN_8 = ["2026-01-08 07:31:54,Core,45m,Plank,1,0,0,0,60,,,", "2026-01-08 07:31:54,Core,45m,Dead Bug,1,0,10,0,0,,,"]
JAN_10 = ["2026-01-10 07:30:00,Hips,40m,Clamshell (Band),1,0,15,0,0,,,"]
JAN_12 = ["2026-01-12 07:30:00,Core,40m,Side Plank,1,0,0,0,45,,,",
          "2026-01-12 07:30:00,Core,40m,Glute Bridge,1,10,12,0,0,,,"]


def strong_csv(path: Path, rows: list[str]) -> Path:
    path.write_text(STRONG_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def ingest_cli(store: Path, *args: str) -> int:
    return main(["ingest", *args, "--athlete", "Ana", "--store", str(store), "--workers", "0"])


def ana_log(store: Path):
    from analysis.store import Store

    with Store(store) as opened:
        return opened.strength_log(ADMIN, ["Ana"])


def test_ingest_refuses_a_log_with_bad_rows_unless_told_to_skip_them(tmp_path, capsys):
    bad_weight = "2026-01-08 07:31:54,Core,45m,Bird Dog,1,heavy,8,0,0,,,"  # row 4
    log = strong_csv(tmp_path / "strong.csv", [*JAN_8, bad_weight, *JAN_10])
    store = tmp_path / "store"
    assert ingest_cli(store, str(log)) == 1
    out = capsys.readouterr().out
    assert "failed" in out and "add --skip-bad-rows to import the other rows" in out
    assert ana_log(store).empty  # refused: nothing stored

    assert ingest_cli(store, str(log), "--skip-bad-rows") == 0
    out = capsys.readouterr().out
    [line] = [line for line in out.splitlines() if line.startswith("strong.csv: ")]
    assert "1 row left out (bad values)" in line and "row 4, column 'Weight'" in line and "heavy" in line
    stored = ana_log(store)
    assert list(stored["exercise"]) == ["Plank", "Dead Bug", "Clamshell (Band)"]
    assert list(stored["source_row"]) == [2, 3, 5]


def test_ingest_help_explains_the_new_choices(capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["ingest", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--skip-bad-rows" in text and "list the rows left out in the report" in text
    assert "{hold,replace,keep}" in text and "replace = delete the stored log's entries" in text


def test_ingest_holds_a_log_overlapping_a_stored_one_by_default(tmp_path, capsys):
    store = tmp_path / "store"
    old = strong_csv(tmp_path / "strong-january.csv", [*JAN_8, *JAN_10])
    newer = strong_csv(tmp_path / "strong-later.csv", [*JAN_8, *JAN_10, *JAN_12])  # a newer export of the same log
    assert ingest_cli(store, str(old)) == 0
    before = ana_log(store)
    assert len(before) == 3
    capsys.readouterr()

    assert ingest_cli(store, str(newer)) == 0  # held, not failed
    out = capsys.readouterr().out
    assert "overlaps" in out and "strong-january.csv" in out
    assert "1 strength log overlaps a stored log" in out and "--on-overlap replace" in out
    assert ana_log(store).equals(before)  # hold stores nothing

    assert ingest_cli(store, str(newer), "--on-overlap", "replace") == 0
    after = ana_log(store)
    assert len(after) == 5  # the old file's 3 entries swapped for the new file's 5
    assert list(after["exercise"]).count("Plank") == 1


def test_ingest_on_overlap_keep_stores_both(tmp_path):
    store = tmp_path / "store"
    old = strong_csv(tmp_path / "strong-january.csv", [*JAN_8, *JAN_10])
    newer = strong_csv(tmp_path / "strong-later.csv", [*JAN_8, *JAN_10, *JAN_12])
    assert ingest_cli(store, str(old)) == 0
    assert ingest_cli(store, str(newer), "--on-overlap", "keep") == 0
    kept = ana_log(store)
    assert len(kept) == 3 + 5 and list(kept["exercise"]).count("Plank") == 2


# ----------------------------------------------------------------------------------------------------
# exercises: the user's own exercise names (map, unmap, list)

OWN_NAMES_LOG = (b"date,athlete,exercise,sets\n2026-02-02,Ana,Quinzel wobble,3\n2026-02-09,Ana,Quinzel wobbles,3\n"
                 b"2026-02-09,Ben,Zorbflex carry,3\n2026-02-09,Ben,Plank,3\n")


def own_names_store(tmp_path: Path) -> Path:
    from analysis.ingest.pipeline import ingest
    from analysis.store import Store

    directory = tmp_path / "store"
    with Store(directory) as store:
        report = ingest([("log.csv", OWN_NAMES_LOG)], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    assert list(report["status"]) == ["imported"]
    return directory


def test_exercises_map_list_and_unmap(tmp_path, capsys):
    from analysis.store import Store

    directory = own_names_store(tmp_path)
    assert main(["exercises", "list", "--store", str(directory)]) == 0
    out = capsys.readouterr().out
    assert "no exercise mappings yet" in out and "2 unrecognised exercise name(s)" in out
    assert "Quinzel wobble" in out and "Zorbflex carry" in out

    assert main(["exercises", "map", "Quinzel wobble", "Core", "--store", str(directory)]) == 0
    assert "mapped 'Quinzel wobble' to core for the whole club" in capsys.readouterr().out
    assert main(["exercises", "map", "zorbflex carry (barbell)", "hip", "--athlete", "Ben",
                 "--store", str(directory)]) == 0
    capsys.readouterr()
    with Store(directory) as store:
        log = store.strength_log(ADMIN)
        assert store.unrecognised_exercises(ADMIN).empty
    assert set(log.loc[log["exercise"].str.startswith("Quinzel"), "session_type"]) == {"core"}
    assert log.set_index("exercise").loc["Zorbflex carry", "session_type"] == "hip"

    assert main(["exercises", "list", "--store", str(directory)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("exercise mappings")
    assert any(line.split() == ["Quinzel", "wobble", "core", *line.split()[-1:]] for line in lines)
    assert any(line.split()[:5] == ["Ben", "zorbflex", "carry", "(barbell)", "hip"] for line in lines)
    assert "no unrecognised exercise names" in out

    assert main(["exercises", "unmap", "QUINZEL WOBBLE", "--store", str(directory)]) == 0
    assert "removed the mapping of 'QUINZEL WOBBLE' for the whole club" in capsys.readouterr().out
    assert main(["exercises", "unmap", "Quinzel wobble", "--store", str(directory)]) == 1
    assert "no mapping of 'Quinzel wobble' for the whole club" in capsys.readouterr().err
    with Store(directory) as store:
        assert store.exercise_mappings(ADMIN)["athlete"].tolist() == ["Ben"]


def test_exercises_bad_input_exits_2_with_the_reason(tmp_path, capsys):
    directory = own_names_store(tmp_path)
    assert main(["exercises", "map", "Quinzel wobble", "abs", "--store", str(directory)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: session type 'abs'") and "core, hip, mobility, strength, other" in err
    assert main(["exercises", "map", "Quinzel wobble", "core", "--athlete", "Zed", "--store", str(directory)]) == 2
    assert "no athlete called 'Zed'" in capsys.readouterr().err
    assert main(["exercises", "unmap", "Quinzel wobble", "--athlete", "Zed", "--store", str(directory)]) == 2
    assert "no athlete called 'Zed'" in capsys.readouterr().err
