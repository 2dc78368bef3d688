"""Date cells of strength logs: the calendar day a set was done, however the phone wrote it.

Units and meaning: a date cell gives a *local calendar date* (`datetime.date`), the day written in the
cell. A time of day, when present, is checked (hour < 24, or 1-12 with a day period such as AM/PM;
minutes and seconds < 60) and then dropped; a UTC offset (`Z`, `+02:00`, `UTC+2`) is accepted and
ignored, never applied, because the day the athlete trained is the day the phone wrote.

What is read (issue 17):

- numeric dates: `2026-01-08` (ISO, optionally `T`/space and a time), `2026/01/08`, `2026. 9. 4.`,
  CJK `2026年9月4日` / `2026년 9월 4일`, `08.01.2026` (day first) and `08/01/2026` (DD/MM or MM/DD,
  settled per file by a number above 12, never guessed);
- month-name dates in any order where the 4-digit number is the year and the other number the day
  (`22 Dec 2025`, `Jun 11, 2026`, `4 de set. de 2026`, `4. Sept. 2026`, `4 сент. 2026 г.`,
  `2026. szept. 4.`), with the joiners the locales write (`at`, `à`, `um`, `de`, `г.`, …);
- 12- and 24-hour clocks (`15:16`, `1:01 PM`, `3:16 p. m.`, `오후 3:16`, `午後3:16`, `下午3:16`,
  `15.16`, `15 h 16`).

Month names, day periods and joiners come from CLDR through Babel (`babel.Locale.months`,
`Locale.day_periods`, the literal text of `Locale.date_formats`/`time_formats`/`datetime_formats`),
not from a hand-written list. Month names collide across languages (`listopad` is November in Polish
and Czech but October in Croatian; `set` is September in Portuguese and Italian), so a month word is
never read on its own: the language is resolved per FILE, from every distinct month word in it. The
languages whose months cover all of them are candidates; when they agree on every word the answer is
clear, otherwise the first of `PREFERRED_LANGUAGES` among them wins (silently: a Polish file that
only says `listopad` is Polish, not Croatian). When no language covers every word, the cells whose
word is not a month in the best-covering language are problems.

Cost: each distinct cell text is tokenised once (`functools.lru_cache` on the pure `_scan`; a
workout's rows repeat one start time). The month table of `PREFERRED_LANGUAGES` (all their regional
locales, ~0.2 s) is loaded the first time a month word or an unusual day period is seen; the table of
every other CLDR language (~0.8 s, memory held by Babel's cache) only when a file has a month word
none of those languages knows.

Interface used by the reader: `DateCell`, `classify_date(raw, row, column, layout)` per cell, then
`settle_dates(cells, report, layout)` once per file, `expected_date(layout)` for messages.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from typing import NamedTuple

FIRST_YEAR, LAST_YEAR = 1900, 2100
LAYOUTS: tuple[str, ...] = ("core_cadence", "strong", "hevy")

# Languages tried first, in this order, when a month word means different months in different languages.
PREFERRED_LANGUAGES: tuple[str, ...] = (
    "en", "pt", "es", "de", "fr", "it", "nl", "ru", "pl", "sv", "da", "nb", "nn", "fi", "tr", "cs",
    "uk", "hu", "ro", "el", "hr", "ca", "ja", "zh", "ko",
)  # fmt: skip

# Joiners real exports write that the literals of Babel's date/time/datetime patterns do not spell out
# ("at", "à", "um": CLDR's atTime variants, which Babel's `datetime_formats` do not include).
_EXTRA_FILLERS = ("at", "à", "a", "às", "as", "las", "um", "om", "alle", "ore", "klo", "kl", "o", "в", "uhr", "d")

FAMILY_TEXT = {
    "iso": "YYYY-MM-DD",
    "ymd/": "YYYY/MM/DD",
    "ymd.": "YYYY. MM. DD.",
    "ymd年": "YYYY年MM月DD日",
    "dmy.": "DD.MM.YYYY",
    "dmy/": "DD/MM/YYYY",
    "mdy/": "MM/DD/YYYY",
    "dm/": "DD/MM/YYYY or MM/DD/YYYY",
    "24h": "YYYY-MM-DD HH:MM:SS (24-hour clock)",
    "12h": "YYYY-MM-DD H:MM:SS AM/PM (12-hour clock)",
    "day": "YYYY-MM-DD",
    "month": "a day, month name and year (like 22 Dec 2025)",
}

_UNAMBIGUOUS = frozenset({"iso", "ymd/", "ymd.", "ymd年", "dmy.", "month"})
_ACCEPTED = {
    "core_cadence": _UNAMBIGUOUS | {"dm/"},
    "hevy": _UNAMBIGUOUS | {"dm/"},
    # Strong writes ISO, but a spreadsheet that re-saves the export writes its own locale's numeric dates
    # (08/01/2026 07:31); their day/month order is settled by the file, as for every layout.
    "strong": _UNAMBIGUOUS | {"dm/"},
}


@dataclass(slots=True)
class DateCell:
    """One date cell of the file, as classified; `settle_dates` fills `day` (or reports why not)."""

    row: int
    column: str
    raw: str
    family: str  # a key of FAMILY_TEXT, or "" when the cell is no date at all
    day: date | None
    first: int = 0  # DD/MM vs MM/DD: the two leading numbers; month-name dates: first = day of month
    second: int = 0
    year: int = 0
    word: str = ""  # month-name dates: the month word as written (dots dropped)
    time_ok: bool = True  # the time of day, if any, is a clock time


# ----------------------------------------------------------------------------------------------------
# CLDR tables (lazy, cached)


def _word_key(text: str) -> str:
    """A word as looked up: NFKC, casefolded, only its letters and marks (dots, apostrophes, ׳ dropped)."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LM")


