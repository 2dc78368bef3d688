"""Strength-log date cells (`analysis.io.strength.dates`): every style real exports write, clocks,
impossible dates and times, month names resolved per file, one format per file, DD/MM vs MM/DD settled
only by the file, and each distinct text tokenised once."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.dates import format_date, format_datetime

from analysis.io.strength import dates
from analysis.io.strength.dates import (
    FIRST_YEAR,
    LAST_YEAR,
    DateCell,
    classify_date,
    expected_date,
    settle_dates,
)


def settle(raws: list[str], layout: str = "hevy", column: str = "start_time"):
    """(cells, problems) of a file whose date column holds `raws` (row 2 onwards)."""
    cells = [classify_date(raw, i + 2, column, layout) for i, raw in enumerate(raws)]
    problems: list[tuple[int | None, str | None, str]] = []
    settle_dates(cells, lambda row, col, text: problems.append((row, col, text)), layout)
    return cells, problems


def days_of(raws: list[str], layout: str = "hevy") -> list[dt.date | None]:
    cells, problems = settle(raws, layout)
    assert problems == []
    return [c.day for c in cells]


def texts(problems) -> str:
    return "\n".join(
        f"row {row}, column '{col}': {text}" if row else f"column '{col}': {text}" for row, col, text in problems
    )


SEP_4 = dt.date(2026, 9, 4)


# ----------------------------------------------------------------------------------------------------
# every style a phone writes


@pytest.mark.parametrize(
    "raw",
    [
        "4 Sep 2026, 15:16",  # Hevy today (en-GB)
        "4 Sept 2026, 15:16",  # en-GB CLDR 42+
        "Sep 4, 2026, 3:16 PM",  # en-US with a comma
        "Sep 4, 2026 at 3:16 PM",  # en-US with "at"
        "Sep 4, 2026, 3:16\u202fPM",  # CLDR's narrow no-break space before PM
        "Sep 4, 2026, 3:16 p.m.",  # en-CA
        "September 4, 2026",
        "4 de set. de 2026, 15:16",  # pt-BR with "de" and "set."
        "4 de set. de 2026 15:16:00",
        "4 sept 2026, 15:16",  # es
        "4 de sep. de 2026 15:16",  # es (older iOS)
        "4 sep 2026, 3:16 p. m.",  # es-MX 12-hour, "p. m." with a space
        "4. Sept. 2026, 15:16",  # de
        "4. Sept. 2026 um 15:16",  # de with "um"
        "04.09.2026, 15:16",  # de numeric
        "4 sept. 2026 à 15:16",  # fr with "à"
        "4 sept. 2026, 15 h 16 min 00 s",  # fr-CA clock
        "4 set 2026, 15:16",  # it
        "4 sep. 2026 15:16",  # nl
        "4 sep 2026, 15:16",  # nl (CLDR 48)
        "4 сент. 2026 г., 15:16",  # ru with "г."
        "4 сентября 2026 г.",  # ru genitive month
        "4 wrz 2026, 15:16",  # pl
        "4. sep. 2026 15.16.00",  # da: dotted clock
        "4.9.2026 klo 15.16",  # fi
        "2026. szept. 4. 15:16:00",  # hu: year first
        "2026-09-04 15:16:00",  # ISO
        "2026-09-04T15:16:00Z",
        "2026/09/04",  # ja numeric
        "2026/09/04 15:16",
        "2026年9月4日 15:16",  # zh / ja
        "2026年9月4日 下午3:16",  # zh-Hant 12-hour
        "2026/09/04 午後3:16",  # ja 12-hour
        "2026년 9월 4일 오후 3:16",  # ko
        "2026. 9. 4. 오후 3:16:00",  # ko numeric
        "２０２６/０９/０４",  # full-width digits
    ],
)
def test_every_style_is_the_same_day(raw):
    assert days_of([raw]) == [SEP_4]


@pytest.mark.parametrize("layout", ["hevy", "strong", "core_cadence"])
def test_month_name_dates_are_accepted_in_every_layout(layout):
    assert days_of(["22 Dec 2025, 08:00", "Jun 11, 2026, 1:01 PM", "Aug 28, 2026 at 4:19 PM"], layout) == [
        dt.date(2025, 12, 22),
        dt.date(2026, 6, 11),
        dt.date(2026, 8, 28),
    ]


def test_month_name_cells_of_any_clock_style_are_one_family():
    cells, problems = settle(["22 Dec 2025, 08:00", "Dec 23, 2025, 7:05 PM", "24 Dec 2025"])
    assert problems == [] and {c.family for c in cells} == {"month"}


@pytest.mark.parametrize(
    "locale",
    ["en_US", "en_GB", "en_AU", "pt_BR", "es", "es_MX", "de", "fr", "fr_CA", "it", "nl", "ru", "pl", "sv", "da",
     "nb", "fi", "tr", "cs", "hu", "uk", "el", "ro", "hr", "ca", "ja", "ko", "zh", "zh_Hant"],
)  # fmt: skip
def test_what_cldr_formats_is_read_back(locale):
    """Babel's own medium date-times and long dates of every month, noon and midnight included."""
    moments = [dt.datetime(2026, m, d, h, 16, 5) for m in range(1, 13) for d, h in ((4, 0), (21, 15), (13, 12))]
    for raws in (
        [format_datetime(x, "medium", locale=locale) for x in moments],
        [format_date(x, "long", locale=locale) for x in moments],
    ):
        assert days_of(raws) == [x.date() for x in moments], raws[:2]


