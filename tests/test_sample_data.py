"""The bundled sample club (sample_data/): what generate.py writes, read back with the project's own code.

Checks that the committed files are exactly what the generator writes, that every run and strength
log reads cleanly, and that the relation sample_data/README.md says was planted is there when
measured the way the app measures it: per-run metrics from `analysis.metrics.run_metrics`, core +
hip consistency over the 28 days before each run from the strength logs, Spearman's ρ with its
95 % CI from `analysis.stats.spearman`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.io import read_activity, read_strength_log
from analysis.metrics import run_metrics
from analysis.stats import spearman

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
ATHLETES = ("ana", "ben", "chloe", "dev")
LINKED = ("ana", "ben", "chloe")  # fade and soreness planted on strength consistency
UNLINKED = ("dev",)  # the same sizes of fade and soreness, drawn without it
STRENGTH_FILES = {
    "ana": {"strength_log.csv": "core_cadence"},
    "ben": {"strength_log.csv": "core_cadence"},
    "chloe": {"strong_export.csv": "strong", "soreness.csv": "core_cadence"},
    "dev": {"hevy_export.csv": "hevy", "soreness.csv": "core_cadence"},
}
NOT_GENERATED = {"generate.py", "README.md", "strength_log_template.csv"}
MAX_TOTAL_BYTES = 10_000_000
CONSISTENCY_DAYS = 28
CAP = 8  # 2 sessions a week of each type over 4 weeks


def _generator():
    spec = importlib.util.spec_from_file_location("sample_generate", SAMPLE_DIR / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


def _committed_files() -> list[Path]:
    return sorted(p for p in SAMPLE_DIR.rglob("*") if p.is_file() and p.relative_to(SAMPLE_DIR).parts[0] in ATHLETES)


def _run_files() -> list[Path]:
    return sorted(p for a in ATHLETES for p in (SAMPLE_DIR / a / "runs").glob("*") if p.suffix in (".fit", ".gpx"))


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    """Every run read and measured once: one row per file with its metrics and what the reader said."""
    rows = []
    for path in _run_files():
        activity = read_activity(path)
        offset = activity.utc_offset_s or 0.0  # GPX has no offset: its runs are written on the same UTC date
        local_start = activity.start_time + pd.Timedelta(seconds=offset)
        rows.append({
            "athlete": path.parent.parent.name,
            "file": path.name,
            "format": activity.source_format,
            "sport": activity.sport,
            "warnings": activity.warnings,
            "utc_offset_s": activity.utc_offset_s,
            "local_day": pd.Timestamp(local_start.date()),
            "sample_interval_s": activity.sample_interval_s,
            "median_cadence_spm": float(activity.samples["cadence_spm"].median()),
            "has_dynamics": bool(activity.samples["stance_time_ms"].notna().any()),
            "pauses": activity.pauses,
            **run_metrics(activity).as_dict(),
        })
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def logs() -> dict[str, pd.DataFrame]:
    """Each athlete's strength files read and put together."""
    return {
        athlete: pd.concat(
            [read_strength_log(SAMPLE_DIR / athlete / "strength" / name, athlete=athlete) for name in files],
            ignore_index=True,
        )
        for athlete, files in STRENGTH_FILES.items()
    }


def consistency_before(log: pd.DataFrame, day: pd.Timestamp) -> float:
    """Core + hip consistency over the 28 days before `day`: mean over core, hip of min(sessions, 8) / 8.

    A session is a distinct (date, session_type); the run's own day is not counted.
    """
    sessions = log.loc[log["session_type"].isin(["core", "hip"]), ["date", "session_type"]].drop_duplicates()
    window = sessions[(sessions["date"] >= day - pd.Timedelta(days=CONSISTENCY_DAYS)) & (sessions["date"] < day)]
    return float(np.mean([min(int((window["session_type"] == kind).sum()), CAP) / CAP for kind in ("core", "hip")]))


@pytest.fixture(scope="module")
def measured(runs, logs) -> pd.DataFrame:
    """Eligible runs with the consistency of the 28 days before each."""
    eligible = runs[runs["eligible"]].copy()
    eligible["consistency"] = [
        consistency_before(logs[a], day) for a, day in zip(eligible["athlete"], eligible["local_day"], strict=True)
    ]
    return eligible


def soreness_with_consistency(log: pd.DataFrame) -> pd.DataFrame:
    reports = log.dropna(subset=["back_soreness"])[["date", "back_soreness"]].copy()
    reports["consistency"] = [consistency_before(log, day) for day in reports["date"]]
    return reports


