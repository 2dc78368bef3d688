"""`Activity`: one recorded workout as the canonical samples frame plus what the file says about it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.io.samples import COLUMN_NAMES


@dataclass(frozen=True)
class TimerEvent:
    """The watch's timer was started or stopped (FIT `event` messages, or a GPX segment break)."""

    time: pd.Timestamp
    kind: str  # "start" or "stop"
    source: str = "file"  # "file" when recorded by the device, "segment" when inferred from GPX segments


@dataclass(frozen=True)
class SessionSummary:
    """One session of the file (a multisport file has several); times are UTC."""

    sport: str
    sub_sport: str
    start_time: pd.Timestamp
    end_time: pd.Timestamp
    kept: bool  # True when its samples are part of the returned run


@dataclass(frozen=True, eq=False)
class Activity:
    """A run (or other workout) read from one file.

    `samples` follows the contract in `analysis.io.samples`. `warnings` are sentences a runner
    can read (truncation, multisport parts dropped, missing channels, fallbacks used).
    """

    samples: pd.DataFrame
    sport: str
    sub_sport: str
    start_time: pd.Timestamp
    utc_offset_s: float | None
    device: str
    source_format: str  # "fit" or "gpx"
    file_name: str
    file_sha256: str
    cadence_unit: str  # how cadence_spm was derived; see analysis.io.cadence
    reader: str  # decoder that read the file: "fit_fast", "fitparse", "garmin-fit-sdk", "lxml", "gpxpy"
    timer_events: tuple[TimerEvent, ...] = ()
    sessions: tuple[SessionSummary, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    dropped_samples: int = 0  # samples in the file left out of `samples` (no time, impossible time)
    # The runner's own post-run self-evaluation, as Garmin watches ask for it after a run and write it
    # to the FIT `session` message (FIT SDK profile, session field 193 `workout_rpe` and 192
    # `workout_feel`, uint8, 0xFF = not answered). None when the file has none (GPX never has one).
    perceived_effort: float | None = None  # rating of perceived exertion, Borg CR10 scale 0-10 (workout_rpe / 10)
    feel: float | None = None  # how the run felt, 0-100: 0 very weak, 25 weak, 50 normal, 75 strong, 100 very strong

    @property
    def duration_s(self) -> float:
        """Seconds from the first to the last sample (pauses included)."""
        t = self.samples["time"]
        return float((t.iloc[-1] - t.iloc[0]).total_seconds()) if len(t) else 0.0

    @property
    def distance_m(self) -> float:
        """Total distance in metres: the last cumulative distance minus the first."""
        d = self.samples["distance_m"].dropna()
        return float(d.iloc[-1] - d.iloc[0]) if len(d) else float("nan")

    @property
    def sample_interval_s(self) -> float:
        """Median seconds between samples; above 1 s suggests smart recording."""
        # numpy on the int64 stamps gives what .diff().dt.total_seconds().median() gives (ns / 1e9, NaT
        # skipped), without building two Series: this runs for every file an import reads.
        ns = self.samples["time"].array.as_unit("ns").asi8
        timed = ns != np.iinfo("int64").min  # NaT
        dt = np.diff(ns)[timed[1:] & timed[:-1]] / 1e9
        return float(np.median(dt)) if len(dt) else float("nan")

    @property
    def pauses(self) -> int:
        """Timer stops followed by a restart while the activity went on."""
        kinds = [e.kind for e in self.timer_events]
        return sum(1 for a, b in zip(kinds, kinds[1:], strict=False) if a == "stop" and b == "start")

    @property
    def fields_present(self) -> tuple[str, ...]:
        """Canonical channels with at least one value (time and elapsed_s always)."""
        # One pass over the frame's blocks instead of fifteen Series: this runs for every file an import reads.
        has = dict(zip(self.samples.columns, self.samples.notna().to_numpy().any(axis=0), strict=True))
        return tuple(c for c in COLUMN_NAMES if has[c])

    @property
    def local_start_time(self) -> pd.Timestamp | None:
        """Start in the athlete's local time when the file tells the offset, else None."""
        if self.utc_offset_s is None:
            return None
        return (self.start_time + pd.Timedelta(seconds=self.utc_offset_s)).tz_localize(None)

    def summary(self) -> dict[str, object]:
        """One readable row for the import report and the CLI (units in the keys)."""
        cad = self.samples["cadence_spm"]
        hr = self.samples["heart_rate_bpm"]
        return {
            "file": self.file_name,
            "format": self.source_format,
            "sport": self.sport if self.sub_sport in ("", "generic") else f"{self.sport} ({self.sub_sport})",
            "start_utc": self.start_time.isoformat(),
            "utc_offset_h": None if self.utc_offset_s is None else round(self.utc_offset_s / 3600, 2),
            "device": self.device,
            "samples": len(self.samples),
            "duration_min": round(self.duration_s / 60, 1),
            "distance_km": round(self.distance_m / 1000, 3) if np.isfinite(self.distance_m) else None,
            "median_cadence_spm": round(float(cad[cad > 0].median()), 1) if (cad > 0).any() else None,
            "mean_heart_rate_bpm": round(float(hr.mean()), 1) if hr.notna().any() else None,
            "cadence_unit": self.cadence_unit,
            "sample_interval_s": round(self.sample_interval_s, 2) if np.isfinite(self.sample_interval_s) else None,
            "pauses": self.pauses,
            "samples_left_out": self.dropped_samples,
            "fields": ", ".join(c for c in self.fields_present if c not in ("time", "elapsed_s")),
            "reader": self.reader,
            "warnings": " | ".join(self.warnings),
        }
