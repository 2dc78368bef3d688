"""File formats in, canonical frames out. Knows nothing of metrics."""

from analysis.io.activity import Activity, SessionSummary, TimerEvent
from analysis.io.read import read_activity
from analysis.io.samples import COLUMN_NAMES, SAMPLE_COLUMNS

__all__ = ["Activity", "SessionSummary", "TimerEvent", "read_activity", "COLUMN_NAMES", "SAMPLE_COLUMNS"]
