"""Bytes to a table of text cells: size cap, encoding, delimiter, header (DESIGN.md §7 CSV rules).

Every strength layout is read through `read_table`; `head_table` applies the same rules to the first
bytes of a file, which is how `sniff_layout` (and through it `analysis.ingest.sources`) tells a
strength log from other files without a second copy of these rules.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import InputError
from analysis.io.source import load_source, sniff_format

MAX_STRENGTH_LOG_BYTES = 20_000_000  # 20 MB; a year of daily logging is well under 1 MB
MAX_STRENGTH_LOG_ROWS = 200_000  # data rows; a decade of one set per row is ~50,000
MAX_STRENGTH_LOG_HEADER_COLUMNS = 200
DELIMITERS = (",", ";", "\t")


@dataclass
class Table:
    name: str
    header: list[str]  # cells as written, trimmed
    keys: list[str]  # header cells normalised for matching ("" for an empty name)
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells padded to the header width)
    delimiter: str
    ragged: list[int]  # rows with more non-blank cells than the header has columns

    @property
    def decimal_comma(self) -> bool:
        """Files split by `;` or tabs are written where a comma is the decimal mark (`62,5`)."""
        return self.delimiter != ","


def header_key(text: str) -> str:
    """A header cell for matching: case folded, accents kept, no spaces or punctuation ('Back pain' -> 'backpain')."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


# ----------------------------------------------------------------------------------------------------
# bytes


def load_log_bytes(source: object) -> tuple[bytes, str]:
    """Bytes and display name of `source`, refusing anything above MAX_STRENGTH_LOG_BYTES before reading it all."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            size = path.stat().st_size if path.is_file() else None
        except (OSError, ValueError):
            size = None  # load_source says what is wrong with the path
        if size is not None and size > MAX_STRENGTH_LOG_BYTES:
            raise InputError(_too_big(size), file_name=path.name)
        try:
            data, name = load_source(source)
        except InputError:
            raise
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot be opened ({exc})", file_name=path.name) from exc
    elif hasattr(source, "read") and not isinstance(source, (bytes, bytearray, memoryview)):
        name = Path(str(getattr(source, "name", "") or "uploaded file")).name
        try:
            chunk = source.read(MAX_STRENGTH_LOG_BYTES + 1)
        except Exception as exc:
            raise InputError(f"cannot be read ({type(exc).__name__}: {exc})", file_name=name) from exc
        if isinstance(chunk, str):
            raise InputError("was opened as text; open it in binary mode ('rb')", file_name=name)
        data, name = load_source(bytes(chunk), name)
    else:
        data, name = load_source(source)
    if len(data) > MAX_STRENGTH_LOG_BYTES:
        raise InputError(_too_big(len(data)), file_name=name)
    return data, name


def _too_big(size: int) -> str:
    return (
        f"is {size / 1e6:.1f} MB; strength logs above {MAX_STRENGTH_LOG_BYTES / 1e6:.0f} MB are refused "
        "(split the file by year)"
    )


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Text and encoding name. Tried in order: UTF-8 (BOM or not), UTF-16 (with BOM), Windows-1252."""
    kind = sniff_format(data)
    if kind == "zip" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(
            "is an Excel workbook or a zip archive, not a CSV file: in your spreadsheet choose "
            "Save as / Download as CSV (UTF-8), or unpack the archive first",
            file_name=name,
        )
    if kind in ("fit", "gpx", "tcx", "gzip"):
        raise InputError(
            f"is a {kind.upper()} file, not a strength log CSV; import activities on the activity import",
            file_name=name,
        )
    for codec, label in _encodings(data):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, label
    raise InputError(
        "is not a text file in UTF-8, UTF-16 (with byte-order mark) or Windows-1252: it looks binary. "
        "Export the log again as CSV (UTF-8)",
        file_name=name,
    )


def _encodings(data: bytes) -> tuple[tuple[str, str], ...]:
    if data.startswith(b"\xef\xbb\xbf"):
        return (("utf-8-sig", "UTF-8"),)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return (("utf-16", "UTF-16"),)
    return (("utf-8", "UTF-8"), ("cp1252", "Windows-1252"))