# --------------------------------------------------------------------------------------------
# the files


def test_generator_reproduces_the_committed_files_byte_for_byte(tmp_path):
    written = _generator().generate(tmp_path)
    generated = {p.relative_to(tmp_path) for p in written}
    committed = {p.relative_to(SAMPLE_DIR) for p in _committed_files()}
    assert generated == committed, (
        f"missing: {sorted(map(str, generated - committed))[:5]}, not generated any more: "
        f"{sorted(map(str, committed - generated))[:5]}: run python sample_data/generate.py"
    )
    for path in written:
        committed_path = SAMPLE_DIR / path.relative_to(tmp_path)
        assert committed_path.read_bytes() == path.read_bytes(), f"{committed_path} differs from generate.py output"


def test_layout_and_total_size():
    top = {p.name for p in SAMPLE_DIR.iterdir() if not p.name.startswith(".")} - {"__pycache__"}
    assert top == set(ATHLETES) | NOT_GENERATED
    for athlete in ATHLETES:
        assert {p.name for p in (SAMPLE_DIR / athlete).iterdir()} == {"runs", "strength"}
        assert {p.name for p in (SAMPLE_DIR / athlete / "strength").iterdir()} == set(STRENGTH_FILES[athlete])
        assert 40 <= len(list((SAMPLE_DIR / athlete / "runs").iterdir())) <= 60
    total = sum(p.stat().st_size for p in SAMPLE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    assert total < MAX_TOTAL_BYTES, f"sample_data/ holds {total / 1e6:.1f} MB; keep it under 10 MB"


def test_every_run_reads_cleanly_as_a_run(runs):
    assert len(runs) == len(_run_files())
    assert (runs["sport"] == "running").all()
    warned = runs[runs["warnings"].map(len) > 0]
    assert warned.empty, warned[["athlete", "file", "warnings"]].to_string()
    cadence = runs["median_cadence_spm"]
    assert cadence.between(150, 190).all(), runs.loc[~cadence.between(150, 190), ["file", "median_cadence_spm"]]
    assert runs["avg_pace_s_per_km"].between(4 * 60 + 15, 7 * 60).all()  # 4:15-7:00 min/km


def test_every_run_is_eligible_except_the_short_shakeouts(runs):
    shakeout = runs["file"].str.contains("-shakeout.")
    assert shakeout.sum() == 3
    assert runs.loc[~shakeout, "eligible"].all(), runs.loc[~shakeout & ~runs["eligible"], ["file", "ineligible_reason"]]
    assert not runs.loc[shakeout, "eligible"].any()
    assert runs.loc[shakeout, "ineligible_reason"].str.contains("min moving").all()
    assert (runs.loc[~shakeout, "moving_time_s"] >= 30 * 60).all()


def test_the_club_has_the_variety_the_readme_promises(runs):
    per_athlete = runs.groupby("athlete")
    assert per_athlete.size().between(40, 60).all()
    assert per_athlete["format"].apply(lambda f: (f == "gpx").sum()).between(2, 3).all()
    fit = runs[runs["format"] == "fit"]
    one_hz = fit["sample_interval_s"] == 1.0
    assert 5 <= one_hz.sum() <= 15 and (fit.loc[~one_hz, "sample_interval_s"] > 1.0).all()  # mostly smart recording
    assert fit.loc[fit["athlete"] == "ana", "has_dynamics"].all()  # GPX cannot carry running dynamics
    assert not runs.loc[runs["athlete"] != "ana", "has_dynamics"].any()
    assert runs.loc[runs["athlete"] == "ana", "stance_time_drift_ms"].notna().sum() >= 40
    # local offsets from the FIT files, summer and winter time (Europe switches on 25 October 2026)
    assert set(fit["utc_offset_s"]) == {0, 3600, 7200, 10800}
    # traffic lights with the timer stopped (FIT timer events), and standing with the timer running
    assert (fit["pauses"] > 0).mean() > 0.3
    standing = (runs["pauses"] == 0) & (runs["elapsed_time_s"] - runs["moving_time_s"] > 10)
    assert standing.sum() >= 10
    long_runs = runs[runs["file"].str.contains("-long.")]
    assert long_runs.groupby("athlete").size().eq(12).all()
    assert long_runs["moving_time_s"].between(74 * 60, 111 * 60).all()
    assert runs["elevation_gain_m"].max() > 150  # some hilly routes


@pytest.mark.parametrize(
    ("athlete", "name"),
    [(a, n) for a, files in STRENGTH_FILES.items() for n in files],
    ids=lambda v: v,
)
def test_every_strength_file_reads_in_its_format(athlete, name):
    frame = read_strength_log(SAMPLE_DIR / athlete / "strength" / name, athlete=athlete)
    assert frame.attrs["source_format"] == STRENGTH_FILES[athlete][name]
    assert (frame["athlete"] == athlete).all()
    dates = frame["date"]
    assert dates.min() >= pd.Timestamp("2026-08-03") and dates.max() <= pd.Timestamp("2026-11-22")
    if frame.attrs["source_format"] in ("strong", "hevy"):
        assert frame["back_soreness"].isna().all()
    else:
        assert frame["back_soreness"].notna().sum() >= 30  # most days after a run
    if name != "soreness.csv":
        kinds = set(frame["session_type"].dropna())
        assert {"core", "hip", "mobility"} <= kinds
        assert ("other" in kinds) == (athlete != "ana")  # gym sessions outside the program


def test_strength_logs_list_the_exercises_outside_the_taxonomy(logs):
    ben = read_strength_log(SAMPLE_DIR / "ben" / "strength" / "strength_log.csv", athlete="ben")
    assert ben.attrs["unrecognised_exercises"] == ["Farmer walk"]  # a Turkish get-up is core (issue 17)
    for athlete, name in (("chloe", "strong_export.csv"), ("dev", "hevy_export.csv")):
        frame = read_strength_log(SAMPLE_DIR / athlete / "strength" / name, athlete=athlete)
        assert frame.attrs["unrecognised_exercises"] == ["Farmer's Walk (Dumbbell)"]
        assert "Bench Press (Barbell)" in set(frame["exercise"])
    soreness_only = logs["ana"]["exercise"].isna() & logs["ana"]["back_soreness"].notna()
    assert soreness_only.sum() >= 5


# --------------------------------------------------------------------------------------------
# the planted relation


def test_consistency_varies_over_the_block_for_every_athlete(measured):
    spread = measured.groupby("athlete")["consistency"].agg(["min", "max"])
    assert (spread["max"] - spread["min"] >= 0.6).all(), spread


@pytest.mark.parametrize("athlete", LINKED)
def test_late_fade_and_soreness_fall_with_consistency_for_the_linked_athletes(athlete, measured, logs):
    runs = measured[measured["athlete"] == athlete]
    assert 40 <= len(runs) <= 60
    decay = spearman(runs["consistency"], runs["pace_decay_pct"])
    assert decay.enough_data and decay.r < 0 and decay.ci_high < 0, decay.message
    cadence = spearman(runs["consistency"], runs["cadence_drift_spm"])  # less negative drift when consistent
    assert cadence.r > 0 and cadence.ci_low > 0, cadence.message
    soreness = soreness_with_consistency(logs[athlete])
    sore = spearman(soreness["consistency"], soreness["back_soreness"])
    assert sore.r < 0 and sore.ci_high < 0, sore.message
    # the size README states: ~2 % pace decay when fully consistent, ~8-10 % when lapsed
    consistent = runs.loc[runs["consistency"] >= 0.9, "pace_decay_pct"].median()
    lapsed = runs.loc[runs["consistency"] <= 0.35, "pace_decay_pct"].median()
    assert consistent < 4.5 and lapsed > 6.5 and lapsed - consistent > 3.5


@pytest.mark.parametrize("athlete", UNLINKED)
def test_no_relation_for_the_unlinked_athlete(athlete, measured, logs):
    runs = measured[measured["athlete"] == athlete]
    assert 40 <= len(runs) <= 60
    for metric in ("pace_decay_pct", "cadence_drift_spm"):
        result = spearman(runs["consistency"], runs[metric])
        assert result.enough_data and result.ci_low < 0 < result.ci_high, f"{metric}: {result.message}"
    soreness = soreness_with_consistency(logs[athlete])
    sore = spearman(soreness["consistency"], soreness["back_soreness"])
    assert sore.ci_low < 0 < sore.ci_high, sore.message


def test_generator_flags_match_the_readme_groups():
    module = _generator()
    assert tuple(a.name for a in module.ATHLETES) == ATHLETES
    assert tuple(a.name for a in module.ATHLETES if a.linked) == LINKED
