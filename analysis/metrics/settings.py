"""Metric settings as data: the "metrics" group of the one settings registry (`analysis.settings`).

`METRIC_SETTINGS` is that group, defined here once. `MetricSettings` has exactly one field per row (a
test checks that), the UI renders its widgets from the rows, and the registry's test fails when a row has
no help text.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from analysis.settings import Setting, register

__all__ = ["METRIC_SETTINGS", "SETTINGS_BY_NAME", "MetricSettings", "Setting", "resolve_settings"]

METRIC_SETTINGS: tuple[Setting, ...] = register(
    "metrics",
    Setting("moving_speed_min_mps", 1.0, "m/s", 0.3, 2.5,
            "An interval between two samples counts as moving when its speed is at least this. Slower is "
            "standing or shuffling at a crossing; it adds no moving time and no distance to the windows."),
    Setting("pause_gap_min_s", 15.0, "s", 5.0, 300.0,
            "A gap between two samples longer than this (and longer than the gap factor times the file's usual "
            "interval) is a pause even when the watch recorded no timer stop. Smart recording leaves gaps of "
            "up to about 10 s while running, so keep this above that."),
    Setting("pause_gap_factor", 5.0, "× median interval", 2.0, 50.0,
            "A gap is a pause only when it is also this many times longer than the file's median sample interval."),
    Setting("warmup_end_fraction", 0.10, "fraction of moving distance", 0.0, 0.3,
            "The first part of the run is the warm-up and is left out of every comparison."),
    Setting("baseline_end_fraction", 0.50, "fraction of moving distance", 0.2, 0.7,
            "The baseline window runs from the end of the warm-up to this point."),
    Setting("late_start_fraction", 0.75, "fraction of moving distance", 0.5, 0.95,
            "The late window runs from this point to the end of the run; it is compared with the baseline."),
    Setting("min_moving_time_min", 30.0, "min", 5.0, 180.0,
            "Runs with less moving time get no fatigue metrics: fade needs time to show, and short runs "
            "would add noise to the trends."),
    Setting("min_coverage", 0.80, "fraction of moving time", 0.5, 1.0,
            "A channel (cadence, heart rate, altitude, running dynamics) must have values for at least this "
            "share of the moving time in each window it is used in; otherwise its metric is left blank."),
    Setting("grade_smoothing_m", 60.0, "m", 10.0, 400.0,
            "Altitude is smoothed over this much distance before the grade is taken, so GPS and barometer "
            "noise does not read as hills."),
    Setting("flat_range_m", 10.0, "m", 0.0, 100.0,
            "Runs whose smoothed altitude varies by less than this are treated as flat: pace decay then uses "
            "raw pace (basis 'pace'), since the grade would only be noise."),
    Setting("max_window_grade_pct", 8.0, "% grade", 3.0, 45.0,
            "Runs whose baseline or late window averages a steeper grade than this, up or down, get no fatigue "
            "metrics: on steep ground runners hike and brake, so pace, cadence and stride there reflect the "
            "terrain more than fatigue, and Minetti's cost model (measured at steady effort) over-credits "
            "steep descents."),
)

SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in METRIC_SETTINGS}


@dataclass(frozen=True)
class MetricSettings:
    """The values in force for one computation; build it with `resolve_settings`."""

    moving_speed_min_mps: float = SETTINGS_BY_NAME["moving_speed_min_mps"].default
    pause_gap_min_s: float = SETTINGS_BY_NAME["pause_gap_min_s"].default
    pause_gap_factor: float = SETTINGS_BY_NAME["pause_gap_factor"].default
    warmup_end_fraction: float = SETTINGS_BY_NAME["warmup_end_fraction"].default
    baseline_end_fraction: float = SETTINGS_BY_NAME["baseline_end_fraction"].default
    late_start_fraction: float = SETTINGS_BY_NAME["late_start_fraction"].default
    min_moving_time_min: float = SETTINGS_BY_NAME["min_moving_time_min"].default
    min_coverage: float = SETTINGS_BY_NAME["min_coverage"].default
    grade_smoothing_m: float = SETTINGS_BY_NAME["grade_smoothing_m"].default
    flat_range_m: float = SETTINGS_BY_NAME["flat_range_m"].default
    max_window_grade_pct: float = SETTINGS_BY_NAME["max_window_grade_pct"].default

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def changed(self) -> dict[str, float]:
        """Only the settings that differ from their defaults (for labels and the store)."""
        return {k: v for k, v in self.as_dict().items() if v != SETTINGS_BY_NAME[k].default}


def resolve_settings(settings: MetricSettings | None = None, **overrides: float) -> MetricSettings:
    """Defaults, then `settings`, then keyword overrides; checks names, bounds and window order.

    Raises ValueError with a sentence naming the setting, its unit and its allowed range.
    """
    unknown = sorted(set(overrides) - set(SETTINGS_BY_NAME))
    if unknown:
        raise ValueError(f"unknown metric setting(s): {', '.join(unknown)}; known: {', '.join(SETTINGS_BY_NAME)}")
    resolved = replace(settings or MetricSettings(), **{k: float(v) for k, v in overrides.items()})
    for s in METRIC_SETTINGS:
        value = getattr(resolved, s.name)
        if not (s.minimum <= value <= s.maximum):
            raise ValueError(f"setting {s.name} = {value:g} {s.unit} is outside {s.minimum:g}–{s.maximum:g}")
    if not (resolved.warmup_end_fraction < resolved.baseline_end_fraction <= resolved.late_start_fraction < 1.0):
        raise ValueError(
            "windows must be in order: warm-up end < baseline end ≤ late start < 1 "
            f"(got {resolved.warmup_end_fraction:g}, {resolved.baseline_end_fraction:g}, "
            f"{resolved.late_start_fraction:g})"
        )
    return resolved
