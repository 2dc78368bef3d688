"""Export the run, weekly, strength-log, association and exercise-mapping tables (and, when asked, every
sample) as CSV or JSON, safe to open in a spreadsheet.

Positions: the tables carry none. The samples export (`samples=True`, `samples_table`) carries them only
when asked (`include_positions=True`), and then with the store's privacy radius applied to every run
(`analysis.privacy.hide_ends`): the start and end of each track are blanked, as on the maps.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.access import Viewer
from analysis.io.samples import COLUMN_NAMES
from analysis.privacy import DEFAULT_PRIVACY_RADIUS_M, POSITION_COLUMNS, hide_ends

# A text cell starting with one of these runs as a formula in Excel, LibreOffice and Google Sheets
# (OWASP "CSV injection"); a leading apostrophe makes it plain text and is not shown.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SAMPLES_KEY_COLUMNS = ("run_id", "athlete")  # before the samples columns in a samples export


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


def export_store(store, viewer: Viewer, out_dir: Path, *, fmt: str = "csv", athletes: list[str] | None = None,
                 samples: bool = False, include_positions: bool = False) -> list[Path]:
    """Write the `store_tables` (runs, weekly, strength_log, associations, exercise_mappings) into `out_dir`.

    `out_dir` is created when missing.

    The same tables the Data & settings page offers for download, with the store's plan. Runs carry no
    positions (the store keeps them with the samples only), so an export never shows where an athlete lives.

    `samples=True` also writes `samples.csv` (or `.json`): every stored sample of the chosen athletes' runs,
    one row each, with `run_id` and `athlete` first (`samples_table`). Without `include_positions` it has no
    `lat_deg`/`lon_deg` columns; with it, positions within the store's privacy radius of each run's start and
    end are blank (`analysis.privacy.hide_ends`). Written one athlete at a time, so memory holds one athlete's
    samples, not the club's.
    """
    if include_positions and not samples:
        raise ValueError("include_positions needs samples=True: only the samples export has positions")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_table(frame.drop(columns=[c for c in POSITION_COLUMNS if c in frame.columns]),
                           out_dir / f"{name}.{fmt}", fmt)
               for name, frame in store_tables(store, viewer, athletes).items()]
    if samples:
        names = list(store.athletes(viewer)["athlete"])
        if athletes is not None:
            wanted = set(athletes)
            names = [n for n in names if n in wanted]
        radius = store.privacy_radius_m(viewer)
        chunks = (samples_table(store.athlete_samples(viewer, name), athlete=name, include_positions=include_positions,
                                privacy_radius_m=radius) for name in names)
        written.append(_write_chunks(chunks, out_dir / f"samples.{fmt}", fmt,
                                     _samples_columns(include_positions)))
    return written


def samples_table(samples: pd.DataFrame, *, athlete: str, run_id: str | None = None,
                  include_positions: bool = False,
                  privacy_radius_m: float = DEFAULT_PRIVACY_RADIUS_M) -> pd.DataFrame:
    """Samples of one or more runs as export rows: `run_id`, `athlete`, then the samples columns (§2 units).

    `samples` is a samples frame, with a `run_id` column when it holds several runs (`Store.athlete_samples`;
    rows of one run together) or of one run named by `run_id`. Positions: dropped unless `include_positions`;
    then blanked within `privacy_radius_m` metres of each run's start and end (0 keeps them all).
    """
    frame = samples.copy()
    if run_id is not None:
        frame["run_id"] = run_id
    if "run_id" not in frame.columns:
        raise ValueError("samples_table needs run_id= or a run_id column")
    frame["athlete"] = athlete
    if include_positions and len(frame):
        lat = frame["lat_deg"].to_numpy(dtype="float64").copy()
        lon = frame["lon_deg"].to_numpy(dtype="float64").copy()
        ids = frame["run_id"].to_numpy()
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        for start, end in zip(starts, np.r_[starts[1:], len(ids)], strict=True):  # each run on its own
            lat[start:end], lon[start:end] = hide_ends(lat[start:end], lon[start:end], privacy_radius_m)
        frame["lat_deg"], frame["lon_deg"] = lat, lon
    return frame[_samples_columns(include_positions)]


def _samples_columns(include_positions: bool) -> list[str]:
    return [*SAMPLES_KEY_COLUMNS, *(c for c in COLUMN_NAMES if include_positions or c not in POSITION_COLUMNS)]


def _write_chunks(chunks: Iterable[pd.DataFrame], path: Path, fmt: str, columns: list[str]) -> Path:
    """Write frames with the same columns one after another as one CSV table or one JSON array of records."""
    if fmt not in ("csv", "json"):
        raise ValueError(f"unknown export format {fmt!r}; use csv or json")
    with path.open("w", encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            fh.write(",".join(columns) + "\n")
            for chunk in chunks:
                escape_formula_cells(chunk).to_csv(fh, index=False, header=False)
            return path
        fh.write("[")
        first = True
        for chunk in chunks:
            if chunk.empty:
                continue
            records = chunk.to_json(orient="records", date_format="iso")[1:-1]  # without the array's brackets
            fh.write(("" if first else ",") + records)
            first = False
        fh.write("]")
    return path


def csv_bytes(frame: pd.DataFrame, *, include_positions: bool = False) -> bytes:
    """One table as CSV bytes for a download: formula cells escaped, UTF-8 with a BOM; positions dropped
    unless `include_positions` (the caller has then applied the privacy radius, see `samples_table`).

    The byte-order mark is there because Excel opens a CSV without one in the local code page, which
    garbles names such as "Zoë"; pandas (`encoding="utf-8-sig"`), LibreOffice and Google Sheets skip it.
    """
    if not include_positions:
        frame = frame.drop(columns=[c for c in POSITION_COLUMNS if c in frame.columns])
    return escape_formula_cells(frame).to_csv(index=False).encode("utf-8-sig")


MAPPING_COLUMNS = ("athlete", "exercise", "session_type")  # the exercise_mappings export (athlete blank = club)


def mappings_table(store, viewer: Viewer, athletes: list[str] | None = None) -> pd.DataFrame:
    """The user's own exercise names as exported: athlete (blank for the whole club), exercise, session_type.

    With `athletes`, the mappings that apply to them: theirs and the club's. A fresh store gives the header only.
    """
    frame = store.exercise_mappings(viewer)
    if athletes is not None:
        frame = frame[frame["athlete"].isna() | frame["athlete"].isin(list(athletes))]
    return frame.loc[:, list(MAPPING_COLUMNS)].reset_index(drop=True)


def store_tables(store, viewer: Viewer, athletes: list[str] | None = None, *,
                 only: str | None = None) -> dict[str, pd.DataFrame]:
    """The tables a user downloads: `runs`, `weekly`, `strength_log`, `associations` and `exercise_mappings`.

    `runs` is `analysis.consistency.run_table` (every stored run and its metrics, plus 28-day strength
    consistency and soreness); `weekly` is `weekly_table` with `store.plan()`. No positions: the store
    keeps them with the samples only. `associations` is `analysis.pairing.associations_table`: every
    association the pages show (per athlete and for the squad, per week at each lag and per run), with the
    effective n and Holm-adjusted p. `exercise_mappings` is `mappings_table`: the session types the user gave
    exercise names (they decide the strength log's types, so an export that is read again needs them). `only`
    names the one table wanted (a download button), so the others are not computed.
    """
    from analysis.consistency import run_table, weekly_table
    from analysis.pairing import associations_table

    if only == "exercise_mappings":
        return {only: mappings_table(store, viewer, athletes)}
    runs = store.runs(viewer, athletes)
    log = store.strength_log(viewer, athletes)
    plan = store.plan(viewer)
    if only == "strength_log":
        return {"strength_log": log}
    linked = run_table(runs, log, plan=plan)
    weekly = weekly_table(runs, log, plan=plan)
    tables = {"runs": linked, "weekly": weekly, "strength_log": log}
    if only in (None, "associations"):
        tables["associations"] = associations_table(weekly, linked)
    if only is None:
        tables["exercise_mappings"] = mappings_table(store, viewer, athletes)
    return tables if only is None else {only: tables[only]}
