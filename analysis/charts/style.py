"""What every chart and metric card shares: one colour per athlete, metric labels with units and meanings.

The label table is data (like the settings tables): a test checks that every fatigue metric of
`analysis.metrics.run.FATIGUE_METRICS` and every weekly column a page plots has a label with a unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType

import plotly.graph_objects as go
from plotly.colors import qualitative

from analysis.metrics.settings import MetricSettings

# Colour-blind-safe first (Okabe & Ito 2008, via Plotly's "Safe" set), then Plotly's long qualitative sets
# so a 30-athlete club still gets distinct colours. Order is by athlete name, so a colour never moves
# between pages; it can move when athletes are added or removed, which is acceptable.
_PALETTE: tuple[str, ...] = tuple(dict.fromkeys(qualitative.Safe + qualitative.D3 + qualitative.Alphabet))


def athlete_colours(names: Iterable[str]) -> dict[str, str]:
    """Athlete name -> hex colour, the same on every page for the same set of athletes."""
    ordered = sorted({str(n) for n in names}, key=str.casefold)
    return {name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate(ordered)}


@dataclass(frozen=True)
class MetricLabel:
    """How a number is named on screen: `title` and `unit` for axes and cards, `meaning` in one line."""

    title: str
    unit: str
    meaning: str

    @property
    def axis_title(self) -> str:
        return f"{self.title} ({self.unit})"


METRIC_LABELS: MappingProxyType[str, MetricLabel] = MappingProxyType({
    # per-run fatigue metrics (analysis.metrics.run.RunMetrics; definitions in docs/metrics.md)
    "pace_decay_pct": MetricLabel(
        "Late pace decay", "%", "How much slower the late window ({late}) was than the baseline ({baseline}), "
        "grade-adjusted; + = slowed late."),
    "cadence_drift_spm": MetricLabel(
        "Cadence drift", "steps/min", "Late minus baseline cadence; − = shorter, slower turnover late."),
    "cadence_drift_pct": MetricLabel(
        "Cadence drift", "%", "Late cadence relative to baseline cadence; − = turnover fell late."),
    "cadence_slope_spm_per_h": MetricLabel(
        "Cadence slope", "steps/min per h", "Trend of cadence after the warm-up; − = falling through the run."),
    "stride_length_drift_pct": MetricLabel(
        "Stride length drift", "%", "Late vs baseline stride length (speed ÷ steps per second); − = shorter late."),
    "decoupling_pct": MetricLabel(
        "Aerobic decoupling", "%", "Friel's Pa:HR: + = heart rate rose for the same grade-adjusted pace."),
    "stance_time_drift_ms": MetricLabel(
        "Ground contact drift", "ms", "Late minus baseline stance time; + = feet stay down longer late."),
    "vertical_oscillation_drift_mm": MetricLabel(
        "Vertical oscillation drift", "mm", "Late minus baseline bounce; + = more bounce late."),
    "stance_time_balance_drift_pct": MetricLabel(
        "Left/right balance drift", "% points", "Growth of left/right stance-time asymmetry late; "
        "+ = more lopsided late (what pelvic-stability work targets)."),
    # run summary
    "distance_km": MetricLabel("Distance", "km", "Distance covered, pauses included."),
    "moving_time_s": MetricLabel("Moving time", "s", "Time moving at {moving_speed} or more, timer pauses left out."),
    "avg_pace_s_per_km": MetricLabel("Average pace", "min/km", "Moving time over moving distance."),
    "avg_heart_rate_bpm": MetricLabel("Average heart rate", "bpm", "Time-weighted mean while moving."),
    "avg_cadence_spm": MetricLabel("Average cadence", "steps/min", "Both feet, time-weighted while moving."),
    "elevation_gain_m": MetricLabel("Elevation gain", "m", "Sum of climbs on smoothed altitude."),
    # weekly and run-table columns (analysis.consistency). adherence and consistency are 0-1 in the
    # tables; pages show them multiplied by 100.
    "adherence": MetricLabel("Plan adherence", "% of plan", "Share of the week's planned core and hip "
                             "sessions done (extra of one type does not make up for another)."),
    "consistency_4wk": MetricLabel("4-week consistency", "% of plan", "Mean plan adherence of this week and "
                                   "the three before it."),
    "consistency_28d": MetricLabel("28-day consistency", "% of plan", "Plan adherence over the 28 days before "
                                   "the run."),
    "back_soreness": MetricLabel("Back soreness", "0-10", "Mean reported back soreness (0 = none, 10 = worst)."),
    "soreness_same_day": MetricLabel("Back soreness on the run's day", "0-10", "Mean soreness reported that day."),
    "soreness_next_day": MetricLabel("Back soreness the day after", "0-10", "Mean soreness reported the next day."),
    "weekly_km": MetricLabel("Weekly distance", "km", "Running distance in the week (training load, a confounder)."),
    "runs": MetricLabel("Runs", "count", "Runs in the week."),
    # strength-log counts (Consistency and Strength log pages)
    "sessions_per_week": MetricLabel("Strength sessions", "sessions/week", "Days in the week with that session "
                                     "type logged: two core exercises on one day are one core session."),
    "exercise_days": MetricLabel("Days logged", "days", "Days on which the exercise was logged."),
    "exercise_sets": MetricLabel("Sets logged", "sets", "Sets of the exercise; an entry without a set count "
                                 "counts as one set."),
})


def percent_text(fraction: float) -> str:
    """A fraction as a percentage without needless decimals: 0.15 -> '15', 0.125 -> '12.5'."""
    return f"{round(100 * float(fraction), 1):g}"


def setting_words(settings: MetricSettings | None = None) -> dict[str, str]:
    """The words a label quotes from the metric settings in force (defaults when None): the windows as % of
    moving distance, the moving speed and the minimum moving time. Pages pass ``store.metric_settings(viewer)``."""
    s = settings or MetricSettings()
    return {
        "warmup": f"0–{percent_text(s.warmup_end_fraction)} %",
        "baseline": f"{percent_text(s.warmup_end_fraction)}–{percent_text(s.baseline_end_fraction)} %",
        "late": f"{percent_text(s.late_start_fraction)}–100 %",
        "moving_speed": f"{s.moving_speed_min_mps:g} m/s",
        "min_moving": f"{s.min_moving_time_min:g} min",
    }


def label(metric: str, settings: MetricSettings | None = None) -> MetricLabel:
    """The label of a metric or column; KeyError names the missing one (so pages cannot show unnamed numbers).

    A meaning that quotes a setting (the windows, the moving speed) is filled in from `settings`, the metric
    settings in force: pass ``store.metric_settings(viewer)``; None quotes the defaults.
    """
    try:
        template = METRIC_LABELS[metric]
    except KeyError:
        raise KeyError(f"no on-screen label for {metric!r}: add it to analysis.charts.style.METRIC_LABELS") from None
    if "{" not in template.meaning:
        return template
    return MetricLabel(template.title, template.unit, template.meaning.format(**setting_words(settings)))


def pace_text(seconds_per_km: float) -> str:
    """A pace in s/km as m:ss (the unit, min/km, goes in the label)."""
    if seconds_per_km is None or seconds_per_km != seconds_per_km or seconds_per_km <= 0:
        return "—"
    minutes, seconds = divmod(round(float(seconds_per_km)), 60)
    return f"{minutes}:{seconds:02d}"


def base_layout(fig: go.Figure, *, title: str | None = None, height: int | None = None) -> go.Figure:
    """The house style: compact margins, hover across traces, legend on top."""
    fig.update_layout(
        title=title, height=height, margin=dict(l=10, r=10, t=50 if title else 20, b=10),
        hovermode="x unified", legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        template="plotly_white",
    )
    return fig


def empty_figure(message: str, *, height: int = 260) -> go.Figure:
    """A figure that says why it is empty (a chart area is never left blank)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font=dict(size=14))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, height=height)
