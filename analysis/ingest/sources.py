"""Files, folders, zip and gzip archives and uploads in; one `SourceFile` or `Skipped` per file out.

`expand_sources` is the first half of the ingest pipeline (DESIGN.md §3 import report, §7 hostile input).
It accepts what a runner or coach has at hand: single FIT/GPX files and strength-log CSVs, folders
(read recursively), zip archives (a Garmin account export is a zip holding zips; a Strava export is a
zip holding `activities/*.fit.gz`), gzip files and Streamlit uploads as `(name, bytes)` tuples.

Rules, and why:

- **Content decides, never the name.** Zip and gzip are recognised by their magic bytes, activities by
  `analysis.io.source.sniff_format`, strength logs by `analysis.io.strength.sniff_layout` (the
  reader's own rules for encodings, delimiters, headers and layouts). A `.txt` holding a strength
  log is a strength log; a `.fit` holding a JPEG is skipped as a JPEG.
- **Nothing is extracted to disk and no name from an archive is ever used as a path.** Members are read
  through `zipfile.ZipFile.open` into memory; member names only become display names
  (`"export.zip/activities/123.fit.gz"`), so `../` or absolute names cannot write anywhere. The one
  exception to "in memory": a *nested* archive larger than `max_file_bytes` (Garmin's inner
  `UploadedFiles_*.zip` can be hundreds of MB) is buffered in an anonymous `SpooledTemporaryFile`
  (deleted on close, its name never derived from the archive), because `zipfile` needs a seekable file and
  seeking inside a compressed member means decompressing it again for every seek.
- **Archive bombs are refused fast**, by declared sizes first (cheap) and again while actually reading
  (declared sizes can lie): member count, bytes unpacked per top-level file, per-member expansion ratio,
  nesting depth (zip and gzip both count: a gzip or zip "quine" unpacks to itself forever) and the size
  of one file. See `ArchiveLimits`.
- **Lazy**: a generator. One member is in memory at a time (plus the archives it sits in), so a big
  account export is never all in memory at once.
- **Hidden files are skipped silently**: names starting with `.` (`.DS_Store`, macOS `._*` resource
  forks, `.git/`), `__MACOSX/` folders, `Thumbs.db` and `desktop.ini`. They are operating-system litter,
  never a runner's data, and a macOS-made zip has one `__MACOSX` entry per real file: listing them would
  bury the import report. A hidden file named directly (not found in a folder or archive) is read.
- Every problem becomes a `Skipped` with a sentence a runner can act on; nothing here raises for bad input.

Display names: a file given directly is shown by its base name; files found in a folder by the folder's
name and the path below it (`"ana/2026-09-07-run.fit"`, so runs of two athletes' folders stay apart);
archive members as `"<archive name>/<member name>"`; a `.gz` file keeps its own name (`"123.fit.gz"`).
A path that does not exist is shown as given.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from analysis.ingest.strava import is_activity_list
from analysis.io.source import MAX_ACTIVITY_BYTES, MAX_RATIO_EXEMPT_BYTES, MAX_UNPACK_RATIO, sniff_format
from analysis.io.strength import sniff_layout

HEAD_BYTES = 64 * 1024  # read first to decide what a file is; enough for any CSV header line
_CHUNK = 1024 * 1024  # bytes decompressed per step, so caps are checked before memory grows further
_HIDDEN_NAMES = frozenset({"__macosx", "thumbs.db", "desktop.ini"})
_MAX_NAME_PART = 255  # characters of one display-name part kept (archive names can be any length)


@dataclass(frozen=True)
class SourceFile:
    """One file to parse.

    `name` is what the user sees (never used as a filesystem path); `data` the file's bytes, decompressed
    when it came as `.gz`; `kind` is `"fit"`, `"gpx"` or `"strength_csv"`, decided from the content, or
    `"strava_list"` for Strava's `activities.csv` (`analysis.ingest.strava`, applied before parsing).
    """

    name: str
    data: bytes = field(repr=False)
    kind: str


@dataclass(frozen=True)
class Skipped:
    """A file (or a whole archive) that is not read, and why, as a sentence for the import report."""

    name: str
    reason: str


@dataclass(frozen=True)
class ArchiveLimits:
    """Caps against archive bombs and oversized files. Sizes in bytes (uncompressed unless said).

    - `max_members`: files in one top-level file's archives, nested archives included (a Garmin
      account export of ten years holds a few thousand).
    - `max_total_bytes`: bytes unpacked from one top-level file (a file named directly, found in a folder
      or uploaded), counting every level (an inner zip and then its members).
    - `max_ratio`: unpacked size / packed size of one zip member or gzip file. FIT packs ~3-6×, GPX
      ~8-15×, so 100× is far above real data and far below a bomb (deflate reaches ~1,000×).
    - `ratio_exempt_bytes`: members that unpack to no more than this are never refused for their ratio:
      they cannot hurt, and tiny files (a CSV of empty rows) compress extremely well.
    - `max_depth`: containers around one file, zip and gzip alike: `zip > zip > x.fit.gz` is 3.
    - `max_file_bytes`: one unpacked activity or strength file (the readers refuse larger files too).
    """

    max_members: int = 20_000
    max_total_bytes: int = 4 * 1024**3
    max_ratio: float = MAX_UNPACK_RATIO
    ratio_exempt_bytes: int = MAX_RATIO_EXEMPT_BYTES
    max_depth: int = 3
    max_file_bytes: int = MAX_ACTIVITY_BYTES


class _Refused(Exception):
    """This file (or member) is skipped; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _SourceRefused(_Refused):
    """The whole top-level file stops here (its archive as a whole is too big or holds too many files)."""