def _language(locale_id: str) -> str:
    return locale_id.split("_")[0]


def _preference(language: str) -> tuple[int, str]:
    try:
        return (PREFERRED_LANGUAGES.index(language), language)
    except ValueError:
        return (len(PREFERRED_LANGUAGES), language)


@cache
def _locale_ids(full: bool) -> tuple[str, ...]:
    """Every locale of the preferred languages; with `full`, also the language-level locale of every other one."""
    from babel import localedata

    ids = sorted(localedata.locale_identifiers())
    common = [i for i in ids if _language(i) in PREFERRED_LANGUAGES]
    if not full:
        return tuple(common)
    others = [
        i
        for i in ids
        if _language(i) not in PREFERRED_LANGUAGES and not any(p.isupper() or p.isdigit() for p in i.split("_")[1:])
    ]
    return tuple(common + others)


@cache
def _month_table(full: bool) -> dict[str, dict[str, int]]:
    """Month word key -> {language: month 1-12}; 0 when the word is two different months within one language."""
    from babel import Locale

    table: dict[str, dict[str, int]] = defaultdict(dict)
    for locale_id in _locale_ids(full):
        months = Locale.parse(locale_id).months
        language = _language(locale_id)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in months.get(context, {}).get(width, {}).items():
                    key = _word_key(name)
                    if not key:
                        continue
                    known = table[key].get(language)
                    table[key][language] = number if known in (None, number) else 0
    return dict(table)


def _pattern_literals(pattern: str) -> Iterable[str]:
    from babel.dates import tokenize_pattern

    for kind, value in tokenize_pattern(pattern):
        if kind == "chars":
            yield from re.findall(r"[^\W\d_]+", value)


@cache
def _fillers() -> frozenset[str]:
    """Words locales write around a date and time that are neither month nor day period (`de`, `г`, `à`, `年`, …)."""
    from babel import Locale

    words = {_word_key(w) for w in _EXTRA_FILLERS}
    for locale_id in _locale_ids(False):
        locale = Locale.parse(locale_id)
        patterns = [p.pattern for p in locale.date_formats.values()] + [p.pattern for p in locale.time_formats.values()]
        for pattern in [*patterns, *locale.datetime_formats.values()]:
            words.update(_word_key(w) for w in _pattern_literals(pattern.replace("{0}", "").replace("{1}", "")))
    months = _month_words()
    return frozenset(w for w in words if w and w not in months)


@cache
def _month_words() -> frozenset[str]:
    """Keys that are a month in some preferred language (never joiners or day periods)."""
    return frozenset(k for k, v in _month_table(False).items() if any(v.values()))


