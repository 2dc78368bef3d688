"""Per-run fatigue metrics (DESIGN.md §4): late-run pace decay, cadence drift, stride length, decoupling.

Everything is computed over *intervals* between consecutive samples, never over samples, because
smart recording spaces samples 1–10 s apart: a mean over samples would over-weight the moments the
watch chose to record. An interval carries the values of the sample that ends it (a FIT record's
distance and speed describe the stretch just run), its duration and its distance.

Windows are fractions of *moving distance*, and an interval that straddles a window edge counts
with the fraction of its distance that lies inside, so piecewise-constant runs give exact answers.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from functools import cached_property

import numpy as np
import pandas as pd

from analysis.io.activity import Activity, TimerEvent
from analysis.metrics.grade import elevation_gain_m, grade_factor, smoothed_altitude
from analysis.metrics.settings import MetricSettings, resolve_settings

NAN = float("nan")
RUNNING = "running"


@dataclass(frozen=True)
class RunMetrics:
    """What one run says about fatigue. Units are in the names; NaN means "not computed", see `notes`.

    Sign conventions: positive `pace_decay_pct` = slower late; positive `cadence_drift_spm` = quicker
    steps late; positive `decoupling_pct` = heart rate rose relative to pace (efficiency fell);
    positive `stance_time_balance_drift_pct` = left/right asymmetry grew late.
    Window edges (`*_km`) are on the run's own distance axis, from its first sample.
    """

    eligible: bool
    ineligible_reason: str
    sport: str
    distance_km: float
    moving_distance_km: float
    moving_time_s: float
    elapsed_time_s: float
    avg_pace_s_per_km: float
    avg_heart_rate_bpm: float
    avg_cadence_spm: float
    elevation_gain_m: float
    pace_decay_pct: float
    pace_decay_basis: str  # "gap" (grade-adjusted, Minetti 2002), "pace" (raw) or "" when not computed
    baseline_pace_s_per_km: float  # on the decay's basis
    late_pace_s_per_km: float
    cadence_drift_spm: float
    cadence_drift_pct: float
    cadence_slope_spm_per_h: float
    baseline_cadence_spm: float
    late_cadence_spm: float
    stride_length_drift_pct: float
    baseline_stride_length_m: float
    late_stride_length_m: float
    decoupling_pct: float
    stance_time_drift_ms: float
    vertical_oscillation_drift_mm: float
    stance_time_balance_drift_pct: float
    warmup_end_km: float
    baseline_end_km: float
    late_start_km: float
    notes: str  # "metric: why it is blank; …" for every NaN fatigue metric

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


FATIGUE_METRICS: tuple[str, ...] = (
    "pace_decay_pct",
    "cadence_drift_spm",
    "cadence_drift_pct",
    "cadence_slope_spm_per_h",
    "stride_length_drift_pct",
    "decoupling_pct",
    "stance_time_drift_ms",
    "vertical_oscillation_drift_mm",
    "stance_time_balance_drift_pct",
)


@dataclass(frozen=True)
class _Intervals:
    """Arrays over the n−1 intervals of a run (index j joins sample j to sample j+1)."""

    dt_s: np.ndarray
    dd_m: np.ndarray  # distance covered, metres (0 where unknown)
    moving: np.ndarray  # bool
    grade_factor: np.ndarray  # Cr(i)/Cr(0); 1 on the raw-pace basis
    grade: np.ndarray  # rise over run of the smoothed altitude (NaN without altitude)
    dist_start_m: np.ndarray  # the run's distance axis at the interval's start (from the first sample)
    moved_start_m: np.ndarray  # cumulative moving distance at the interval's start
    moved_end_m: np.ndarray
    basis: str
    basis_note: str
    elevation_gain_m: float
    smoothed_altitude_m: np.ndarray  # per sample, NaN without altitude
    channels: dict[str, np.ndarray]  # end-sample values per interval

    # Cached: every aggregate weights by these (17 uses per run); a frozen dataclass allows cached_property
    # because it writes the instance's __dict__ directly. Callers must not modify the arrays.
    @cached_property
    def moving_dd(self) -> np.ndarray:
        return np.where(self.moving, self.dd_m, 0.0)

    @cached_property
    def moving_dt(self) -> np.ndarray:
        return np.where(self.moving, self.dt_s, 0.0)


def run_metrics(
    activity: Activity | pd.DataFrame, settings: MetricSettings | None = None, **overrides: float
) -> RunMetrics:
    """Fatigue metrics of one run, defined in docs/metrics.md (DESIGN.md §4).

    `activity` is an `Activity` from `read_activity`, or a bare canonical samples frame (then the
    sport counts as running and there are no timer events). Settings come from
    `analysis.metrics.settings.METRIC_SETTINGS`; pass a `MetricSettings` or keyword overrides.
    """
    s = resolve_settings(settings, **overrides)
    samples, sport, events = _unpack(activity)
    iv = _intervals(samples, events, s)
    notes: dict[str, str] = {}

    moving_dt, moving_dd = iv.moving_dt, iv.moving_dd
    moving_time = float(moving_dt.sum())
    moving_distance = float(moving_dd.sum())
    t = samples["time"]
    elapsed = float((t.iloc[-1] - t.iloc[0]).total_seconds()) if len(t) > 1 else 0.0
    total_distance = float(iv.dd_m.sum()) if len(iv.dd_m) else NAN
    if len(samples) and samples["distance_m"].notna().sum() == 0 and samples["speed_mps"].notna().sum() == 0:
        total_distance = NAN

    whole = {"weight": moving_dt}
    base = dict(
        eligible=False,
        ineligible_reason="",
        sport=sport,
        distance_km=total_distance / 1000.0,
        moving_distance_km=moving_distance / 1000.0,
        moving_time_s=moving_time,
        elapsed_time_s=elapsed,
        avg_pace_s_per_km=moving_time / moving_distance * 1000.0 if moving_distance > 0 else NAN,
        avg_heart_rate_bpm=_mean(iv.channels["heart_rate_bpm"], whole["weight"])[0],
        avg_cadence_spm=_mean(iv.channels["cadence_spm"], whole["weight"])[0],
        elevation_gain_m=iv.elevation_gain_m,
    )
    blank = {name: NAN for name in RunMetrics.field_names() if name not in base and name not in
             ("pace_decay_basis", "notes")}

    reason = _ineligible_reason(sport, moving_time, moving_distance, s, has_distance=math.isfinite(total_distance))
    if reason:
        return RunMetrics(**base | blank | {"ineligible_reason": reason, "pace_decay_basis": "",
                                            "notes": f"all fatigue metrics: {reason}"})

    windows = _windows(iv, moving_distance, s)
    reason = _too_steep(iv, windows, s)
    if reason:
        return RunMetrics(**base | blank | {"ineligible_reason": reason, "pace_decay_basis": "",
                                            "notes": f"all fatigue metrics: {reason}"})
    values = dict(blank)
    values.update(_pace_decay(iv, windows))
    values.update(_cadence(iv, windows, s, notes))
    values.update(_decoupling(iv, windows["post"], s, notes))
    values.update(_dynamics(iv, windows, s, notes))
    values.update(_window_edges_km(iv, moving_distance, s))
    for metric in FATIGUE_METRICS:
        if metric not in notes and not math.isfinite(values[metric]):
            notes[metric] = "could not be computed"
    return RunMetrics(**base | values | {
        "eligible": True,
        "pace_decay_basis": iv.basis,
        "notes": "; ".join(f"{m}: {why}" for m, why in notes.items()),
    })


def run_profile(activity: Activity | pd.DataFrame, settings: MetricSettings | None = None,
                **overrides: float) -> pd.DataFrame:
    """Per-sample series behind the metrics, for charts (units in the column names).

    Row k describes the interval that ends at sample k (row 0 has none): whether it was moving,
    its grade, raw and grade-adjusted pace, and which window it falls in.
    """
    s = resolve_settings(settings, **overrides)
    samples, _, events = _unpack(activity)
    iv = _intervals(samples, events, s)
    n = len(samples)
    moving_distance = float(iv.moving_dd.sum())
    pad = lambda a, fill=NAN: np.concatenate(([fill], a)) if n else np.empty(0)  # noqa: E731
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(iv.dt_s > 0, iv.dd_m / iv.dt_s, NAN)
        gap_speed = speed * iv.grade_factor
        pace = np.where(speed > 0, 1000.0 / speed, NAN)
        gap_pace = np.where(gap_speed > 0, 1000.0 / gap_speed, NAN)
        cadence = iv.channels["cadence_spm"]
        stride = np.where(cadence > 0, speed / (cadence / 60.0), NAN)
    middle = (iv.moved_start_m + iv.moved_end_m) / 2.0
    fraction = middle / moving_distance if moving_distance > 0 else np.full(len(middle), NAN)
    window = np.select(
        [~iv.moving, fraction < s.warmup_end_fraction, fraction < s.baseline_end_fraction,
         fraction < s.late_start_fraction],
        ["not moving", "warm-up", "baseline", "middle"],
        default="late",
    )
    distance = np.concatenate(([0.0], np.cumsum(iv.dd_m))) if n else np.empty(0)
    return pd.DataFrame({
        "time": samples["time"].to_numpy(),
        "distance_km": distance / 1000.0,
        "moving": pad(iv.moving, False).astype(bool),
        "window": pad(window.astype(object), "start"),
        "grade_pct": pad(iv.grade * 100.0),
        "altitude_smoothed_m": iv.smoothed_altitude_m,
        "pace_s_per_km": pad(np.where(iv.moving, pace, NAN)),
        "gap_pace_s_per_km": pad(np.where(iv.moving, gap_pace, NAN)),
        "cadence_spm": pad(np.where(iv.moving, cadence, NAN)),
        "stride_length_m": pad(np.where(iv.moving, stride, NAN)),
        "heart_rate_bpm": samples["heart_rate_bpm"].to_numpy(),
    })


# --- building the intervals -------------------------------------------------------------------

def _unpack(activity: Activity | pd.DataFrame) -> tuple[pd.DataFrame, str, tuple[TimerEvent, ...]]:
    if isinstance(activity, Activity):
        return activity.samples, activity.sport, activity.timer_events
    if isinstance(activity, pd.DataFrame):
        return activity, RUNNING, ()
    raise TypeError(f"run_metrics needs an Activity or a samples DataFrame, not {type(activity).__name__}")


_CHANNELS = ("heart_rate_bpm", "cadence_spm", "stance_time_ms", "stance_time_balance_pct",
             "vertical_oscillation_mm")


def _intervals(samples: pd.DataFrame, events: tuple[TimerEvent, ...], s: MetricSettings) -> _Intervals:
    n = len(samples)
    seconds = (samples["time"].dt.as_unit("ns").astype("int64").to_numpy() / 1e9) if n else np.empty(0)
    if n:
        seconds = seconds - seconds[0]
    dt = np.diff(seconds)
    distance = samples["distance_m"].to_numpy(dtype="float64")
    speed = samples["speed_mps"].to_numpy(dtype="float64")
    dd = np.diff(distance)
    # Where the distance channel has a hole, the speed the watch measured stands in for it.
    from_speed = ~np.isfinite(dd) & np.isfinite(speed[1:])
    dd = np.where(from_speed, speed[1:] * dt, dd)
    known = np.isfinite(dd) & (dd >= 0) & (dt > 0)
    dd = np.where(known, dd, 0.0)

    positive = dt[dt > 0]
    usual = float(np.median(positive)) if len(positive) else 1.0
    long_gap = dt > max(s.pause_gap_min_s, s.pause_gap_factor * usual)
    with np.errstate(divide="ignore", invalid="ignore"):
        interval_speed = np.where(dt > 0, dd / dt, 0.0)
    stopped = _timer_stopped(seconds, samples, events)
    moving = known & ~long_gap & ~stopped & (interval_speed >= s.moving_speed_min_mps)

    dist_axis = np.concatenate(([0.0], np.cumsum(dd))) if n else np.empty(0)
    moved_end = np.cumsum(np.where(moving, dd, 0.0))
    moved_start = moved_end - np.where(moving, dd, 0.0)

    channels = {c: samples[c].to_numpy(dtype="float64")[1:] for c in _CHANNELS}
    for c in ("heart_rate_bpm", "cadence_spm", "stance_time_ms", "vertical_oscillation_mm"):
        channels[c] = np.where(channels[c] > 0, channels[c], NAN)

    altitude = samples["altitude_m"].to_numpy(dtype="float64")
    grade = np.full(len(dt), NAN)
    factor = np.ones(len(dt))
    smoothed_per_sample = np.full(n, NAN)
    gain = NAN
    basis, basis_note = "pace", "no altitude recorded"
    moving_time = float(np.where(moving, dt, 0.0).sum())
    if n > 1 and np.isfinite(altitude).any():
        grid, smooth = smoothed_altitude(dist_axis, altitude, s.grade_smoothing_m)
        if len(grid):
            smoothed_per_sample = np.interp(dist_axis, grid, smooth)
            gain = elevation_gain_m(smooth)
            with np.errstate(divide="ignore", invalid="ignore"):
                grade = np.where(dd > 0, np.diff(smoothed_per_sample) / dd, NAN)
            coverage = _coverage(np.isfinite(altitude[1:]), np.where(moving, dt, 0.0), moving_time)
            relief = float(smooth.max() - smooth.min())
            if coverage < s.min_coverage:
                basis_note = f"altitude covers {coverage:.0%} of moving time (needs {s.min_coverage:.0%})"
            elif relief < s.flat_range_m:
                basis_note = f"flat run (altitude range {relief:.0f} m < {s.flat_range_m:g} m)"
            else:
                basis, basis_note = "gap", ""
                factor = np.where(np.isfinite(grade), grade_factor(np.nan_to_num(grade)), 1.0)

    return _Intervals(
        dt_s=dt, dd_m=dd, moving=moving, grade_factor=factor, grade=grade, dist_start_m=dist_axis[:-1],
        moved_start_m=moved_start, moved_end_m=moved_end, basis=basis, basis_note=basis_note,
        elevation_gain_m=gain, smoothed_altitude_m=smoothed_per_sample, channels=channels,
    )


def _timer_stopped(seconds: np.ndarray, samples: pd.DataFrame, events: tuple[TimerEvent, ...]) -> np.ndarray:
    """True for intervals whose midpoint falls while the watch's timer was stopped."""
    stopped = np.zeros(max(len(seconds) - 1, 0), dtype=bool)
    if not events or len(seconds) < 2:
        return stopped
    t0 = samples["time"].iloc[0]
    middle = (seconds[:-1] + seconds[1:]) / 2.0
    ordered = sorted(events, key=lambda e: e.time)
    for i, event in enumerate(ordered):
        if event.kind != "stop":
            continue
        restart = next((e for e in ordered[i + 1:] if e.kind == "start"), None)
        begin = (event.time - t0).total_seconds()
        end = (restart.time - t0).total_seconds() if restart is not None else math.inf
        stopped |= (middle > begin) & (middle < end)
    return stopped