class _Budget:
    """What one top-level file may still unpack: members and bytes, shared by every archive inside it."""

    def __init__(self, limits: ArchiveLimits):
        self.limits = limits
        self.members_left = limits.max_members
        self.bytes_left = limits.max_total_bytes

    def add_members(self, count: int) -> None:
        self.members_left -= count
        if self.members_left < 0:
            raise _SourceRefused(
                f"archive holds more than {self.limits.max_members:,} files (counting archives inside it); "
                "split it into smaller archives"
            )

    def check_declared(self, declared: int) -> None:
        if declared > self.bytes_left:
            raise _SourceRefused(self._too_much())

    def take(self, count: int) -> None:
        self.bytes_left -= count
        if self.bytes_left < 0:
            raise _SourceRefused(self._too_much())

    def _too_much(self) -> str:
        return (
            f"archive unpacks to more than {size_text(self.limits.max_total_bytes)} (possible zip bomb); "
            "unpack it and import the folders inside it one by one"
        )


def expand_sources(
    sources: Iterable[str | os.PathLike | tuple[str, bytes]], *, limits: ArchiveLimits | None = None
) -> Iterator[SourceFile | Skipped]:
    """Every file inside `sources`, in order, as a `SourceFile` to parse or a `Skipped` with its reason.

    `sources` holds paths (files or folders) and `(name, bytes)` uploads; a single path or upload is
    accepted too. Folders are read recursively in sorted order (letter case ignored); archive members in
    sorted order. A generator: nothing is read before it is asked for.
    """
    limits = limits or ArchiveLimits()
    if isinstance(sources, (str, os.PathLike)) or is_upload(sources):
        sources = [sources]  # type: ignore[list-item]
    for source in sources:
        if is_upload(source):
            name = _clean(str(source[0])) or "uploaded file"
            yield from _top(name, _expand_bytes(name, bytes(source[1]), 0, _Budget(limits), limits))
        elif isinstance(source, (str, os.PathLike)):
            path = Path(source)
            if path.is_dir():
                yield from _expand_folder(path, limits)
            else:
                yield from _expand_path(path, path.name or str(source), str(source), limits)
        else:
            yield Skipped(
                _clean(repr(source))[:80], f"is not a file ({type(source).__name__}); give a path, a folder or "
                "(name, bytes)"
            )


# ----------------------------------------------------------------------------------------------------
# paths and folders


def is_upload(source: object) -> bool:
    """True for an upload given as `(name, bytes-like)`, the form the Import page and `ingest` pass."""
    return (
        isinstance(source, tuple)
        and len(source) == 2
        and isinstance(source[0], str)
        and isinstance(source[1], (bytes, bytearray, memoryview))
    )


