"""Reading speed of strength logs as the apps write them: rows/s for big Strong and Hevy exports.

    PYTHONPATH=. .venv/bin/python benchmarks/strength_read.py [--rows 50000]

Each file is written here (a German Strong export with `;` and decimal commas, an English one in the
Workout # layout, a Hevy export with Brazilian Portuguese dates, a Strong export in a language the
reader does not know), then read once cold (Babel's locale tables not loaded) and three times warm.
Prints seconds and rows/s per file; nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
import time

from analysis.io.strength import read_strength_log

EXERCISES = ("Dead Bug", "Pallof Press (Cable)", "Glute Bridge (Barbell)", "Clamshell (Band)", "Side Plank")
PT_MONTHS = ("jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.", "nov.", "dez.")


def _write(header: list[str], rows: list[list[str]], sep: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8")


def files(n: int) -> dict[str, bytes]:
    workouts = [(2020 + i // 300, 1 + (i // 25) % 12, 1 + i % 25) for i in range(max(1, n // 20))]
    german, workout_no, hevy, polish = [], [], [], []
    for i in range(n):
        y, m, d = workouts[(i // 20) % len(workouts)]
        stamp = f"{y}-{m:02d}-{d:02d} 07:{i % 60:02d}:00"
        ex = EXERCISES[i % len(EXERCISES)]
        order = "W" if i % 10 == 0 else str(1 + i % 4)
        german.append([stamp, "Rumpf", "45m", ex, order, f"{20 + i % 5},5", "10", "0", "0", "", "", ""])
        workout_no.append([str(i // 20), stamp, "Core", "2700", ex, order, "20", "10", "", "0", "0", "", ""])
        pt = f"{d} de {PT_MONTHS[m - 1]} de {y}, 07:{i % 60:02d}"
        hevy.append(["Core", pt, pt, "", ex, "", "", str(i % 4), "warmup" if i % 10 == 0 else "normal", "20", "10",
                     "", "", ""])
        polish.append([stamp, "Trening", "45m", ex, order, "20", "10", "0", "0", "", "", ""])
    return {
        "strong_de": _write(["Datum", "Workout-Name", "Dauer", "Name der Übung", "Reihenfolge festlegen", "Gewicht",
                             "Wiederh.", "Entfernung", "Sekunden", "Notizen", "Workout-Notizen", "RPE"], german, ";"),
        "strong_workout_no": _write(["Workout #", "Date", "Workout Name", "Duration (sec)", "Exercise Name",
                                     "Set Order", "Weight (kg)", "Reps", "RPE", "Distance (meters)", "Seconds",
                                     "Notes", "Workout Notes"], workout_no),
        "hevy_pt_br": _write(["title", "start_time", "end_time", "description", "exercise_title", "superset_id",
                              "exercise_notes", "set_index", "set_type", "weight_kg", "reps", "distance_km",
                              "duration_seconds", "rpe"], hevy),
        "strong_unknown_language": _write(["Data", "Nazwa treningu", "Czas trwania", "Nazwa ćwiczenia",
                                           "Kolejność serii", "Ciężar", "Powtórzenia", "Dystans", "Sekundy",
                                           "Notatki", "Notatki z treningu", "RPE"], polish),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--only", help=argparse.SUPPRESS)  # one file, in a fresh process (the cold read)
    args = parser.parse_args()
    data = files(args.rows)
    if args.only:
        started = time.perf_counter()
        read_strength_log(data[args.only], athlete="bench")
        print(f"{time.perf_counter() - started:.3f}")
        return
    print(f"{args.rows:,} rows per file")
    for name, payload in data.items():
        cold = float(subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--only", name],
                                    capture_output=True, text=True, check=True).stdout.split()[-1])
        warm = []
        for _ in range(3):
            started = time.perf_counter()
            frame = read_strength_log(payload, athlete="bench")
            warm.append(time.perf_counter() - started)
        best = min(warm)
        print(f"{name:26} {len(payload) / 1e6:5.1f} MB  {len(frame):>7,} rows  cold {cold:5.2f} s  "
              f"warm {best:5.2f} s  {len(frame) / best:>9,.0f} rows/s")


if __name__ == "__main__":
    main()