# ----------------------------------------------------------------------------------------------------
# clocks and impossible values


@pytest.mark.parametrize(
    "raw",
    [
        "2026-01-08 7:31:54 PM",
        "2026-01-09 12:05:00 AM",
        "2026-01-10 11:59:59 p.m.",
        "2026-01-10 23:59:59",
        "2026-01-10 00:00",
        "10 Jan 2026, 12:00 PM",
        "2026/01/10 午前0:16",  # Japanese writes the 12-hour clock 0-11 (CLDR "K")
        "2026-01-10T23:30:00-05:00",  # the offset is ignored: the date written is the date
        "2026-01-10 23:30:00+0200",
        "2026-01-10 23:30 UTC",
    ],
)
def test_possible_times(raw):
    (day,) = days_of([raw], "core_cadence")
    assert day.month == 1 and day.day in (8, 9, 10)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-01-08 25:00",
        "2026-01-08 24:00",
        "2026-01-08 07:60",
        "2026-01-08 07:00:60",
        "2026-01-08 0:05 AM",  # 1-12 with AM/PM
        "2026-01-08 13:05 PM",
        "8 Jan 2026, 25:00",
        "Jan 8, 2026, 0:30 PM",
        "2026년 1월 8일 오후 0:16",  # Korean's 12-hour clock is 1-12
        "08/01/2026 25:00",
    ],
)
def test_impossible_times_make_the_cell_a_problem(raw):
    cells, problems = settle([raw, "13/01/2026"] if "/" in raw else [raw], "core_cadence", "date")
    assert problems and cells[0].day is None
    assert f"row 2, column 'date': '{raw}' is not a calendar date between 1900 and 2100" in texts(problems)
    assert "(or its time of day is impossible)" in texts(problems)


@pytest.mark.parametrize(
    "raw",
    ["2026-02-30", "30 Feb 2026", "31 Feb 2026, 07:00", "Feb 29, 2026", "1850-01-01", "4 Sep 1899", "Sep 4, 2101",
     "30.02.2026", "2026/02/30", "2026年2月30日", "0 Sep 2026"],
)  # fmt: skip
def test_impossible_dates_and_years_out_of_range(raw):
    _, problems = settle([raw])
    assert texts(problems) == (
        f"row 2, column 'start_time': '{raw}' is not a calendar date between {FIRST_YEAR} and {LAST_YEAR} "
        "(or its time of day is impossible)"
    )


def test_leap_day_and_the_range_ends():
    assert days_of(["29 Feb 2028", "1 Jan 1900", "31 Dec 2100"]) == [
        dt.date(2028, 2, 29),
        dt.date(1900, 1, 1),
        dt.date(2100, 12, 31),
    ]


# ----------------------------------------------------------------------------------------------------
# words that are no month, and month words of several languages


def test_unknown_month_word_names_the_cell_and_what_was_expected():
    _, problems = settle(["Jum 11, 2026", "Jun 12, 2026"])
    assert problems == [
        (
            2,
            "start_time",
            "'Jum 11, 2026' is not a date; expected a Hevy date like 22 Dec 2025, 08:00 or Jun 11, 2026, 1:01 PM "
            "('Jum' is not a month name we know)",
        )
    ]