def _is_hidden(part: str) -> bool:
    """OS litter: dot files and folders (not "." or ".." path parts), __MACOSX, Thumbs.db, desktop.ini."""
    return (part.startswith(".") and part not in (".", "..")) or part.casefold() in _HIDDEN_NAMES


def _expand_folder(root: Path, limits: ArchiveLimits) -> Iterator[SourceFile | Skipped]:
    root_name = root.name or root.resolve().name or str(root)
    errors: list[OSError] = []
    found: list[tuple[tuple[str, ...], Path]] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):  # never follows linked folders
        dirnames[:] = [d for d in dirnames if not _is_hidden(d)]
        for file_name in filenames:
            if not _is_hidden(file_name):
                path = Path(dirpath, file_name)
                parts = path.relative_to(root).parts
                found.append((tuple(p.casefold() for p in parts) + parts, path))
    for error in errors:
        where = Path(error.filename or root)
        shown = f"{root_name}/{where.relative_to(root).as_posix()}" if where != root else root_name
        yield Skipped(shown, f"folder cannot be read ({error.strerror or error})")
    if not found and not errors:
        yield Skipped(root_name, "folder holds no files")
        return
    for _, path in sorted(found, key=lambda item: item[0]):
        shown = f"{root_name}/{path.relative_to(root).as_posix()}"
        yield from _expand_path(path, shown, shown, limits)


def _expand_path(path: Path, name: str, missing_name: str, limits: ArchiveLimits) -> Iterator[SourceFile | Skipped]:
    try:
        info = path.stat()
    except FileNotFoundError:
        yield Skipped(missing_name, "file not found")
        return
    except (OSError, ValueError) as exc:  # ValueError: a NUL character in the path
        yield Skipped(_clean(name), f"cannot be read ({getattr(exc, 'strerror', None) or exc})")
        return
    if not stat.S_ISREG(info.st_mode):
        yield Skipped(name, "is not a regular file (a device, pipe or socket)")
        return
    if info.st_size == 0:
        yield Skipped(name, "empty file")
        return
    try:
        handle = path.open("rb")
    except OSError as exc:
        reason = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
        yield Skipped(name, f"cannot be read ({reason})")
        return
    budget = _Budget(limits)
    with handle:
        try:
            head = handle.read(HEAD_BYTES)
            if sniff_format(head) == "zip":
                # Read in place: an account export can be gigabytes; zipfile reads members on demand.
                handle.seek(0)
                archive = _open_zip(handle)
                with archive:
                    yield from _top(name, _expand_zip(archive, name, 1, budget, limits))
                return
            if info.st_size > limits.max_file_bytes:
                raise _Refused(_too_big(info.st_size, limits))
            data = head + handle.read(limits.max_file_bytes + 1 - len(head))
            if len(data) > limits.max_file_bytes:
                raise _Refused(_too_big(len(data), limits))
        except _Refused as refused:
            yield Skipped(name, refused.reason)
            return
        except OSError as exc:
            yield Skipped(name, f"cannot be read ({exc.strerror or exc})")
            return
    yield from _top(name, _expand_bytes(name, data, 0, budget, limits))


def _top(name: str, items: Iterator[SourceFile | Skipped]) -> Iterator[SourceFile | Skipped]:
    """Pass `items` on; when the top-level file as a whole is refused, say so under its own name."""
    try:
        yield from items
    except _SourceRefused as refused:
        yield Skipped(name, refused.reason)
    except Exception as exc:  # a case not foreseen: still one Skipped for this file, never an exception
        yield Skipped(name, f"could not be unpacked (internal error: {type(exc).__name__}: {exc}); "
                            "what came before this line was read, the rest was not")


# ----------------------------------------------------------------------------------------------------
# archives


