"""Strength logs in, one normalised frame out (DESIGN.md §2 "Strength log", §7 CSV rules, §8 taxonomy).

`read_strength_log(source, *, athlete=None, skip_bad_rows=False)` reads every layout of the three
sources runners have, told apart by the header and the values (never the file name):

- `core_cadence`: the project's own CSV (`core_cadence.py`: columns in `STRENGTH_LOG_COLUMNS`, header
  aliases in `CSV_HEADER_ALIASES`, template `sample_data/strength_log_template.csv`);
- `strong`: the Strong app's export in each layout it has written and in its languages (`strong.py`);
- `hevy`: the Hevy app's export, dates in the phone's locale (`hevy.py`).

The package: `table.py` reads bytes into a table (size cap, encoding, delimiter, header), `cells.py`
parses cells (numbers, durations, text) and collects problems, `dates.py` parses dates as the phone
wrote them and settles their order per file, `layout.py` is the skeleton each layout fills in,
`reader.py` picks the layout and builds the frame, `contract.py` is the frame's contract and CSV writer.
`sniff_layout(head)` tells, from a file's first bytes, whether it is a strength log and of which layout
(`analysis.ingest.sources` asks it; it applies the reader's own rules).

The file is either read completely or refused with `analysis.errors.InputError` listing up to
`MAX_LISTED_PROBLEMS` problems, each with the row number a spreadsheet shows (header = row 1), the
column as named in the file and what was expected; with `skip_bad_rows` the good rows are read and
the others listed. No other exception escapes.
"""

from analysis.io.exercise_taxonomy import SESSION_TYPES, classify_exercise
from analysis.io.strength.cells import LB_TO_KG, MAX_LISTED_PROBLEMS
from analysis.io.strength.contract import (
    CSV_COLUMNS,
    SOURCE_FORMATS,
    STRENGTH_LOG_COLUMN_NAMES,
    STRENGTH_LOG_COLUMNS,
    LogColumn,
    check_strength_log,
    write_strength_log_csv,
)
from analysis.io.strength.core_cadence import CSV_HEADER_ALIASES, SESSION_TYPE_ALIASES
from analysis.io.strength.reader import LAYOUTS, LayoutSniff, read_strength_log, sniff_layout
from analysis.io.strength.table import MAX_STRENGTH_LOG_BYTES, MAX_STRENGTH_LOG_HEADER_COLUMNS, MAX_STRENGTH_LOG_ROWS

__all__ = [
    "CSV_COLUMNS",
    "CSV_HEADER_ALIASES",
    "LAYOUTS",
    "LB_TO_KG",
    "LayoutSniff",
    "LogColumn",
    "MAX_LISTED_PROBLEMS",
    "MAX_STRENGTH_LOG_BYTES",
    "MAX_STRENGTH_LOG_HEADER_COLUMNS",
    "MAX_STRENGTH_LOG_ROWS",
    "SESSION_TYPES",
    "SESSION_TYPE_ALIASES",
    "SOURCE_FORMATS",
    "STRENGTH_LOG_COLUMNS",
    "STRENGTH_LOG_COLUMN_NAMES",
    "check_strength_log",
    "classify_exercise",
    "read_strength_log",
    "sniff_layout",
    "write_strength_log_csv",
]