@pytest.mark.parametrize(
    ("raw", "layout", "expected"),
    [
        ("yesterday", "hevy", "'yesterday' is not a date; expected a Hevy date like 22 Dec 2025, 08:00"),
        ("", "hevy", "the date is blank; every row needs a date"),
        ("yesterday", "core_cadence", "'yesterday' is not a date; expected a date like 2026-01-08 (YYYY-MM-DD)"),
        ("26-01-08", "core_cadence", "'26-01-08' is not a date"),
        ("4 Sep 26", "hevy", "'4 Sep 26' is not a date"),  # the year has 4 digits
        ("Fri 4 Sep 2026", "hevy", "'Fri 4 Sep 2026' is not a date"),
        ("4 Sep 2026 15:16 tomorrow", "hevy", "is not a date"),
        ("08-01-26 07:00", "strong", "'08-01-26 07:00' is not a date; expected a Strong date like 2026-01-08"),
    ],
)
def test_not_a_date(raw, layout, expected):
    _, problems = settle([raw], layout)
    assert len(problems) == 1 and expected in problems[0][2]


def test_expected_phrases():
    assert expected_date("hevy") == "a Hevy date like 22 Dec 2025, 08:00 or Jun 11, 2026, 1:01 PM"
    assert expected_date("strong") == "a Strong date like 2026-01-08 07:31:54 or 2026-01-08 7:31:54 PM"
    assert expected_date("core_cadence") == "a date like 2026-01-08 (YYYY-MM-DD)"


def test_listopad_alone_is_read_as_polish_november():
    assert days_of(["4 listopad 2026"]) == [dt.date(2026, 11, 4)]  # Polish and Czech before Croatian


def test_listopad_among_polish_months_is_november():
    assert days_of(["4 wrzesień 2026", "4 październik 2026", "4 listopad 2026", "4 grudzień 2026"]) == [
        dt.date(2026, 9, 4),
        dt.date(2026, 10, 4),
        dt.date(2026, 11, 4),
        dt.date(2026, 12, 4),
    ]


def test_listopad_among_croatian_months_is_october():
    assert days_of(["4 rujan 2026", "4 listopad 2026", "4 studeni 2026", "4 prosinac 2026"]) == [
        dt.date(2026, 9, 4),
        dt.date(2026, 10, 4),
        dt.date(2026, 11, 4),
        dt.date(2026, 12, 4),
    ]


def test_set_is_september_in_portuguese_and_italian_alike():
    assert days_of(["4 set 2026", "4 ott 2026"]) == [dt.date(2026, 9, 4), dt.date(2026, 10, 4)]  # Italian
    assert days_of(["4 de set. de 2026", "4 de out. de 2026"]) == [dt.date(2026, 9, 4), dt.date(2026, 10, 4)]


def test_a_month_word_of_another_language_than_the_file_is_a_problem():
    cells, problems = settle(["4 wrzesień 2026", "5 wrzesień 2026", "4 listopad 2026", "6 srpanj 2026"])
    assert [c.day for c in cells[:3]] == [dt.date(2026, 9, 4), dt.date(2026, 9, 5), dt.date(2026, 11, 4)]
    assert problems == [
        (
            5,
            "start_time",
            "'6 srpanj 2026' has a month name we do not know: 'srpanj' is not a month in Polish, the language of "
            "the file's other dates; write every date in one language (export the file again) or as YYYY-MM-DD",
        )
    ]


def test_english_and_german_months_of_one_file_read_as_german():
    assert days_of(["4 Mai 2026", "4 Mar 2026", "4 Okt 2026"]) == [
        dt.date(2026, 5, 4),
        dt.date(2026, 3, 4),
        dt.date(2026, 10, 4),
    ]


# ----------------------------------------------------------------------------------------------------
# one date format per file (cases of tests/test_strength_log.py, against this module)


@pytest.mark.parametrize(
    ("raws", "expected"),
    [
        (["2026-01-08", "2026-01-13"], ["2026-01-08", "2026-01-13"]),
        (["2026-01-08 07:30", "2026-01-13T18:00:00+01:00"], ["2026-01-08", "2026-01-13"]),
        (["2026/01/08", "2026/1/13"], ["2026-01-08", "2026-01-13"]),
        (["08.01.2026", "13.01.2026"], ["2026-01-08", "2026-01-13"]),
        (["08/01/2026", "13/01/2026"], ["2026-01-08", "2026-01-13"]),  # 13 settles day-first
        (["01/08/2026", "01/13/2026"], ["2026-01-08", "2026-01-13"]),  # 13 settles month-first
        (["05/05/2026", "07/07/2026"], ["2026-05-05", "2026-07-07"]),  # day = month: no doubt
        (["8 Jan 2026", "Jan 13, 2026"], ["2026-01-08", "2026-01-13"]),
    ],
)
def test_date_formats(raws, expected):
    assert days_of(raws, "core_cadence") == [dt.date.fromisoformat(d) for d in expected]