# --- windows and aggregates -----------------------------------------------------------------

def _overlap(start: np.ndarray, end: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Share of each [start, end] span inside [lo, hi] (0 for empty spans)."""
    length = end - start
    inside = np.clip(np.minimum(end, hi) - np.maximum(start, lo), 0.0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(length > 0, inside / length, 0.0)


def _windows(iv: _Intervals, moving_distance: float, s: MetricSettings) -> dict[str, np.ndarray]:
    edges = {
        "baseline": (s.warmup_end_fraction, s.baseline_end_fraction),
        "late": (s.late_start_fraction, 1.0),
        "post": (s.warmup_end_fraction, 1.0),
    }
    return {name: _overlap(iv.moved_start_m, iv.moved_end_m, a * moving_distance, b * moving_distance)
            for name, (a, b) in edges.items()}


def _coverage(has_value: np.ndarray, time_weight: np.ndarray, total: float) -> float:
    return float(time_weight[has_value].sum() / total) if total > 0 else 0.0


def _mean(values: np.ndarray, time_weight: np.ndarray) -> tuple[float, float]:
    """Time-weighted mean of the finite values and their coverage (share of the weighted time)."""
    total = float(time_weight.sum())
    ok = np.isfinite(values) & (time_weight > 0)
    covered = float(time_weight[ok].sum())
    if covered <= 0 or total <= 0:
        return NAN, 0.0
    return float((values[ok] * time_weight[ok]).sum() / covered), covered / total


def _pace_decay(iv: _Intervals, w: dict[str, np.ndarray]) -> dict[str, float]:
    """(baseline speed / late speed − 1) × 100 on the grade-adjusted (or raw) basis."""
    def speed(weight: np.ndarray) -> float:
        time = float((weight * iv.moving_dt).sum())
        return float((weight * iv.moving_dd * iv.grade_factor).sum()) / time if time > 0 else NAN

    baseline, late = speed(w["baseline"]), speed(w["late"])
    if not (baseline > 0 and late > 0):
        return {}
    return {
        "pace_decay_pct": (baseline / late - 1.0) * 100.0,
        "baseline_pace_s_per_km": 1000.0 / baseline,
        "late_pace_s_per_km": 1000.0 / late,
    }


def _cadence(iv: _Intervals, w: dict[str, np.ndarray], s: MetricSettings, notes: dict[str, str]) -> dict[str, float]:
    cadence = iv.channels["cadence_spm"]
    metrics = ("cadence_drift_spm", "cadence_drift_pct", "cadence_slope_spm_per_h", "stride_length_drift_pct")
    if not np.isfinite(cadence[iv.moving]).any():
        notes.update(dict.fromkeys(metrics, "no cadence recorded"))
        return {}
    base_mean, base_cov = _mean(cadence, w["baseline"] * iv.moving_dt)
    late_mean, late_cov = _mean(cadence, w["late"] * iv.moving_dt)
    coverage = min(base_cov, late_cov)
    if coverage < s.min_coverage:
        notes.update(dict.fromkeys(metrics, f"cadence covers {coverage:.0%} of a window (needs {s.min_coverage:.0%})"))
        return {}
    out = {
        "baseline_cadence_spm": base_mean,
        "late_cadence_spm": late_mean,
        "cadence_drift_spm": late_mean - base_mean,
        "cadence_drift_pct": (late_mean / base_mean - 1.0) * 100.0,
        "cadence_slope_spm_per_h": _slope_per_hour(iv, cadence, w["post"]),
    }
    has = np.isfinite(cadence)

    def stride(weight: np.ndarray) -> float:
        distance = float((weight * iv.moving_dd)[has].sum())
        steps = float((weight * iv.moving_dt * np.nan_to_num(cadence) / 60.0)[has].sum())
        return distance / steps if steps > 0 else NAN

    out["baseline_stride_length_m"] = stride(w["baseline"])
    out["late_stride_length_m"] = stride(w["late"])
    out["stride_length_drift_pct"] = (out["late_stride_length_m"] / out["baseline_stride_length_m"] - 1.0) * 100.0
    return out


def _slope_per_hour(iv: _Intervals, values: np.ndarray, window: np.ndarray) -> float:
    """Weighted least-squares slope of `values` against moving time, per hour (weights: time in window)."""
    moved_time_end = np.cumsum(iv.moving_dt)
    hours = (moved_time_end - iv.moving_dt / 2.0) / 3600.0
    weight = window * iv.moving_dt
    ok = np.isfinite(values) & (weight > 0)
    if ok.sum() < 3:
        return NAN
    x, y, wt = hours[ok], values[ok], weight[ok]
    x_mean = (wt * x).sum() / wt.sum()
    y_mean = (wt * y).sum() / wt.sum()
    spread = (wt * (x - x_mean) ** 2).sum()
    return float((wt * (x - x_mean) * (y - y_mean)).sum() / spread) if spread > 0 else NAN


def _decoupling(iv: _Intervals, post: np.ndarray, s: MetricSettings, notes: dict[str, str]) -> dict[str, float]:
    """Friel's Pa:HR: post-warm-up moving time split in halves; (EF₁ − EF₂) / EF₁ × 100."""
    hr = iv.channels["heart_rate_bpm"]
    if not np.isfinite(hr[iv.moving]).any():
        notes["decoupling_pct"] = "no heart rate recorded"
        return {}
    time_in = post * iv.moving_dt
    end = np.cumsum(time_in)
    start = end - time_in
    total = float(end[-1]) if len(end) else 0.0
    efficiency, coverages = [], []
    for lo, hi in ((0.0, total / 2.0), (total / 2.0, total)):
        weight = post * _overlap(start, end, lo, hi)
        time = float((weight * iv.moving_dt).sum())
        gap_speed = float((weight * iv.moving_dd * iv.grade_factor).sum()) / time if time > 0 else NAN
        mean_hr, cov = _mean(hr, weight * iv.moving_dt)
        efficiency.append(gap_speed / mean_hr)
        coverages.append(cov)
    if min(coverages) < s.min_coverage:
        notes["decoupling_pct"] = f"heart rate covers {min(coverages):.0%} of a half (needs {s.min_coverage:.0%})"
        return {}
    return {"decoupling_pct": (efficiency[0] - efficiency[1]) / efficiency[0] * 100.0}


def _dynamics(iv: _Intervals, w: dict[str, np.ndarray], s: MetricSettings, notes: dict[str, str]) -> dict[str, float]:
    """Late minus baseline of stance time, vertical oscillation and stance-time asymmetry |left − 50|."""
    balance = iv.channels["stance_time_balance_pct"]
    asymmetry = np.where((balance > 0) & (balance < 100), np.abs(balance - 50.0), NAN)
    out = {}
    for metric, values in (
        ("stance_time_drift_ms", iv.channels["stance_time_ms"]),
        ("vertical_oscillation_drift_mm", iv.channels["vertical_oscillation_mm"]),
        ("stance_time_balance_drift_pct", asymmetry),
    ):
        if not np.isfinite(values[iv.moving]).any():
            notes[metric] = "no running dynamics recorded"
            continue
        base_mean, base_cov = _mean(values, w["baseline"] * iv.moving_dt)
        late_mean, late_cov = _mean(values, w["late"] * iv.moving_dt)
        if min(base_cov, late_cov) < s.min_coverage:
            notes[metric] = f"covers {min(base_cov, late_cov):.0%} of a window (needs {s.min_coverage:.0%})"
            continue
        out[metric] = late_mean - base_mean
    return out


def _window_edges_km(iv: _Intervals, moving_distance: float, s: MetricSettings) -> dict[str, float]:
    """Where each window edge (a fraction of moving distance) lies on the run's distance axis."""
    out = {}
    for name, fraction in (("warmup_end_km", s.warmup_end_fraction), ("baseline_end_km", s.baseline_end_fraction),
                           ("late_start_km", s.late_start_fraction)):
        target = fraction * moving_distance
        j = int(np.searchsorted(iv.moved_end_m, target, side="left"))
        j = min(j, len(iv.moved_end_m) - 1)
        out[name] = (iv.dist_start_m[j] + max(target - iv.moved_start_m[j], 0.0)) / 1000.0
    return out


def _too_steep(iv: _Intervals, w: dict[str, np.ndarray], s: MetricSettings) -> str:
    """A reason when the baseline or late window averages a grade steeper than the setting allows."""
    if iv.basis != "gap":
        return ""
    for name in ("baseline", "late"):
        mean_abs_grade, _ = _mean(np.abs(iv.grade) * 100.0, w[name] * iv.moving_dt)
        if mean_abs_grade > s.max_window_grade_pct:
            return (f"too steep to compare: the {name} window averages {mean_abs_grade:.1f} % grade up or down "
                    f"(limit {s.max_window_grade_pct:g} %); pace and cadence there reflect the terrain")
    return ""


def _ineligible_reason(sport: str, moving_time: float, moving_distance: float, s: MetricSettings, *,
                       has_distance: bool) -> str:
    if sport != RUNNING:
        return f"not a run (sport: {sport or 'unknown'})"
    if not has_distance:
        return "no distance, speed or positions recorded, so there is no pace to compare"
    if moving_distance <= 0:
        return f"never moving: no stretch between samples reached {s.moving_speed_min_mps:g} m/s"
    if moving_time < s.min_moving_time_min * 60.0:
        return f"only {moving_time / 60:.0f} min moving; fatigue metrics need at least {s.min_moving_time_min:g} min"
    return ""