@cache
def _day_periods() -> dict[str, bool]:
    """Day-period key (`am`, `pm`, `pm` from `p. m.`, `오후`, `午後`, `下午`, …) -> whether hour 0 is allowed.

    Hour 0 goes with a day period only in locales whose 12-hour clock is CLDR's 0-11 `K` (Japanese
    `午後0:16`); with every other day period the hour is 1-12.
    """
    from babel import Locale

    seen: dict[str, list[bool]] = defaultdict(list)
    for locale_id in _locale_ids(False):
        locale = Locale.parse(locale_id)
        k_clock = "K" in (locale.datetime_skeletons.get("hm") and locale.datetime_skeletons["hm"].pattern or "")
        for context in ("format", "stand-alone"):
            for width in ("abbreviated", "wide"):
                for text in locale.day_periods.get(context, {}).get(width, {}).values():
                    seen[_word_key(text)].append(k_clock)
    fillers, months = _fillers(), _month_words()
    return {k: all(v) for k, v in seen.items() if len(k) > 1 and k not in fillers and k not in months}


_FAST_DAY_PERIODS = {"am": False, "pm": False}  # no CLDR load for the commonest case (a test checks CLDR agrees)


def _day_period(key: str) -> bool | None:
    """None when `key` is no day period; else whether hour 0 is allowed with it."""
    if key in _FAST_DAY_PERIODS:
        return _FAST_DAY_PERIODS[key]
    return _day_periods().get(key)


# ----------------------------------------------------------------------------------------------------
# tokenising one distinct cell text (pure, cached)


class _Scan(NamedTuple):
    family: str  # "", "iso", "ymd/", "ymd.", "ymd年", "dmy.", "dm/", "month"
    a: int = 0  # iso/ymd: year, month, day; dmy.: day, month, year; dm/: first, second, year; month: day, 0, year
    b: int = 0
    c: int = 0
    word: str = ""
    key: str = ""
    clock: str = ""  # "", "24h", "12h"
    time_ok: bool = True
    day: date | None = None  # unambiguous numeric dates only


