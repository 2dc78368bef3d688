"""Ingest: user-supplied files, folders and archives in, parsed activities and strength logs out.

- `analysis.ingest.sources.expand_sources` opens folders, zip archives (nested too) and gzip files
  lazily, in memory, with caps against archive bombs, and decides each file's kind from its content.
- `analysis.ingest.parse.parse_all` reads them in worker processes with per-file time and memory limits
  (`parse_iter`: the same, one result at a time, for the store to take while the rest are read).

Names are imported lazily (PEP 562) so that a parse worker can import `analysis.ingest._worker`
without pulling in pandas before it has set its environment (thread counts) and limits.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "ArchiveLimits": "analysis.ingest.sources",
    "SourceFile": "analysis.ingest.sources",
    "Skipped": "analysis.ingest.sources",
    "expand_sources": "analysis.ingest.sources",
    "ParsedFile": "analysis.ingest.parse",
    "parse_source": "analysis.ingest.parse",
    "parse_all": "analysis.ingest.parse",
    "parse_iter": "analysis.ingest.parse",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis.ingest' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
