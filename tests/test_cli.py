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
