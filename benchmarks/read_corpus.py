"""Read every FIT/GPX file of the corpus and print how long it took and what happened.

    .venv/bin/python benchmarks/read_corpus.py [CORPUS_DIR]

Prints, per format: files read / refused (by reason), samples, seconds and samples/s, and the
slowest files. This is a measurement, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import csv
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.errors import InputError  # noqa: E402
from analysis.io import read_activity  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def _reason(message: str) -> str:
    """The refusal reason without the file name and details, so refusals can be counted by kind."""
    text = message.split(": ", 1)[-1]
    text = re.sub(r"\(.*?\)", "(…)", text)
    text = re.sub(r"\d[\d,]*", "N", text)
    return text.split(";")[0][:90]


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    rows = [r for r in csv.DictReader((corpus / "CATALOG.csv").open()) if r["kind"] in ("fit", "gpx")]
    seconds: dict[str, float] = defaultdict(float)
    samples: Counter[str] = Counter()
    outcome: Counter[tuple[str, str]] = Counter()
    reasons: Counter[tuple[str, str]] = Counter()
    readers: Counter[str] = Counter()
    slowest: list[tuple[float, str, int]] = []
    running = 0
    started_all = time.perf_counter()
    for row in rows:
        path = corpus / row["local_path"]
        started = time.perf_counter()
        try:
            activity = read_activity(path)
        except InputError as exc:
            outcome[(row["kind"], "refused")] += 1
            reasons[(row["kind"], _reason(str(exc)))] += 1
            n = 0
        else:
            outcome[(row["kind"], "read")] += 1
            readers[activity.reader] += 1
            running += activity.sport == "running"
            n = len(activity.samples)
        took = time.perf_counter() - started
        seconds[row["kind"]] += took
        samples[row["kind"]] += n
        slowest.append((took, row["local_path"], n))
    total = time.perf_counter() - started_all

    print(f"corpus: {corpus}  ({len(rows)} FIT/GPX files)")
    print(f"{'format':6} {'read':>5} {'refused':>8} {'samples':>10} {'seconds':>8} {'samples/s':>10}")
    for kind in ("fit", "gpx"):
        rate = samples[kind] / seconds[kind] if seconds[kind] else 0.0
        print(f"{kind:6} {outcome[(kind, 'read')]:>5} {outcome[(kind, 'refused')]:>8} {samples[kind]:>10,} "
              f"{seconds[kind]:>8.1f} {rate:>10,.0f}")
    print(f"total wall time {total:.1f} s; read as running: {running}; decoders used: {dict(readers)}")
    print("refused, by reason:")
    for (kind, reason), count in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print(f"  {count:>3} {kind}: {reason}")
    print("slowest files:")
    for took, name, n in sorted(slowest, reverse=True)[:5]:
        print(f"  {took:6.2f} s  {n:>7,} samples  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
