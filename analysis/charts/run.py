"""Figures and metric cards of one run (the Run explorer page): frames in, `go.Figure` out, no streamlit.

- `run_panels`: stacked panels over distance sharing one x axis (pace, cadence, heart rate, stride length,
  elevation, running dynamics when recorded), with the metrics' baseline and late windows shaded in every
  panel and the windows' means drawn on the pace, cadence and stride panels.
- `run_map`: the route on a MapLibre map (`go.Scattermap`; tiles load in the user's browser), with the
  baseline and late windows marked, or None when the file has no positions.
- `metric_cards`: what the metric cards say (label with unit, value, one-line meaning, or why it is blank).
- `how_it_felt`: the run's perceived effort (Borg CR10) and feel in words, and where they came from.

The series are `analysis.metrics.run.run_profile`'s columns, so the chart shows exactly what the metrics saw:
moving intervals only for pace, cadence and stride (standing still and pauses are gaps), windows as fractions
of moving distance placed on the run's own distance axis (`RunMetrics.*_km`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.charts.style import MetricLabel, base_layout, empty_figure, label, pace_text
from analysis.effort import NOT_REPORTED, effort_text, feel_text, source_text
from analysis.errors import InputError
from analysis.metrics.run import FATIGUE_METRICS
from analysis.metrics.settings import MetricSettings
from analysis.privacy import DEFAULT_PRIVACY_RADIUS_M, hidden_positions, valid_positions

# Above this many samples the panels plot every k-th row (k = ceil(n / MAX_PLOT_POINTS)), plus the last.
# Only the drawing is thinned: a browser redraws ~8 panels of 5,000 points smoothly, a 6-hour 1 Hz ultra
# (21,600 samples × 8 panels) it does not. Metrics, window edges and means always come from every sample.
MAX_PLOT_POINTS = 5_000

# Window colours (Paul Tol's blue and orange): translucent in the panels, solid on the map. Means are drawn
# dark so they stand out against any athlete's line colour.
BASELINE_COLOUR = "#4477AA"
LATE_COLOUR = "#EE7733"
MEAN_COLOUR = "#333333"
_SHADE_OPACITY = 0.13


@dataclass(frozen=True)
class Panel:
    """One panel of `run_panels`: the plotted column, its axis title and how hover writes its value."""

    column: str
    label: MetricLabel
    hover_format: str  # d3 format of the value in the hover box
    weight: float = 1.0  # relative height

    @property
    def axis_title(self) -> str:
        # Two lines, so the title fits beside a short panel.
        return f"{self.label.title}<br>({self.label.unit})"


PACE_PANEL = Panel("gap_pace_s_per_km", MetricLabel(
    "Grade-adjusted pace", "min/km", "Pace on the flat at the same effort (Minetti 2002 cost of running); "
    "faster is higher."), "", weight=1.4)
RAW_PACE_PANEL_TITLE = "Pace"  # the same panel on a flat run or one without altitude (basis "pace")
PANELS: tuple[Panel, ...] = (
    PACE_PANEL,
    Panel("cadence_spm", MetricLabel("Cadence", "steps/min", "Both feet."), ".0f"),
    Panel("heart_rate_bpm", MetricLabel("Heart rate", "bpm", "As recorded, pauses included."), ".0f"),
    Panel("stride_length_m", MetricLabel("Stride length", "m", "Speed ÷ steps per second: one step's length."),
          ".2f"),
    Panel("altitude_smoothed_m", MetricLabel("Elevation", "m", "Smoothed over the grade-smoothing distance, as "
                                             "the grade adjustment uses it."), ".0f"),
    # Running dynamics (Garmin HRM-Pro/Run, Forerunner 9xx, Stryd): only when the file recorded them.
    Panel("stance_time_ms", MetricLabel("Ground contact", "ms", "Time a foot is on the ground per step."), ".0f"),
    Panel("vertical_oscillation_mm", MetricLabel("Vertical oscillation", "mm", "Bounce of the torso per step."),
          ".0f"),
    Panel("stance_time_balance_pct", MetricLabel("L/R balance", "% left", "Left foot's share of ground contact; "
                                                 "50 = even."), ".1f"),
)
DYNAMICS_COLUMNS: tuple[str, ...] = ("stance_time_ms", "vertical_oscillation_mm", "stance_time_balance_pct")

# The windows' means drawn as horizontal segments: panel column -> (baseline field, late field) of RunMetrics.
WINDOW_MEANS: Mapping[str, tuple[str, str]] = {
    "gap_pace_s_per_km": ("baseline_pace_s_per_km", "late_pace_s_per_km"),
    "cadence_spm": ("baseline_cadence_spm", "late_cadence_spm"),
    "stride_length_m": ("baseline_stride_length_m", "late_stride_length_m"),
}


# --- helpers ---------------------------------------------------------------------------------------

def _values(metrics: Any) -> dict[str, Any]:
    """A RunMetrics, or a row of `Store.runs()` (Series or mapping), as a plain dict."""
    if hasattr(metrics, "as_dict"):
        return metrics.as_dict()
    return dict(metrics)


def _finite(value: Any) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def clock_text(seconds: np.ndarray | pd.Series) -> np.ndarray:
    """Seconds as h:mm:ss strings (vectorised; '' for NaN)."""
    values = np.asarray(seconds, dtype="float64")
    ok = np.isfinite(values)
    whole = np.where(ok, np.round(values), 0).astype("int64")
    hours, rest = np.divmod(whole, 3600)
    minutes, secs = np.divmod(rest, 60)
    text = (hours.astype(str).astype(object) + ":" + np.char.zfill(minutes.astype(str), 2).astype(object) + ":"
            + np.char.zfill(secs.astype(str), 2).astype(object))
    return np.where(ok, text, "")


def duration_text(seconds: float) -> str:
    """A duration in s as h:mm:ss ('—' when unknown)."""
    return str(clock_text(np.array([seconds]))[0]) or "—"


def _pace_texts(seconds_per_km: np.ndarray) -> np.ndarray:
    """Paces in s/km as m:ss strings (vectorised; '' for NaN)."""
    values = np.asarray(seconds_per_km, dtype="float64")
    ok = np.isfinite(values) & (values > 0)
    whole = np.where(ok, np.round(values), 0).astype("int64")
    minutes, secs = np.divmod(whole, 60)
    text = minutes.astype(str).astype(object) + ":" + np.char.zfill(secs.astype(str), 2).astype(object)
    return np.where(ok, text, "")


def _thin(frame: pd.DataFrame, max_points: int) -> pd.DataFrame:
    """Every k-th row (and the last) when the frame has more than `max_points` rows; see MAX_PLOT_POINTS."""
    n = len(frame)
    if n <= max_points:
        return frame
    step = math.ceil(n / max_points)
    keep = np.zeros(n, dtype=bool)
    keep[::step] = True
    keep[-1] = True
    return frame[keep]


def dynamics_frame(profile: pd.DataFrame, samples: pd.DataFrame | None) -> pd.DataFrame:
    """Running-dynamics channels aligned with the profile (one row per sample), on moving intervals only.

    Standing at a crossing, a foot "on the ground" for 30 s is not a stance time; zero means no value
    (as in the metrics), and a balance outside 0-100 % is not a share.
    """
    out = pd.DataFrame(index=profile.index)
    if samples is None or len(samples) != len(profile):
        return out
    moving = profile["moving"].to_numpy(dtype=bool)
    for column in DYNAMICS_COLUMNS:
        values = samples[column].to_numpy(dtype="float64")
        valid = (values > 0) & (values < 100) if column == "stance_time_balance_pct" else values > 0
        values = np.where(valid & moving, values, np.nan)
        if np.isfinite(values).any():
            out[column] = values
    return out


def has_dynamics(samples: pd.DataFrame | None) -> bool:
    """True when the file recorded any running-dynamics channel."""
    return samples is not None and bool(samples[list(DYNAMICS_COLUMNS)].gt(0).any().any())


def window_edges_km(metrics: Any, end_km: float | None = None) -> dict[str, tuple[float, float]]:
    """{"baseline": (start, end), "late": (start, end)} in km on the run's distance axis; {} when not computed.

    The late window ends where the run ends: `end_km` (the profile's last distance) or the metrics' distance.
    """
    m = _values(metrics)
    end = end_km if _finite(end_km) else m.get("distance_km")
    edges = {
        "baseline": (m.get("warmup_end_km"), m.get("baseline_end_km")),
        "late": (m.get("late_start_km"), end),
    }
    return {name: (float(a), float(b)) for name, (a, b) in edges.items() if _finite(a) and _finite(b) and b > a}


def _pace_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Tick positions (s/km) and m:ss labels for a pace axis from `low` to `high` s/km, about 3-6 ticks."""
    span = max(high - low, 1.0)
    step = next((s for s in (5, 10, 15, 20, 30, 60, 120, 300, 600) if span / s <= 5), 1200)
    first = math.ceil(low / step) * step
    ticks = [float(t) for t in np.arange(first, high + 1e-9, step)]
    return ticks, [pace_text(t) for t in ticks]


# --- the panels ----------------------------------------------------------------------------------

def run_panels(profile: pd.DataFrame, metrics: Any, samples: pd.DataFrame | None = None, *,
               colour: str = "#1f77b4", utc_offset_s: float | None = None,
               max_points: int = MAX_PLOT_POINTS, height_per_panel: int = 125) -> go.Figure:
    """Stacked panels over distance (km) sharing one x axis, the metrics' windows shaded in each.

    `profile` is `run_profile(activity)`; `metrics` the run's `RunMetrics` (or its row of `Store.runs()`);
    `samples` the activity's samples frame (same rows as the profile), needed only for running dynamics.
    `colour` is the athlete's colour. `utc_offset_s` turns hover clock times into local time (UTC otherwise).
    Panels without data are left out; a run with no plottable series gets a figure that says so.
    Pace is plotted in s/km on a reversed axis (faster is higher) with m:ss tick labels.
    """
    m = _values(metrics)
    frame = pd.concat([profile, dynamics_frame(profile, samples)], axis=1)
    panels = [p for p in PANELS if p.column in frame and np.isfinite(frame[p.column].to_numpy(dtype="float64")).any()]
    if not panels or len(frame) < 2:
        return empty_figure("This run has no pace, cadence, heart rate or elevation to plot.")
    end_km = float(frame["distance_km"].iloc[-1])
    frame = _thin(frame, max_points)

    x = frame["distance_km"].to_numpy(dtype="float64")
    time = pd.to_datetime(frame["time"], utc=True)
    elapsed = clock_text((time - time.iloc[0]).dt.total_seconds())
    local = time.dt.tz_convert(None) + pd.to_timedelta(utc_offset_s or 0.0, unit="s")
    clock = local.dt.strftime("%H:%M:%S").to_numpy(dtype=object)
    zone = "local" if utc_offset_s is not None else "UTC"

    fig = go.Figure()
    gap = 0.025
    total_weight = sum(p.weight for p in panels)
    usable = 1.0 - gap * (len(panels) - 1)
    top = 1.0
    axis_ids: list[str] = []
    for i, panel in enumerate(panels):
        axis_id = "y" if i == 0 else f"y{i + 1}"
        axis_ids.append(axis_id)
        bottom = max(top - usable * panel.weight / total_weight, 0.0)
        y = frame[panel.column].to_numpy(dtype="float64")
        title = panel.axis_title
        axis: dict[str, Any] = dict(domain=[bottom, top], title=dict(text=title, font=dict(size=11)),
                                    fixedrange=True, zeroline=False)
        if panel is PACE_PANEL:
            is_gap = m.get("pace_decay_basis") == "gap" or (
                "pace_s_per_km" in frame and not np.allclose(
                    frame["pace_s_per_km"], frame[panel.column], equal_nan=True))
            name = PACE_PANEL.label.title if is_gap else RAW_PACE_PANEL_TITLE
            axis["title"]["text"] = f"{name}<br>(min/km)"
            _pace_traces(fig, frame, axis_id, colour, name, is_gap, elapsed, clock, zone)
            axis.update(_pace_axis(frame, m, is_gap))
        else:
            hover = f"{panel.label.title}: %{{y:{panel.hover_format}}} {panel.label.unit}"
            if i == 0:  # the top trace carries the time, so the hover box shows it once
                hover += f"<br>elapsed %{{customdata[0]}} · %{{customdata[1]}} {zone}"
            fig.add_trace(go.Scatter(
                x=x, y=y, mode="lines", name=panel.label.title, yaxis=axis_id, xaxis="x",
                line=dict(color=colour, width=1.5), showlegend=False, connectgaps=False,
                customdata=np.column_stack([elapsed, clock]) if i == 0 else None,
                hovertemplate=hover + "<extra></extra>",
            ))
        fig.update_layout({f"yaxis{'' if i == 0 else i + 1}": axis})
        top = bottom - gap

    _shade_windows(fig, m, axis_ids, end_km)
    _window_means(fig, m, panels, axis_ids, end_km)

    base_layout(fig, height=height_per_panel * len(panels) + 110)
    fig.update_layout(
        hovermode="x unified", hoversubplots="axis",  # one hover box across every panel at that distance
        xaxis=dict(title=dict(text="Distance (km)"), anchor=axis_ids[-1], hoverformat=".2f",
                   unifiedhovertitle=dict(text="%{x:.2f} km"), range=[0, end_km]),
        legend=dict(groupclick="togglegroup"),
        margin=dict(l=10, r=10, t=40, b=10),
    )
    return fig


def _pace_traces(fig: go.Figure, frame: pd.DataFrame, axis_id: str, colour: str, name: str, is_gap: bool,
                 elapsed: np.ndarray, clock: np.ndarray, zone: str) -> None:
    x = frame["distance_km"].to_numpy(dtype="float64")
    plotted = frame[PACE_PANEL.column].to_numpy(dtype="float64")
    if is_gap and "pace_s_per_km" in frame:
        raw = frame["pace_s_per_km"].to_numpy(dtype="float64")
        fig.add_trace(go.Scatter(
            x=x, y=raw, mode="lines", name="Raw pace (not grade-adjusted)", yaxis=axis_id, xaxis="x",
            line=dict(color="#AAAAAA", width=1), connectgaps=False, customdata=_pace_texts(raw)[:, None],
            hovertemplate="Raw pace: %{customdata[0]} min/km<extra></extra>",
        ))
    fig.add_trace(go.Scatter(
        x=x, y=plotted, mode="lines", name=name, yaxis=axis_id, xaxis="x", line=dict(color=colour, width=1.5),
        connectgaps=False, customdata=np.column_stack([_pace_texts(plotted), elapsed, clock]),
        hovertemplate=(f"{name}: %{{customdata[0]}} min/km<br>elapsed %{{customdata[1]}} · "
                       f"%{{customdata[2]}} {zone}<extra></extra>"),
    ))


def _pace_axis(frame: pd.DataFrame, m: dict[str, Any], is_gap: bool) -> dict[str, Any]:
    """Reversed pace axis (faster higher) over the 1st-99th percentile, so a walk or a GPS spike does not
    flatten the rest; m:ss tick labels."""
    columns = [PACE_PANEL.column] + (["pace_s_per_km"] if is_gap and "pace_s_per_km" in frame else [])
    values = frame[columns].to_numpy(dtype="float64").ravel()
    values = values[np.isfinite(values)]
    means = [m.get(f) for f in WINDOW_MEANS[PACE_PANEL.column] if _finite(m.get(f))]
    low, high = np.percentile(values, [1, 99]) if len(values) else (240.0, 420.0)
    low, high = min([low, *means]), max([high, *means])
    pad = max((high - low) * 0.08, 5.0)
    low, high = low - pad, high + pad
    ticks, texts = _pace_ticks(low, high)
    return dict(range=[high, low], autorange=False, tickvals=ticks, ticktext=texts)


def _shade_windows(fig: go.Figure, m: dict[str, Any], axis_ids: list[str], end_km: float) -> None:
    """The baseline and late windows as translucent rectangles in every panel, with one legend entry each."""
    edges = window_edges_km(m, end_km)
    names = {"baseline": "Baseline window", "late": "Late window"}
    colours = {"baseline": BASELINE_COLOUR, "late": LATE_COLOUR}
    for window, (start, end) in edges.items():
        for i, axis_id in enumerate(axis_ids):
            fig.add_shape(
                type="rect", xref="x", yref=f"{axis_id} domain", x0=start, x1=end, y0=0, y1=1,
                fillcolor=colours[window], opacity=_SHADE_OPACITY, line=dict(width=0), layer="below",
                name=names[window], legendgroup=window, showlegend=i == 0,
            )
        fig.add_annotation(x=(start + end) / 2, y=1, xref="x", yref=f"{axis_ids[0]} domain", yanchor="top",
                           text=names[window].removesuffix(" window").lower(), showarrow=False,
                           font=dict(size=11, color=colours[window]))
    if "baseline" in edges and edges["baseline"][0] > 0:
        fig.add_annotation(x=edges["baseline"][0] / 2, y=1, xref="x", yref=f"{axis_ids[0]} domain",
                           yanchor="top", text="warm-up", showarrow=False, font=dict(size=11, color="#777777"))


def _window_means(fig: go.Figure, m: dict[str, Any], panels: list[Panel], axis_ids: list[str],
                  end_km: float) -> None:
    """The baseline and late means (the numbers the drift metrics compare) as dashed segments over their windows."""
    edges = window_edges_km(m, end_km)
    first = True
    for panel, axis_id in zip(panels, axis_ids, strict=True):
        fields = WINDOW_MEANS.get(panel.column)
        if fields is None:
            continue
        for window, field in zip(("baseline", "late"), fields, strict=True):
            value = m.get(field)
            if window not in edges or not _finite(value):
                continue
            fig.add_trace(go.Scatter(
                x=list(edges[window]), y=[float(value)] * 2, mode="lines", yaxis=axis_id, xaxis="x",
                name="Window means", legendgroup="means", showlegend=first,
                line=dict(color=MEAN_COLOUR, width=2, dash="dash"), hoverinfo="skip",
            ))
            first = False


# --- the map -----------------------------------------------------------------------------------

# End markers: the run's own start and finish, or, when the privacy radius hides them, the first and last
# points shown (so nobody reads a marker at the edge of the hidden circle as the start).
MAP_START, MAP_END = "Start", "Finish"
MAP_SHOWN_FROM, MAP_SHOWN_TO = "Shown from", "Shown to"


def run_map(samples: pd.DataFrame, metrics: Any, *, profile: pd.DataFrame | None = None,
            colour: str = "#1f77b4", height: int = 420,
            privacy_radius_m: float = DEFAULT_PRIVACY_RADIUS_M) -> go.Figure | None:
    """The route on a map (MapLibre, OpenStreetMap tiles), baseline and late windows marked; None when no
    position is left to show (the file has none, or every one lies within the privacy radius).

    `privacy_radius_m` (metres; the store's setting, `Store.privacy_radius_m()`; 0 shows everything): the
    start and end of the track are hidden (`analysis.privacy.hidden_positions`), so the line does not lead to
    the runner's door; the default is the setting's default, so a caller that forgets it hides, not shows.
    The "Shown from" and "Shown to" markers sit at the first and last point shown (the start and finish
    themselves when nothing is hidden). Distances come from `profile` (the metrics' own distance axis) when
    given, else from the samples' cumulative distance; hover shows the distance and elapsed time.
    """
    lat = samples["lat_deg"].to_numpy(dtype="float64")
    lon = samples["lon_deg"].to_numpy(dtype="float64")
    # (0, 0) is what some watches write before a GPS fix: not a position.
    valid = valid_positions(lat, lon)
    ok = valid & ~hidden_positions(lat, lon, privacy_radius_m)
    if ok.sum() < 2:
        return None
    # Name the end markers for what they are: the run's start and finish, or where the hidden part ends.
    start_name = MAP_START if ok[np.flatnonzero(valid)[0]] else MAP_SHOWN_FROM
    end_name = MAP_END if ok[np.flatnonzero(valid)[-1]] else MAP_SHOWN_TO
    if profile is not None and len(profile) == len(samples):
        distance = profile["distance_km"].to_numpy(dtype="float64")
    else:
        d = samples["distance_m"].ffill().to_numpy(dtype="float64")
        first = d[np.isfinite(d)][0] if np.isfinite(d).any() else 0.0
        distance = (np.nan_to_num(d - first)) / 1000.0
    time = pd.to_datetime(samples["time"], utc=True)
    elapsed = clock_text((time - time.iloc[0]).dt.total_seconds())
    end_km = float(distance[np.flatnonzero(valid)[-1]])  # the run's end, hidden or not: where the late window ends
    keep = _thin(pd.DataFrame({"i": np.flatnonzero(ok)}), MAX_PLOT_POINTS)["i"].to_numpy()
    lat, lon, distance, elapsed = lat[keep], lon[keep], distance[keep], elapsed[keep]
    # Where hidden points lie between two shown ones (a route passing close to home mid-run), the line breaks
    # (a NaN point) instead of drawing a straight chord through the hidden circle.
    hidden_so_far = np.cumsum(valid & ~ok)[keep]
    breaks = np.flatnonzero(np.diff(hidden_so_far) > 0) + 1
    line_lat, line_lon = np.insert(lat, breaks, np.nan), np.insert(lon, breaks, np.nan)
    line_distance, line_elapsed = np.insert(distance, breaks, np.nan), np.insert(elapsed, breaks, "")

    fig = go.Figure()
    hover = "%{customdata[0]:.2f} km · elapsed %{customdata[1]}<extra></extra>"
    edges = window_edges_km(metrics, end_km)
    for window, window_colour in (("baseline", BASELINE_COLOUR), ("late", LATE_COLOUR)):
        if window not in edges:
            continue
        start, end = edges[window]
        inside = (line_distance >= start) & (line_distance <= end)
        fig.add_trace(go.Scattermap(
            lat=np.where(inside, line_lat, np.nan), lon=np.where(inside, line_lon, np.nan), mode="lines",
            name=f"{window.capitalize()} window", line=dict(color=window_colour, width=10), opacity=0.55,
            hoverinfo="skip",
        ))
    fig.add_trace(go.Scattermap(
        lat=line_lat, lon=line_lon, mode="lines", name="Route", line=dict(color=colour, width=3),
        customdata=np.column_stack([line_distance, line_elapsed]), hovertemplate=hover,
    ))
    for name, j, marker_colour in ((start_name, 0, "#117733"), (end_name, -1, "#222222")):
        fig.add_trace(go.Scattermap(
            lat=[lat[j]], lon=[lon[j]], mode="markers", name=name, marker=dict(size=13, color=marker_colour),
            customdata=[[distance[j], elapsed[j]]], hovertemplate=f"{name}: {hover}",
        ))
    base_layout(fig, height=height)
    fig.update_layout(map=dict(style="open-street-map", center=dict(lat=float((lat.min() + lat.max()) / 2),
                                                                  lon=float((lon.min() + lon.max()) / 2)),
                               zoom=_zoom(lat, lon, height)),
                      hovermode="closest")
    return fig


def _zoom(lat: np.ndarray, lon: np.ndarray, height_px: int, width_px: int = 700) -> float:
    """A web-Mercator zoom level that fits the route in about width_px × height_px.

    MapLibre tiles are 512 px: at zoom z a degree of longitude spans 512·2^z/360 pixels, and a degree of
    latitude 1/cos(lat) times as many (Mercator), so z = log2(pixels · 360 / (512 · span)) on each axis;
    the tighter axis wins.
    """
    middle = math.radians(float((lat.min() + lat.max()) / 2))
    lon_span = max(float(lon.max() - lon.min()), 1e-5)
    lat_span = max(float(lat.max() - lat.min()), 1e-5) / max(math.cos(middle), 0.01)
    zoom = min(math.log2(width_px * 360 / (512 * lon_span)), math.log2(height_px * 360 / (512 * lat_span)))
    return float(np.clip(zoom - 0.4, 1.0, 17.0))  # a margin so the route does not touch the edges


# --- the metric cards --------------------------------------------------------------------------

@dataclass(frozen=True)
class Card:
    """One metric card: `label` with its unit, the `value` as shown, `help` (meaning), `reason` when blank."""

    metric: str
    label: str
    value: str
    help: str
    reason: str = ""


SUMMARY_CARDS: tuple[str, ...] = ("distance_km", "moving_time_s", "avg_pace_s_per_km", "avg_heart_rate_bpm",
                                  "avg_cadence_spm", "elevation_gain_m")
FATIGUE_CARDS: tuple[str, ...] = ("pace_decay_pct", "cadence_drift_spm", "stride_length_drift_pct",
                                  "decoupling_pct")
DYNAMICS_CARDS: tuple[str, ...] = ("stance_time_drift_ms", "vertical_oscillation_drift_mm",
                                   "stance_time_balance_drift_pct")
_FORMATS: Mapping[str, str] = {
    "distance_km": ".2f", "avg_heart_rate_bpm": ".0f", "avg_cadence_spm": ".0f", "elevation_gain_m": ".0f",
    "pace_decay_pct": "+.1f", "cadence_drift_spm": "+.1f", "stride_length_drift_pct": "+.1f",
    "decoupling_pct": "+.1f", "stance_time_drift_ms": "+.1f", "vertical_oscillation_drift_mm": "+.1f",
    "stance_time_balance_drift_pct": "+.2f",
}
BLANK = "—"


def metric_reasons(metrics: Any) -> dict[str, str]:
    """Why each blank fatigue metric is blank, in words: {metric: reason} (from `ineligible_reason` / `notes`)."""
    m = _values(metrics)
    if not m.get("eligible"):
        reason = m.get("ineligible_reason") or "not computed"
        return dict.fromkeys(FATIGUE_METRICS, str(reason))
    notes = m.get("notes") or ""
    if not isinstance(notes, str) or not notes:
        return {}
    # Split only before "metric_name: ", since a reason may itself contain "; " or ": ".
    parts = re.split(r"; (?=(?:" + "|".join(FATIGUE_METRICS) + r"): )", notes)
    out = {}
    for part in parts:
        name, _, why = part.partition(": ")
        if name in FATIGUE_METRICS:
            out[name] = why
    return out


def format_metric(metric: str, value: Any) -> str:
    """A metric value as a card shows it (unit in the label): pace m:ss, moving time h:mm:ss, else a number."""
    if not _finite(value):
        return BLANK
    if metric == "avg_pace_s_per_km" or metric.endswith("pace_s_per_km"):
        return pace_text(float(value))
    if metric == "moving_time_s":
        return duration_text(float(value))
    return f"{float(value):{_FORMATS.get(metric, '.1f')}}"


def metric_cards(metrics: Any, *, dynamics: bool,
                 settings: MetricSettings | None = None) -> tuple[list[Card], list[Card]]:
    """(summary cards, fatigue cards) of one run; dynamics drift cards only when the file has running dynamics.

    ``settings``: the metric settings in force (``store.metric_settings(viewer)``), quoted in the cards' help."""
    m = _values(metrics)
    reasons = metric_reasons(m)
    summary = []
    for metric in SUMMARY_CARDS:
        lab = label(metric, settings)
        title = f"{lab.title} (h:mm:ss)" if metric == "moving_time_s" else lab.axis_title
        summary.append(Card(metric, title, format_metric(metric, m.get(metric)), lab.meaning))
    details = {
        "pace_decay_pct": _window_detail(m, "baseline_pace_s_per_km", "late_pace_s_per_km", "min/km",
                                         basis=m.get("pace_decay_basis")),
        "cadence_drift_spm": _window_detail(m, "baseline_cadence_spm", "late_cadence_spm", "steps/min")
        + (f" ({float(m['cadence_drift_pct']):+.1f} %)" if _finite(m.get("cadence_drift_pct")) else ""),
        "stride_length_drift_pct": _window_detail(m, "baseline_stride_length_m", "late_stride_length_m", "m"),
    }
    fatigue = []
    for metric in FATIGUE_CARDS + (DYNAMICS_CARDS if dynamics else ()):
        lab = label(metric, settings)
        value = format_metric(metric, m.get(metric))
        reason = reasons.get(metric, "could not be computed") if value == BLANK else ""
        meaning = lab.meaning + (f" This run: {details[metric]}." if details.get(metric) else "")
        fatigue.append(Card(metric, lab.axis_title, value, meaning, reason))
    return summary, fatigue


def _window_detail(m: dict[str, Any], baseline: str, late: str, unit: str, basis: str | None = None) -> str:
    """'baseline X → late Y unit' from the window means behind a drift metric ('' when not computed)."""
    if not (_finite(m.get(baseline)) and _finite(m.get(late))):
        return ""
    if unit == "min/km":
        first, second = pace_text(m[baseline]), pace_text(m[late])
    else:
        digits = 2 if unit == "m" else 1
        first, second = f"{float(m[baseline]):.{digits}f}", f"{float(m[late]):.{digits}f}"
    adjusted = {"gap": ", grade-adjusted", "pace": ", raw pace"}.get(basis or "", "")
    return f"baseline {first} → late {second} {unit}{adjusted}"


# --- how the run felt --------------------------------------------------------------------------

EFFORT_COLUMNS: tuple[str, ...] = ("perceived_effort", "feel")  # optional columns of the runs frame


def how_it_felt(run: Mapping[str, Any] | pd.Series) -> str | None:
    """The run's self-report as one markdown line, or None when the runs frame has no effort columns at all.

    ``run``: one row of the runs frame (``perceived_effort`` Borg CR10 0-10, ``feel`` 0-100, ``effort_source``
    "watch" or "check-in"; each may be missing, read with ``.get``). For example "**Perceived effort:** 7.0 /
    10 (Borg CR10) — very strong · **Feel:** 75 / 100 — strong · from the watch", or "**Perceived effort and
    feel:** not reported". The text is the app's own (numbers and fixed words), never user text.
    """
    if not any(column in run for column in EFFORT_COLUMNS):
        return None
    effort, feel = run.get("perceived_effort"), run.get("feel")
    try:
        effort_shown, feel_shown = effort_text(effort), feel_text(feel)
    except InputError as exc:  # a stored value off its scale: say so rather than fail the page
        return f"**Perceived effort and feel:** not shown ({exc})"
    if effort_shown == feel_shown == NOT_REPORTED:
        return f"**Perceived effort and feel:** {NOT_REPORTED}"
    where = source_text(run.get("effort_source"))
    return f"**Perceived effort:** {effort_shown} · **Feel:** {feel_shown}" + (f" · {where}" if where else "")
