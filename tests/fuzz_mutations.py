"""Seeded mutations of corpus FIT and GPX files, and the fuzz loop that feeds them to `read_activity`.

Used by tests/test_fuzz.py (issue 9). Everything is deterministic: case k of master seed S is
built by `random.Random(S + k)`, which picks a corpus file (from CATALOG.csv, TCX and CSV left
out; small files mostly, a big one now and then) and one to three mutations. `replay(S, k)`
rebuilds the same bytes (with the same catalogue). Since case k of seed S is case k - 1 of seed
S + 1, a seed chosen to explore new cases must be far from the others (a multiple of 10^6, say).

Mutations are made to get past the first checks, or everything would be refused at the CRC:
FIT mutations change the data between the header and the file CRC, then usually fix the
header's data_size, recompute the header CRC (bytes 12-13, over bytes 0-11) and the file CRC
(the last two bytes, over everything before), as analysis/io/fit_writer.py writes them; now
and then they leave one stale. GPX mutations are text edits aimed at the XML parser and at the
values the reader converts.

The loop runs in a child process (`run_fuzz` starts `python tests/fuzz_mutations.py run ...`),
which reports each case on a pipe as JSON lines *before* reading it, so the parent can kill a
case that hangs past the limit, and whose peak RSS (VmHWM) is the fuzz's own peak memory. After a
hang, a crash or a memory overrun the parent starts a new child at the next case and goes on.

By hand:
  .venv/bin/python tests/fuzz_mutations.py replay --seed S --k K [--out case.bin]
      rebuilds case K, prints its source and mutations, reads it and prints the outcome
      (with the traceback of anything but InputError);
  .venv/bin/python tests/fuzz_mutations.py fuzz --seed S --seconds T
      the whole time-boxed fuzz, summary on stdout (what the test runs).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import queue
import random
import re
import resource
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
for _path in (str(REPO_ROOT), str(TESTS_DIR)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from conftest import CORPUS_DIR, corpus_catalog  # noqa: E402

DEFAULT_SEED = 90_509  # issue 9, part 5
HANG_LIMIT_S = 10.0  # one case (issue 9: nothing hangs past 10 s)
RSS_LIMIT_KIB = 1_000_000_000 // 1024  # 1 GB (10^9 bytes) of peak RSS in the process doing the reading
SLOW_S = 2.0  # cases slower than this are listed (not a failure: only the hang limit is)
SMALL_BYTES = 64 * 1024  # most cases start from files up to this size, so many fit in the time box
BIG_SHARE = 0.06  # the share of cases that start from a bigger file
READABLE_SHARE = 0.85  # the share of cases that start from a file the catalogue says is readable
MAX_GROWTH = 1_000_000  # bytes a growing mutation (repeats, nesting, padding) may add
FORMATS = ("fit", "gpx")


# --------------------------------------------------------------------------------------------
# sources


@dataclasses.dataclass(frozen=True)
class Source:
    path: str  # CATALOG.csv local_path, relative to the corpus
    kind: str  # "fit" or "gpx"
    size: int
    readable: bool  # the catalogue says the reference library reads timed samples from it


def fuzz_sources(catalog: list[dict[str, str]] | None = None) -> list[Source]:
    """The FIT and GPX files of the catalogue (non-empty), in path order: the pool cases draw from."""
    rows = corpus_catalog() if catalog is None else catalog
    sources = [
        Source(r["local_path"], r["kind"], int(r["size_bytes"] or 0), _catalogued_readable(r))
        for r in rows
        if r["kind"] in FORMATS and int(r["size_bytes"] or 0) > 0
    ]
    return sorted(sources, key=lambda s: s.path)


def _catalogued_readable(row: dict[str, str]) -> bool:
    if row["kind"] == "fit":
        return row["parses_with_fitparse"] == "yes" and int(row["n_records"] or 0) > 0
    return row["parses_with_gpxpy"] == "yes" and int(row["n_points"] or 0) > 0 and row["time_frac"] == "1.0"


def _pick_source(rng: random.Random, sources: list[Source]) -> Source:
    """A format (even odds), then mostly a file the reader reads (mutations then reach deeper), mostly small."""
    kind = rng.choice(FORMATS)
    of_kind = [s for s in sources if s.kind == kind] or sources
    readable = [s for s in of_kind if s.readable]
    if readable and rng.random() < READABLE_SHARE:
        of_kind = readable
    small = [s for s in of_kind if s.size <= SMALL_BYTES]
    big = [s for s in of_kind if s.size > SMALL_BYTES]
    if big and (not small or rng.random() < BIG_SHARE):
        return rng.choice(big)
    return rng.choice(small)


# --------------------------------------------------------------------------------------------
# cases


@dataclasses.dataclass
class Case:
    seed: int
    k: int
    source: str
    kind: str
    mutations: list[str]
    data: bytes

    @property
    def file_name(self) -> str:
        return f"fuzz{self.k}_{Path(self.source).name}"

    def describe(self) -> str:
        return f"seed={self.seed} k={self.k} source={self.source} ({self.kind}) mutations: {'; '.join(self.mutations)}"


_BYTES_CACHE: dict[str, bytes] = {}


def _source_bytes(path: str, corpus_dir: Path) -> bytes:
    key = str(corpus_dir / path)
    if key not in _BYTES_CACHE:
        _BYTES_CACHE[key] = (corpus_dir / path).read_bytes()
    return _BYTES_CACHE[key]


def build_case(seed: int, k: int, sources: list[Source] | None = None, corpus_dir: Path = CORPUS_DIR) -> Case:
    """Case k of master seed `seed`: a corpus file and its mutations, all drawn from Random(seed + k)."""
    pool = fuzz_sources() if sources is None else sources
    if not pool:
        raise RuntimeError(f"no FIT or GPX files in the corpus catalogue at {corpus_dir}")
    rng = random.Random(seed + k)
    source = _pick_source(rng, pool)
    original = _source_bytes(source.path, corpus_dir)
    if source.kind == "fit":
        data, notes = mutate_fit(rng, original)
    else:
        data, notes = mutate_gpx(rng, original)
    return Case(seed, k, source.path, source.kind, notes, data)


def replay(seed: int, k: int, corpus_dir: Path = CORPUS_DIR) -> Case:
    """Rebuild case k of `seed` exactly as the fuzz ran it (same catalogue, same bytes)."""
    return build_case(seed, k, fuzz_sources(), corpus_dir)


def _n_ops(rng: random.Random) -> int:
    return rng.choices((1, 2, 3), weights=(60, 25, 15))[0]


# --------------------------------------------------------------------------------------------
# FIT mutations

INTERESTING_BYTES = (0x00, 0xFF, 0x7F, 0x80, 0x40, 0xC0)
INTERESTING_WIDE = (0, 1, 0xFFFF, 0x7FFF, 0x8000, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0x0FFFFFFF, 0x10000000)
BASE_TYPES = (0x00, 0x01, 0x02, 0x83, 0x84, 0x85, 0x86, 0x07, 0x88, 0x89, 0x0A, 0x8B, 0x8C, 0x0D, 0x8E, 0x8F, 0x90)


@dataclasses.dataclass(frozen=True)
class Msg:
    start: int  # offset in the body (after the file header)
    length: int  # header byte included
    definition: bool


def walk_fit_messages(body: bytes | bytearray, limit: int = 50_000) -> list[Msg]:
    """The messages of a FIT body from its start, as far as they parse (a tolerant walk, for picking targets)."""
    sizes: dict[int, int] = {}
    msgs: list[Msg] = []
    p, n = 0, len(body)
    while p < n and len(msgs) < limit:
        h = body[p]
        if h & 0x80:  # compressed timestamp header: local type 0-3
            local = (h >> 5) & 0x3
            if local not in sizes:
                break
            length, definition = 1 + sizes[local], False
        elif h & 0x40:
            if p + 6 > n:
                break
            n_fields = body[p + 5]
            length = 6 + 3 * n_fields
            if p + length > n:
                break
            size = sum(body[p + 6 + 3 * i + 1] for i in range(n_fields))
            if h & 0x20:
                if p + length >= n:
                    break
                n_dev = body[p + length]
                if p + length + 1 + 3 * n_dev > n:
                    break
                size += sum(body[p + length + 1 + 3 * i + 1] for i in range(n_dev))
                length += 1 + 3 * n_dev
            sizes[h & 0x0F] = size
            definition = True
        else:
            local = h & 0x0F
            if local not in sizes:
                break
            length, definition = 1 + sizes[local], False
        if p + length > n:
            break
        msgs.append(Msg(p, length, definition))
        p += length
    return msgs


def _pos(rng: random.Random, body: bytearray) -> int:
    return rng.randrange(len(body)) if body else 0


def _fit_bitflip(rng: random.Random, body: bytearray) -> str:
    if not body:
        return "bitflip (empty body)"
    n = rng.choice((1, 1, 2, 4, 8))
    where = []
    for _ in range(n):
        i, bit = _pos(rng, body), rng.randrange(8)
        body[i] ^= 1 << bit
        where.append(f"{i}.{bit}")
    return f"bitflip body[{','.join(where)}]"


def _fit_interesting(rng: random.Random, body: bytearray) -> str:
    if not body:
        return "interesting (empty body)"
    where = []
    for _ in range(rng.randint(1, 4)):
        i, v = _pos(rng, body), rng.choice(INTERESTING_BYTES)
        body[i] = v
        where.append(f"{i}={v:#04x}")
    return f"set body[{','.join(where)}]"


def _fit_wide_value(rng: random.Random, body: bytearray) -> str:
    """An interesting 2- or 4-byte value over a field of a data message (times, positions, distances)."""
    data_msgs = [m for m in walk_fit_messages(body) if not m.definition and m.length >= 3]
    if not data_msgs:
        return _fit_interesting(rng, body)
    m = rng.choice(data_msgs)
    width = 4 if m.length >= 5 and rng.random() < 0.6 else 2
    at = m.start + 1 + rng.randrange(m.length - width)
    value = rng.choice(INTERESTING_WIDE) & ((1 << (8 * width)) - 1)
    body[at: at + width] = value.to_bytes(width, rng.choice(("little", "big")))
    return f"value {value:#x} ({width} bytes) at body[{at}] in the data message at {m.start}"


def _fit_definition(rng: random.Random, body: bytearray) -> str:
    """Change a byte just after a definition header: mostly a field size, else a type, number or count."""
    defs = [m for m in walk_fit_messages(body) if m.definition]
    if not defs:
        return _fit_interesting(rng, body)
    m = rng.choice(defs)
    n_fields = body[m.start + 5]
    what = rng.choices(("size", "type", "number", "count", "arch", "global"), weights=(50, 12, 12, 10, 6, 10))[0]
    if what in ("size", "type", "number") and n_fields == 0:
        what = "count"
    if what in ("size", "type", "number"):
        i = rng.randrange(n_fields)
        spec = m.start + 6 + 3 * i
        if what == "size":
            old = body[spec + 1]
            new = rng.choice((0, 1, 2, 3, 4, 0xFF, old + 1, old - 1, old * 2, rng.randrange(256))) & 0xFF
            body[spec + 1] = new
            return f"definition at {m.start}: field {i} size {old} -> {new}"
        if what == "type":
            old = body[spec + 2]
            new = rng.choice((*BASE_TYPES, 0x55, 0xFF, rng.randrange(256)))
            body[spec + 2] = new
            return f"definition at {m.start}: field {i} base type {old:#04x} -> {new:#04x}"
        old = body[spec]
        new = rng.choice((253, 254, 0, 255, 2, 3, 5, 6, rng.randrange(256)))
        body[spec] = new
        return f"definition at {m.start}: field {i} number {old} -> {new}"
    if what == "count":
        old = n_fields
        new = rng.choice((0, 1, 255, old + 1, max(old - 1, 0), rng.randrange(256))) & 0xFF
        body[m.start + 5] = new
        return f"definition at {m.start}: field count {old} -> {new}"
    if what == "arch":
        new = rng.choice((0, 1, 2, 0xFF))
        body[m.start + 2] = new
        return f"definition at {m.start}: architecture -> {new}"
    new = rng.choice((0, 18, 19, 20, 21, 23, 34, 0xFFFF, 0xFF00, rng.randrange(65536)))
    body[m.start + 3: m.start + 5] = new.to_bytes(2, "little")
    return f"definition at {m.start}: global message -> {new}"


def _fit_header_byte(rng: random.Random, body: bytearray) -> str:
    """Change a message header: another local type, compressed-timestamp, definition or developer flags."""
    msgs = walk_fit_messages(body)
    if not msgs:
        return _fit_interesting(rng, body)
    m = rng.choice(msgs)
    old = body[m.start]
    variant = rng.choice(("local", "compressed", "definition", "developer", "reserved"))
    if variant == "local":
        new = (old & 0xF0) | rng.randrange(16)
    elif variant == "compressed":
        new = 0x80 | (rng.randrange(4) << 5) | rng.randrange(32)
    elif variant == "definition":
        new = old | 0x40
    elif variant == "developer":
        new = old | 0x60
    else:
        new = old | 0x10
    body[m.start] = new
    return f"message header at body[{m.start}] {old:#04x} -> {new:#04x} ({variant})"


def _fit_repeat(rng: random.Random, body: bytearray) -> str:
    """Repeat one to three consecutive messages many times, right after themselves."""
    msgs = walk_fit_messages(body)
    if not msgs:
        return _fit_dup_chunk(rng, body)
    i = rng.randrange(len(msgs))
    run = msgs[i: i + rng.randint(1, 3)]
    start, end = run[0].start, run[-1].start + run[-1].length
    chunk = bytes(body[start:end])
    times = rng.choice((2, 8, 100, 1000, 10_000, 100_000))
    times = max(1, min(times, MAX_GROWTH // max(len(chunk), 1)))
    body[end:end] = chunk * times
    return f"{len(run)} message(s) at body[{start}:{end}] repeated {times} more times"


def _fit_flood(rng: random.Random, body: bytearray) -> str:
    """At a message boundary: a definition with no fields (or one 1-byte field), then that many tiny messages."""
    msgs = walk_fit_messages(body)
    at = rng.choice(msgs).start if msgs else 0
    local = rng.randrange(16)
    mesg_num = rng.choice((20, 0xFF00, rng.randrange(65536)))
    fields = rng.choice((b"", b"\x03\x01\x02"))  # none, or field 3 (heart_rate in a record) of 1 byte
    definition = bytes([0x40 | local, 0, 0]) + mesg_num.to_bytes(2, "little") + bytes([len(fields) // 3]) + fields
    message = bytes([local]) + b"\x96" * (len(fields) // 3)
    count = _times(rng, len(message), (10, 1000, 100_000, 1_000_000))
    body[at:at] = definition + message * count
    return f"{count} messages of {len(message)} byte(s) (global {mesg_num}, local {local}) inserted at body[{at}]"


def _fit_swap(rng: random.Random, body: bytearray) -> str:
    msgs = walk_fit_messages(body)
    if len(msgs) < 2:
        return _fit_bitflip(rng, body)
    i = rng.randrange(len(msgs) - 1)
    a, b = msgs[i], msgs[i + 1]
    body[a.start: b.start + b.length] = body[b.start: b.start + b.length] + body[a.start: a.start + a.length]
    return f"messages at body[{a.start}] and body[{b.start}] swapped"


def _chunk_len(rng: random.Random) -> int:
    return rng.choice((rng.randint(1, 16), rng.randint(17, 256), rng.randint(257, 4096)))


def _fit_dup_chunk(rng: random.Random, body: bytearray) -> str:
    if not body:
        return "duplicate chunk (empty body)"
    start = _pos(rng, body)
    chunk = bytes(body[start: start + _chunk_len(rng)])
    at = rng.choice((start + len(chunk), _pos(rng, body)))
    body[at:at] = chunk
    return f"chunk body[{start}:{start + len(chunk)}] duplicated at {at}"


def _fit_delete_chunk(rng: random.Random, body: bytearray) -> str:
    if not body:
        return "delete chunk (empty body)"
    start = _pos(rng, body)
    n = _chunk_len(rng)
    del body[start: start + n]
    return f"chunk body[{start}:{start + n}] deleted"


def _fit_insert_random(rng: random.Random, body: bytearray) -> str:
    at = _pos(rng, body)
    n = rng.choice((1, 2, 3, 7, 64, 1000))
    if rng.random() < 0.5:
        chunk = bytes(rng.randrange(256) for _ in range(n))
        kind = "random"
    else:
        chunk = bytes([rng.choice(INTERESTING_BYTES)]) * n
        kind = f"{chunk[0]:#04x}"
    body[at:at] = chunk
    return f"{n} {kind} bytes inserted at body[{at}]"


def _fit_cut_body(rng: random.Random, body: bytearray) -> str:
    at = _pos(rng, body)
    del body[at:]
    return f"body cut to {at} bytes"


_FIT_OPS = (
    (_fit_bitflip, 16),
    (_fit_interesting, 12),
    (_fit_wide_value, 12),
    (_fit_definition, 20),
    (_fit_header_byte, 8),
    (_fit_repeat, 8),
    (_fit_flood, 3),
    (_fit_swap, 4),
    (_fit_dup_chunk, 6),
    (_fit_delete_chunk, 6),
    (_fit_insert_random, 5),
    (_fit_cut_body, 3),
)


def _crc16(data: bytes) -> int:
    from analysis.io.fit_crc import crc16

    return crc16(data)


def mutate_fit(rng: random.Random, data: bytes) -> tuple[bytes, list[str]]:
    """Mutate the data of a FIT file; usually fix data_size and both CRCs afterwards (notes say which)."""
    if len(data) < 12 or data[0] not in (12, 14) or data[8:12] != b".FIT":
        return mutate_bytes(rng, data)
    header_size = data[0]
    (data_size,) = struct.unpack_from("<I", data, 4)
    header = bytearray(data[:header_size])
    body = bytearray(data[header_size: header_size + data_size])
    old_crc = data[header_size + data_size: header_size + data_size + 2]
    tail = data[header_size + data_size + 2:]  # chained FIT files, if any
    notes = []
    ops, weights = zip(*_FIT_OPS, strict=True)
    for _ in range(_n_ops(rng)):
        op = rng.choices(ops, weights=weights)[0]
        notes.append(op(rng, body))
    if rng.random() < 0.04:  # the header itself
        variant = rng.choice(("protocol", "profile", "short header"))
        if variant == "protocol":
            header[1] = rng.choice((0x10, 0x20, 0x30, 0xFF, 0))
        elif variant == "profile":
            header[2:4] = rng.randrange(65536).to_bytes(2, "little")
        elif header_size == 14:
            header, header_size = header[:12], 12
            header[0] = 12
        notes.append(f"header {variant} changed")
    if len(body) != data_size:
        if rng.random() < 0.85:
            header[4:8] = struct.pack("<I", len(body))
            notes.append(f"data_size fixed ({data_size} -> {len(body)})")
        else:
            notes.append(f"data_size left at {data_size} (data now {len(body)})")
    if header_size == 14:
        if rng.random() < 0.9:
            header[12:14] = struct.pack("<H", _crc16(bytes(header[:12])))
        elif rng.random() < 0.5:
            header[12:14] = b"\x00\x00"
            notes.append("header CRC set to 0 (unchecked)")
        else:
            notes.append("header CRC left stale")
    content = bytes(header + body)
    if rng.random() < 0.85:
        crc = struct.pack("<H", _crc16(content))
    else:
        crc = old_crc
        notes.append("file CRC left stale")
    out = content + crc + tail
    if rng.random() < 0.08:
        cut = rng.randrange(1, len(out))
        out = out[:cut]
        notes.append(f"file cut off at byte {cut}")
    if rng.random() < 0.03:
        garbage = bytes(rng.randrange(256) for _ in range(rng.choice((1, 2, 16, 500))))
        out += garbage
        notes.append(f"{len(garbage)} bytes of garbage appended")
    return out, notes


def mutate_bytes(rng: random.Random, data: bytes) -> tuple[bytes, list[str]]:
    """Structure-blind mutations (a source that is not a FIT file after all)."""
    body = bytearray(data)
    notes = []
    for _ in range(_n_ops(rng)):
        op = rng.choice((_fit_bitflip, _fit_interesting, _fit_dup_chunk, _fit_delete_chunk, _fit_insert_random))
        notes.append(op(rng, body))
    return bytes(body), notes


# --------------------------------------------------------------------------------------------
# GPX mutations

WEIRD_NUMBERS = (
    "NaN", "nan", "inf", "-inf", "Infinity", "1e309", "-1e309", "1e308", "-1e308", "999999999", "-999999999",
    "-0", "0", "", " ", "1,5", "0x10", "\u0661\u0662", "1e-400", "+-1", "12abc", "90.0000001", "-90.0000001",
    "180.0000001", "-180.0000001", "181", "-91", "9" * 400, "1_000", "--1", ".", "1e", "\u00a012",
)
WEIRD_TIMES = (
    "", "NaN", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "0000-00-00T00:00:00Z", "1970-01-01T00:00:00Z",
    "1989-12-31T00:00:00Z", "2038-01-19T03:14:08Z", "2020-02-30T12:00:00Z", "2020-13-01T00:00:00Z",
    "2020-01-01T24:00:00Z", "2020-01-01T23:59:60Z", "2020-01-01T00:00:00+99:99", "2020-01-01T00:00:00-24:00",
    "2020-01-01T00:00:00.99999999999999999999Z", "2020-01-01", "12:00:00", "2020-01-01T00:00:00",
    "+275760-09-13T00:00:00Z", "-0001-01-01T00:00:00Z", "2020-01-01T00:00:00ZZ", "2020-01-01T00:00:00.000+0100",
    "99999999999-01-01T00:00:00Z", "2020-01-01T00:00:00+14:01", "2262-04-11T23:47:17Z", "1677-09-21T00:12:43Z",
    "2020-01-01T00:00:00." + "9" * 300 + "Z", "2020-01-01 00:00:00", "\u0662\u0660\u0662\u0660-01-01T00:00:00Z",
)
BAD_UTF8 = (b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x00", b"\x80")
NUMERIC_TAGS = (b"ele", b"hr", b"cad", b"speed", b"course", b"sat", b"hdop", b"power", b"atemp", b"temp", b"distance")
_LINE = re.compile(rb"[^\n]*\n")
_START_TAG = re.compile(rb"<([A-Za-z_][\w.:-]*)(?=[\s>/])")
_END_TAG = re.compile(rb"</[A-Za-z_][\w.:-]*\s*>")
_DIGIT = re.compile(rb"[0-9]")
_XML_DECL = re.compile(rb"<\?xml[^>]*\?>")
_ENCODING = re.compile(rb"""encoding=(["'])[^"']*\1""")
_GPX_TAG = re.compile(rb"<gpx(?=[\s>])")


def _spans(pattern: re.Pattern, data: bytes) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(data)]


def _pick_span(rng: random.Random, pattern: re.Pattern, data: bytes) -> re.Match | None:
    matches = list(pattern.finditer(data))
    return rng.choice(matches) if matches else None


def _times(rng: random.Random, unit: int, choices: tuple[int, ...]) -> int:
    return max(1, min(rng.choice(choices), MAX_GROWTH // max(unit, 1)))


def _gpx_lines(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    lines = _spans(_LINE, data)
    if not lines:
        return _gpx_truncate(rng, data)
    start, end = rng.choice(lines)
    if rng.random() < 0.5:
        return data[:start] + data[end:], f"line at byte {start} deleted"
    n = _times(rng, end - start, (1, 2, 50, 5000))
    return data[:end] + data[start:end] * n + data[end:], f"line at byte {start} duplicated {n} times"


def _element_span(rng: random.Random, data: bytes) -> tuple[int, int, bytes] | None:
    m = _pick_span(rng, _START_TAG, data)
    if m is None:
        return None
    tag = m.group(1)
    close = data.find(b"</" + tag + b">", m.end())
    if close < 0:
        gt = data.find(b"/>", m.end())
        if gt < 0:
            return None
        return m.start(), gt + 2, tag
    return m.start(), close + len(tag) + 3, tag


def _gpx_element(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    found = _element_span(rng, data)
    if found is None:
        return _gpx_lines(rng, data)
    start, end, tag = found
    name = tag.decode("latin-1")
    if rng.random() < 0.4:
        return data[:start] + data[end:], f"<{name}> at byte {start} deleted"
    n = _times(rng, end - start, (1, 2, 100, 10_000))
    return data[:end] + data[start:end] * n + data[end:], f"<{name}> at byte {start} duplicated {n} times"


def _gpx_digits(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    digits = [m.start() for m in _DIGIT.finditer(data)]
    if not digits:
        return _gpx_truncate(rng, data)
    out = bytearray(data)
    if rng.random() < 0.3:
        i = rng.choice(digits)
        if i + 1 < len(out):
            out[i], out[i + 1] = out[i + 1], out[i]
        return bytes(out), f"bytes {i} and {i + 1} swapped"
    where = []
    for _ in range(rng.choice((1, 3, 10, 100))):
        i = rng.choice(digits)
        out[i] = ord(str(rng.randrange(10)))
        where.append(i)
    return bytes(out), f"{len(where)} digits changed (first at byte {where[0]})"


def _gpx_number(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """A weird value for lat/lon (attributes) or ele/time/hr/cad/... (elements), once or everywhere."""
    target = rng.choice((b"lat", b"lon", b"time", b"time", *NUMERIC_TAGS))
    if target in (b"lat", b"lon"):
        pattern = re.compile(rb"\s" + target + rb"""=(["'])([^"']*)\1""")
        group = 2
    else:
        pattern = re.compile(rb"<((?:\w+:)?" + target + rb")>([^<]*)</\1>")
        group = 2
    values = WEIRD_TIMES if target == b"time" else WEIRD_NUMBERS
    value = rng.choice(values).encode("utf-8")
    matches = list(pattern.finditer(data))
    if not matches:
        return _gpx_digits(rng, data)
    everywhere = rng.random() < 0.2
    chosen = matches if everywhere else [rng.choice(matches)]
    out, last = [], 0
    for m in chosen:
        out += [data[last: m.start(group)], value]
        last = m.end(group)
    out.append(data[last:])
    where = "every" if everywhere else f"the one at byte {chosen[0].start()} of {len(matches)}"
    return b"".join(out), f"{target.decode()} = {value[:40]!r} in {where} {target.decode()}"


def _gpx_bad_utf8(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    bad = rng.choice(BAD_UTF8)
    at = rng.randrange(len(data) + 1)
    if rng.random() < 0.5 and at < len(data):
        return data[:at] + bad + data[at + 1:], f"byte {at} replaced by {bad!r}"
    return data[:at] + bad + data[at:], f"{bad!r} inserted at byte {at}"


def _gpx_xmlns(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    n = rng.choice((1, 5, 50, 500, 5000))
    variant = rng.choice(("distinct", "same prefix", "default", "far apart", "scattered"))
    if variant == "scattered":  # marks spread through the text, far from any "=" or quote
        out = bytearray(data)
        spots = sorted((rng.randrange(len(out) + 1) for _ in range(n)), reverse=True)
        for spot in spots:
            out[spot:spot] = b" xmlns"
        return bytes(out), f"{n} stray 'xmlns' marks scattered through the file"
    if variant == "distinct":
        decl = b"".join(b' xmlns:f%d="http://example.com/ns/%d"' % (i, i) for i in range(n))
    elif variant == "same prefix":
        decl = b' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"' * n
    elif variant == "default":
        decl = b"".join(b' xmlns="http://example.com/%d"' % i for i in range(n))
    else:
        decl = b" xmlns" * n  # stray marks with no value: gpxpy's pre-scan runs far from each
    m = _GPX_TAG.search(data) if rng.random() < 0.6 else _pick_span(rng, _START_TAG, data)
    if m is None:
        return data + decl, f"{n} xmlns declarations ({variant}) appended"
    return data[: m.end()] + decl + data[m.end():], f"{n} xmlns declarations ({variant}) in the tag at byte {m.start()}"


_DOCTYPES = (
    b'<!DOCTYPE gpx [<!ENTITY e "fuzz">]>',
    b'<!DOCTYPE gpx [<!ENTITY e SYSTEM "file:///etc/hostname">]>',
    b'<!DOCTYPE gpx [<!ENTITY % p "x"> %p;]>',
    b'<!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY e "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    b"<!DOCTYPE gpx>",
    b'<!DOCTYPE gpx SYSTEM "http://127.0.0.1:1/gpx.dtd">',
    b"<!doctype gpx>",
)


def _gpx_doctype(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    doctype = rng.choice(_DOCTYPES)
    decl = _XML_DECL.search(data)
    at = decl.end() if decl else 0
    out = data[:at] + doctype + data[at:]
    note = f"DOCTYPE {doctype[:40]!r}... at byte {at}"
    if b"ENTITY e" in doctype:
        m = re.search(rb"<((?:\w+:)?(?:ele|name|time|desc))>", out)
        if m:
            out = out[: m.end()] + b"&e;" + out[m.end():]
            note += " and &e; used"
    return out, note


def _gpx_cdata(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    m = _pick_span(rng, re.compile(rb">([^<>]+)<"), data)
    if m is None:
        return _gpx_truncate(rng, data)
    variant = rng.choice(("wrap", "unclosed", "nested end"))
    inner = {"wrap": b"<![CDATA[" + m.group(1) + b"]]>", "unclosed": b"<![CDATA[" + m.group(1),
             "nested end": b"<![CDATA[" + m.group(1) + b"]]>]]>"}[variant]
    return data[: m.start(1)] + inner + data[m.end(1):], f"CDATA ({variant}) at byte {m.start(1)}"


def _gpx_nesting(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    depth = rng.choice((50, 1000, 10_000, 100_000))
    tag = rng.choice((b"x", b"trkseg", b"extensions", b"gpxtpx:TrackPointExtension"))
    depth = min(depth, MAX_GROWTH // (2 * len(tag) + 5))
    balanced = rng.random() < 0.8
    nest = (b"<" + tag + b">") * depth + ((b"</" + tag + b">") * depth if balanced else b"")
    m = _pick_span(rng, re.compile(rb"<(?:\w+:)?(?:trkpt|extensions|trkseg|trk)\b[^>]*>"), data)
    at = m.end() if m else len(data) // 2
    kind = "balanced" if balanced else "unclosed"
    return data[:at] + nest + data[at:], f"{depth} nested <{tag.decode()}> ({kind}) at byte {at}"


def _gpx_unclosed(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    if rng.random() < 0.6:
        m = _pick_span(rng, _END_TAG, data)
        if m is not None:
            return data[: m.start()] + data[m.end():], f"end tag {m.group()[:30]!r} at byte {m.start()} deleted"
    at = rng.randrange(len(data) + 1)
    tag = rng.choice((b'<trkpt lat="1" lon="2">', b"<trkseg>", b"<time>", b"<gpx>", b"<ele>5"))
    return data[:at] + tag + data[at:], f"{tag!r} inserted at byte {at}"


def _gpx_truncate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    cut = rng.randrange(len(data)) if data else 0
    return data[:cut], f"cut off at byte {cut}"


def _gpx_encoding(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    variant = rng.choice(("declare", "declare", "bom", "utf-16", "no declaration"))
    if variant == "declare":
        name = rng.choice((b"UTF-16", b"utf-32", b"ascii", b"ISO-8859-1", b"windows-1252", b"bogus", b"", b"UTF-7"))
        decl = _XML_DECL.search(data)
        if decl is not None and _ENCODING.search(decl.group()):
            new_decl = _ENCODING.sub(b'encoding="' + name + b'"', decl.group(), count=1)
        else:
            new_decl = b'<?xml version="1.0" encoding="' + name + b'"?>'
        start, end = decl.span() if decl else (0, 0)
        return data[:start] + new_decl + data[end:], f"encoding declared as {name.decode()!r}"
    if variant == "bom":
        bom = rng.choice((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf\xef\xbb\xbf"))
        return bom + data, f"BOM {bom!r} prepended"
    if variant == "utf-16":
        text = data.decode("utf-8", errors="replace")
        return text.encode(rng.choice(("utf-16", "utf-16-le"))), "re-encoded as UTF-16"
    return _XML_DECL.sub(b"", data, count=1), "XML declaration removed"


def _gpx_big_text(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    n = rng.choice((10_000, 100_000, MAX_GROWTH))
    filler = rng.choice((b"A", b"\xc3\xa9", b" ", b"&amp;"))
    pad = filler * (n // len(filler))
    if rng.random() < 0.5:
        m = _pick_span(rng, re.compile(rb"<((?:\w+:)?(?:name|desc|time|ele|type))>"), data)
        where = "element"
    else:
        m = _pick_span(rng, re.compile(rb"""\s(?:lat|lon|creator|version)=(["'])"""), data)
        where = "attribute"
    if m is None:
        return data + pad, f"{len(pad)} bytes of {filler!r} appended"
    return data[: m.end()] + pad + data[m.end():], f"{len(pad)} bytes of {filler!r} in an {where} at byte {m.end()}"


def _gpx_attributes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    m = _pick_span(rng, re.compile(rb"<((?:\w+:)?(?:trkpt|gpx|rtept|wpt))\b"), data)
    if m is None:
        return _gpx_number(rng, data)
    extra = rng.choice((b' lat="1"', b' lon="2"', b' version="2.0"', b' lat="1" lat="2"', b" lat=1", b' xml:lang="x"'))
    return data[: m.end()] + extra + data[m.end():], f"attribute {extra!r} added at byte {m.end()}"


def _gpx_markup(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    inject = rng.choice((
        b"<!-- -- -->", b"<?php echo 1; ?>", b'<?xml version="1.0"?>', b"&#0;", b"&#xD800;", b"&#1114112;",
        b"&unknown;", b"&#9999999999;", b"&lt;", b"<foo:trkpt>", b"</gpx>", b"\x00", b"\r\r\n", b"<![endif]>",
    ))
    at = rng.randrange(len(data) + 1)
    return data[:at] + inject + data[at:], f"{inject!r} inserted at byte {at}"


def _gpx_version(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    offset = max(data.find(b"<gpx"), 0)
    m = re.compile(rb"""\sversion=(["'])([^"']*)\1""").search(data, offset)
    if m is None:
        return _gpx_attributes(rng, data)
    new = rng.choice((b"1.0", b"1.1", b"2.0", b"", b"1.1 ", b"x"))
    return data[: m.start(2)] + new + data[m.end(2):], f"gpx version -> {new.decode()!r}"


_GPX_OPS = (
    (_gpx_lines, 8),
    (_gpx_element, 12),
    (_gpx_digits, 12),
    (_gpx_number, 18),
    (_gpx_bad_utf8, 6),
    (_gpx_xmlns, 6),
    (_gpx_doctype, 4),
    (_gpx_cdata, 4),
    (_gpx_nesting, 5),
    (_gpx_unclosed, 6),
    (_gpx_truncate, 5),
    (_gpx_encoding, 5),
    (_gpx_big_text, 3),
    (_gpx_attributes, 4),
    (_gpx_markup, 5),
    (_gpx_version, 2),
)


def mutate_gpx(rng: random.Random, data: bytes) -> tuple[bytes, list[str]]:
    """Text mutations of a GPX file (one to three)."""
    notes = []
    ops, weights = zip(*_GPX_OPS, strict=True)
    for _ in range(_n_ops(rng)):
        op = rng.choices(ops, weights=weights)[0]
        data, note = op(rng, data)
        notes.append(note)
    return data, notes


# --------------------------------------------------------------------------------------------
# one case, read


def _load_target(spec: str | None):
    if not spec:
        from analysis.io.read import read_activity

        return read_activity
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


_FIT_FAST_FAILED = "because the fast decoder cannot read this file: it failed ("
_GPX_FAST_FAILED = "the fast GPX reader did not handle this file ("


def read_case(case: Case, reader=None) -> dict:
    """Read one case; the outcome as a dict: "accepted", "refused" or "error" (anything else escaped)."""
    from analysis.errors import InputError
    from analysis.io.activity import Activity

    reader = reader or _load_target(None)
    try:
        activity = reader(case.data, filename=case.file_name)
    except InputError as exc:
        cause = exc.__cause__
        wrapped = None
        if cause is not None and not isinstance(cause, InputError):
            wrapped = f"{type(cause).__module__}.{type(cause).__qualname__}"
        return {"outcome": "refused", "wrapped": wrapped, "message": str(exc)[:300]}
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: B036 - SystemExit from a library is as bad as any other escape
        lines = traceback.format_exception(exc)
        return {
            "outcome": "error",
            "type": f"{type(exc).__module__}.{type(exc).__qualname__}",
            "message": str(exc)[:500],
            "traceback": "".join(lines[:1] + lines[-12:])[-6000:],
        }
    if not isinstance(activity, Activity):
        return {"outcome": "error", "type": "NotAnActivity", "message": f"returned {type(activity).__name__}",
                "traceback": ""}
    fallback = None
    for warning in activity.warnings:
        if _FIT_FAST_FAILED in warning or _GPX_FAST_FAILED in warning:
            fallback = warning[:240]
    return {"outcome": "accepted", "fallback": fallback, "samples": len(activity.samples)}


# --------------------------------------------------------------------------------------------
# the child: the loop, reported on a pipe


def _rss_kib() -> int:
    """This process's peak RSS in KiB: VmHWM, which starts afresh at exec.

    Not `ru_maxrss`: Linux carries it across exec, so a child started by a pytest process that has
    grown to 600 MB over the suite would report 600 MB before reading anything (seen in CI).
    """
    hwm = _vm_hwm_kib(os.getpid())
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_main(args: argparse.Namespace) -> int:
    # The protocol gets the real stdout; anything a library prints goes to stderr instead.
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def say(**event) -> None:
        proto.write(json.dumps(event) + "\n")
        proto.flush()

    # Import everything the readers use before the baseline, so it counts the fuzz only.
    import fitparse  # noqa: F401
    import fitparse.profile  # noqa: F401
    import garmin_fit_sdk  # noqa: F401
    import gpxpy  # noqa: F401

    import analysis.io.fit  # noqa: F401
    import analysis.io.gpx  # noqa: F401
    import analysis.io.gpx_fast  # noqa: F401

    reader = _load_target(args.target)
    sources = fuzz_sources()
    say(event="ready", baseline_rss_kib=_rss_kib(), pool=len(sources), pid=os.getpid())
    k = args.start
    while time.time() < args.deadline and (args.max_cases is None or k < args.max_cases):
        case = build_case(args.seed, k, sources)
        before = _rss_kib()
        say(event="start", k=k, source=case.source, kind=case.kind, mutations=case.mutations, size=len(case.data))
        t0 = time.perf_counter()
        result = read_case(case, reader)
        elapsed = time.perf_counter() - t0
        rss = _rss_kib()
        say(event="done", k=k, elapsed=elapsed, rss_kib=rss, rss_rise_kib=rss - before, **result)
        k += 1
    say(event="end", next_k=k, rss_kib=_rss_kib())
    proto.close()
    return 0


def planted_reader(data: bytes, *, filename: str):
    """A stand-in reader for the harness's own test: case k misbehaves by k mod 5 (see test_fuzz.py)."""
    from analysis.errors import InputError

    k = int(filename.removeprefix("fuzz").split("_", 1)[0])
    which = k % 5
    if which == 1:
        raise RuntimeError("planted failure")
    if which == 2:
        hog = b"x" * (600 * 1024 * 1024)  # touched pages: counts in RSS
        del hog
    if which == 3:
        time.sleep(120)
    if which == 4:
        os._exit(70)  # the process dies mid-case, as a crash in a C extension would
    raise InputError("planted refusal", file_name=filename)


# --------------------------------------------------------------------------------------------
# the parent: start, watch, restart


@dataclasses.dataclass
class Finding:
    kind: str  # "exception", "hang", "memory", "crash"
    seed: int
    k: int
    source: str
    mutations: list[str]
    detail: str
    traceback: str = ""

    def markdown(self) -> str:
        lines = [
            f"### {self.kind}: seed={self.seed} k={self.k}",
            f"- source: `{self.source}`",
            f"- mutations: {'; '.join(self.mutations)}",
            f"- what: {self.detail}",
            f"- replay: `.venv/bin/python tests/fuzz_mutations.py replay --seed {self.seed} --k {self.k}`"
            f" (or `fuzz_mutations.replay({self.seed}, {self.k}).data` in Python)",
        ]
        if self.traceback:
            lines += ["", "```", self.traceback.rstrip(), "```"]
        return "\n".join(lines)


@dataclasses.dataclass
class FuzzReport:
    seed: int
    seconds: float
    hang_limit_s: float
    rss_limit_kib: int
    cases: Counter = dataclasses.field(default_factory=Counter)  # (kind, outcome) → n
    findings: list[Finding] = dataclasses.field(default_factory=list)
    wrapped: Counter = dataclasses.field(default_factory=Counter)  # exception type read_activity wrapped → n
    wrapped_examples: dict = dataclasses.field(default_factory=dict)  # type → (k, source, message)
    fallbacks: Counter = dataclasses.field(default_factory=Counter)  # fast reader failed → reference read it
    fallback_examples: dict = dataclasses.field(default_factory=dict)
    slowest: tuple[float, int, str, list[str]] = (0.0, -1, "", [])
    slow_cases: list[tuple[float, int, str, list[str]]] = dataclasses.field(default_factory=list)  # > SLOW_S
    baseline_rss_kib: int = 0
    peak_rss_kib: int = 0
    biggest_rise: tuple[int, int, str, list[str]] = (0, -1, "", [])
    children: int = 0
    wall_s: float = 0.0
    largest_input: int = 0

    def total(self, kind: str | None = None, outcome: str | None = None) -> int:
        return sum(n for (kd, oc), n in self.cases.items() if (kind in (None, kd)) and (outcome in (None, oc)))

    def summary(self) -> str:
        lines = [
            f"fuzz: seed {self.seed} (override with CORE_CADENCE_FUZZ_SEED), {self.seconds:g} s budget, "
            f"{self.wall_s:.1f} s wall, {self.children} child process(es), limits {self.hang_limit_s:g} s per case "
            f"and {self.rss_limit_kib * 1024 / 1e9:.2g} GB peak RSS",
        ]
        for kind in FORMATS:
            lines.append(
                f"  {kind.upper()}: {self.total(kind):,} cases: {self.total(kind, 'accepted'):,} read, "
                f"{self.total(kind, 'refused'):,} refused with InputError, {self.total(kind, 'error'):,} other "
                f"exceptions, {self.total(kind, 'hang'):,} hangs, {self.total(kind, 'crash'):,} crashes, "
                f"{self.total(kind, 'memory'):,} over the memory limit"
            )
        seconds, k, source, mutations = self.slowest
        lines.append(f"  slowest case: {seconds:.2f} s (k={k}, {source}: {'; '.join(mutations)})")
        if self.slow_cases:
            lines.append(f"  cases over {SLOW_S:g} s: {len(self.slow_cases)}: "
                         + ", ".join(f"k={k} {s:.1f} s" for s, k, _, _ in self.slow_cases[:10]))
        rise, k, source, mutations = self.biggest_rise
        lines.append(
            f"  peak RSS: {self.peak_rss_kib / 1024:,.0f} MiB (baseline after imports "
            f"{self.baseline_rss_kib / 1024:,.0f} MiB); biggest rise in one case +{rise / 1024:,.0f} MiB "
            f"(k={k}, {source}); largest input {self.largest_input / 1e6:.1f} MB"
        )
        if self.wrapped:
            lines.append("  refused by read_activity's catch-all (an unexpected exception inside a reader): "
                         + ", ".join(f"{t} x{n}" for t, n in self.wrapped.most_common()))
        if self.fallbacks:
            lines.append(f"  fast reader failed, reference read the file: {sum(self.fallbacks.values())} cases")
        lines.append(f"  findings: {len(self.findings)}")
        for f in self.findings[:20]:
            lines.append(f"    {f.kind} k={f.k} {f.source}: {f.detail[:200]}")
        return "\n".join(lines)

    def findings_markdown(self) -> str:
        head = ["# Fuzz findings (tests/test_fuzz.py)", "", "    " + self.summary().replace("\n", "\n    "), ""]
        if not self.findings:
            head.append("No findings: every case was read or refused with InputError, within the limits.")
        for f in self.findings:
            head += [f.markdown(), ""]
        if self.slow_cases:
            head += [f"## Slow cases (over {SLOW_S:g} s, under the {self.hang_limit_s:g} s limit: not failures)", ""]
            for seconds, k, source, mutations in sorted(self.slow_cases, reverse=True):
                head.append(f"- {seconds:.2f} s: k={k} `{source}`: {'; '.join(mutations)}")
            head.append("")
        if self.wrapped_examples or self.fallback_examples:
            head += ["## Observations (not failures)", "",
                     "Exceptions inside a reader that `read_activity` turned into InputError (its catch-all), "
                     "and fast-reader failures the reference reader covered; one example each:", ""]
            for t, (k, source, message) in sorted(self.wrapped_examples.items()):
                head.append(f"- wrapped {t} x{self.wrapped[t]}: k={k} `{source}`: {message[:300]}")
            for reason, (k, source) in sorted(self.fallback_examples.items()):
                head.append(f"- fallback x{self.fallbacks[reason]}: k={k} `{source}`: {reason}")
        return "\n".join(head) + "\n"


def _vm_hwm_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    m = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(m.group(1)) if m else None


def _fallback_key(warning: str) -> str:
    for marker in (_FIT_FAST_FAILED, _GPX_FAST_FAILED):
        if marker in warning:
            rest = warning.split(marker, 1)[1]
            reader = "fit_fast" if marker is _FIT_FAST_FAILED else "gpx_fast"
            return f"{reader}: {re.sub(r'[0-9]+', 'N', rest)[:70]}"
    return warning[:60]


def run_fuzz(
    seed: int,
    seconds: float,
    *,
    hang_limit_s: float = HANG_LIMIT_S,
    rss_limit_kib: int = RSS_LIMIT_KIB,
    target: str | None = None,
    max_cases: int | None = None,
    log=None,
) -> FuzzReport:
    """Fuzz for `seconds` (wall clock, child start-up included) from case 0 of `seed`; see the module docstring."""
    report = FuzzReport(seed, seconds, hang_limit_s, rss_limit_kib)
    t_start = time.time()
    deadline = t_start + seconds
    hard_stop = deadline + hang_limit_s + 60  # start-up and the last case, however slow
    next_k = 0
    script = Path(__file__).resolve()
    while time.time() < deadline and (max_cases is None or next_k < max_cases):
        cmd = [sys.executable, str(script), "run", "--seed", str(seed), "--start", str(next_k),
               "--deadline", repr(deadline)]
        if target:
            cmd += ["--target", target]
        if max_cases is not None:
            cmd += ["--max-cases", str(max_cases)]
        stderr = tempfile.TemporaryFile()
        child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL,
                                 cwd=REPO_ROOT, text=True, bufsize=1)
        report.children += 1
        lines: queue.Queue = queue.Queue()

        def pump(stream=child.stdout, out=lines) -> None:
            for line in stream:
                out.put(line)
            out.put(None)

        threading.Thread(target=pump, daemon=True).start()
        current: dict | None = None
        started = 0.0
        finished = False
        restart_reason = None
        while True:
            try:
                line = lines.get(timeout=0.1)
            except queue.Empty:
                line = ""
            if line is None:  # the child's stdout closed
                child.wait()
                if not finished:
                    restart_reason = "crash"
                break
            if line:
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:  # a line cut short by a kill
                    continue
                kind = event["event"]
                if kind == "ready":
                    if not report.baseline_rss_kib:
                        report.baseline_rss_kib = event["baseline_rss_kib"]
                    report.peak_rss_kib = max(report.peak_rss_kib, event["baseline_rss_kib"])
                elif kind == "start":
                    current, started = event, time.monotonic()
                    next_k = event["k"] + 1  # a case that hangs or crashes is not tried again
                    report.largest_input = max(report.largest_input, event["size"])
                elif kind == "done":
                    _record_done(report, current, event)
                    current = None
                    if event["rss_kib"] > rss_limit_kib:
                        restart_reason = "memory-reported"
                elif kind == "end":
                    finished = True
                    report.peak_rss_kib = max(report.peak_rss_kib, event["rss_kib"])
                    next_k = event["next_k"]
            now = time.monotonic()
            if restart_reason is None and current is not None and now - started > hang_limit_s:
                restart_reason = "hang"
            if restart_reason is None and current is not None:
                hwm = _vm_hwm_kib(child.pid)
                if hwm is not None and hwm > rss_limit_kib:
                    restart_reason = "memory"
            if restart_reason is None and time.time() > hard_stop:
                restart_reason = "overrun"
            if restart_reason is not None and restart_reason != "crash":
                break
        if restart_reason is not None:
            hwm = _vm_hwm_kib(child.pid) or 0
            if child.poll() is None:
                child.kill()
            child.wait()
            report.peak_rss_kib = max(report.peak_rss_kib, hwm)
            stderr.seek(0)
            err_tail = stderr.read()[-3000:].decode("utf-8", "replace")
            _record_stop(report, restart_reason, current, started, hwm, child.returncode, err_tail)
            if restart_reason == "overrun" or (restart_reason == "crash" and current is None):
                break  # out of time, or the child cannot even start: restarting would not help
        stderr.close()
        if log:
            log(f"child {report.children} stopped at k={next_k} ({restart_reason or 'time is up'})")
        if finished and restart_reason is None:
            break
    report.wall_s = time.time() - t_start
    return report


def _record_done(report: FuzzReport, start: dict | None, done: dict) -> None:
    start = start or {"kind": "?", "source": "?", "mutations": []}
    k, kind, source, mutations = done["k"], start["kind"], start["source"], start["mutations"]
    outcome = done["outcome"]
    report.cases[(kind, outcome)] += 1
    report.peak_rss_kib = max(report.peak_rss_kib, done["rss_kib"])
    if done["elapsed"] > report.slowest[0]:
        report.slowest = (done["elapsed"], k, source, mutations)
    if done["elapsed"] > SLOW_S:
        report.slow_cases.append((done["elapsed"], k, source, mutations))
    if done["rss_rise_kib"] > report.biggest_rise[0]:
        report.biggest_rise = (done["rss_rise_kib"], k, source, mutations)
    if outcome == "error":
        report.findings.append(Finding("exception", report.seed, k, source, mutations,
                                       f"{done['type']}: {done['message']}", done["traceback"]))
    elif outcome == "refused" and done.get("wrapped"):
        report.wrapped[done["wrapped"]] += 1
        report.wrapped_examples.setdefault(done["wrapped"], (k, source, done["message"]))
    elif outcome == "accepted" and done.get("fallback"):
        key = _fallback_key(done["fallback"])
        report.fallbacks[key] += 1
        report.fallback_examples.setdefault(key, (k, source))
    if done["rss_kib"] > report.rss_limit_kib:
        report.cases[(kind, outcome)] -= 1
        report.cases[(kind, "memory")] += 1
        report.findings.append(Finding(
            "memory", report.seed, k, source, mutations,
            f"peak RSS {done['rss_kib'] / 1024:,.0f} MiB after this case (+{done['rss_rise_kib'] / 1024:,.0f} MiB "
            f"in it), over the {report.rss_limit_kib / 1024:,.0f} MiB limit; outcome {outcome}"))


def _record_stop(report, reason: str, current: dict | None, started: float, hwm: int, code, err_tail: str) -> None:
    if reason == "memory-reported":  # already recorded with the case; the child was only restarted
        return
    if current is None:
        if reason in ("crash", "overrun"):
            report.findings.append(Finding(reason, report.seed, -1, "", [],
                                           f"the fuzz child stopped outside any case (exit {code})", err_tail))
        return
    k, kind, source, mutations = current["k"], current["kind"], current["source"], current["mutations"]
    elapsed = time.monotonic() - started
    if reason == "hang" or reason == "overrun":
        report.cases[(kind, "hang")] += 1
        detail = f"still reading after {elapsed:.1f} s (limit {report.hang_limit_s:g} s); killed"
        kind_name = "hang"
    elif reason == "memory":
        report.cases[(kind, "memory")] += 1
        detail = (f"RSS high-water mark {hwm / 1024:,.0f} MiB while reading, over the "
                  f"{report.rss_limit_kib / 1024:,.0f} MiB limit; killed after {elapsed:.1f} s")
        kind_name = "memory"
    else:
        report.cases[(kind, "crash")] += 1
        detail = f"the process died while reading (exit code {code}) after {elapsed:.1f} s"
        kind_name = "crash"
    if elapsed > report.slowest[0]:
        report.slowest = (elapsed, k, source, mutations)
    report.findings.append(Finding(kind_name, report.seed, k, source, mutations, detail,
                                   err_tail if kind_name == "crash" else ""))


# --------------------------------------------------------------------------------------------
# command line


def _replay_main(args: argparse.Namespace) -> int:
    case = replay(args.seed, args.k)
    print(case.describe())
    print(f"{len(case.data):,} bytes")
    if args.out:
        Path(args.out).write_bytes(case.data)
        print(f"written to {args.out}")
    t0 = time.perf_counter()
    result = read_case(case)
    print(f"outcome: {result['outcome']} in {time.perf_counter() - t0:.2f} s, peak RSS {_rss_kib() / 1024:,.0f} MiB")
    for key in ("type", "message", "wrapped", "fallback"):
        if result.get(key):
            print(f"{key}: {result[key]}")
    if result.get("traceback"):
        print(result["traceback"])
    return 1 if result["outcome"] == "error" else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="the fuzz loop (child side; JSON lines on stdout)")
    run.add_argument("--seed", type=int, required=True)
    run.add_argument("--start", type=int, default=0)
    run.add_argument("--deadline", type=float, required=True, help="time.time() after which no case starts")
    run.add_argument("--target", default=None, help="module:function to call instead of read_activity")
    run.add_argument("--max-cases", type=int, default=None)
    rep = sub.add_parser("replay", help="rebuild one case and read it")
    rep.add_argument("--seed", type=int, default=DEFAULT_SEED)
    rep.add_argument("--k", type=int, required=True)
    rep.add_argument("--out", default=None)
    fuzz = sub.add_parser("fuzz", help="the time-boxed fuzz, as the test runs it")
    fuzz.add_argument("--seed", type=int, default=DEFAULT_SEED)
    fuzz.add_argument("--seconds", type=float, default=15.0)
    fuzz.add_argument("--findings", default=None, help="write the findings as Markdown here")
    args = parser.parse_args(argv)
    if args.command == "run":
        return child_main(args)
    if args.command == "replay":
        return _replay_main(args)
    report = run_fuzz(args.seed, args.seconds, log=lambda s: print(s, file=sys.stderr))
    print(report.summary())
    if args.findings:
        Path(args.findings).write_text(report.findings_markdown())
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
