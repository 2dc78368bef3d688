"""Seeded mutation fuzz of the readers over corpus FIT and GPX files (issue 9, part 5).

`read_activity` (default fast backend, which falls back to the reference readers) must, for any
mutated file, return an Activity or raise InputError; nothing else may escape, no case may run
past 10 s, and the process doing the reading must stay under 1 GB of peak RSS. The fuzz runs for
CORE_CADENCE_FUZZ_SECONDS (default 60 in CI, 15 locally) from master seed CORE_CADENCE_FUZZ_SEED
(default `fuzz_mutations.DEFAULT_SEED`), in a child process that the test watches and restarts
after a hang, a crash or a memory overrun, so one run reports every finding. Case k is built by
`random.Random(seed + k)`: `fuzz_mutations.replay(seed, k)` rebuilds its bytes, and
`.venv/bin/python tests/fuzz_mutations.py replay --seed S --k K` reads it with the traceback.

`pytest -s tests/test_fuzz.py` prints the summary (cases per format, read/refused, slowest case,
peak RSS); findings go to CORE_CADENCE_FUZZ_FINDINGS (a Markdown file; default in pytest's tmp dir).
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import fuzz_mutations as fm
import pytest
from conftest import in_ci

from analysis.io.fit_crc import crc16

pytestmark = pytest.mark.corpus


def fuzz_seconds() -> float:
    value = os.environ.get("CORE_CADENCE_FUZZ_SECONDS", "").strip()
    if value:
        return float(value)
    return 60.0 if in_ci() else 15.0


def fuzz_seed() -> int:
    value = os.environ.get("CORE_CADENCE_FUZZ_SEED", "").strip()
    return int(value) if value else fm.DEFAULT_SEED


@pytest.fixture(scope="module")
def sources(corpus_dir: Path) -> list[fm.Source]:
    pool = fm.fuzz_sources()
    assert {s.kind for s in pool} == set(fm.FORMATS), "the catalogue must list FIT and GPX files"
    return pool


# --------------------------------------------------------------------------------------------
# the time-boxed fuzz


@pytest.mark.timeout(fuzz_seconds() + 3 * fm.HANG_LIMIT_S + 120)
def test_fuzz_only_input_error_escapes(sources: list[fm.Source], tmp_path: Path) -> None:
    seed, seconds = fuzz_seed(), fuzz_seconds()
    print(f"\nfuzz: master seed {seed}, {seconds:g} s (CORE_CADENCE_FUZZ_SEED / CORE_CADENCE_FUZZ_SECONDS)")
    report = fm.run_fuzz(seed, seconds, log=print)
    summary = report.summary()
    print(summary)
    findings_path = Path(os.environ.get("CORE_CADENCE_FUZZ_FINDINGS") or tmp_path / "fuzz_findings.md")
    findings_path.write_text(report.findings_markdown())
    print(f"findings written to {findings_path}")

    for kind in fm.FORMATS:
        assert report.total(kind) > 0, f"no {kind.upper()} case ran\n{summary}"
        # Mutations that never got past the first checks would test nothing but the CRC and the XML parser.
        assert report.total(kind, "accepted") > 0, f"every {kind.upper()} case was refused\n{summary}"
    details = "\n\n".join(f.markdown() for f in report.findings)
    assert not report.findings, f"{len(report.findings)} finding(s)\n{summary}\n\n{details}"
    assert report.peak_rss_kib < fm.RSS_LIMIT_KIB, summary


# --------------------------------------------------------------------------------------------
# the harness itself


def test_harness_reports_planted_failures(sources: list[fm.Source]) -> None:
    """A stand-in reader that raises, hogs memory, hangs and dies in turn (fm.planted_reader): each is a
    finding naming its case, and the fuzz goes on after each."""
    report = fm.run_fuzz(
        fm.DEFAULT_SEED, 90.0, hang_limit_s=1.5, rss_limit_kib=400 * 1024,
        target="fuzz_mutations:planted_reader", max_cases=5,
    )
    summary = report.summary()
    found = {f.k: f.kind for f in report.findings}
    assert found == {1: "exception", 2: "memory", 3: "hang", 4: "crash"}, summary
    assert report.total(outcome="refused") == 1, summary  # case 0: a plain InputError
    planted = next(f for f in report.findings if f.k == 1)
    assert "RuntimeError: planted failure" in planted.detail and "planted_reader" in planted.traceback
    assert planted.source == fm.replay(fm.DEFAULT_SEED, 1).source
    assert report.children >= 3, summary  # restarted after the memory overrun, the hang and the crash
    assert report.baseline_rss_kib < report.peak_rss_kib, summary
    assert "replay --seed" in report.findings_markdown()


def test_replay_is_deterministic(sources: list[fm.Source]) -> None:
    for k in (0, 1, 17, 123):
        a, b = fm.replay(fm.DEFAULT_SEED, k), fm.build_case(fm.DEFAULT_SEED, k, sources)
        assert (a.source, a.mutations, a.data) == (b.source, b.mutations, b.data)
    first = [fm.build_case(fm.DEFAULT_SEED, k, sources).data for k in range(20)]
    other = [fm.build_case(fm.DEFAULT_SEED + 1000, k, sources).data for k in range(20)]
    assert len(set(first)) == 20 and first != other


_LEAVES_FIT_INVALID = ("stale", "cut off", "garbage", "data_size left", "header short header")


def test_fit_mutations_get_past_the_checksums(sources: list[fm.Source]) -> None:
    """Most FIT cases carry a correct data_size, header CRC and file CRC, so they reach the decoders."""
    fit_cases = [c for c in (fm.build_case(fm.DEFAULT_SEED, k, sources) for k in range(400)) if c.kind == "fit"]
    valid = 0
    for case in fit_cases:
        if any(marker in note for note in case.mutations for marker in _LEAVES_FIT_INVALID):
            continue
        data = case.data
        header_size = data[0]
        (data_size,) = struct.unpack_from("<I", data, 4)
        end = header_size + data_size
        assert end + 2 <= len(data), case.describe()
        if header_size == 14:
            (stored,) = struct.unpack_from("<H", data, 12)
            assert stored in (0, crc16(data[:12])), case.describe()  # 0: "not computed", which readers accept
        (stored,) = struct.unpack_from("<H", data, end)
        assert stored == crc16(data[:end]), case.describe()
        valid += 1
    assert valid >= 0.6 * len(fit_cases), f"{valid} of {len(fit_cases)} FIT cases pass the CRC checks"


# --------------------------------------------------------------------------------------------
# fixed cases, replayed in-process (no time box): a regression here is reproducible at once

FIXED_CASES = [
    # (seed, k) and what each was with the catalogue of this writing (`fuzz_mutations.py replay` tells)
    (fm.DEFAULT_SEED, 0),  # FIT: bit flips, CRCs fixed
    (fm.DEFAULT_SEED, 14),  # FIT: a definition's field size 2 -> 1
    (fm.DEFAULT_SEED, 60),  # FIT: two messages swapped
    (fm.DEFAULT_SEED, 93),  # FIT: a message header's reserved bit set
    (fm.DEFAULT_SEED, 18),  # GPX: ten digits changed
    (fm.DEFAULT_SEED, 46),  # GPX: <!doctype gpx>
    (fm.DEFAULT_SEED, 88),  # GPX: 50 unclosed nested <trkseg>
    (fm.DEFAULT_SEED, 100),  # GPX: a time without a zone
    (fm.DEFAULT_SEED, 149),  # GPX: 500 default xmlns declarations
    (fm.DEFAULT_SEED, 266),  # GPX: an unclosed CDATA section
    (fm.DEFAULT_SEED, 429),  # GPX: encoding declared as ascii
    (fm.DEFAULT_SEED, 447),  # GPX: every lat = -91
]


@pytest.mark.parametrize(("seed", "k"), FIXED_CASES, ids=[f"seed{s}-k{k}" for s, k in FIXED_CASES])
def test_fixed_case(seed: int, k: int, sources: list[fm.Source]) -> None:
    case = fm.build_case(seed, k, sources)
    result = fm.read_case(case)
    assert result["outcome"] in ("accepted", "refused"), (
        f"{case.describe()}\n{result.get('type')}: {result.get('message')}\n{result.get('traceback', '')}"
    )


def test_a_date_time_declared_as_an_array_is_left_to_the_reference_decoder(sources: list[fm.Source]) -> None:
    """Found by this fuzz (seed 1,000,000, case 439): a definition declares a date_time field as two
    sint16 values; the fast decoder crashed with a TypeError (hidden by its fallback) instead of saying it
    does not support the file. It must defer with UnsupportedFit, and the reference path then reads it
    (fitparse fails on the same field, so Garmin's SDK does)."""
    from analysis.io.fit import _WANTED
    from analysis.io.fit_fast import UnsupportedFit, decode_fit
    from analysis.io.read import read_activity

    case = fm.build_case(1_000_000, 439, sources)
    assert case.kind == "fit"
    with pytest.raises(UnsupportedFit, match="date_time field that is not one integer"):
        decode_fit(case.data, "case.fit", _WANTED)
    activity = read_activity(case.data, filename="case.fit")
    assert activity.reader in ("fitparse", "garmin-fit-sdk")
    assert "not one integer" in activity.warnings[0]
