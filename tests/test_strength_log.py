"""Strength log reader: our CSV, Strong and Hevy exports, encodings, refusals, and a write/read property test.

Every file here is written by the test itself (strings encoded to bytes) and read through the public
entry point `analysis.io.read_strength_log`.
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import InputError
from analysis.io import (
    STRENGTH_LOG_COLUMNS,
    check_strength_log,
    read_strength_log,
    write_strength_log_csv,
)
from analysis.io.exercise_taxonomy import EXERCISE_TAXONOMY, SESSION_TYPES
from analysis.io.strength import CSV_HEADER_ALIASES, LB_TO_KG, MAX_STRENGTH_LOG_BYTES, STRENGTH_LOG_COLUMN_NAMES
from analysis.io.strength import reader as strength_reader
from analysis.io.strength import table as strength_table

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "sample_data" / "strength_log_template.csv"
SHARED = ["date", "athlete", "session_type", "exercise", "sets", "reps", "load_kg", "duration_min", "rpe", "notes"]


def read(text: str | bytes, *, name: str = "log.csv", athlete: str | None = None, encoding: str = "utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return read_strength_log(io.BytesIO(data) if name is None else _named(data, name), athlete=athlete)


def _named(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def refused(text: str | bytes, *, name: str = "log.csv", athlete: str | None = "ana", encoding="utf-8") -> str:
    with pytest.raises(InputError) as info:
        read(text, name=name, athlete=athlete, encoding=encoding)
    message = str(info.value)
    assert message.startswith(f"{name}: "), message
    return message


def days(*iso: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(d) for d in iso]


# ----------------------------------------------------------------------------------------------------
# the contract


def test_columns_constant_matches_the_frame_and_documents_units():
    frame = read_strength_log(TEMPLATE)
    check_strength_log(frame)
    assert tuple(frame.columns) == STRENGTH_LOG_COLUMN_NAMES == tuple(c.name for c in STRENGTH_LOG_COLUMNS)
    assert STRENGTH_LOG_COLUMN_NAMES[:11] == (
        "date",
        "athlete",
        "session_type",
        "exercise",
        "sets",
        "reps",
        "load_kg",
        "duration_min",
        "rpe",
        "back_soreness",
        "notes",
    )
    assert STRENGTH_LOG_COLUMN_NAMES[11:] == ("warmup", "source_format", "source_row")
    assert all(c.help for c in STRENGTH_LOG_COLUMNS)
    assert str(frame["date"].dtype) == "datetime64[ns]" and frame["date"].dt.tz is None


def test_template_reads_with_a_soreness_only_row():
    frame = read_strength_log(TEMPLATE)
    assert frame.attrs["source_format"] == "core_cadence"
    assert frame.attrs["file_name"] == "strength_log_template.csv"
    assert frame.attrs["warnings"] == [] and frame.attrs["unrecognised_exercises"] == []
    assert list(frame["source_row"]) == list(range(2, len(frame) + 2))
    sore = frame[frame["exercise"].isna()]
    assert len(sore) == 1
    assert math.isnan(sore["session_type"].iloc[0]) and sore["back_soreness"].iloc[0] == 2
    inferred = frame[frame["exercise"] == "Single-leg deadlift"].iloc[0]
    assert inferred["session_type"] == "hip" and inferred["load_kg"] == 12
    assert set(frame["session_type"].dropna()) == {"core", "hip", "mobility"}


# ----------------------------------------------------------------------------------------------------
# our own CSV


def test_our_csv_with_aliases_semicolons_and_decimal_commas():
    text = (
        "Day;Athlete;Type;Exercise;Sets;Reps;Weight (kg);Minutes;Effort;Back pain;Comment\n"
        "2026-01-08;ana;Core;Dead bug;3;10;;;6;;slow\n"
        "2026-01-08;ana;hips;Glute bridge;3;12;62,5;;8,5;;\n"
        "2026-01-09;ana;hip stability;Clamshell (Band);2;15;;;;;\n"
        "2026-01-10;ana;mobility/stretching;Leg swings;;;;2,5;;;\n"
        "2026-01-11;ana;;;;;;;;3;soreness after the long run\n"
    )
    frame = read(text)
    check_strength_log(frame)
    assert list(frame["session_type"].fillna("-")) == ["core", "hip", "hip", "mobility", "-"]
    assert frame["load_kg"].iloc[1] == 62.5 and frame["rpe"].iloc[1] == 8.5
    assert frame["duration_min"].iloc[3] == 2.5
    assert frame["back_soreness"].iloc[4] == 3 and math.isnan(frame["exercise"].iloc[4])
    assert list(frame["date"]) == days("2026-01-08", "2026-01-08", "2026-01-09", "2026-01-10", "2026-01-11")
    assert frame["notes"].iloc[4] == "soreness after the long run"


@pytest.mark.parametrize(
    ("header", "column", "cell", "expected"),
    [
        ("back_pain", "back_soreness", "4", 4.0),
        ("BACK-PAIN", "back_soreness", "4", 4.0),
        ("soreness", "back_soreness", "4", 4.0),
        ("Back soreness (0-10)", "back_soreness", "4", 4.0),
        ("load", "load_kg", "20", 20.0),
        ("weight_kg", "load_kg", "20", 20.0),
        ("weight_lbs", "load_kg", "100", 100 * LB_TO_KG),
        ("Weight (lbs)", "load_kg", "100", 100 * LB_TO_KG),
        ("duration", "duration_min", "1:30", 1.5),
        ("minutes", "duration_min", "12", 12.0),
        ("seconds", "duration_min", "45", 0.75),
        ("Duration (s)", "duration_min", "90", 1.5),
        ("duration", "duration_min", "1:02:30", 62.5),
        ("repetitions", "reps", "8", 8.0),
        ("RPE", "rpe", "7", 7.0),
    ],
)
def test_header_aliases_and_units(header, column, cell, expected):
    frame = read(f"date,athlete,exercise,{header}\n2026-01-08,ana,Plank,{cell}\n")
    assert frame[column].iloc[0] == pytest.approx(expected, rel=1e-12)


def test_every_alias_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Strength log CSV", 1)[1].split("\n## ", 1)[0]
    for alias, column, _ in CSV_HEADER_ALIASES:
        assert alias in section, f"alias {alias!r} of {column} is not in README's 'Strength log CSV' section"
    assert "strength_log_template.csv" in section


def test_athlete_argument_fills_blanks_and_overrides_nothing():
    text = "date,athlete,exercise\n2026-01-08,ben,Plank\n2026-01-09,,Plank\n"
    frame = read(text, athlete="ana")
    assert list(frame["athlete"]) == ["ben", "ana"]
    frame = read("date,exercise\n2026-01-08,Plank\n", athlete="  chloe ")
    assert list(frame["athlete"]) == ["chloe"]


def test_blank_athlete_without_argument_is_refused_per_row():
    message = refused("date,athlete,exercise\n2026-01-08,ben,Plank\n2026-01-09,,Plank\n", athlete=None)
    assert "row 3, column 'athlete': the athlete is blank" in message


def test_no_athlete_anywhere_is_refused():
    message = refused("date,exercise\n2026-01-08,Plank\n", athlete=None)
    assert "has no athlete column" in message and "choosing the athlete when importing" in message


def test_session_type_blank_is_inferred_and_unknown_names_are_listed():
    text = (
        "date,athlete,session_type,exercise\n"
        "2026-01-08,ana,,Side Plank\n"
        "2026-01-08,ana,,Zorbification\n"
        "2026-01-08,ana,core,Mystery move\n"  # typed by the user: nothing to list
        "2026-01-09,ana,,Zorbification\n"
        "2026-01-09,ana,,Bench Press (Barbell)\n"  # a known 'other'
        "2026-01-09,ana,,Aardvark lifts\n"
    )
    frame = read(text)
    assert list(frame["session_type"]) == ["core", "other", "core", "other", "other", "other"]
    assert frame.attrs["unrecognised_exercises"] == ["Aardvark lifts", "Zorbification"]
    assert any("Zorbification" in w and "other" in w for w in frame.attrs["warnings"])
    assert len(frame) == 6  # never dropped


def test_session_type_without_exercise_is_a_session_and_warmup_column_is_read():
    text = "date,athlete,session_type,exercise,warmup\n2026-01-08,ana,core,,\n2026-01-08,ana,,Plank,yes\n"
    frame = read(text)
    assert frame["session_type"].tolist() == ["core", "core"]
    assert frame["warmup"].tolist() == [False, True]


def test_unknown_and_unnamed_columns_are_reported_not_read():
    frame = read("date,athlete,exercise,mood,time,name,\n2026-01-08,ana,Plank,happy,07:30,Dead bug,x\n")
    warnings = " ".join(frame.attrs["warnings"])
    assert "mood, time, name" in warnings and "no name" in warnings
    assert np.isnan(frame["duration_min"].iloc[0]) and frame["athlete"].iloc[0] == "ana"


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_spreadsheet():
    text = "date,athlete,exercise,rpe\n2026-01-08,ana,Plank,\n,,,\n\n2026-01-09,ana,Plank,11\n"
    message = refused(text)
    assert "row 5, column 'rpe'" in message
    frame = read(text.replace(",11", ",7"))
    assert frame["source_row"].tolist() == [2, 5]


def test_leading_blank_line_and_excel_sep_hint():
    frame = read("sep=;\ndate;athlete;exercise;load_kg\n2026-01-08;ana;Plank;2,5\n")
    assert frame["load_kg"].iloc[0] == 2.5 and frame["source_row"].iloc[0] == 2
    frame = read("\ndate,athlete,exercise\n2026-01-08,ana,Plank\n")
    assert frame["source_row"].iloc[0] == 3


def test_tab_separated_file():
    frame = read("date\tathlete\texercise\treps\n2026-01-08\tana\tDead bug\t10\n")
    assert frame["reps"].iloc[0] == 10 and frame["session_type"].iloc[0] == "core"


def test_quoted_cells_with_commas_quotes_newlines_and_formulas_are_kept_as_text():
    text = 'date,athlete,exercise,notes\n2026-01-08,ana,"=HYPERLINK(""x"")","a, b\n""c"" @d"\n2026-01-09,ana,+cmd,-1\n'
    frame = read(text)
    assert frame["exercise"].tolist() == ['=HYPERLINK("x")', "+cmd"]
    assert frame["notes"].tolist() == ['a, b\n"c" @d', "-1"]
    assert frame["source_row"].tolist() == [2, 3]  # a cell spanning two lines is still one spreadsheet row


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (["2026-01-08", "2026-01-13"], ["2026-01-08", "2026-01-13"]),
        (["2026-01-08 07:30", "2026-01-13T18:00:00+01:00"], ["2026-01-08", "2026-01-13"]),
        (["2026/01/08", "2026/1/13"], ["2026-01-08", "2026-01-13"]),
        (["08.01.2026", "13.01.2026"], ["2026-01-08", "2026-01-13"]),
        (["08/01/2026", "13/01/2026"], ["2026-01-08", "2026-01-13"]),  # 13 settles day-first
        (["01/08/2026", "01/13/2026"], ["2026-01-08", "2026-01-13"]),  # 13 settles month-first
        (["05/05/2026", "07/07/2026"], ["2026-05-05", "2026-07-07"]),  # day = month: no doubt
    ],
)
def test_date_formats(dates, expected):
    body = "".join(f"{d},ana,Plank\n" for d in dates)
    frame = read("date,athlete,exercise\n" + body)
    assert list(frame["date"]) == days(*expected)


def test_ambiguous_slash_dates_are_refused_not_guessed():
    message = refused("date,athlete,exercise\n03/04/2026,ana,Plank\n05/06/2026,ana,Plank\n")
    assert "column 'date'" in message and "day/month or month/day" in message and "YYYY-MM-DD" in message


def test_slash_dates_that_contradict_each_other_are_refused():
    text = "date,athlete,exercise\n13/01/2026,ana,Plank\n14/01/2026,ana,Plank\n01/15/2026,ana,Plank\n"
    message = refused(text)
    assert "row 4, column 'date'" in message and "'01/15/2026'" in message


def test_mixed_date_formats_list_the_rows():
    text = "Date,athlete,exercise\n2026-01-08,ana,Plank\n2026-01-09,ana,Plank\n10.01.2026,ana,Plank\n2026/01/11,ana,X\n"
    message = refused(text)
    assert "row 4, column 'Date': '10.01.2026'" in message and "row 5, column 'Date': '2026/01/11'" in message
    assert "one date format" in message


def test_an_undecidable_slash_date_among_iso_dates_is_a_mixed_format():
    message = refused("date,athlete,exercise\n2026-01-08,ana,Plank\n08/01/2026,ana,Plank\n2026-01-09,ana,Plank\n")
    assert "1 problem found" in message
    assert "row 3, column 'date': '08/01/2026' is written as DD/MM/YYYY or MM/DD/YYYY but most dates" in message


# ----------------------------------------------------------------------------------------------------
# Strong


STRONG_HEADER = (
    "Date,Workout Name,Exercise Name,Set Order,Weight,Weight Unit,Reps,RPE,Distance,Distance Unit,Seconds,"
    "Notes,Workout Notes"
)


def test_strong_export_with_units_rest_timer_warmup_and_notes():
    text = (
        STRONG_HEADER + "\n"
        '2026-01-08 07:31:54,"Hip day","Glute Bridge (Barbell)",W,20,kg,12,,0,,0,"",""\n'
        '2026-01-08 07:31:54,"Hip day","Glute Bridge (Barbell)",1,100,lbs,10,8,0,,0,"",""\n'
        '2026-01-08 07:31:54,"Hip day","Glute Bridge (Barbell)",Rest Timer,0,kg,0,,0,,90,"",""\n'
        '2026-01-08 07:31:54,"Hip day","Side Plank",1,0,kg,0,0,0,,45,"left side","Felt good"\n'
        '2026-01-08 07:31:54,"Hip day","Treadmill",1,0,kg,0,,2.5,km,900,"",""\n'
    )
    frame = read(text, athlete="ana")
    check_strength_log(frame)
    assert frame.attrs["source_format"] == "strong"
    assert frame["exercise"].tolist() == ["Glute Bridge (Barbell)", "Glute Bridge (Barbell)", "Side Plank", "Treadmill"]
    assert frame["source_row"].tolist() == [2, 3, 5, 6]
    assert frame["session_type"].tolist() == ["hip", "hip", "core", "other"]
    assert frame["warmup"].tolist() == [True, False, False, False]
    assert (frame["sets"] == 1).all()
    assert frame["load_kg"].tolist() == pytest.approx([20, 100 * LB_TO_KG, 0, 0])
    assert frame["reps"].tolist()[:2] == [12, 10] and np.isnan(frame["reps"].iloc[2])  # 0 = not logged
    assert frame["duration_min"].iloc[2] == 0.75 and np.isnan(frame["duration_min"].iloc[0])
    assert frame["rpe"].iloc[1] == 8 and np.isnan(frame["rpe"].iloc[2])  # RPE 0 = not rated
    assert frame["notes"].iloc[2] == "left side | Felt good"
    assert frame["back_soreness"].isna().all()
    assert list(frame["date"].unique()) == days("2026-01-08")
    warnings = " ".join(frame.attrs["warnings"])
    assert "rest-timer" in warnings and "Distances" in warnings


def test_strong_semicolons_and_decimal_commas():
    text = (
        "Date;Workout Name;Exercise Name;Set Order;Weight;Weight Unit;Reps;RPE;Distance;Distance Unit;Seconds;"
        "Notes;Workout Notes\n"
        '2026-01-08 07:31:54;"Core";"Pallof Press (Cable)";1;12,5;kg;10;7,5;;;0;;\n'
        '2026-01-08 07:31:54;"Core";"Romanian Deadlift (Barbell)";1;62,5;kg;8;;;;0;;\n'
    )
    frame = read(text, athlete="ana")
    assert frame["load_kg"].tolist() == [12.5, 62.5]
    assert frame["rpe"].iloc[0] == 7.5
    assert frame["session_type"].tolist() == ["core", "hip"]


def test_strong_old_version_without_unit_columns_reads_kilograms_with_a_warning():
    text = (
        "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE\n"
        '2022-02-28 11:49:43,"Legs",42m,"Squat (Barbell)",1,60.0,5.0,0,0.0,"","",7\n'
        '2022-02-28 11:49:43,"Legs",42m,"Squat (Barbell)",Rest Timer,0,0.0,0,180.0,,,\n'
    )
    frame = read(text, athlete="ana")
    assert frame["load_kg"].tolist() == [60.0]
    assert frame["rpe"].tolist() == [7.0]
    assert any("kilograms" in w and "Weight Unit" in w for w in frame.attrs["warnings"])


def test_strong_set_order_markers():
    body = "".join(f"2026-01-08 07:00:00,A,Dead Bug,{order},0,kg,10,,0,,0,,\n" for order in ("W1", "D", "F", "3", "X"))
    frame = read(STRONG_HEADER + "\n" + body, athlete="ana")
    assert frame["warmup"].tolist() == [True, False, False, False, False]
    assert frame["load_kg"].tolist() == [0.0] * 5  # bodyweight: Strong's 0 stays 0 kg
    assert any("'X'" in w for w in frame.attrs["warnings"])


def test_strong_file_with_only_rest_timer_rows_is_refused():
    text = STRONG_HEADER + "\n2026-01-08 07:00:00,A,Plank,Rest Timer,0,kg,0,,0,,60,,\n"
    assert "has no sets or entries to import" in refused(text)


def test_strong_twelve_hour_clock():
    text = (
        STRONG_HEADER + "\n"
        "2026-01-08 7:31:54 PM,Evening,Dead Bug,1,0,kg,10,,0,,0,,\n"
        "2026-01-09 12:05:00 AM,Late,Dead Bug,1,0,kg,10,,0,,0,,\n"
        "2026-01-10 11:59:59 p.m.,Late,Dead Bug,1,0,kg,10,,0,,0,,\n"
    )
    frame = read(text, athlete="ana")
    assert list(frame["date"]) == days("2026-01-08", "2026-01-09", "2026-01-10")


def test_strong_mixing_12_and_24_hour_clocks_is_refused():
    text = (
        STRONG_HEADER
        + "\n2026-01-08 7:31:54 PM,E,Plank,1,0,kg,0,,0,,60,,\n2026-01-09 19:31:54,E,Plank,1,0,kg,0,,0,,60,,\n"
    )
    message = refused(text)
    assert "row 3, column 'Date'" in message and "one date format" in message


def test_strong_newest_layout_with_unit_in_header_workout_number_and_note_rows():
    text = (
        "Workout #;Date;Workout Name;Duration (sec);Exercise Name;Set Order;Weight (lbs);Reps;RPE;"
        "Distance (meters);Seconds;Notes;Workout Notes\n"
        "1;2026-08-10 18:00:00;Hips;3600;Hip Thrust (Barbell);W;45;10;;;;;\n"
        "1;2026-08-10 18:00:00;Hips;3600;Hip Thrust (Barbell);1;135;8;8,5;;;;\n"
        "1;2026-08-10 18:00:00;Hips;3600;Hip Thrust (Barbell);Note;;;;;;pause at the top;\n"
        "1;2026-08-10 18:00:00;Hips;3600;Hip Thrust (Barbell);Rest Timer;;;;;90;;\n"
        "1;2026-08-10 18:00:00;Hips;3600;Monster Walk;1;;20;;;;;\n"
    )
    frame = read(text, athlete="ana")
    assert frame["exercise"].tolist() == ["Hip Thrust (Barbell)"] * 2 + ["Monster Walk"]
    assert frame["load_kg"].iloc[:2].tolist() == pytest.approx([45 * LB_TO_KG, 135 * LB_TO_KG])
    assert np.isnan(frame["load_kg"].iloc[2])
    assert frame["warmup"].tolist() == [True, False, False]
    assert frame["notes"].iloc[:2].tolist() == ["pause at the top"] * 2 and np.isnan(frame["notes"].iloc[2])
    assert frame["session_type"].tolist() == ["hip"] * 3


def test_strong_and_hevy_need_an_athlete():
    assert "Strong export" in refused(STRONG_HEADER + "\n2026-01-08 07:00:00,A,Plank,1,0,kg,0,,0,,60,,\n", athlete=None)
    assert "Hevy export" in refused(
        HEVY_HEADER_KG + '\n"A","8 Jan 2026, 07:00","","","Plank",,"",0,"normal",,,,60,\n', athlete=None
    )


def test_strong_bad_cells_name_row_and_column():
    text = (
        STRONG_HEADER + "\n"
        "2026-01-08 07:00:00,A,Plank,1,ten,kg,0,,0,,60,,\n"
        "2026-01-08 07:00:00,A,Plank,1,10,stone,0,,0,,60,,\n"
        "2026-01-08 07:00:00,A,,1,10,kg,0,,0,,60,,\n"
        "2026-01-08 07:00:00,A,Plank,1,10,kg,0,11,0,,60,,\n"
        "2026-01-08 07:00:00,A,Plank,1,10,kg,0,,0,,-60,,\n"
        "08/01/2026 07:00,A,Plank,1,10,kg,0,,0,,60,,\n"
    )
    message = refused(text)
    assert "6 problems" in message
    assert "row 2, column 'Weight': 'ten' is not a number" in message
    assert "row 3, column 'Weight Unit': 'stone' is not kg or lbs" in message
    assert "row 4, column 'Exercise Name': the exercise name is blank" in message
    assert "row 5, column 'RPE': 11 is outside 1-10" in message
    assert "row 6, column 'Seconds': -60 is negative" in message
    assert "row 7, column 'Date': '08/01/2026 07:00' is written as DD/MM/YYYY or MM/DD/YYYY but most dates" in message


# ----------------------------------------------------------------------------------------------------
# Hevy


HEVY_HEADER_KG = (
    '"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes","set_index",'
    '"set_type","weight_kg","reps","distance_km","duration_seconds","rpe"'
)
HEVY_HEADER_LBS = HEVY_HEADER_KG.replace("weight_kg", "weight_lbs").replace("distance_km", "distance_miles")


def test_hevy_pounds_and_warmup_sets():
    text = (
        HEVY_HEADER_LBS + "\n"
        '"Hips","22 Dec 2025, 08:00","22 Dec 2025, 09:00","","Single Leg Romanian Deadlift (Dumbbell)",,"",'
        '0,"warmup",20,10,,,\n'
        '"Hips","22 Dec 2025, 08:00","22 Dec 2025, 09:00","","Single Leg Romanian Deadlift (Dumbbell)",,"",'
        '1,"normal",40,8,,,8\n'
        '"Hips","22 Dec 2025, 08:00","22 Dec 2025, 09:00","","Single Leg Romanian Deadlift (Dumbbell)",,"",'
        '2,"failure",40,6,,,10\n'
        '"Hips","22 Dec 2025, 08:00","22 Dec 2025, 09:00","","Clamshell (Band)",,"",0,"dropset",,20,,,\n'
        '"Core","23 Dec 2025, 23:50","24 Dec 2025, 00:20","easy day","Plank",,"elbows",0,"normal",,,,60,\n'
    )
    frame = read(text, athlete="ana")
    check_strength_log(frame)
    assert frame.attrs["source_format"] == "hevy"
    assert frame["warmup"].tolist() == [True, False, False, False, False]
    assert frame["load_kg"].iloc[:3].tolist() == pytest.approx([20 * LB_TO_KG, 40 * LB_TO_KG, 40 * LB_TO_KG])
    assert np.isnan(frame["load_kg"].iloc[3])
    assert frame["rpe"].iloc[:3].tolist()[1:] == [8, 10] and np.isnan(frame["rpe"].iloc[0])
    assert frame["session_type"].tolist() == ["hip", "hip", "hip", "hip", "core"]
    assert frame["duration_min"].iloc[4] == 1.0 and frame["notes"].iloc[4] == "elbows | easy day"
    assert list(frame["date"]) == days(*["2025-12-22"] * 4, "2025-12-23")  # the day the workout started
    assert (frame["sets"] == 1).all() and frame["back_soreness"].isna().all()


def test_hevy_twelve_hour_clock_and_unknown_set_type():
    text = HEVY_HEADER_KG + '\n"A","5 Jan 2026, 7:05 PM","","","Dead Bug",,"",0,"cluster",,10,,,\n'
    frame = read(text, athlete="ana")
    assert list(frame["date"]) == days("2026-01-05")
    assert any("cluster" in w for w in frame.attrs["warnings"])


def test_hevy_bad_date_and_weight():
    text = (
        HEVY_HEADER_KG + "\n"
        '"A","31 Feb 2026, 07:00","","","Dead Bug",,"",0,"normal",,10,,,\n'
        '"A","5 Jan 2026, 07:00","","","Dead Bug",,"",0,"normal",-5,10,,,\n'
        '"A","yesterday","","","Dead Bug",,"",0,"normal",,10,,,\n'
    )
    message = refused(text)
    assert "row 2, column 'start_time': '31 Feb 2026, 07:00' is not a calendar date" in message
    assert "row 3, column 'weight_kg': -5 is negative" in message
    assert "row 4, column 'start_time': 'yesterday' is not a date; expected a Hevy date" in message


# ----------------------------------------------------------------------------------------------------
# one logical log in every format and encoding


CP1252_NOTE = "Übung für Rücken – gut"  # the en dash is 0x96 in Windows-1252, not in Latin-1


# One logical log: rows written with "|" between cells; the helpers put the file's separator and decimal mark in.
OURS_ROWS = (
    "date|athlete|session_type|exercise|sets|reps|load_kg|duration_min|rpe|notes|warmup",
    "2026-01-08|ana||Dead Bug|1|10|||6|slow|",
    "2026-01-08|ana||Side Plank|1|||0.75|||",
    "2026-01-08|ana||Glute Bridge (Barbell)|1|12|20||||yes",
    f"2026-01-08|ana||Glute Bridge (Barbell)|1|10|62.5||8.5|{CP1252_NOTE}|no",
    "2026-01-10|ana||Clamshell (Band)|1|15|||||",
    "2026-01-10|ana||Romanian Deadlift (Barbell)|1|8|40||7||",
    "2026-01-10|ana||Squat (Barbell)|1|5|60||||",
)
STRONG_ROWS = (
    STRONG_HEADER.replace(",", "|"),
    "2026-01-08 07:31:54|Core|Dead Bug|1||kg|10|6||||slow|",
    "2026-01-08 07:31:54|Core|Side Plank|1||kg|||||45||",
    "2026-01-08 07:31:54|Core|Glute Bridge (Barbell)|W|20|kg|12||||||",
    f"2026-01-08 07:31:54|Core|Glute Bridge (Barbell)|1|62.5|kg|10|8.5||||{CP1252_NOTE}|",
    "2026-01-08 07:31:54|Core|Glute Bridge (Barbell)|Rest Timer||||||||90||",
    "2026-01-10 18:02:00|Hips|Clamshell (Band)|1||kg|15||||||",
    "2026-01-10 18:02:00|Hips|Romanian Deadlift (Barbell)|1|40|kg|8|7|||||",
    "2026-01-10 18:02:00|Hips|Squat (Barbell)|1|60|kg|5||||||",
)


def _rows_csv(rows: tuple[str, ...], sep: str, decimal: str) -> str:
    def cell(c: str) -> str:
        return c.replace(".", decimal) if re.fullmatch(r"\d+\.\d+", c) else c

    return "".join(sep.join(cell(c) for c in row.split("|")) + "\n" for row in rows)


def _ours_csv(sep: str = ",", decimal: str = ".") -> str:
    return _rows_csv(OURS_ROWS, sep, decimal)


def _strong_csv(sep: str = ",", decimal: str = ".") -> str:
    return _rows_csv(STRONG_ROWS, sep, decimal)


def _hevy_csv() -> str:
    def line(start, title, exercise, index, kind, weight, reps, seconds, rpe, note):
        return f'"{title}","{start}","","","{exercise}",,"{note}",{index},"{kind}",{weight},{reps},,{seconds},{rpe}\n'

    return (
        HEVY_HEADER_KG
        + "\n"
        + line("8 Jan 2026, 07:31", "Core", "Dead Bug", 0, "normal", "", 10, "", 6, "slow")
        + line("8 Jan 2026, 07:31", "Core", "Side Plank", 0, "normal", "", "", 45, "", "")
        + line("8 Jan 2026, 07:31", "Core", "Glute Bridge (Barbell)", 0, "warmup", 20, 12, "", "", "")
        + line("8 Jan 2026, 07:31", "Core", "Glute Bridge (Barbell)", 1, "normal", 62.5, 10, "", 8.5, CP1252_NOTE)
        + line("10 Jan 2026, 18:02", "Hips", "Clamshell (Band)", 0, "normal", "", 15, "", "", "")
        + line("10 Jan 2026, 18:02", "Hips", "Romanian Deadlift (Barbell)", 0, "normal", 40, 8, "", 7, "")
        + line("10 Jan 2026, 18:02", "Hips", "Squat (Barbell)", 0, "normal", 60, 5, "", "", "")
    )


def test_the_three_formats_and_a_cp1252_file_read_into_the_same_normalised_frame():
    files = {
        "ours.csv": _ours_csv().encode("utf-8"),
        "ours-cp1252.csv": _ours_csv(";", ",").encode("cp1252"),
        "ours-utf8-bom.csv": b"\xef\xbb\xbf" + _ours_csv("\t").encode("utf-8"),
        "ours-utf16.csv": _ours_csv().encode("utf-16"),
        "ours-utf16-be.csv": b"\xfe\xff" + _ours_csv().encode("utf-16-be"),
        "strong.csv": _strong_csv().encode("utf-8"),
        "strong-semicolon.csv": _strong_csv(";", ",").encode("utf-8"),
        "strong-cp1252.csv": _strong_csv().encode("cp1252"),
        "hevy.csv": _hevy_csv().encode("utf-8"),
    }
    frames = {name: read(data, name=name, athlete="ana") for name, data in files.items()}
    reference = frames["ours.csv"][SHARED + ["warmup"]]
    assert reference["notes"].iloc[3] == CP1252_NOTE
    assert reference["session_type"].tolist() == ["core", "core", "hip", "hip", "hip", "hip", "strength"]
    assert list(reference["date"]) == days(*["2026-01-08"] * 4, *["2026-01-10"] * 3)
    for name, frame in frames.items():
        check_strength_log(frame)
        pd.testing.assert_frame_equal(frame[SHARED + ["warmup"]], reference, obj=name)
    assert frames["strong.csv"].attrs["source_format"] == "strong"
    assert frames["hevy.csv"].attrs["source_format"] == "hevy"
    assert frames["ours-cp1252.csv"].attrs["source_format"] == "core_cadence"
    encodings = {name: frame.attrs["encoding"] for name, frame in frames.items()}
    assert encodings["ours.csv"] == encodings["ours-utf8-bom.csv"] == "UTF-8"
    assert encodings["ours-utf16.csv"] == encodings["ours-utf16-be.csv"] == "UTF-16"
    assert encodings["ours-cp1252.csv"] == encodings["strong-cp1252.csv"] == "Windows-1252"


def test_path_and_binary_file_sources(tmp_path):
    path = tmp_path / "my log.csv"
    path.write_bytes(_ours_csv().encode("utf-8"))
    by_path = read_strength_log(path)
    by_str = read_strength_log(str(path))
    with path.open("rb") as f:
        by_file = read_strength_log(f)
    by_bytes = read_strength_log(path.read_bytes())
    for frame in (by_str, by_file, by_bytes):
        pd.testing.assert_frame_equal(frame, by_path)
    assert by_path.attrs["file_name"] == by_file.attrs["file_name"] == "my log.csv"
    assert by_bytes.attrs["file_name"] == "uploaded file"


# ----------------------------------------------------------------------------------------------------
# refusals: file, row, column, expected value


@pytest.mark.parametrize(
    ("header", "cell", "expected"),
    [
        ("soreness", "11", "row 2, column 'soreness': 11 is outside 0-10; expected a back soreness score from 0"),
        ("Back pain", "-1", "row 2, column 'Back pain': -1 is outside 0-10"),
        ("rpe", "0", "row 2, column 'rpe': 0 is outside 1-10; expected an RPE from 1 to 10"),
        ("RPE", "10.5", "row 2, column 'RPE': 10.5 is outside 1-10"),
        ("sets", "-3", "row 2, column 'sets': -3 is negative; expected a number of sets (0 or more)"),
        ("reps", "-1", "row 2, column 'reps': -1 is negative; expected a number of repetitions"),
        ("load_kg", "-2.5", "row 2, column 'load_kg': -2.5 is negative; expected a load"),
        ("duration_min", "-1", "row 2, column 'duration_min': -1 is negative; expected a duration"),
        ("reps", "ten", "row 2, column 'reps': 'ten' is not a number; expected a number of repetitions"),
        ("load_kg", "20kg", "row 2, column 'load_kg': '20kg' is not a number"),
        ("load_kg", '"2,5"', "use a point for decimals"),
        ("sets", "nan", "row 2, column 'sets': 'nan' is not a number"),
        ("sets", "1e999", "row 2, column 'sets': '1e999' is too large"),
        ("type", "cardio", "row 2, column 'type': 'cardio' is not a session type; expected one of core, hip"),
        ("warmup", "maybe", "row 2, column 'warmup': 'maybe' is not yes/no"),
        ("duration", "1:75", "row 2, column 'duration': '1:75' is not a clock time"),
        ("duration", "1:60:00", "row 2, column 'duration': '1:60:00' is not a clock time"),
    ],
)
def test_bad_values_name_file_row_column_and_expectation(header, cell, expected):
    message = refused(f"date,athlete,exercise,{header}\n2026-01-08,ana,Plank,{cell}\n", name="ana strength.csv")
    assert expected in message
    assert "nothing was imported" in message


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("yesterday", "row 2, column 'date': 'yesterday' is not a date; expected a date like 2026-01-08"),
        ("", "row 2, column 'date': the date is blank"),
        ("2026-02-30", "row 2, column 'date': '2026-02-30' is not a calendar date"),
        ("1850-01-01", "'1850-01-01' is not a calendar date between 1900 and 2100"),
        ("2026-01-08 25:00", "'2026-01-08 25:00' is not a calendar date"),
        ("26-01-08", "'26-01-08' is not a date"),
    ],
)
def test_bad_dates(cell, expected):
    assert expected in refused(f"date,athlete,exercise\n{cell},ana,Plank\n")


def test_row_with_nothing_to_log_is_refused():
    message = refused("date,athlete,exercise,sets,notes\n2026-01-08,ana,,3,just a note\n")
    assert "row 2: has no exercise, session type or back soreness" in message


def test_more_than_twenty_problems_are_truncated():
    body = "".join(f"2026-01-08,ana,Plank,{11 + i}\n" for i in range(25))
    message = refused("date,athlete,exercise,soreness\n" + body)
    assert message.splitlines()[0].startswith("log.csv: 25 problems found, so nothing was imported")
    listed = [line for line in message.splitlines() if line.startswith("- row ")]
    assert len(listed) == 20 and listed[0].startswith("- row 2,") and listed[-1].startswith("- row 21,")
    assert message.splitlines()[-1] == "…and 5 more"


def test_input_error_carries_every_problem():
    body = "".join(f"2026-01-08,ana,Plank,{11 + i}\n" for i in range(25))
    with pytest.raises(InputError) as info:
        read("date,athlete,exercise,soreness\n" + body)
    assert isinstance(info.value, ValueError)
    assert len(info.value.problems) == 25 and info.value.problems[0][:2] == (2, "soreness")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "is empty"),
        ("   \r\n\r\n", "is empty"),
        ("date,athlete,exercise\n", "has a header but no rows"),
        ("date,athlete,exercise\n,,\n\n", "has a header but no rows"),
        ("date\n2026-01-08\n", "has a single column"),
        ("exercise,sets\nPlank,3\n", "has no date column"),
        ("date,athlete,sets\n2026-01-08,ana,3\n", "has no exercise, session_type or back_soreness column"),
        ("date,athlete,exercise,Date\n2026-01-08,ana,Plank,2026-01-08\n", "duplicate column"),
        ("date,athlete,exercise,exercise\n2026-01-08,ana,Plank,Plank\n", "'exercise' appears twice"),
        ("date,soreness,back pain,athlete\n2026-01-08,1,2,ana\n", "two columns for back_soreness"),
        ("date;athlete,exercise\n2026-01-08;ana,Plank\n", "could be split by commas or by semicolons"),
        ('date,athlete,exercise\n2026-01-08,ana,"Plank\n', "row 2: the CSV quoting is broken"),
        ('date,athlete,exercise\n2026-01-08,ana,"Plank"x\n', "row 2: the CSV quoting is broken"),
        ('date,athlete,exercise\n2026-01-08,ana,Plank\n2026-01-09,ana,"Plank\n', "row 3: the CSV quoting is broken"),
        ('"date"x,athlete,exercise\n2026-01-08,ana,Plank\n', "row 1: the CSV quoting is broken"),
        ("date,athlete,exercise\n2026-01-08,ana,Plank,extra\n", "row 2: has more cells than the header"),
    ],
)
def test_refused_files(text, expected):
    assert expected in refused(text)


def test_trailing_empty_cells_and_short_rows_are_fine():
    frame = read("date,athlete,exercise,reps\n2026-01-08,ana,Plank,,,,\n2026-01-09,ana,Plank\n")
    assert len(frame) == 2


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"PK\x03\x04" + b"\x00" * 40, "Excel workbook or a zip archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "Excel workbook"),
        (b"date,athlete\x00,exercise\n", "not a text file"),
        ("date,athlete,exercise\n2026-01-08,ana,Plank\n".encode("utf-16-le"), "not a text file"),  # no BOM
        (b"\x81\x8d\x8f\x90\x9d,a,b\n1,2,3\n", "not a text file"),  # undefined in Windows-1252 too
        (b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT" + b"\x00" * 20, "FIT file"),
        (b"\xff\xfe" + b"\x00\xd8", "not a text file"),  # a broken UTF-16
    ],
)
def test_binary_files_are_refused(data, expected):
    assert expected in refused(data)


def test_size_row_and_column_caps(tmp_path, monkeypatch):
    big = tmp_path / "huge.csv"
    with big.open("wb") as f:  # sparse: refused from its size, before it is read
        f.truncate(MAX_STRENGTH_LOG_BYTES + 1)
    with pytest.raises(InputError, match=r"^huge.csv: is 20.0 MB; strength logs above 20 MB are refused"):
        read_strength_log(big)
    with pytest.raises(InputError, match="are refused"):
        read_strength_log(b"x" * (MAX_STRENGTH_LOG_BYTES + 1))
    with pytest.raises(InputError, match="are refused"):
        read_strength_log(io.BytesIO(b"x" * (MAX_STRENGTH_LOG_BYTES + 1)))
    wide = ",".join(f"c{i}" for i in range(201)) + "\n" + ",".join("1" for _ in range(201)) + "\n"
    assert "more than 200 columns" in refused(wide)
    monkeypatch.setattr(strength_table, "MAX_STRENGTH_LOG_ROWS", 5)
    rows = "".join("2026-01-08,ana,Plank\n" for _ in range(6))
    assert "more than 5 rows" in refused("date,athlete,exercise\n" + rows)
    read("date,athlete,exercise\n" + rows[: len(rows) * 5 // 6])


def test_sources_that_are_not_files(tmp_path):
    with pytest.raises(InputError, match="missing.csv: file not found"):
        read_strength_log(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="is a folder"):
        read_strength_log(tmp_path)
    with pytest.raises(InputError, match="binary mode"):
        read_strength_log(io.StringIO("date,athlete,exercise\n"))
    with pytest.raises(InputError, match="cannot read a int"):
        read_strength_log(42)
    with pytest.raises(InputError, match="athlete must be a name"):
        read_strength_log(b"date,exercise\n2026-01-08,Plank\n", athlete=7)


def test_unexpected_failures_are_reported_as_input_errors(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(strength_reader, "read_table", boom)
    with pytest.raises(InputError, match=r"^log.csv: could not be read as a strength log \(RuntimeError: kaboom\)"):
        read("date,athlete,exercise\n2026-01-08,ana,Plank\n")


# ----------------------------------------------------------------------------------------------------
# property tests


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=25
)
_TRICKY = st.sampled_from(
    [
        "a, b",
        'say "hi"',
        '"',
        "line one\nline two",
        "crlf\r\nend",
        "cr\ronly",
        "tab\tinside",
        "semi; colon",
        CP1252_NOTE,
        "=1+1",
        "@SUM(A1)",
        "-3",
        "2026-01-08",
        "日本語のメモ",
        "emoji 🏃‍♀️",
        "sep=;",
        "NA",
        "nan",
    ]
)
_PHRASES = [p for p, _ in EXERCISE_TAXONOMY] + ["Clamshell (Band)", "Single Leg Romanian Deadlift (Dumbbell)"]
_NAME = st.one_of(st.sampled_from(_PHRASES), _TRICKY, _TEXT).map(str.strip).filter(bool)
_FREE = st.one_of(_TRICKY, _TEXT).map(str.strip).filter(bool)


def _maybe(strategy):
    return st.one_of(st.just(math.nan), strategy)


@st.composite
def _entries(draw):
    shape = draw(st.sampled_from(["exercise", "exercise", "exercise", "soreness", "session"]))
    entry = {
        "date": draw(
            st.dates(min_value=pd.Timestamp("1990-01-01").date(), max_value=pd.Timestamp("2100-12-31").date())
        ),
        "athlete": draw(_FREE),
        "session_type": None if shape == "soreness" else draw(st.sampled_from(SESSION_TYPES)),
        "exercise": draw(_NAME) if shape == "exercise" else None,
        "sets": draw(_maybe(st.floats(0, 1e6))),
        "reps": draw(_maybe(st.floats(0, 1e6))),
        "load_kg": draw(_maybe(st.floats(0, 1e4))),
        "duration_min": draw(_maybe(st.floats(0, 1e4))),
        "rpe": draw(_maybe(st.floats(1, 10))),
        "back_soreness": draw(st.floats(0, 10) if shape == "soreness" else _maybe(st.floats(0, 10))),
        "notes": draw(st.one_of(st.none(), _FREE)),
        "warmup": draw(st.booleans()),
    }
    if shape == "soreness":
        for col in ("sets", "reps", "load_kg", "duration_min", "rpe"):
            entry[col] = math.nan
    return entry


def _log(entries: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(entries)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["source_format"] = "core_cadence"
    frame["source_row"] = np.arange(2, len(frame) + 2, dtype="int64")
    frame = frame[list(STRENGTH_LOG_COLUMN_NAMES)].astype({c.name: c.dtype for c in STRENGTH_LOG_COLUMNS})
    check_strength_log(frame)
    return frame


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_entries(), min_size=1, max_size=12))
def test_any_normalised_log_written_as_our_csv_reads_back_equal(entries):
    log = _log(entries)
    text = write_strength_log_csv(log)
    back = read_strength_log(text.encode("utf-8"))
    check_strength_log(back)
    pd.testing.assert_frame_equal(back, log, check_exact=True)
    assert back.attrs["unrecognised_exercises"] == []  # every row said its session type


def test_written_csv_is_our_documented_layout():
    text = write_strength_log_csv(read_strength_log(TEMPLATE))
    assert text.splitlines()[0] == (
        "date,athlete,session_type,exercise,sets,reps,load_kg,duration_min,rpe,back_soreness,notes,warmup"
    )
    assert text.splitlines()[1] == "2026-09-07,ana,core,Dead bug,3,10,,,6,,slow and controlled,false"


_VALID = _ours_csv().encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(_VALID) - 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_damaged_files_are_read_or_refused_with_input_error(edits):
    data = bytearray(_VALID)
    for at, value in edits:
        data[at] = value
    try:
        frame = read_strength_log(bytes(data), athlete="ana")
    except InputError:
        return
    check_strength_log(frame)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_are_read_or_refused_with_input_error(data):
    try:
        frame = read_strength_log(data, athlete="ana")
    except InputError:
        return
    check_strength_log(frame)