def decode_head(head: bytes, *, truncated: bool) -> str | None:
    """The first bytes of a file as text, by the encodings `decode` tries, or None when they look binary.

    `truncated` says the file goes on after `head`, so a UTF-8 or UTF-16 character cut at the end is
    not a sign of another encoding.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[: len(head) // 2 * 2].decode("utf-16", "replace")
    elif head.startswith(b"\xef\xbb\xbf"):
        text = head[3:].decode("utf-8", "replace")
    else:
        if b"\x00" in head:
            return None
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if truncated and exc.start >= len(head) - 3:
                text = head[: exc.start].decode("utf-8", "replace")
            else:
                text = head.decode("cp1252", "replace")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > max(2, len(text) // 100):
        return None
    return text


# ----------------------------------------------------------------------------------------------------
# text -> table


def read_table(text: str, name: str) -> Table:
    """Cut the text into a header and rows; the delimiter is read from the header line (or Excel's `sep=`)."""
    body, delimiter, lines_before = _before_header(text, name)
    header_line = body[: _line_end(body)]
    if not header_line.strip():
        raise InputError("is empty: there is no header row and no data", file_name=name)
    if delimiter is None:
        delimiter = _header_delimiter(header_line, name)
    if _count_outside_quotes(header_line, delimiter) >= MAX_STRENGTH_LOG_HEADER_COLUMNS:
        raise InputError(
            f"has more than {MAX_STRENGTH_LOG_HEADER_COLUMNS} columns in its header: this does not look like a "
            "strength log",
            file_name=name,
        )
    return _records(body, delimiter, lines_before, name, limit=None)


def head_table(text: str, *, truncated: bool, max_rows: int = 50) -> Table | None:
    """The header and first rows of a file's first bytes, by the rules of `read_table`; None when it is no table.

    With `truncated`, the last (possibly cut) line is left out.
    """
    if truncated:
        cut = max(text.rfind("\n"), text.rfind("\r"))
        text = text[: cut + 1] if cut >= 0 else text
    try:
        body, delimiter, lines_before = _before_header(text, "head")
        header_line = body[: _line_end(body)]
        if not header_line.strip():
            return None
        if delimiter is None:
            delimiter = _header_delimiter(header_line, "head")
        return _records(body, delimiter, lines_before, "head", limit=max_rows)
    except InputError:
        return None


def _before_header(text: str, name: str) -> tuple[str, str | None, int]:
    """The text from the header line on, the delimiter of a `sep=` line, and the blank lines before the header."""
    delimiter = None
    body = text
    first_end = _line_end(body)
    first = body[:first_end].strip()
    if first.casefold().startswith("sep=") and len(first) == 5 and first[4] in DELIMITERS:
        delimiter = first[4]  # Excel's "sep=;" hint line; Excel does not show it as a row
        body = _after_line(body, first_end)
    # blank lines before the header are rows a spreadsheet shows: count them, start at the header line
    prefix = body[: len(body) - len(body.lstrip(" \t\r\n"))]
    cut = max(prefix.rfind("\n"), prefix.rfind("\r")) + 1
    lines_before = 0
    if cut:
        lines_before = prefix.count("\n", 0, cut) + prefix.count("\r", 0, cut) - prefix.count("\r\n", 0, cut)
        body = body[cut:]
        if lines_before > MAX_STRENGTH_LOG_ROWS:
            raise InputError(f"has more than {MAX_STRENGTH_LOG_ROWS:,} blank lines before its header", file_name=name)
    return body, delimiter, lines_before


def _header_delimiter(header_line: str, name: str) -> str:
    counts = {d: _count_outside_quotes(header_line, d) for d in DELIMITERS}
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if ranked[0][1] == 0:
        shown = header_line.strip()[:80]
        raise InputError(
            f"has a single column (header row: '{shown}'); a strength log needs columns separated by "
            "commas, semicolons or tabs, e.g. 'date,exercise,sets,reps'",
            file_name=name,
        )
    if ranked[0][1] == ranked[1][1]:
        a, b = (_delimiter_name(d) for d, _ in ranked[:2])
        raise InputError(f"has a header row that could be split by {a} or by {b}; use one of them only", file_name=name)
    return ranked[0][0]


def _records(body: str, delimiter: str, lines_before: int, name: str, *, limit: int | None) -> Table:
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, quotechar='"', strict=True)
    header_row = lines_before + 1
    rows: list[tuple[int, list[str]]] = []
    ragged: list[int] = []
    header: list[str] | None = None
    index = -1  # records read so far - 1 (the header is record 0)
    try:
        for index, record in enumerate(reader):
            if header is None:
                header = [c.replace("\ufeff", "").strip() for c in record]
                if len(header) > MAX_STRENGTH_LOG_HEADER_COLUMNS:
                    raise InputError(
                        f"has {len(header)} columns in its header; at most {MAX_STRENGTH_LOG_HEADER_COLUMNS} "
                        "are read: this does not look like a strength log",
                        file_name=name,
                    )
                continue
            if limit is not None and len(rows) >= limit:
                break
            if index > MAX_STRENGTH_LOG_ROWS:
                raise InputError(
                    f"has more than {MAX_STRENGTH_LOG_ROWS:,} rows; split it into smaller files", file_name=name
                )
            width = len(header)
            if len(record) > width:
                if any(c.strip() for c in record[width:]):
                    ragged.append(header_row + index)
                record = record[:width]
            elif len(record) < width:
                record = record + [""] * (width - len(record))
            rows.append((header_row + index, record))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            # The csv module's own cap (131,072 characters), reached by one huge cell or by an opening
            # quote that is never closed, which swallows the rest of the file into one cell.
            raise InputError(
                f"row {header_row + index + 1}: a cell is longer than {csv.field_size_limit():,} characters, so "
                "either a cell holds far more than a log's notes ever do, or a cell opens a double quote (\") "
                "and never closes it",
                file_name=name,
            ) from None
        raise InputError(
            f"row {header_row + index + 1}: the CSV quoting is broken ({exc}); a cell that starts with a "
            'double quote (") must end with one',
            file_name=name,
        ) from exc
    assert header is not None
    return Table(name, header, [header_key(h) for h in header], rows, delimiter, ragged)


def _line_end(text: str) -> int:
    ends = [i for i in (text.find("\n"), text.find("\r")) if i >= 0]
    return min(ends) if ends else len(text)


def _after_line(text: str, end: int) -> str:
    if text.startswith("\r\n", end):
        return text[end + 2 :]
    return text[end + 1 :]


_QUOTED = re.compile(r'"[^"]*(?:"|$)')


def _count_outside_quotes(line: str, ch: str) -> int:
    """How often `ch` occurs in `line` outside double-quoted parts."""
    return _QUOTED.sub("", line).count(ch)


def _delimiter_name(d: str) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs"}[d]