_NOT_A_DATE = _Scan("")
_COLON_CLOCK = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?!\d)")
_H_CLOCK = re.compile(r"(?<!\d)(\d{1,2}) ?h ?(\d{2})(?: ?min(?: ?(\d{2}) ?s)?)?(?![\d\w])")  # fr-CA 15 h 16
_DOT_CLOCK = re.compile(r"(?<=\s)(\d{1,2})\.(\d{2})(?:\.(\d{2}))?(?!\.?\d)")  # da, fi, id: 15.16(.00)
_OFFSET = re.compile(r"\s*(?:z|(?:utc|gmt)?\s?[+\-−]\d{1,2}(?::?\d{2})?|utc|gmt)$", re.IGNORECASE)
_NUMERIC = (
    ("iso", re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")),
    ("ymd/", re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")),
    ("ymd.", re.compile(r"^(\d{4})\. ?(\d{1,2})\. ?(\d{1,2})\.?$")),
    ("ymd年", re.compile(r"^(\d{4}) ?[年년] ?(\d{1,2}) ?[月월] ?(\d{1,2}) ?[日일]?$")),
    ("dmy.", re.compile(r"^(\d{1,2})\. ?(\d{1,2})\. ?(\d{4})\.?$")),
    ("dm/", re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")),
)


class _Token(NamedTuple):
    kind: str  # "n" number, "w" word, "p" punctuation, "x" anything else
    text: str
    end: int


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        category = unicodedata.category(ch)
        if category == "Nd":
            j = i + 1
            while j < n and unicodedata.category(text[j]) == "Nd":
                j += 1
            out.append(_Token("n", text[i:j], j))
        elif category[0] in "LM":
            j = i + 1
            while j < n and (_is_word_char(text[j]) or (text[j] == "." and j + 1 < n and _is_word_char(text[j + 1]))):
                j += 1  # a dot between letters stays inside the word (Thai ก.ย., a.m.)
            out.append(_Token("w", text[i:j], j))
        else:
            j = i + 1
            if not ch.isspace():
                out.append(_Token("p" if category[0] in "PZ" else "x", ch, j))
        i = j
    return out


def _normalise(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw)  # full-width digits, U+202F before AM/PM
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip()  # Arabic/Hebrew direction marks


def _time_ok(hour: int, minute: int, second: int, period: str | None) -> bool:
    if period is not None:
        lowest = 0 if _day_period(period) else 1
        return lowest <= hour <= 12 and minute < 60 and second < 60
    return hour < 24 and minute < 60 and second < 60


def make_date(year: int, month: int, day: int) -> date | None:
    """The calendar date, or None when it is none or its year is outside FIRST_YEAR..LAST_YEAR."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


@lru_cache(maxsize=1 << 16)
def _scan(text: str) -> _Scan:
    """Tokenise one cell text (already stripped): its shape, numbers, month word and clock. Pure."""
    s = _normalise(text)
    if not s:
        return _NOT_A_DATE
    period: str | None = None
    clock = _COLON_CLOCK.search(s) or _H_CLOCK.search(s) or _DOT_CLOCK.search(s)
    prefix = s
    hour = minute = second = 0
    if clock:
        prefix, suffix = s[: clock.start()], s[clock.end() :]
        hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
        rest = _OFFSET.sub("", suffix.strip()).strip()
        if rest:
            if not all(_is_word_char(ch) or ch in ". " for ch in rest):
                return _NOT_A_DATE
            key = _word_key(rest)
            if _day_period(key) is not None:
                period = key
            elif key not in _fillers():
                return _NOT_A_DATE
        if re.search(r"\d[Tt]$", prefix):
            prefix = prefix[:-1]
    tokens = _tokens(prefix)
    while tokens:  # drop what stands between the date and the clock: commas, joiners, a leading day period
        last = tokens[-1]
        if last.kind == "p" and last.text in ",،":
            tokens.pop()
            continue
        word = tokens[-2] if last.kind == "p" and last.text == "." and len(tokens) > 1 else last
        if word.kind != "w":
            break
        key = _word_key(word.text)
        if clock and period is None and _day_period(key) is not None:
            period = key
        elif key not in _fillers():
            break
        del tokens[-2 if word is not last else -1 :]
    if not tokens:
        return _NOT_A_DATE
    part = prefix[: tokens[-1].end].strip()
    time_ok = _time_ok(hour, minute, second, period) if clock else True
    clock_kind = "" if not clock else ("12h" if period is not None else "24h")
    for family, pattern in _NUMERIC:
        m = pattern.match(part)
        if not m:
            continue
        a, b, c = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if family == "dm/":
            return _Scan(family, a, b, c, clock=clock_kind, time_ok=time_ok)
        y, mo, d = (c, b, a) if family == "dmy." else (a, b, c)
        return _Scan(family, a, b, c, clock=clock_kind, time_ok=time_ok, day=make_date(y, mo, d) if time_ok else None)
    return _scan_month(tokens, clock_kind, time_ok)


def _scan_month(tokens: list[_Token], clock_kind: str, time_ok: bool) -> _Scan:
    """A day, a month word and a 4-digit year in any order, joiners and punctuation aside."""
    if any(t.kind == "x" for t in tokens):
        return _NOT_A_DATE
    numbers = [t.text for t in tokens if t.kind == "n"]
    words = [t.text for t in tokens if t.kind == "w"]
    if len(numbers) != 2 or not words:
        return _NOT_A_DATE
    if len(words) > 1:
        words = [w for w in words if _word_key(w) not in _fillers()]
    years = [n for n in numbers if len(n) == 4]
    days = [n for n in numbers if len(n) <= 2]
    if len(words) != 1 or len(years) != 1 or len(days) != 1:
        return _NOT_A_DATE
    word = words[0].replace(".", "")
    return _Scan("month", int(days[0]), 0, int(years[0]), word, _word_key(word), clock_kind, time_ok)


def classify_date(raw: str, row: int, column: str, layout: str) -> DateCell:
    """Classify one date cell; `family` says how it was written ("" = no date); see `settle_dates`.

    Unambiguous numeric dates get their `day` here; DD/MM-or-MM/DD and month-name dates wait for the
    whole file (`settle_dates`). In Strong's layout an ISO cell's family is its clock: "24h", "12h" or
    "day" (a file mixing them is refused, as before).
    """
    s = raw.strip()
    return DateCell(row, column, s, *_classified(s, layout))


@lru_cache(maxsize=1 << 16)
def _classified(s: str, layout: str) -> tuple[str, date | None, int, int, int, str, bool]:
    """DateCell's fields after (row, column, raw) for the cell text `s` in `layout`."""
    if layout not in _ACCEPTED:
        raise ValueError(f"unknown layout {layout!r}; expected one of {LAYOUTS}")
    scan = _scan(s)
    family = scan.family
    if family not in _ACCEPTED[layout]:
        return ("", None, 0, 0, 0, "", True)
    if family == "month":
        return (family, None, scan.a, 0, scan.c, scan.word, scan.time_ok)
    if family == "dm/":
        if not scan.time_ok:
            return (family, None, 0, 0, 0, "", False)
        return (family, None, scan.a, scan.b, scan.c, "", True)
    if layout == "strong" and family == "iso":
        family = scan.clock or "day"
    return (family, scan.day, 0, 0, 0, "", scan.time_ok)


# ----------------------------------------------------------------------------------------------------
# the whole file


class _Months(NamedTuple):
    month: dict[str, int]  # key -> month, for the keys the file's language reads
    language: str | None  # the language chosen, when one was
    unknown: frozenset[str]  # keys no language has as a month
    foreign: frozenset[str]  # keys known elsewhere but not in the chosen language
    ambiguous: dict[str, dict[str, int]]  # keys whose month differs between candidate languages, none preferred


def _covering(table: dict[str, dict[str, int]], keys: Iterable[str]) -> set[str]:
    languages: set[str] | None = None
    for key in keys:
        have = {language for language, month in table.get(key, {}).items() if month}
        languages = have if languages is None else languages & have
    return languages or set()


def _resolve_months(counts: Counter[str]) -> _Months:
    """The file's month words -> months, by the language that reads all of them (module docstring)."""
    keys = set(counts)
    table = _month_table(False)
    if not (keys <= table.keys() and _covering(table, keys)):
        table = _month_table(True)
    unknown = frozenset(k for k in keys if not any(table.get(k, {}).values()))
    known = sorted(keys - unknown)
    if not known:
        return _Months({}, None, unknown, frozenset(), {})
    candidates = _covering(table, known)
    if candidates:
        readings = {language: tuple(table[k][language] for k in known) for language in candidates}
        preferred = [language for language in candidates if language in PREFERRED_LANGUAGES]
        if len(set(readings.values())) == 1 or preferred:
            language = min(preferred or candidates, key=_preference)
            return _Months({k: table[k][language] for k in known}, language, unknown, frozenset(), {})
        agreed: dict[str, int] = {}
        ambiguous: dict[str, dict[str, int]] = {}
        for k in known:
            meanings = {language: table[k][language] for language in candidates}
            if len(set(meanings.values())) == 1:
                agreed[k] = next(iter(meanings.values()))
            else:
                ambiguous[k] = meanings
        return _Months(agreed, None, unknown, frozenset(), ambiguous)
    cover: Counter[str] = Counter()
    for k in known:
        for language, month in table[k].items():
            if month:
                cover[language] += counts[k] * 1_000_000 + 1  # cells first, then distinct words
    language = min(cover, key=lambda lang: (-cover[lang], _preference(lang)))
    month = {k: table[k][language] for k in known if table[k].get(language)}
    return _Months(month, language, unknown, frozenset(k for k in known if k not in month), {})


@cache
def _language_name(language: str) -> str:
    from babel import Locale

    return Locale.parse(language).english_name or language


def settle_dates(cells: list[DateCell], report: Callable[[int | None, str | None, str], None], layout: str) -> None:
    """One date format per file; DD/MM vs MM/DD only when the file itself settles it; month words by the
    file's language. Fills `day` of every cell, or reports (row, column, text) why not."""
    handled: set[int] = set()  # cells already reported
    unknown_word: set[int] = set()  # cells whose "month" word is no month of any language: not a date
    month_cells = [c for c in cells if c.family == "month"]
    if month_cells:
        key_of = {word: _word_key(word) for word in {c.word for c in month_cells}}
        resolved = _resolve_months(Counter(key_of[c.word] for c in month_cells))
        days: dict[tuple[int, int, int], date | None] = {}
        for c in month_cells:
            key = key_of[c.word]
            if key in resolved.unknown:
                c.family = ""
                unknown_word.add(id(c))
            elif key in resolved.foreign:
                handled.add(id(c))
                report(
                    c.row,
                    c.column,
                    f"'{c.raw}' has a month name we do not know: '{c.word}' is not a month in "
                    f"{_language_name(resolved.language or '')}, the language of the file's other dates; write "
                    "every date in one language (export the file again) or as YYYY-MM-DD",
                )
            elif key in resolved.ambiguous:
                handled.add(id(c))
                meanings = ", ".join(
                    f"{_month_name(m)} in {_language_name(lang)}"
                    for lang, m in sorted(resolved.ambiguous[key].items(), key=lambda item: _preference(item[0]))
                )
                report(
                    c.row,
                    c.column,
                    f"'{c.raw}' has a month name that means different months in different languages "
                    f"('{c.word}': {meanings}); write dates as YYYY-MM-DD",
                )
            elif c.time_ok:
                at = (c.year, resolved.month[key], c.first)
                if at not in days:
                    days[at] = make_date(*at)
                c.day = days[at]
    slash = [c for c in cells if c.family == "dm/"]
    ambiguous: DateCell | None = None  # a DD/MM-or-MM/DD date the file does not settle
    if slash:
        day_first = [c for c in slash if c.first > 12]
        month_first = [c for c in slash if c.second > 12]
        if day_first and month_first:
            minority, order = (month_first, "mdy/") if len(day_first) >= len(month_first) else (day_first, "dmy/")
            other = "DD/MM/YYYY" if order == "mdy/" else "MM/DD/YYYY"
            for c in minority:
                report(
                    c.row,
                    c.column,
                    f"'{c.raw}' can only be {FAMILY_TEXT[order]}, but other rows are {other}; "
                    "use one date format in the whole file (best: YYYY-MM-DD)",
                )
            for c in slash:
                c.family = "dmy/" if c.first > 12 else ("mdy/" if c.second > 12 else order)
        elif day_first or month_first:
            order = "dmy/" if day_first else "mdy/"
            for c in slash:
                c.family = order
        elif any(c.first != c.second for c in slash):
            ambiguous = next(c for c in slash if c.first != c.second)
        else:
            for c in slash:
                c.family = "dmy/"
        if ambiguous is None:
            for c in slash:
                if c.family == "dmy/":
                    c.day = make_date(c.year, c.second, c.first)
                else:
                    c.day = make_date(c.year, c.first, c.second)
    known = [c for c in cells if c.family]
    counts = Counter(c.family for c in known)
    main = counts.most_common(1)[0][0] if counts else ""
    if len(counts) > 1:
        for c in known:
            if c.family != main and not (c.family in ("dmy/", "mdy/") and main in ("dmy/", "mdy/")):
                report(
                    c.row,
                    c.column,
                    f"'{c.raw}' is written as {FAMILY_TEXT[c.family]} but most dates in the file are "
                    f"{FAMILY_TEXT[main]}; use one date format in the whole file",
                )
    if ambiguous is not None and main == "dm/":
        example = ambiguous
        report(
            None,
            example.column,
            f"dates like '{example.raw}' could be day/month or month/day, and no date in the file settles "
            f"it (none has a number above 12 in the first two places); write dates as YYYY-MM-DD "
            f"(e.g. {example.year:04d}-{example.second:02d}-{example.first:02d} if it is "
            f"{example.first} {_month_name(example.second)})",
        )
    for c in cells:
        if c.family == "dm/" or id(c) in handled:
            continue  # unsettled day/month order, or a month word: reported above
        if c.family and c.day is None:
            report(
                c.row,
                c.column,
                f"'{c.raw}' is not a calendar date between {FIRST_YEAR} and {LAST_YEAR} "
                "(or its time of day is impossible)",
            )
        elif not c.family:
            if not c.raw:
                report(c.row, c.column, "the date is blank; every row needs a date")
            else:
                hint = f" ('{c.word}' is not a month name we know)" if id(c) in unknown_word else ""
                report(c.row, c.column, f"'{c.raw}' is not a date; expected {expected_date(layout)}{hint}")


def _month_name(m: int) -> str:
    names = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")
    return (names + ("November", "December"))[m - 1] if 1 <= m <= 12 else str(m)


def expected_date(layout: str) -> str:
    """The "expected ..." phrase of a date problem in this layout."""
    if layout == "strong":
        return "a Strong date like 2026-01-08 07:31:54 or 2026-01-08 7:31:54 PM"
    if layout == "hevy":
        return "a Hevy date like 22 Dec 2025, 08:00 or Jun 11, 2026, 1:01 PM"
    return "a date like 2026-01-08 (YYYY-MM-DD)"
