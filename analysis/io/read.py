"""`read_activity`: the single entry point for activity files of every supported format."""

from __future__ import annotations

import gzip
import io
import zlib

from analysis.errors import InputError
from analysis.io.activity import Activity
from analysis.io.source import (
    MAX_ACTIVITY_BYTES,
    MAX_RATIO_EXEMPT_BYTES,
    MAX_UNPACK_RATIO,
    load_source,
    sha256_hex,
    sniff_format,
)

BACKENDS = ("fast", "fitparse", "gpxpy", "elementtree", "reference")
# A gzipped activity file (Strava's `activities/<id>.tcx.gz`) is unpacked in bounded steps, with the caps
# the ingest applies to archive members: at most MAX_ACTIVITY_BYTES, and MAX_UNPACK_RATIO (analysis.io.source).
_GZIP_CHUNK = 1024**2


def read_activity(source: object, *, filename: str | None = None, backend: str = "fast") -> Activity:
    """Read a FIT, GPX or TCX activity from a path, bytes or binary file object.

    The format is decided from the content, never the file name; a gzipped file (`run.tcx.gz`) is
    unpacked first, and its identity (`file_sha256`) is that of the unpacked file, as in the ingest.
    Every problem with the input raises `analysis.errors.InputError` naming the file; nothing else
    escapes.

    `backend` picks the decoder: "fast" (default; the vectorised FIT decoder and the lxml GPX and
    TCX paths, each falling back per file to its reference) or the reference readers: "fitparse" for
    FIT, "gpxpy" for GPX, "elementtree" for TCX, "reference" for all three. Frames are identical
    either way.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    data, name = load_source(source, filename)
    if not data:
        raise InputError("is empty (0 bytes); export the activity again from your watch or app", file_name=name)
    kind = sniff_format(data)
    if kind == "gzip":
        data = _gunzip(data, name)
        kind = sniff_format(data)
        if kind == "gzip":
            raise InputError("is a gzip file inside a gzip file; unpack it first", file_name=name)
    digest = sha256_hex(data)
    try:
        if kind == "fit":
            from analysis.io.fit import read_fit

            reference = backend in ("fitparse", "reference")
            return read_fit(data, name, digest, backend="fitparse" if reference else "fast")
        if kind == "gpx":
            if backend in ("gpxpy", "reference"):
                from analysis.io.gpx import read_gpx

                return read_gpx(data, name, digest)
            from analysis.io.gpx_fast import read_gpx_fast

            return read_gpx_fast(data, name, digest)
        if kind == "tcx":
            if backend in ("elementtree", "reference"):
                from analysis.io.tcx import read_tcx

                return read_tcx(data, name, digest)
            from analysis.io.tcx_fast import read_tcx_fast

            return read_tcx_fast(data, name, digest)
    except InputError:
        raise
    except Exception as exc:  # a reader bug or a library failure we did not foresee: still the user's file
        raise InputError(
            f"could not be read as {kind.upper()} ({type(exc).__name__}: {exc}); "
            "the file may be damaged; export it again, and if it still fails send it to us",
            file_name=name,
        ) from exc
    if kind == "zip":
        raise InputError("is a zip archive; unpack it, or use the import page which opens archives", file_name=name)
    raise InputError(
        "is neither a FIT nor a GPX activity file, nor a TCX one (its content matches none of the three)",
        file_name=name,
    )


def _gunzip(data: bytes, name: str) -> bytes:
    """The content of a gzip file, read in bounded steps (size and expansion capped as the ingest caps them)."""
    parts: list[bytes] = []
    total = 0
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            while chunk := handle.read(_GZIP_CHUNK):
                total += len(chunk)
                if total > MAX_RATIO_EXEMPT_BYTES and total > MAX_UNPACK_RATIO * len(data):
                    raise InputError(
                        f"unpacks to more than {MAX_UNPACK_RATIO:.0f} times its size, which real activity files "
                        "never do (a compression bomb?); it is refused",
                        file_name=name,
                    )
                if total > MAX_ACTIVITY_BYTES:
                    raise InputError(
                        f"unpacks to more than {MAX_ACTIVITY_BYTES / 1e6:.0f} MB; activity files above that are "
                        "refused",
                        file_name=name,
                    )
                parts.append(chunk)
    except (gzip.BadGzipFile, zlib.error, EOFError, OSError) as exc:
        raise InputError(f"is a damaged gzip file ({exc}); download or export it again", file_name=name) from None
    if not total:
        raise InputError("is an empty gzip file; export the activity again", file_name=name)
    return b"".join(parts)