def test_ambiguous_slash_dates_are_refused_not_guessed():
    cells, problems = settle(["03/04/2026", "05/06/2026"], "core_cadence", "date")
    assert all(c.day is None for c in cells)
    assert problems == [
        (
            None,
            "date",
            "dates like '03/04/2026' could be day/month or month/day, and no date in the file settles it (none has "
            "a number above 12 in the first two places); write dates as YYYY-MM-DD (e.g. 2026-04-03 if it is "
            "3 April)",
        )
    ]


def test_slash_dates_that_contradict_each_other_are_refused():
    _, problems = settle(["13/01/2026", "14/01/2026", "01/15/2026"], "core_cadence", "date")
    assert problems == [
        (
            4,
            "date",
            "'01/15/2026' can only be MM/DD/YYYY, but other rows are DD/MM/YYYY; use one date format in the whole "
            "file (best: YYYY-MM-DD)",
        )
    ]


def test_slash_dates_in_a_hevy_file_are_settled_by_the_file_too():
    assert days_of(["04/09/2026, 15:16", "21/09/2026, 15:16"]) == [dt.date(2026, 9, 4), dt.date(2026, 9, 21)]


def test_mixed_date_formats_list_the_rows():
    _, problems = settle(["2026-01-08", "2026-01-09", "10.01.2026", "2026/01/11"], "core_cadence", "Date")
    message = texts(problems)
    assert (
        "row 4, column 'Date': '10.01.2026' is written as DD.MM.YYYY but most dates in the file are YYYY-MM-DD"
        in message
    )
    assert "row 5, column 'Date': '2026/01/11' is written as YYYY/MM/DD" in message
    assert len(problems) == 2 and "one date format" in message


def test_an_undecidable_slash_date_among_iso_dates_is_a_mixed_format():
    _, problems = settle(["2026-01-08", "08/01/2026", "2026-01-09"], "core_cadence", "date")
    assert len(problems) == 1
    assert problems[0][:2] == (3, "date")
    assert problems[0][2].startswith("'08/01/2026' is written as DD/MM/YYYY or MM/DD/YYYY but most dates")


def test_a_file_mixing_month_names_and_iso_dates_is_refused():
    _, problems = settle(["22 Dec 2025, 08:00", "23 Dec 2025, 08:00", "2025-12-24 08:00:00"])
    assert problems == [
        (
            4,
            "start_time",
            "'2025-12-24 08:00:00' is written as YYYY-MM-DD but most dates in the file are a day, month name and "
            "year (like 22 Dec 2025); use one date format in the whole file",
        )
    ]


def test_strong_mixing_12_and_24_hour_clocks_is_refused():
    cells, problems = settle(["2026-01-08 7:31:54 PM", "2026-01-09 19:31:54"], "strong", "Date")
    assert [c.family for c in cells] == ["12h", "24h"]
    assert len(problems) == 1 and problems[0][0] == 3 and "one date format" in problems[0][2]


def test_strong_twelve_hour_clock():
    raws = ["2026-01-08 7:31:54 PM", "2026-01-09 12:05:00 AM", "2026-01-10 11:59:59 p.m."]
    assert days_of(raws, "strong") == [dt.date(2026, 1, 8), dt.date(2026, 1, 9), dt.date(2026, 1, 10)]


def test_unknown_layout_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown layout"):
        classify_date("2026-01-08", 2, "date", "fitbit")


# ----------------------------------------------------------------------------------------------------
# cost: each distinct text once


def test_each_distinct_string_is_tokenised_once():
    dates._scan.cache_clear()
    dates._classified.cache_clear()
    distinct = [f"{d} Dec 2025, 08:{d:02d}" for d in range(1, 11)]
    cells, problems = settle([distinct[i % 10] for i in range(5000)])
    assert problems == [] and len({c.day for c in cells}) == 10
    assert dates._scan.cache_info().misses == 10
    assert dates._classified.cache_info().misses == 10


def test_the_fast_day_periods_agree_with_cldr():
    cldr = dates._day_periods()
    assert {k: cldr[k] for k in dates._FAST_DAY_PERIODS} == dates._FAST_DAY_PERIODS
    assert cldr["午後"] is True and cldr["오후"] is False and cldr["下午"] is False


def test_date_cell_interface():
    cell = DateCell(2, "Date", "2026-01-08", "iso", dt.date(2026, 1, 8))
    assert (cell.first, cell.second, cell.year) == (0, 0, 0)
    assert classify_date("  2026-01-08  ", 2, "Date", "core_cadence") == cell
