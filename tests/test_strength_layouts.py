"""Strong exports in every layout and language the app writes, recognition by structure, warm-ups, bad rows.

Files are written here as the apps write them (header in the app's language, one row per set,
rest-timer and note rows, `;` and decimal commas where the locale uses them), then read through the
public reader and through `sniff_layout`, the test `analysis.ingest.sources` relies on.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from analysis.errors import InputError
from analysis.io import check_strength_log, read_strength_log
from analysis.io.strength import LB_TO_KG, sniff_layout
from analysis.io.strength.strong import HEADER_NAMES, LAYOUTS, SET_ORDER_WORDS

ORDER_2019 = next(roles for detail, roles in LAYOUTS if detail == "2019 layout" and "rpe" in roles)


def write(header: list[str], rows: list[list[object]], *, sep: str = ",", quote_all: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n",
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def read(data: bytes, **kwargs):
    frame = read_strength_log(data, athlete="ana", **kwargs)
    check_strength_log(frame)
    return frame


def days(frame) -> list[str]:
    return [d.strftime("%Y-%m-%d") for d in frame["date"]]


def word(kind: str, language: str) -> str:
    return SET_ORDER_WORDS[kind][language][0]


def workout_2019(language: str, *, decimal: str = ".") -> list[list[object]]:
    """Two workouts in the 2019 column order: a warm-up, sets, a rest-timer row and a note row."""
    weight = f"62{decimal}5"
    return [
        ["2026-01-08 07:31:54", "Core", "45m", "Plank", "1", "0", "0", "0", "60", "", "", ""],
        ["2026-01-08 07:31:54", "Core", "45m", "Glute Bridge (Barbell)", word("warmup", language), "20", "12", "0",
         "0", "", "", ""],
        ["2026-01-08 07:31:54", "Core", "45m", "Glute Bridge (Barbell)", "1", weight, "10", "0", "0", "", "", "8"],
        ["2026-01-08 07:31:54", "Core", "45m", "Glute Bridge (Barbell)", word("rest", language), "0", "0", "0", "90",
         "", "", ""],
        ["2026-01-08 07:31:54", "Core", "45m", "Glute Bridge (Barbell)", word("note", language), "0", "0", "0", "0",
         "squeeze at the top", "", ""],
        ["2026-01-10 18:02:00", "Hips", "30m", "Clamshell (Band)", "1", "0", "15", "0", "0", "", "", ""],
    ]


def header_2019(language: str) -> list[str]:
    names = HEADER_NAMES[language]
    return [(names.get(field) or HEADER_NAMES["English"][field])[0] for field in ORDER_2019]  # "RPE" everywhere


def assert_workout_2019(frame, *, unit_factor: float = 1.0) -> None:
    assert days(frame) == ["2026-01-08"] * 3 + ["2026-01-10"]
    bridge = "Glute Bridge (Barbell)"
    assert frame["exercise"].tolist() == ["Plank", bridge, bridge, "Clamshell (Band)"]
    assert frame["warmup"].tolist() == [False, True, False, False]
    assert frame["load_kg"].tolist()[1:3] == pytest.approx([20 * unit_factor, 62.5 * unit_factor])
    assert frame["reps"].tolist()[1:] == [12, 10, 15] and np.isnan(frame["reps"].iloc[0])
    assert frame["duration_min"].iloc[0] == 1.0
    assert frame["rpe"].iloc[2] == 8
    assert frame["notes"].iloc[2] == "squeeze at the top"  # the note row joins its exercise's sets
    assert frame["session_type"].tolist() == ["core", "hip", "hip", "hip"]
    assert frame.attrs["source_format"] == "strong"


# ----------------------------------------------------------------------------------------------------
# every language of the table


@pytest.mark.parametrize("language", sorted(HEADER_NAMES))
def test_strong_in_every_language_of_the_table(language):
    data = write(header_2019(language), workout_2019(language))
    frame = read(data)
    assert_workout_2019(frame)
    assert frame.attrs["language"] == language
    assert not any("language we do not know" in w for w in frame.attrs["warnings"])
    assert any("rest-timer row" in w for w in frame.attrs["warnings"])
    assert sniff_layout(data).layout == "strong"


@pytest.mark.parametrize(
    ("header", "language", "rest"),
    [
        # the headers the issue quotes, as the app writes them
        ("Datum,Workout-Name,Dauer,Name der Übung,Reihenfolge festlegen,Gewicht,Wiederh.,Entfernung,Sekunden,Notizen,"
         "Workout-Notizen,RPE", "German", "Ruhezeit"),
        ("Date,Nom de l'entraînement,Durée,Nom de l'exercice,Ordre de la série,Poids,Réps,Distance,Secondes,Notes,"
         "Notes d'entraînement,RPE", "French", "Minuteur de repos"),
        ("日期,锻炼名称,时长,运动名称,设置顺序,重量,次,距离,秒,备注,锻炼备注,RPE", "Chinese", "休息计时器"),
    ],
)
def test_the_issue_headers_are_strong_exports(header, language, rest):
    rows = [
        ["2026-03-02 18:10:00", "A", "40m", "Dead Bug", "1", "0", "10", "0", "0", "", "", ""],
        ["2026-03-02 18:10:00", "A", "40m", "Dead Bug", rest, "0", "0", "0", "60", "", "", ""],
        ["2026-03-02 18:10:00", "A", "40m", "Hip Thrust (Barbell)", "1", "60", "8", "0", "0", "", "", ""],
    ]
    frame = read(write(header.split(","), rows))
    assert frame.attrs["source_format"] == "strong" and frame.attrs["language"] == language
    assert frame["exercise"].tolist() == ["Dead Bug", "Hip Thrust (Barbell)"]
    assert frame["load_kg"].iloc[1] == 60


def test_a_german_export_with_semicolons_and_decimal_commas():
    data = write(header_2019("German"), workout_2019("German", decimal=","), sep=";")
    assert_workout_2019(read(data))


def test_the_french_file_is_no_longer_taken_for_our_csv():
    header = header_2019("French")
    data = write(header, workout_2019("French"))
    frame = read(data)
    assert frame.attrs["source_format"] == "strong"
    assert sniff_layout(data).layout == "strong"


# ----------------------------------------------------------------------------------------------------
# a language missing from the table: read by column order and values


POLISH = ["Data", "Nazwa treningu", "Czas trwania", "Nazwa ćwiczenia", "Kolejność serii", "Ciężar", "Powtórzenia",
          "Dystans", "Sekundy", "Notatki", "Notatki z treningu", "RPE"]


def test_an_unknown_language_is_read_by_structure_with_a_warning():
    rows = workout_2019("English")
    rows[3][4] = "Przerwa"  # a rest-timer row in Polish: no weight, no reps
    rows[4][4] = "Notatka"
    data = write(POLISH, rows)
    frame = read(data)
    assert days(frame) == ["2026-01-08"] * 3 + ["2026-01-10"]
    assert frame["load_kg"].tolist()[1:3] == [20, 62.5]
    assert frame["warmup"].tolist() == [False, True, False, False]  # W is W in every language
    assert frame.attrs["language"] is None
    warnings = " ".join(frame.attrs["warnings"])
    assert "language we do not know" in warnings and "'Data'" in warnings
    assert "'Notatka', 'Przerwa'" in warnings and "left out" in warnings
    assert sniff_layout(data).layout == "strong"


def test_structure_alone_does_not_take_a_table_that_is_not_strong():
    header = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"]
    rows = [["x", "y", "z", "1", "2", "3", "4", "5", "6", "7", "8", "9"]] * 3
    data = write(header, rows)
    assert sniff_layout(data).layout is None
    with pytest.raises(InputError, match="has no date column"):
        read(data)


def test_our_csv_with_as_many_columns_as_a_strong_layout_stays_ours():
    header = ["date", "athlete", "session_type", "exercise", "sets", "reps", "load_kg", "duration_min", "rpe",
              "notes", "warmup"]
    rows = [["2026-01-08", "ana", "", "Dead Bug", "1", "10", "", "", "6", "slow", "no"]]
    frame = read(write(header, rows))
    assert frame.attrs["source_format"] == "core_cadence" and frame["notes"].tolist() == ["slow"]


# ----------------------------------------------------------------------------------------------------
# every Strong layout


def test_the_2016_layout_keeps_its_weights_and_counts_sets_from_zero():
    header = ["Date", "Workout Name", "Exercise Name", "Set Order", "kg", "Reps", "km", "Seconds", "Notes"]
    rows = [
        ["2016-05-02 07:00:00", "Legs", "Squat (Barbell)", "0", "60", "5", "0", "0", ""],
        ["2016-05-02 07:00:00", "Legs", "Squat (Barbell)", "1", "62.5", "5", "0", "0", ""],
        ["2016-05-02 07:00:00", "Legs", "Plank", "0", "0", "0", "0", "45", ""],
    ]
    frame = read(write(header, rows))
    assert frame["load_kg"].tolist()[:2] == [60, 62.5]
    assert frame["duration_min"].iloc[2] == 0.75
    assert frame.attrs["layout_detail"] == "2016 layout"
    assert not any("kilograms" in w for w in frame.attrs["warnings"])  # the unit is the column's name


def test_the_2016_layout_in_pounds():
    header = ["Date", "Workout Name", "Exercise Name", "Set Order", "lbs", "Reps", "mi", "Seconds", "Notes"]
    rows = [["2016-05-02 07:00:00", "Legs", "Romanian Deadlift (Barbell)", "0", "135", "8", "0", "0", ""]]
    assert read(write(header, rows))["load_kg"].iloc[0] == pytest.approx(135 * LB_TO_KG)


def test_the_weight_unit_layout():
    header = ["Date", "Workout Name", "Exercise Name", "Set Order", "Weight", "Weight Unit", "Reps", "RPE", "Distance",
              "Distance Unit", "Seconds", "Notes", "Workout Notes", "Workout Duration"]
    rows = [
        ["2021-03-01 18:00:00", "Hips", "Hip Thrust (Barbell)", "1", "100", "lbs", "8", "", "", "", "0", "", "", "50m"],
        ["2021-03-01 18:00:00", "Hips", "Hip Thrust (Barbell)", "2", "50", "kg", "8", "7", "", "", "0", "", "", "50m"],
    ]
    frame = read(write(header, rows, sep=";"))
    assert frame["load_kg"].tolist() == pytest.approx([100 * LB_TO_KG, 50])
    assert frame["rpe"].tolist()[1] == 7


@pytest.mark.parametrize(("weight_header", "factor"), [("Weight (kg)", 1.0), ("Weight (lbs)", LB_TO_KG)])
def test_the_workout_number_layout(weight_header, factor):
    header = ["Workout #", "Date", "Workout Name", "Duration (sec)", "Exercise Name", "Set Order", weight_header,
              "Reps", "RPE", "Distance (meters)", "Seconds", "Notes", "Workout Notes"]
    rows = [
        ["12", "2024-09-04 15:16:00", "Core", "2700", "Pallof Press (Cable)", "WARM_UP", "10", "12", "", "0", "0",
         "", ""],
        ["12", "2024-09-04 15:16:00", "Core", "2700", "Pallof Press (Cable)", "1", "15", "12", "8", "0", "0", "", ""],
        ["12", "2024-09-04 15:16:00", "Core", "2700", "Pallof Press (Cable)", "DROP_SET", "10", "10", "", "0", "0",
         "", ""],
        ["12", "2024-09-04 15:16:00", "Core", "2700", "Pallof Press (Cable)", "FAILURE", "10", "6", "", "0", "0", "",
         ""],
        ["12", "2024-09-04 15:16:00", "Core", "2700", "Pallof Press (Cable)", "REST_TIMER", "0", "0", "", "0", "120",
         "", ""],
        ["13", "2024-09-06 07:00:00", "Core", "1800", "Side Plank", "1", "0", "0", "", "0", "45", "", "tired"],
    ]
    frame = read(write(header, rows, quote_all=True))
    assert frame["warmup"].tolist() == [True, False, False, False, False]
    assert frame["load_kg"].tolist()[:4] == pytest.approx([10 * factor, 15 * factor, 10 * factor, 10 * factor])
    assert days(frame) == ["2024-09-04"] * 4 + ["2024-09-06"]
    assert frame["duration_min"].iloc[4] == 0.75 and frame["notes"].iloc[4] == "tired"
    warnings = " ".join(frame.attrs["warnings"])
    assert "Unknown Strong set order" not in warnings and "1 rest-timer row" in warnings
    assert "kilograms" not in warnings


@pytest.mark.parametrize("marker", ["W", "w", "W1", "WARM_UP", "Warm-up", "Aufwärmen", "ウォームアップ"])
def test_warm_up_markers(marker):
    rows = [["2026-01-08 07:31:54", "Core", "45m", "Squat (Barbell)", marker, "40", "5", "0", "0", "", "", ""]]
    frame = read(write(header_2019("English"), rows))
    assert frame["warmup"].tolist() == [True]


# ----------------------------------------------------------------------------------------------------
# choosing what to import


def _file_with_bad_rows(bad: int, good: int) -> bytes:
    rows = []
    for i in range(good + bad):
        weight = "heavy" if i % 7 == 3 and len([r for r in rows if r[5] == "heavy"]) < bad else "40"
        rows.append(["2026-01-08 07:31:54", "Core", "45m", "Squat (Barbell)", str(i + 1), weight, "5", "0", "0", "",
                     "", ""])
    return write(header_2019("English"), rows)


def test_a_file_with_bad_rows_is_refused_naming_every_row_or_read_without_them():
    data = _file_with_bad_rows(bad=6, good=40)
    with pytest.raises(InputError) as refused:
        read(data)
    bad_rows = sorted(row for row, _, _ in refused.value.problems)
    assert len(bad_rows) == 6 and all(f"row {r}," in str(refused.value) for r in bad_rows)
    assert "import only the good rows" in str(refused.value)
    frame = read(data, skip_bad_rows=True)
    assert len(frame) == 40 and not set(frame["source_row"]) & set(bad_rows)
    assert [row for row, _, _ in frame.attrs["skipped_rows"]] == bad_rows
    assert frame.attrs["warnings"][0].startswith("6 rows left out (bad values)")
    assert f"row {bad_rows[0]}, column 'Weight': 'heavy' is not a number" in frame.attrs["warnings"][0]


def test_a_problem_of_the_whole_file_still_refuses_it_when_skipping_bad_rows():
    text = "date,athlete,exercise\n03/04/2026,ana,Plank\n05/06/2026,ana,Plank\n"
    with pytest.raises(InputError, match="could be day/month or month/day"):
        read(text.encode(), skip_bad_rows=True)


def test_a_file_whose_every_row_is_bad_is_refused_even_when_skipping():
    rows = [["2026-01-08 07:31:54", "Core", "45m", "Squat", "1", "heavy", "5", "0", "0", "", "", ""]]
    with pytest.raises(InputError, match="1 problem found"):
        read(write(header_2019("English"), rows), skip_bad_rows=True)


def test_session_type_inferred_says_which_types_came_from_the_name():
    text = b"date,athlete,session_type,exercise\n2026-01-08,ana,core,Squat\n2026-01-08,ana,,Squat\n"
    frame = read(text)
    assert frame.attrs["session_type_inferred"] == (False, True)
    assert frame["session_type"].tolist() == ["core", "strength"]


# ----------------------------------------------------------------------------------------------------
# sniffing


def test_sniff_layout_on_heads_and_non_logs():
    strong = write(header_2019("English"), workout_2019("English") * 2000)
    assert len(strong) > 64 * 1024
    assert sniff_layout(strong[: 64 * 1024], truncated=True).layout == "strong"
    assert sniff_layout(b"\x89PNG\r\n\x1a\n\x00\x00").text is None
    assert sniff_layout(b"name,age\nana,30\n").layout is None
    assert sniff_layout(b"name,age\nana,30\n").header == ("name", "age")
    hevy = b"title,start_time,end_time,description,exercise_title,set_index,set_type,weight_kg,reps\n"
    assert sniff_layout(hevy).layout == "hevy"
    assert sniff_layout(b"\xef\xbb\xbfdate;exercise\n2026-01-08;Plank\n").layout == "core_cadence"
    assert sniff_layout("Datum;Übung\n".encode("utf-16")).layout is None


def test_the_2022_layout_as_the_german_ios_app_writes_it():
    header = ["Datum", "Workout-Name", "Name der Übung", "Reihenfolge festlegen", "Gewicht", "Wiederh.", "RPE",
              "Entfernung", "Sekunden", "Notizen", "Workout-Notizen", "Dauer"]
    rows = [
        ["2023-02-01 18:00:00", "Rumpf", "Pallof Press (Cable)", "1", "12,5", "10", "7", "0", "0", "", "", "35m"],
        ["2023-02-01 18:00:00", "Rumpf", "Seitstütz", "1", "0", "0", "", "0", "40", "", "", "35m"],
    ]
    frame = read(write(header, rows, sep=";"))
    assert frame["load_kg"].tolist()[0] == 12.5 and frame["rpe"].tolist()[0] == 7
    assert frame["duration_min"].iloc[1] == pytest.approx(40 / 60)
    assert frame.attrs["language"] == "German" and frame.attrs["layout_detail"] == "2022 layout"
    unknown = [h if h in ("RPE",) else f"x{i}" for i, h in enumerate(header)]  # the same file, header unknown
    by_order = read(write(unknown, rows, sep=";"))
    assert by_order.attrs["layout_detail"] == "2022 layout" and by_order["load_kg"].tolist()[0] == 12.5


def test_the_weight_unit_layout_with_duration_third_and_a_rest_timer_exercise():
    header = ["Date", "Workout Name", "Duration", "Exercise Name", "Set Order", "Weight", "Weight Unit", "Reps", "RPE",
              "Distance", "Distance Unit", "Seconds", "Notes", "Workout Notes"]
    rows = [
        ["2024-01-02 07:00:00", "Core", "30m", "Dead Bug", "1", "0", "kg", "10", "", "0", "km", "0", "", ""],
        ["2024-01-02 07:00:00", "Core", "30m", "Rest Timer", "1", "0", "kg", "0", "", "0", "km", "90", "", ""],
        ["2024-01-02 07:00:00", "Core", "30m", "Hip Thrust (Barbell)", "1", "135", "lbs", "8", "", "0", "km", "0", "",
         ""],
    ]
    frame = read(write(header, rows))
    assert frame["exercise"].tolist() == ["Dead Bug", "Hip Thrust (Barbell)"]
    assert frame["load_kg"].iloc[1] == pytest.approx(135 * LB_TO_KG)
    assert any("1 rest-timer row" in w for w in frame.attrs["warnings"])


def test_a_strong_export_without_notes_columns():
    header = ["Date", "Workout Name", "Duration", "Exercise Name", "Set Order", "Weight", "Reps", "Distance", "Seconds",
              "RPE"]
    rows = [["2022-05-11 04:20:50", "josh ppl weighted", "55m", "Squat (Barbell)", "1", "225.0", "5.0", "0", "0.0", ""]]
    frame = read(write(header, rows))
    assert frame["load_kg"].tolist() == [225.0] and frame["reps"].tolist() == [5.0]


def test_hevy_with_both_weight_columns_reads_the_one_each_row_fills():
    header = ("title,start_time,end_time,description,exercise_title,superset_id,exercise_notes,set_type,weight_kg,"
              "weight_lbs,reps,distance_km,distance_miles,duration_seconds,rpe")
    data = (header + '\nA,"1 Jan 2025, 10:00","1 Jan 2025, 11:00",,Squat (Barbell),,,normal,100,,5,,,,\n'
            'A,"1 Jan 2025, 10:00","1 Jan 2025, 11:00",,Squat (Barbell),,,normal,,225,5,,,,\n').encode()
    frame = read(data)
    assert frame["load_kg"].tolist() == pytest.approx([100, 225 * LB_TO_KG])


def test_a_strong_export_re_saved_by_a_spreadsheet_with_its_own_dates():
    rows = workout_2019("English")
    for row in rows:
        row[0] = {"2026-01-08 07:31:54": "08/01/2026 07:31", "2026-01-10 18:02:00": "10/01/2026 18:02"}[row[0]]
    rows.append(["25/01/2026 09:00", "Core", "30m", "Plank", "1", "0", "0", "0", "60", "", "", ""])  # settles DD/MM
    frame = read(write(header_2019("English"), rows))
    assert days(frame) == ["2026-01-08"] * 3 + ["2026-01-10", "2026-01-25"]
    unsettled = write(header_2019("English"), rows[:-1])
    with pytest.raises(InputError, match="could be day/month or month/day"):
        read(unsettled)


HEVY_HEADER = ("title,start_time,end_time,description,exercise_title,superset_id,exercise_notes,set_index,set_type,"
               "weight_kg,reps,distance_km,duration_seconds,rpe")


@pytest.mark.parametrize(
    ("start", "end", "day"),
    [
        ("Jun 11, 2026, 1:01 PM", "Jun 11, 2026, 2:05 PM", "2026-06-11"),  # en-US
        ("Aug 28, 2026 at 4:19 PM", "Aug 28, 2026 at 5:00 PM", "2026-08-28"),
        ("4 de set. de 2026, 15:16", "4 de set. de 2026, 16:00", "2026-09-04"),  # pt-BR
        ("22 Dec 2025, 08:00", "22 Dec 2025, 09:00", "2025-12-22"),  # en-GB
        ("4 sept 2026, 15:16", "4 sept 2026, 16:00", "2026-09-04"),  # es
        ("4. Sept. 2026, 15:16", "4. Sept. 2026, 16:00", "2026-09-04"),  # de
        ("2026-09-20T18:00:00", "2026-09-20T19:10:00", "2026-09-20"),
    ],
)
def test_hevy_dates_as_the_phone_writes_them(start, end, day):
    rows = [["Core", start, end, "", "Dead Bug", "", "", "0", "warmup", "", "10", "", "", ""],
            ["Core", start, end, "", "Dead Bug", "", "", "1", "normal", "", "12", "", "", ""]] * 50
    frame = read(write(HEVY_HEADER.split(","), rows, quote_all=True))
    assert set(days(frame)) == {day} and len(frame) == 100
    assert frame["warmup"].tolist()[:2] == [True, False]
