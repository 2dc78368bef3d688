"""Per-run fatigue metrics. Knows nothing of files: it takes an Activity or a samples frame."""

from analysis.metrics.run import FATIGUE_METRICS, RunMetrics, run_metrics, run_profile
from analysis.metrics.settings import METRIC_SETTINGS, MetricSettings, Setting, resolve_settings

__all__ = ["FATIGUE_METRICS", "METRIC_SETTINGS", "MetricSettings", "RunMetrics", "Setting", "resolve_settings",
           "run_metrics", "run_profile"]
