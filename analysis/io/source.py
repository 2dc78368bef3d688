"""Turn a path, bytes or binary file object into (bytes, file name), and tell formats apart by content."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from analysis.errors import InputError

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")
# Compressed activity files as Strava exports them (`activities/<id>.fit.gz`); found by name, read by content.
COMPRESSED_ACTIVITY_SUFFIXES = tuple(s + ".gz" for s in ACTIVITY_SUFFIXES)

# One activity file from a watch is rarely above 10 MB (a 24-hour ultra at 1 Hz is ~8 MB of FIT);
# anything far larger is not a run and would only tie up a worker. Issue 9 adds upload-wide caps.
MAX_ACTIVITY_BYTES = 64 * 1024 * 1024
# Compressed data (a zip member, a .gz file) may unpack to at most this many times its packed size once past
# MAX_RATIO_EXEMPT_BYTES: real activity files pack 3-15 times, a compression bomb 1,000. The ingest's archive
# caps (analysis.ingest.sources.ArchiveLimits) and read_activity's gunzip both start from these.
MAX_UNPACK_RATIO = 100.0
MAX_RATIO_EXEMPT_BYTES = 1024**2


def load_source(source: object, filename: str | None = None) -> tuple[bytes, str]:
    """Return the raw bytes and a display name for `source` (path, bytes-like or binary file)."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = filename or path.name
        try:
            size = path.stat().st_size
            if size > MAX_ACTIVITY_BYTES:
                raise InputError(_too_big(size), file_name=name)
            return path.read_bytes(), name
        except FileNotFoundError:
            raise InputError("file not found", file_name=name) from None
        except IsADirectoryError:
            raise InputError("is a folder, not a file", file_name=name) from None
        except PermissionError:
            raise InputError("cannot be read (permission denied)", file_name=name) from None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = filename or "uploaded file"
    elif hasattr(source, "read"):
        name = filename or Path(str(getattr(source, "name", "") or "uploaded file")).name
        data = source.read(MAX_ACTIVITY_BYTES + 1)
        if isinstance(data, str):
            raise InputError("was opened as text; open it in binary mode ('rb')", file_name=name)
        data = bytes(data)
    else:
        raise InputError(
            f"cannot read a {type(source).__name__}; give a path, bytes or a binary file", file_name=filename
        )
    if len(data) > MAX_ACTIVITY_BYTES:
        raise InputError(_too_big(len(data)), file_name=name)
    return data, name


def _too_big(size: int) -> str:
    return f"is {size / 1e6:.0f} MB; activity files above {MAX_ACTIVITY_BYTES / 1e6:.0f} MB are refused"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sniff_format(data: bytes) -> str:
    """'fit', 'gpx', 'tcx', 'zip', 'gzip' or 'unknown', from the bytes only (never the name)."""
    if len(data) >= 12 and data[0] in (12, 14) and data[8:12] == b".FIT":
        return "fit"
    if data[:4] == b"PK\x03\x04":
        return "zip"
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    head = data[:4096]
    while True:  # BOMs and whitespace before "<?xml", in any order (Strava's TCX: newlines and spaces)
        stripped = head.lstrip()
        stripped = stripped[3:] if stripped.startswith(b"\xef\xbb\xbf") else stripped
        if stripped == head:
            break
        head = stripped
    if head.startswith(b"<"):
        lowered = head.lower()
        if b"<gpx" in lowered:
            return "gpx"
        if b"<trainingcenterdatabase" in lowered:
            return "tcx"
    return "unknown"


def find_activity_files(root: Path) -> list[Path]:
    """Every *.fit / *.gpx / *.tcx file under `root`, also gzipped (*.tcx.gz ...), at any depth and in any
    letter case, sorted; [] when `root` is absent.

    Used to pick files out of a folder only; what a file *is* is still decided from its content.
    """
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and _is_activity_name(p.name))


def _is_activity_name(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(ACTIVITY_SUFFIXES) or lowered.endswith(COMPRESSED_ACTIVITY_SUFFIXES)
