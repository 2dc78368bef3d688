"""`python -m analysis`: read activity files from the terminal and print what they hold."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from analysis.errors import InputError
from analysis.io import read_activity
from analysis.io.source import find_activity_files


def _expand(paths: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(find_activity_files(path))
        else:
            files.append(path)
    return files


def _cmd_read(args: argparse.Namespace) -> int:
    failed = 0
    for path in _expand(args.paths):
        started = time.perf_counter()
        try:
            activity = read_activity(path)
        except InputError as exc:
            failed += 1
            row = {"file": path.name, "status": "failed", "reason": str(exc)}
        else:
            row = {"status": "read", **activity.summary()}
        row["read_s"] = round(time.perf_counter() - started, 3)
        if args.json:
            print(json.dumps(row, default=str))
        else:
            print("  ".join(f"{k}={v}" for k, v in row.items() if v not in (None, "")))
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="Core & Cadence command line.")
    sub = parser.add_subparsers(dest="command", required=True)
    read = sub.add_parser("read", help="read FIT/GPX files (or folders of them) and print one summary line each")
    read.add_argument("paths", nargs="+", help="activity files or folders (searched recursively for .fit/.gpx)")
    read.add_argument("--json", action="store_true", help="print one JSON object per file instead of key=value text")
    read.set_defaults(func=_cmd_read)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
