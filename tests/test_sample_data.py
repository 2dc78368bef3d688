"""The bundled sample club is what sample_data/generate.py writes, and every file of it reads as a run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from analysis.io import read_activity

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"


def _generator():
    spec = importlib.util.spec_from_file_location("sample_generate", SAMPLE_DIR / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


def test_committed_sample_files_are_reproduced_byte_for_byte(tmp_path):
    written = _generator().generate(tmp_path)
    assert len(written) == 12
    for path in written:
        committed = SAMPLE_DIR / path.relative_to(tmp_path)
        assert committed.is_file(), f"{committed} is missing: run python sample_data/generate.py and commit"
        assert committed.read_bytes() == path.read_bytes(), f"{committed} differs from what generate.py writes"


@pytest.mark.parametrize("path", sorted(SAMPLE_DIR.glob("*/*-run.*")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sample_file_is_a_clean_run(path):
    activity = read_activity(path)
    assert activity.sport == "running"
    assert activity.warnings == ()
    assert 40 <= activity.duration_s / 60 <= 90
    assert 150 <= activity.samples["cadence_spm"].median() <= 185
    # distance from positions (GPX) or the distance field (FIT) matches speed × moving time within 2 %
    s = activity.samples
    moved = (s["speed_mps"].shift(-1).fillna(0) * s["elapsed_s"].diff().shift(-1).fillna(0)).sum()
    assert activity.distance_m == pytest.approx(moved, rel=0.02 if activity.source_format == "gpx" else 0.05)
