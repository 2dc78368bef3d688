"""`read_activity`: the single entry point for activity files of every supported format."""

from __future__ import annotations

from analysis.errors import InputError
from analysis.io.activity import Activity
from analysis.io.source import load_source, sha256_hex, sniff_format

BACKENDS = ("fast", "fitparse", "gpxpy", "reference")


def read_activity(source: object, *, filename: str | None = None, backend: str = "fast") -> Activity:
    """Read a FIT or GPX activity from a path, bytes or binary file object.

    The format is decided from the content, never the file name. Every problem with the input
    raises `analysis.errors.InputError` naming the file; nothing else escapes.

    `backend` picks the decoder: "fast" (default; the vectorised FIT decoder and the lxml GPX
    path, each falling back per file to its reference) or the reference readers: "fitparse" for
    FIT, "gpxpy" for GPX, "reference" for both. Frames are identical either way.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    data, name = load_source(source, filename)
    if not data:
        raise InputError("is empty (0 bytes); export the activity again from your watch or app", file_name=name)
    kind = sniff_format(data)
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
    except InputError:
        raise
    except Exception as exc:  # a reader bug or a library failure we did not foresee: still the user's file
        raise InputError(
            f"could not be read as {kind.upper()} ({type(exc).__name__}: {exc}); "
            "the file may be damaged; export it again, and if it still fails send it to us",
            file_name=name,
        ) from exc
    if kind == "tcx":
        raise InputError("is a TCX file; TCX is not supported yet: export the activity as FIT or GPX", file_name=name)
    if kind in ("zip", "gzip"):
        raise InputError(
            f"is a {kind} archive; unpack it, or use the import page which opens archives", file_name=name
        )
    raise InputError("is neither a FIT nor a GPX activity file (its content matches neither format)", file_name=name)
