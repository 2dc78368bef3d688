"""python -m analysis read: one line per file, exit 1 when any file was refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
# exercises: the user's own exercise names (map, unmap, list)

OWN_NAMES_LOG = (b"date,athlete,exercise,sets\n2026-02-02,Ana,Quinzel wobble,3\n2026-02-09,Ana,Quinzel wobbles,3\n"
                 b"2026-02-09,Ben,Zorbflex carry,3\n2026-02-09,Ben,Plank,3\n")


def own_names_store(tmp_path: Path) -> Path:
    from analysis.ingest.pipeline import ingest
    from analysis.store import Store

    directory = tmp_path / "store"
    with Store(directory) as store:
        report = ingest([("log.csv", OWN_NAMES_LOG)], athlete="Ana", store=store, workers=0)
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
        log = store.strength_log()
        assert store.unrecognised_exercises().empty
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
        assert store.exercise_mappings()["athlete"].tolist() == ["Ben"]


def test_exercises_bad_input_exits_2_with_the_reason(tmp_path, capsys):
    directory = own_names_store(tmp_path)
    assert main(["exercises", "map", "Quinzel wobble", "abs", "--store", str(directory)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: session type 'abs'") and "core, hip, mobility, strength, other" in err
    assert main(["exercises", "map", "Quinzel wobble", "core", "--athlete", "Zed", "--store", str(directory)]) == 2
    assert "no athlete called 'Zed'" in capsys.readouterr().err
    assert main(["exercises", "unmap", "Quinzel wobble", "--athlete", "Zed", "--store", str(directory)]) == 2
    assert "no athlete called 'Zed'" in capsys.readouterr().err
