"""Export the run, weekly and strength-log tables as CSV or JSON, safe to open in a spreadsheet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

# A text cell starting with one of these runs as a formula in Excel, LibreOffice and Google Sheets
# (OWASP "CSV injection"); a leading apostrophe makes it plain text and is not shown.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
POSITION_COLUMNS = ("lat_deg", "lon_deg")


def escape_formula_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where every *text* cell starting with = + - @ (or tab / CR) gets a leading apostrophe.

    Numbers stay numbers: a pace decay of -3.2 is a float and is written as -3.2.
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[column] = series.map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v
            )
    return out


def write_table(frame: pd.DataFrame, path: Path, fmt: str = "csv") -> Path:
    """Write one table; CSV cells are escaped, JSON is written as records (ISO dates)."""
    if fmt == "csv":
        escape_formula_cells(frame).to_csv(path, index=False)
    elif fmt == "json":
        frame.to_json(path, orient="records", date_format="iso", indent=1)
    else:
        raise ValueError(f"unknown export format {fmt!r}; use csv or json")
    return path


def export_store(store, out_dir: Path, *, fmt: str = "csv", athletes: list[str] | None = None) -> list[Path]:
    """Write the `store_tables` (runs, weekly, strength_log) into `out_dir` (created when missing).

    The same tables the Data & settings page offers for download, with the store's plan. Runs carry no
    positions (the store keeps them with the samples only), so an export never shows where an athlete lives.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_table(frame.drop(columns=[c for c in POSITION_COLUMNS if c in frame.columns]),
                        out_dir / f"{name}.{fmt}", fmt)
            for name, frame in store_tables(store, athletes).items()]


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """One table as CSV bytes for a download: positions dropped, formula cells escaped, UTF-8 with a BOM.

    The byte-order mark is there because Excel opens a CSV without one in the local code page, which
    garbles names such as "Zoë"; pandas (`encoding="utf-8-sig"`), LibreOffice and Google Sheets skip it.
    """
    safe = escape_formula_cells(frame.drop(columns=[c for c in POSITION_COLUMNS if c in frame.columns]))
    return safe.to_csv(index=False).encode("utf-8-sig")


def store_tables(store, athletes: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """The tables a user downloads: `runs`, `weekly` and `strength_log`, computed with the store's plan.

    `runs` is `analysis.consistency.run_table` (every stored run and its metrics, plus 28-day strength
    consistency and soreness); `weekly` is `weekly_table` with `store.plan()`. No positions: the store
    keeps them with the samples only.
    """
    from analysis.consistency import run_table, weekly_table

    runs = store.runs(athletes)
    log = store.strength_log(athletes)
    plan = store.plan()
    return {
        "runs": run_table(runs, log, plan=plan),
        "weekly": weekly_table(runs, log, plan=plan),
        "strength_log": log,
    }
