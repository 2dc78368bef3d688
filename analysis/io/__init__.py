"""File formats in, canonical frames out. Knows nothing of metrics."""

from analysis.io.activity import Activity, SessionSummary, TimerEvent
from analysis.io.exercise_taxonomy import classify_exercise
from analysis.io.read import read_activity
from analysis.io.samples import COLUMN_NAMES, SAMPLE_COLUMNS
from analysis.io.strength import (
    STRENGTH_LOG_COLUMNS,
    check_strength_log,
    read_strength_log,
    write_strength_log_csv,
)

__all__ = [
    "Activity",
    "SessionSummary",
    "TimerEvent",
    "read_activity",
    "COLUMN_NAMES",
    "SAMPLE_COLUMNS",
    "read_strength_log",
    "classify_exercise",
    "check_strength_log",
    "write_strength_log_csv",
    "STRENGTH_LOG_COLUMNS",
]