def _expand_bytes(
    name: str, data: bytes, depth: int, budget: _Budget, limits: ArchiveLimits
) -> Iterator[SourceFile | Skipped]:
    """`data` (already in memory, `depth` containers deep) as files: unpacked when zip or gzip."""
    if not data:
        yield Skipped(name, "empty file")
        return
    kind = sniff_format(data[:HEAD_BYTES])
    if kind not in ("zip", "gzip"):
        if len(data) > limits.max_file_bytes:
            yield Skipped(name, _too_big(len(data), limits))
        else:
            yield _leaf(name, data)
        return
    if depth >= limits.max_depth:
        yield Skipped(name, _too_deep(limits))
        return
    if kind == "gzip":
        try:
            unpacked = _gunzip(data, budget, limits)
        except _SourceRefused:
            raise
        except _Refused as refused:
            yield Skipped(name, refused.reason)
            return
        del data
        yield from _expand_bytes(name, unpacked, depth + 1, budget, limits)
        return
    try:
        archive = _open_zip(io.BytesIO(data))
    except _Refused as refused:
        yield Skipped(name, refused.reason)
        return
    with archive:
        yield from _expand_zip(archive, name, depth + 1, budget, limits)


def _open_zip(handle: IO[bytes]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(handle)
    except NotImplementedError as exc:
        raise _Refused(f"is a zip archive we cannot open ({exc}); zip the files again") from None
    except Exception as exc:  # BadZipFile mostly; a crafted directory can also raise struct.error and others
        raise _Refused(f"is a damaged zip archive ({exc}); download or export it again") from None


def _expand_zip(
    archive: zipfile.ZipFile, name: str, depth: int, budget: _Budget, limits: ArchiveLimits
) -> Iterator[SourceFile | Skipped]:
    """The members of `archive` (the `depth`-th container around them), sorted by name."""
    infos = [info for info in archive.infolist() if not info.is_dir()]
    budget.add_members(len(infos))
    names = {info.filename for info in infos}
    if "[Content_Types].xml" in names:
        yield Skipped(name, _office_reason(names))
        return
    visible = [info for info in infos if not any(_is_hidden(p) for p in info.filename.replace("\\", "/").split("/"))]
    budget.check_declared(sum(info.file_size for info in visible))
    if not visible:
        yield Skipped(name, "archive holds no files")
        return
    for info in sorted(visible, key=lambda i: (i.filename.casefold(), i.filename)):
        member = f"{name}/{_clean(info.filename.lstrip('/'))}"
        try:
            yield from _expand_member(archive, info, member, depth, budget, limits)
        except _SourceRefused:
            raise
        except _Refused as refused:
            yield Skipped(member, refused.reason)


def _expand_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    member: str,
    depth: int,
    budget: _Budget,
    limits: ArchiveLimits,
) -> Iterator[SourceFile | Skipped]:
    if info.flag_bits & 0x1:
        raise _Refused("is password-protected; zip it again without a password")
    if info.file_size == 0:
        yield Skipped(member, "empty file")
        return
    if info.file_size > limits.ratio_exempt_bytes and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise _Refused(_bomb(limits))
    nested: tempfile.SpooledTemporaryFile | None = None
    try:
        with archive.open(info) as handle:
            head = handle.read(HEAD_BYTES)
            if sniff_format(head) == "zip":
                if depth >= limits.max_depth:
                    raise _Refused(_too_deep(limits))
                nested = tempfile.SpooledTemporaryFile(max_size=limits.max_file_bytes)
                _pump(handle, head, nested.write, limits.max_total_bytes, info.compress_size, budget, limits)
                nested.seek(0)
            else:
                if info.file_size > limits.max_file_bytes:
                    raise _Refused(_too_big(info.file_size, limits))
                parts: list[bytes] = []
                _pump(handle, head, parts.append, limits.max_file_bytes, info.compress_size, budget, limits)
                data = b"".join(parts)
                del parts
    except BaseException as exc:
        if nested is not None:
            nested.close()
        if isinstance(exc, NotImplementedError):
            raise _Refused(
                f"uses a compression method we cannot open ({exc}); zip the files again with ordinary compression"
            ) from None
        if isinstance(exc, RuntimeError) and "password" in str(exc):  # "File ... is encrypted, password required"
            raise _Refused(f"cannot be unpacked ({exc}); zip it again without a password") from None
        if isinstance(exc, (_Refused, KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        if isinstance(exc, MemoryError):
            raise _Refused("could not be unpacked: not enough memory; import it on its own") from None
        # BadZipFile (bad CRC, bad local header), zlib.error, EOFError, OSError, or anything a crafted member causes
        raise _Refused(f"is damaged inside the archive ({exc}); download or export the archive again") from None
    if nested is None:
        yield from _expand_bytes(member, data, depth, budget, limits)
        return
    with nested:
        inner = _open_zip(nested)  # type: ignore[arg-type]
        with inner:
            yield from _expand_zip(inner, member, depth + 1, budget, limits)


def _pump(handle: IO[bytes], head: bytes, write, cap: int, packed: int, budget: _Budget, limits: ArchiveLimits) -> None:
    """Copy `head` and the rest of `handle` to `write`, enforcing the caps on what is actually unpacked."""
    total = 0
    chunk = head
    while chunk:
        total += len(chunk)
        if total > limits.ratio_exempt_bytes and total > limits.max_ratio * max(packed, 1):
            raise _Refused(_bomb(limits))
        budget.take(len(chunk))
        if total > cap:
            raise _Refused(_too_big(total, limits, unpacked=True))
        write(chunk)
        chunk = handle.read(_CHUNK)


def _gunzip(data: bytes, budget: _Budget, limits: ArchiveLimits) -> bytes:
    """The content of a gzip file (several concatenated members are one file), read in bounded steps."""
    parts: list[bytes] = []
    total = 0
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            while chunk := handle.read(_CHUNK):
                total += len(chunk)
                if total > limits.ratio_exempt_bytes and total > limits.max_ratio * len(data):
                    raise _Refused(_bomb(limits, "gzip"))
                budget.take(len(chunk))
                if total > limits.max_file_bytes:
                    raise _Refused(_too_big(total, limits, unpacked=True))
                parts.append(chunk)
    except (gzip.BadGzipFile, zlib.error, EOFError, OSError) as exc:
        raise _Refused(f"is a damaged gzip file ({exc}); download or export it again") from None
    return b"".join(parts)


# ----------------------------------------------------------------------------------------------------
# one file: what is it?


def _leaf(name: str, data: bytes) -> SourceFile | Skipped:
    kind = sniff_format(data[:HEAD_BYTES])
    if kind == "fit":
        other = _FIT_FILE_TYPES.get(_fit_file_type(data))  # type: ignore[arg-type]
        if other is not None:
            return Skipped(name, f"is a FIT {other} file, not a recorded activity; there is nothing to import")
        return SourceFile(name, data, kind)
    if kind == "gpx":
        return SourceFile(name, data, kind)
    if kind == "tcx":
        return SourceFile(name, data, kind)
    if is_activity_list(data[:HEAD_BYTES], truncated=len(data) > HEAD_BYTES):
        return SourceFile(name, data, "strava_list")  # joined to its export's files before parsing
    sniff = sniff_layout(data[:HEAD_BYTES], truncated=len(data) > HEAD_BYTES)
    if sniff.layout is not None:
        return SourceFile(name, data, "strength_csv")
    if sniff.text is not None:
        return Skipped(name, f"not an activity or strength log ({_describe_text(sniff.text, sniff.header)})")
    return Skipped(name, f"not an activity or strength log ({_describe_binary(data)})")


# FIT profile `file` enum: types that are certainly not recorded activities (4). A Garmin account export
# holds many monitoring, sleep and settings files; reading each would only fail with "no samples".
_FIT_FILE_TYPES = {
    1: "device", 2: "settings", 3: "sport settings", 5: "workout (a planned session)",
    6: "course (a planned route)", 7: "schedule", 9: "weight", 10: "totals", 11: "goals", 14: "blood pressure",
    15: "monitoring (all-day tracking)", 20: "activity summary", 28: "daily monitoring",
    32: "monitoring (all-day tracking)", 34: "segment", 35: "segment list", 40: "data screen settings",
}


def _fit_file_type(data: bytes) -> int | None:
    """`file_id.type` when the FIT file starts, as the protocol asks, with a file_id definition and message.

    Reads only those first two messages; None whenever the start looks any different (the reader decides).
    """
    try:
        at = data[0]  # header size
        header = data[at]
        if header & 0x80 or not header & 0x40:  # compressed-timestamp header, or not a definition message
            return None
        local = header & 0x0F
        endian = ">" if data[at + 2] == 1 else "<"
        if struct.unpack_from(endian + "H", data, at + 3)[0] != 0:  # global message 0 = file_id
            return None
        count = data[at + 5]
        fields = [(data[at + 6 + 3 * i], data[at + 7 + 3 * i]) for i in range(count)]
        at += 6 + 3 * count
        if header & 0x20:  # developer fields follow the definition
            developer = data[at]
            at += 1 + 3 * developer
        record = data[at]
        if record & 0xC0 or (record & 0x0F) != local:
            return None
        at += 1
        for number, size in fields:
            if number == 0:
                value = data[at]
                return None if value == 0xFF else value
            at += size
    except (IndexError, struct.error):
        return None
    return None


def _describe_text(text: str, header: tuple[str, ...] | None) -> str:
    start = text.lstrip("\ufeff \t\r\n")
    if start.startswith(("{", "[")):
        return "looks like JSON data"
    if start.startswith("<"):
        lowered = start[:2048].casefold()
        if "<html" in lowered or "<!doctype html" in lowered:
            return "looks like a web page"
        if "<kml" in lowered:
            return "looks like a KML map file; export the run as FIT or GPX"
        return "looks like an XML file, but not GPX"
    if header is not None:
        return (
            "looks like a CSV table without the columns of a strength log: it needs a 'date' column and an "
            "'exercise', 'session_type' or 'back_soreness' column, see the strength log template"
        )
    if not start:
        return "holds only blank lines"
    return "looks like a text file"


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "looks like a JPEG image"),
    (b"\x89PNG\r\n\x1a\n", "looks like a PNG image"),
    (b"GIF8", "looks like a GIF image"),
    (b"%PDF", "looks like a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "looks like an Excel (.xls) or other Office file; save it as CSV (UTF-8)"),
    (b"7z\xbc\xaf\x27\x1c", "looks like a 7z archive; only zip archives are opened: unpack it first"),
    (b"Rar!", "looks like a RAR archive; only zip archives are opened: unpack it first"),
    (b"BZh", "looks like a bzip2 archive; only zip and gzip are opened: unpack it first"),
    (b"\xfd7zXZ\x00", "looks like an xz archive; only zip and gzip are opened: unpack it first"),
    (b"SQLite format 3\x00", "looks like an SQLite database"),
    (b"RIFF", "looks like a sound, video or WebP image file"),
)


def _describe_binary(data: bytes) -> str:
    for magic, text in _MAGIC:
        if data.startswith(magic):
            return text
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
            return "looks like a HEIC/AVIF photo"
        return "looks like a video (MP4/MOV)"
    if data[257:262] == b"ustar":
        return "looks like a tar archive; only zip and gzip are opened: unpack it first"
    return "its content matches no format we read"


def _office_reason(names: set[str]) -> str:
    if any(n.startswith("xl/") for n in names):
        return "is an Excel workbook, not a CSV file: in your spreadsheet choose Save as / Download as CSV (UTF-8)"
    return "not an activity or strength log (looks like a Word, PowerPoint or other Office document)"


# ----------------------------------------------------------------------------------------------------
# sentences and names


def size_text(count: float) -> str:
    """Bytes as a short decimal size ("67 MB", "4.3 GB"), as the readers' messages write sizes."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if count >= scale:
            value = count / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{count:.0f} bytes"


def _too_big(count: int, limits: ArchiveLimits, *, unpacked: bool = False) -> str:
    size = f"is larger than {size_text(limits.max_file_bytes)} once unpacked" if unpacked else f"is {size_text(count)}"
    return f"{size}; files above {size_text(limits.max_file_bytes)} are refused (no activity file is that big)"


def _bomb(limits: ArchiveLimits, kind: str = "zip") -> str:
    return f"expands more than {limits.max_ratio:g}× (possible {kind} bomb); it was not unpacked"


def _too_deep(limits: ArchiveLimits) -> str:
    return (
        f"is packed more than {limits.max_depth} levels deep (an archive inside an archive inside an archive); "
        "unpack it and import what is inside"
    )


def _clean(name: str) -> str:
    """A name safe to show: control characters replaced, each part at most `_MAX_NAME_PART` characters."""
    shown = "".join("?" if ord(ch) < 32 or ord(ch) == 127 else ch for ch in name)
    parts = shown.split("/")
    return "/".join(p if len(p) <= _MAX_NAME_PART else p[: _MAX_NAME_PART - 1] + "…" for p in parts)
