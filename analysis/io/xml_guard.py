"""Checks every uploaded XML activity file (GPX, TCX) passes before any XML parser sees it (DESIGN.md §7).

Shared by the GPX readers (`analysis.io.gpx`, `gpx_fast`) and the TCX readers (`analysis.io.tcx`,
`tcx_fast`), so both formats are defended the same way:

- `refuse_dtd`: no `<!DOCTYPE`/`<!ENTITY` in the raw bytes. No DTD means no entities: no "billion laughs"
  expansion and no external files pulled in. Watches and apps never write one, so refusing is cheaper and
  safer than parsing with limits.
- `refuse_namespace_floods`: at most 100 distinct namespace declarations and 100 stray `xmlns` marks (real
  files declare a handful; Movescount repeats the same one on every point, which is cheap and allowed).
- `refuse_attribute_floods`: at most 100 attributes in one tag (expat slows down superlinearly on one
  element with hundreds of thousands: 800,000 took 4.6 s; real files have under 15).
- `decode_text`: the declared single-byte encoding, else UTF-8, else Latin-1 with a warning.
- `prolog_gate`: defusedxml's parser over the decoded text up to the root element, refusing any DTD, entity
  or external reference the byte check could have missed (an encoding trick).
- `hardened_lxml_parser`: the one lxml configuration the fast readers use (no entities, no DTD, no network,
  libxml2's own size and depth limits kept: `huge_tree=False`).

Each refusal is an `InputError` whose message names the format (`kind`, "GPX" or "TCX").
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import numpy as np
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from analysis.errors import InputError

# Real files declare a handful of namespaces. gpxpy's pre-scan is quadratic in distinct declarations
# (8,000 took 2 s) and in stray "xmlns" tokens (32,000 in 190 KB took 2 s); see analysis.io.gpx.
MAX_XMLNS_DECLARATIONS = 100
MAX_STRAY_XMLNS = 100
# Attributes in one tag: a TCX root has ~9 (namespace declarations and xsi:schemaLocation), a GPX root
# about as many. Counted as "=" signs between one "<" and the next, so text after a tag counts to it.
MAX_ATTRIBUTES_PER_TAG = 100

BOM = b"\xef\xbb\xbf"
_GATE_CHUNK = 64 * 1024  # characters fed to the prolog gate per step: it stops at the root element
_DTD = re.compile(rb"<!\s*(?:doctype|entity)", re.IGNORECASE)
_XMLNS_DECL = re.compile(rb"""xmlns(?::([A-Za-z_][\w.\-]*))?\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")
_XML_ENCODING = re.compile(rb"""\A\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")
_SINGLE_BYTE_ENCODINGS = {
    "iso-8859-1": "latin-1",
    "iso8859-1": "latin-1",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "l1": "latin-1",
    "iso-8859-15": "iso8859-15",
    "windows-1252": "cp1252",
    "cp1252": "cp1252",
}


def dtd_refusal(file_name: str, kind: str) -> InputError:
    """The refusal of a file with a DTD or entities (raised by every check that finds one)."""
    return InputError(
        f"declares a DTD or XML entities (<!DOCTYPE>/<!ENTITY>), which {kind} files from watches and apps "
        "never do; it is refused for safety: export the activity again",
        file_name=file_name,
    )


def refuse_dtd(data: bytes, file_name: str, kind: str) -> None:
    """Refuse `<!DOCTYPE` / `<!ENTITY` anywhere in the raw bytes."""
    if _DTD.search(data):
        raise dtd_refusal(file_name, kind)


def refuse_namespace_floods(data: bytes, file_name: str, kind: str) -> None:
    """Refuse more than `MAX_XMLNS_DECLARATIONS` distinct declarations or `MAX_STRAY_XMLNS` stray marks."""
    declarations = _XMLNS_DECL.findall(data)
    distinct = {(prefix, dq or sq) for prefix, dq, sq in declarations}
    stray = data.count(b"xmlns") - len(declarations)
    if len(distinct) > MAX_XMLNS_DECLARATIONS or stray > MAX_STRAY_XMLNS:
        found = (f"declares {len(distinct):,} different XML namespaces" if len(distinct) > MAX_XMLNS_DECLARATIONS
                 else f"has {stray:,} malformed 'xmlns' marks (the word without a namespace after it)")
        raise InputError(
            f"{found}; {kind} files from watches and apps use a handful, and more than {MAX_XMLNS_DECLARATIONS} "
            "is refused because it would stall the reader: export the activity again",
            file_name=file_name,
        )


def refuse_attribute_floods(data: bytes, file_name: str, kind: str) -> None:
    """Refuse a tag with more than `MAX_ATTRIBUTES_PER_TAG` attributes (counted as "=" before the next "<")."""
    if data.count(b"=") <= MAX_ATTRIBUTES_PER_TAG:
        return
    buf = np.frombuffer(data, dtype=np.uint8)
    # For every "=", the number of "<" before it: equal numbers are "=" of one tag (or the text after it).
    tag_of = np.searchsorted(np.flatnonzero(buf == ord("<")), np.flatnonzero(buf == ord("=")))
    _, counts = np.unique(tag_of, return_counts=True)
    if counts.max() > MAX_ATTRIBUTES_PER_TAG:
        raise InputError(
            f"has a tag with more than {MAX_ATTRIBUTES_PER_TAG} attributes; {kind} files from watches and apps "
            "have a few, and so many would stall the reader: export the activity again",
            file_name=file_name,
        )


def decode_text(data: bytes, warnings: list[str]) -> str:
    """The bytes as text: the declared single-byte encoding, else UTF-8, else Latin-1 (with a warning)."""
    declared = _XML_ENCODING.match(data)
    encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    if encoding in _SINGLE_BYTE_ENCODINGS:
        # Single-byte encodings decode any byte; "replace" only for cp1252's five unused bytes.
        return data.decode(_SINGLE_BYTE_ENCODINGS[encoding], errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        warnings.append(
            f"the file is not valid UTF-8 (byte {exc.start}); it was read as Latin-1, so accented names may "
            "look odd"
        )
        return data.decode("latin-1")


class _RootReached(Exception):
    """The document's root element began: the prolog, the only place a DTD can be, is behind us."""


class _StopAtRoot:
    """An ElementTree parser target that stops the parse at the first start tag."""

    def start(self, tag: str, attrib: dict) -> None:
        raise _RootReached

    def end(self, tag: str) -> None:  # never reached: `start` stops first
        pass

    def data(self, data: str) -> None:
        pass

    def close(self) -> None:
        return None


def prolog_gate(text: str, file_name: str, kind: str) -> None:
    """defusedxml's parser over the prolog of `text`: refuse a DTD, entity or external reference.

    The byte check catches `<!DOCTYPE`/`<!ENTITY` as written; this one sees the text exactly as the XML
    parsers will, after decoding, so no encoding trick hides a DTD from it. Entities can only be declared
    in a DTD and a DTD can only stand before the root element, so parsing stops at the root's start tag:
    a few hundred bytes, whatever the file's size.
    """
    parser = DefusedXMLParser(target=_StopAtRoot(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        for start in range(0, len(text), _GATE_CHUNK):
            parser.feed(text[start: start + _GATE_CHUNK])
        parser.close()
    except _RootReached:
        return
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        raise dtd_refusal(file_name, kind) from None
    except ElementTree.ParseError:
        return  # not well-formed before its root: the XML readers say where, in their own words


def hardened_lxml_parser(**options: object):
    """An `lxml.etree.XMLParser` that resolves no entities, loads no DTD, never touches the network and
    keeps libxml2's limits (`huge_tree=False`: text nodes up to 10 MB, nesting up to 256 deep).

    `options` adds parser options that do not weaken that (comments, blank text, encoding).
    """
    from lxml import etree

    fixed = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}
    clash = fixed.keys() & options.keys()
    if clash:
        raise ValueError(f"hardened_lxml_parser fixes {sorted(clash)}")
    return etree.XMLParser(**fixed, **options)
