"""Time `run_metrics` (and `run_profile`) on a 4-hour run recorded every second.

    .venv/bin/python benchmarks/metrics.py [REPEATS]

The run is synthetic but realistic in shape: 14,400 samples, rolling hills (altitude on), a slow
fade in pace and cadence, heart-rate drift, running dynamics, two timer pauses and a standing
stop. It is written with the project's FIT writer and read back, so the frame is exactly what a
watch file gives. Prints the median and best of REPEATS timings (target: under 50 ms).
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.io import read_activity  # noqa: E402
from analysis.io.fit_writer import SessionSpec, encode_activity  # noqa: E402
from analysis.metrics import run_metrics, run_profile  # noqa: E402

HOURS = 4
START = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


def four_hour_run() -> bytes:
    records, distance, t = [], 0.0, START
    stops = []
    for second in range(HOURS * 3600):
        fade = second / (HOURS * 3600)
        standing = 5000 <= second < 5060
        speed = 0.0 if standing else 3.2 - 0.4 * fade + 0.15 * math.sin(second / 300)
        if second in (3000, 9000):  # a timer pause of 2 minutes
            stops.append((t, t + timedelta(seconds=120)))
            t += timedelta(seconds=120)
        t += timedelta(seconds=1)
        distance += speed
        records.append({
            "timestamp": t, "distance": distance, "enhanced_speed": speed,
            "position_lat": 47.0 + distance / 111_195.0, "position_long": 8.0,
            "enhanced_altitude": 400 + 30 * math.sin(distance / 1500),
            "heart_rate": int(140 + 15 * fade), "cadence": 0 if standing else int(88 - 4 * fade),
            "fractional_cadence": 0.5, "stance_time": 240 + 20 * fade, "stance_time_balance": 49.5 - fade,
            "vertical_oscillation": 82 + 4 * fade, "step_length": 1050.0, "vertical_ratio": 7.8,
        })
    return encode_activity([SessionSpec("running", tuple(records))], timer_stops=stops, utc_offset_s=3600)


def timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> int:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    activity = read_activity(four_hour_run(), filename="four-hour-run.fit")
    n = len(activity.samples)
    metrics = run_metrics(activity)
    print(f"run: {n:,} samples, {metrics.distance_km:.1f} km, {metrics.moving_time_s / 3600:.2f} h moving, "
          f"pace decay {metrics.pace_decay_pct:+.1f} % ({metrics.pace_decay_basis}), "
          f"cadence drift {metrics.cadence_drift_spm:+.1f} spm, decoupling {metrics.decoupling_pct:+.1f} %")
    for name, fn in (("run_metrics", lambda: run_metrics(activity)), ("run_profile", lambda: run_profile(activity))):
        runs = timed(fn, repeats)
        median_ms, best_ms = statistics.median(runs) * 1000, min(runs) * 1000
        verdict = "within" if median_ms < 50 else "OVER"
        print(f"{name:12} median {median_ms:6.1f} ms  best {best_ms:6.1f} ms  ({n / statistics.median(runs):,.0f} "
              f"samples/s; {verdict} the 50 ms target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
