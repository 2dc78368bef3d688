"""A vectorised FIT decoder: message headers walked in Python, record fields decoded by numpy.

A one-hour run is ~3,600 `record` messages of one or two layouts, and fitparse spends ~150 µs
on each (a Python object per field, per message). Here Python only walks the message headers;
consecutive data messages of one layout are found with one strided numpy comparison of their
header bytes (exponential search, so interleaved files cost no more than their message count),
and at the end every record field is gathered for all records of a layout at once and decoded
with a structured view (`np.frombuffer`). The records come out as columns, the form
`analysis.io.fit.build_activity` consumes.

Semantics follow the FIT protocol (Garmin, *FIT Protocol* rev 2.3 and the FIT SDK profile) and,
field for field, fitparse 1.2.0, our reference decoder, so both paths give the same frame:

* definitions may change mid-file; architecture 1 means big-endian fields;
* developer fields are skipped by size (never decoded, never shadowing device fields);
* compressed-timestamp headers add a 5-bit offset to the last full timestamp, rolling over
  every 32 s (FIT Protocol §4.1.2); the accumulator follows every message's field 253;
* invalid sentinels of the *declared* base type become NaN; scale and offset are applied as
  `raw / scale - offset`; `compressed_speed_distance` expands to speed and an accumulated
  12-bit distance;
* when a message gives one column more than once (a field number repeated in the definition, or
  a field and a component of another field, e.g. Zwift's valid `distance` and its invalid
  `compressed_speed_distance` 0xFFFFFF), the first *valid* value in fitparse's order wins
  (each field's components come just before the field itself); `analysis.io.fit` takes the
  first non-None value of each name from fitparse, so both paths agree;
* header and file CRCs are checked (`analysis.io.fit_crc`), chained FIT files are read in turn,
  and a file cut off mid-stream keeps every complete message before the cut. A complete file
  whose checksum does not match is walked *strictly* (see `decode_fit`): a few signs of flipped
  bits that this decoder otherwise tolerates refuse it.

Non-record messages the reader needs (file_id, session, event, activity, sport, device_info)
are few per file; they are rendered one by one with fitparse's own profile tables and value
processors, so device names, sports and times agree with the reference by construction.
Anything outside this (a field size that is not a multiple of its type, a data message before
its definition, trailing garbage, an array-valued field feeding a component) raises
`UnsupportedFit`, and the caller reads that file with fitparse instead.
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass, field

import numpy as np

from analysis.errors import InputError
from analysis.io.fit_crc import crc16, crc16_small

RECORD_MESG = 20
SESSION_MESG = 18
DEVELOPER_DATA_ID_MESG = 207
FIELD_DESCRIPTION_MESG = 206
TIMESTAMP_FIELD = 253

# Record columns the reader uses (profile names); everything else in a record is never decoded.
RECORD_COLUMNS = (
    "timestamp", "position_lat", "position_long", "distance", "enhanced_speed", "speed", "heart_rate",
    "enhanced_altitude", "altitude", "power", "stance_time", "stance_time_balance", "vertical_oscillation",
    "step_length", "vertical_ratio", "cadence", "fractional_cadence",
)

# FIT base types: number → (numpy kind, size in bytes, invalid sentinel or None for float NaN / "z" for zero).
_BASE_TYPES: dict[int, tuple[str, int, object]] = {
    0x00: ("u1", 1, 0xFF),  # enum
    0x01: ("i1", 1, 0x7F),
    0x02: ("u1", 1, 0xFF),
    0x83: ("i2", 2, 0x7FFF),
    0x84: ("u2", 2, 0xFFFF),
    0x85: ("i4", 4, 0x7FFFFFFF),
    0x86: ("u4", 4, 0xFFFFFFFF),
    0x07: ("S", 1, None),  # string
    0x88: ("f4", 4, None),
    0x89: ("f8", 8, None),
    0x0A: ("u1", 1, 0),
    0x8B: ("u2", 2, 0),
    0x8C: ("u4", 4, 0),
    0x0D: ("B", 1, None),  # byte (array of bytes; invalid when every byte is 0xFF)
    0x8E: ("i8", 8, 0x7FFFFFFFFFFFFFFF),
    0x8F: ("u8", 8, 0xFFFFFFFFFFFFFFFF),
    0x90: ("u8", 8, 0),
}
_BYTE = 0x0D


class UnsupportedFit(Exception):
    """The file uses something this decoder does not handle; read it with fitparse instead."""


@dataclass(frozen=True)
class FieldDef:
    """One field of a definition message: where it sits in the data message and how it is typed."""

    number: int
    offset: int  # bytes from the start of the data message's content (after its 1-byte header)
    size: int
    base_type: int  # the declared base type number (unknown numbers decode as byte, like fitparse)

    @property
    def kind(self) -> str:
        return _BASE_TYPES[self.base_type][0]

    @property
    def count(self) -> int:
        """Values in the field: 1 for a scalar, more for an array (strings and bytes count as one)."""
        kind, size, _ = _BASE_TYPES[self.base_type]
        return 1 if kind in ("S", "B") else self.size // size


@dataclass
class Layout:
    """A definition message: global message number, byte order and fields (developer fields skipped)."""

    mesg_num: int
    big_endian: bool
    size: int  # content bytes of each data message, developer fields included
    fields: tuple[FieldDef, ...]
    ident: int = 0  # position in the file's list of layouts
    wanted: bool = False  # a non-record message the reader needs, rendered one by one
    timestamp: tuple[struct.Struct, int, int] | None = None  # (unpacker, offset in content, invalid) of field 253
    repeats_timestamp: bool = False  # field 253 more than once: the time accumulator would need the last valid one
    dev_fields: tuple[tuple[int, int, int], ...] = ()  # developer fields: (field number, size, developer data index)
    developer: bool = False  # developer_data_id / field_description, checked one by one by the strict walk

    @property
    def stride(self) -> int:
        return self.size + 1

    def field(self, number: int) -> FieldDef | None:
        for f in self.fields:
            if f.number == number:
                return f
        return None


@dataclass
class RecordRuns:
    """Where the record messages are, as runs: `count` messages `step` bytes apart from `start`
    (the content offset of the first), one layout per run. Sorting offsets gives file order."""

    starts: list[int] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    layouts: list[int] = field(default_factory=list)
    epochs: list[int] = field(default_factory=list)  # accumulator resets seen before the run
    compressed_times: dict[int, np.ndarray] = field(default_factory=dict)  # run index → times

    def add(self, start: int, count: int, step: int, layout: int, epoch: int, times: np.ndarray | None = None) -> None:
        if times is not None:
            self.compressed_times[len(self.starts)] = times
        self.starts.append(start)
        self.counts.append(count)
        self.steps.append(step)
        self.layouts.append(layout)
        self.epochs.append(epoch)


@dataclass
class FastDecoded:
    """What the fast decoder read: wanted non-record messages as dicts, records as columns."""

    messages: dict[str, list[dict]]
    records: dict[str, np.ndarray]  # RECORD_COLUMNS → float64 (NaN = absent); timestamp in s since 1989-12-31
    truncated_at: int | None  # bytes present when the file is cut off, else None
    expected_bytes: int
    # Checksums of a complete file that did not match ("header", "data"); the walk was strict then.
    checksum_mismatch: tuple[str, ...] = ()
    file_starts: tuple[int, ...] = ()  # the record row where each later FIT file of a chain begins


def _scalar_dtype(f: FieldDef, big_endian: bool) -> np.dtype:
    kind = f.kind
    if kind in ("S", "B"):
        return np.dtype((np.uint8, (f.size,)))
    base = np.dtype(("<" if not big_endian else ">") + kind)
    return base if f.count == 1 else np.dtype((base, (f.count,)))


# --------------------------------------------------------------------------------------------
# the walk


def _definition_bytes(data: bytes, pos: int, end: int, header: int) -> bytes:
    """The bytes of the definition message at `pos` after its header byte (its identity), dev flag in front."""
    if pos + 6 > end:
        raise _Cut
    length = 5 + 3 * data[pos + 5]
    if header & 0x20:
        if pos + 1 + length + 1 > end:
            raise _Cut
        length += 1 + 3 * data[pos + 1 + length]
    if pos + 1 + length > end:
        raise _Cut
    return bytes([header & 0x20]) + data[pos + 1: pos + 1 + length]


def _read_definition(
    data: bytes, pos: int, end: int, header: int, ident: int, strict: bool = False
) -> tuple[Layout, int]:
    """Parse the definition message at `pos` (its header byte); return it and the next position.

    `strict` (a file whose checksum does not match) also raises `_Damaged` for what the intact files
    of the corpus (nearly) never have: a reserved byte set, an architecture other than 0 or 1, a base
    type the protocol does not define."""
    if pos + 6 > end:
        raise _Cut
    if strict and (data[pos + 1] or data[pos + 2] > 1):
        raise _Damaged(f"a definition at byte {pos} has a reserved byte set or an unknown architecture")
    big_endian = bool(data[pos + 2])
    (mesg_num,) = struct.unpack_from(">H" if big_endian else "<H", data, pos + 3)
    n_fields = data[pos + 5]
    q = pos + 6
    if q + 3 * n_fields > end:
        raise _Cut
    fields, offset = [], 0
    for i in range(n_fields):
        number, size, base_type = data[q + 3 * i], data[q + 3 * i + 1], data[q + 3 * i + 2]
        if base_type not in _BASE_TYPES:
            if strict:
                raise _Damaged(f"field {number} of message {mesg_num} has an unknown base type {base_type}")
            base_type = _BYTE  # fitparse reads an unknown base type as bytes
        unit = _BASE_TYPES[base_type][1]
        if size == 0 or size % unit:
            raise UnsupportedFit(f"field {number} of message {mesg_num} has {size} bytes, not a multiple of {unit}")
        fields.append(FieldDef(number, offset, size, base_type))
        offset += size
    q += 3 * n_fields
    if header & 0x20:  # developer fields: only their sizes matter, they are skipped
        if q + 1 > end:
            raise _Cut
        n_dev = data[q]
        q += 1
        if q + 3 * n_dev > end:
            raise _Cut
        dev_fields = tuple((data[q + 3 * i], data[q + 3 * i + 1], data[q + 3 * i + 2]) for i in range(n_dev))
        offset += sum(size for _, size, _ in dev_fields)
        q += 3 * n_dev
    else:
        dev_fields = ()
    layout = Layout(mesg_num, big_endian, offset, tuple(fields), ident, dev_fields=dev_fields)
    layout.repeats_timestamp = sum(f.number == TIMESTAMP_FIELD for f in fields) > 1
    layout.developer = strict and mesg_num in (DEVELOPER_DATA_ID_MESG, FIELD_DESCRIPTION_MESG)
    return layout, q


class _Cut(Exception):
    """The data ends inside a message (a truncated file)."""


class _Damaged(Exception):
    """A sign of damage the strict walk of a file with a bad checksum looks for (see `_read_definition`)."""


_STRUCT_CODES = {"u1": "B", "i1": "b", "u2": "H", "i2": "h", "u4": "I", "i4": "i", "u8": "Q", "i8": "q"}
_STRUCT_TO_KIND = {code: kind for kind, code in _STRUCT_CODES.items()}
MAX_CYCLE = 4  # messages in a repeating pattern, e.g. record + gps_metadata + an undocumented message


def _run_length(buf: np.ndarray, pos: int, stride: int, limit: int, header: int, mask: int) -> int:
    """How many data messages of one layout follow each other from `pos` (≥ 1), by their header bytes."""
    return _repeats(buf, pos, stride, limit, [(0, header, None)], mask)


def _repeats(buf: np.ndarray, pos: int, period: int, limit: int, members: list, mask: int = 0xFF) -> int:
    """How many times a pattern of data messages (`members`: offset, header byte, layout) repeats
    back to back from `pos`, checked on the header bytes only, in windows growing 4× (≥ 1).

    Header bytes are enough: a data message's header names its local type, the type fixes its
    length, and a definition in between would have a different header (bit 6 set)."""
    available = (limit - pos) // period
    if available <= 1:
        return max(available, 0)
    count, window = 1, 8
    while count < available:
        take = min(window, available - count)
        start = pos + count * period
        same = None
        for offset, header, _ in members:
            heads = buf[start + offset: start + offset + (take - 1) * period + 1: period]
            match = (heads & mask) == (header & mask) if mask != 0xFF else heads == header
            same = match if same is None else same & match
        if same.all():
            count += take
            window = min(window * 4, 1 << 16)
        else:
            count += int(np.argmin(same))
            break
    return count


def _find_cycle(data: bytes, pos: int, limit: int, local: dict[int, Layout]) -> tuple[list, int] | None:
    """A pattern of 1 to MAX_CYCLE data messages starting at `pos` that appears at least twice in a row.

    Devices interleave records with other messages in a fixed order (record, hrv; or record,
    gps_metadata, ...); finding the pattern lets `_repeats` step over the whole stretch at once.
    Patterns with compressed headers or with messages rendered one by one are not used."""
    first = data[pos]
    members: list[tuple[int, int, Layout]] = []
    q = pos
    for _ in range(MAX_CYCLE):
        header = data[q]
        if header & 0xC0:
            return None
        layout = local.get(header & 0x0F)
        if layout is None or layout.wanted or layout.developer:
            return None
        members.append((q - pos, header, layout))
        q += layout.stride
        if q >= limit:
            return None
        if data[q] == first:
            period = q - pos
            if q + period <= limit and all(data[q + offset] == h for offset, h, _ in members):
                return members, period
    return None


def _strided(data: bytes, layout: Layout, pos: int, count: int, step: int) -> np.ndarray:
    """Field 253 (timestamp) of `count` messages `step` bytes apart from the one at `pos`, as int64;
    invalid values as -1."""
    unpack, offset, invalid = layout.timestamp
    dtype = np.dtype(unpack.format[0] + _STRUCT_TO_KIND[unpack.format[1]])
    values = np.ndarray((count,), dtype=dtype, buffer=data, offset=pos + 1 + offset, strides=(step,))
    return np.where(values == invalid, -1, values.astype(np.int64))


def _resolve_time(data: bytes, pending: list[list[tuple[Layout, int, int, int]]], last: int) -> int:
    """The time accumulator after the pending stretches: the last valid timestamp field in file order
    (FIT Protocol §4.1.2), else `last`. Each stretch lists its pattern members (layout, position,
    repeats, period) that carry a timestamp field."""
    for stretch in reversed(pending):
        stamps = [_strided(data, layout, pos, count, step) for layout, pos, count, step in stretch]
        ordered = np.column_stack(stamps).reshape(-1)  # instance by instance, member by member: file order
        valid = np.flatnonzero(ordered >= 0)
        if len(valid):
            return int(ordered[valid[-1]])
    return last


def _declare_developer(data: bytes, layout: Layout, start: int, types: dict[int, dict[int, int]]) -> None:
    """The strict walk's copy of fitparse's developer-field registry (`fitparse.records.DEV_TYPES`): a
    developer_data_id message opens a developer data index, a field_description declares a field of it
    and its base type. Their fields must be one valid uint8 each, the index opened, the type known."""
    from fitparse.records import BASE_TYPES

    def uint8(number: int) -> int:
        f = layout.field(number)
        if f is None or f.base_type != 0x02 or f.size != 1 or data[start + f.offset] == 0xFF:
            raise _Damaged(f"a developer data message (global {layout.mesg_num}) lacks a valid field {number}")
        return data[start + f.offset]

    if layout.mesg_num == DEVELOPER_DATA_ID_MESG:
        types[uint8(3)] = {}
        return
    index, number, base_type = uint8(0), uint8(1), uint8(2)
    if index not in types or base_type not in BASE_TYPES:
        raise _Damaged(f"a field description of an undeclared developer data index {index} or unknown type {base_type}")
    types[index][number] = BASE_TYPES[base_type].size


def _check_developer_fields(layout: Layout, types: dict[int, dict[int, int]]) -> None:
    """Every developer field of a definition declared before it, its size a whole number of its type's."""
    for number, size, index in layout.dev_fields:
        unit = types.get(index, {}).get(number)
        if unit is None or size == 0 or size % unit:
            raise _Damaged(f"developer field {number} of index {index} is not declared as its definition uses it")


def _valid_integer_timestamp(f: FieldDef | None) -> bool:
    return f is not None and f.count == 1 and f.kind in ("u4", "i4", "u8", "i8", "u2", "i2", "u1", "i1")


def checksum_mismatches(data: bytes) -> tuple[str, ...]:
    """Which checksums of the complete FIT file(s) in `data` do not match: "header" (a 14-byte header's
    CRC, when not 0, which means "not computed") and/or "data" (the CRC after each file's data, over
    its header and data). A file of a chain that is cut off is not judged: its CRC is not there."""
    found: list[str] = []
    pos, size = 0, len(data)
    while pos + 12 <= size and data[pos] in (12, 14) and data[pos + 8: pos + 12] == b".FIT":
        (data_size,) = struct.unpack_from("<I", data, pos + 4)
        end = pos + data[pos] + data_size
        if end + 2 > size:
            break
        if data[pos] == 14:
            (stored,) = struct.unpack_from("<H", data, pos + 12)
            if stored != 0 and stored != crc16_small(data[pos: pos + 12]) and "header" not in found:
                found.append("header")
        (stored,) = struct.unpack_from("<H", data, end)
        if crc16(memoryview(data)[pos:end]) != stored and "data" not in found:
            found.append("data")
        pos = end + 2
    return tuple(sorted(found, key=("header", "data").index))


def decode_fit(data: bytes, name: str, wanted: tuple[str, ...]) -> FastDecoded:
    """Decode FIT bytes (already sniffed as FIT); raises UnsupportedFit to defer to the reference path.

    A complete file whose checksum does not match (`checksum_mismatches`) is walked strictly: a
    reserved bit or byte set, an unknown architecture or base type, a developer field that its
    developer_data_id and field_description messages do not declare as fitparse would look it up
    (`_declare_developer`), or a later file of a chain cut off, refuse it (InputError: nothing
    vouches for its content, and an intact file has none of these). What this decoder defers
    (`UnsupportedFit`: an undefined local type, sizes that do not add up, messages running past the
    data, ...) it still defers, and the reference path treats the file as it always did. Otherwise
    the result carries `checksum_mismatch`, and `analysis.io.fit` judges the decoded records before
    reading the file with a warning.
    """
    mismatch = checksum_mismatches(data)
    try:
        decoded = _walk(data, name, wanted, strict=bool(mismatch))
    except _Damaged as reason:
        raise checksum_refusal(name, str(reason)) from None
    if mismatch and decoded.truncated_at is not None:
        raise checksum_refusal(name, "a later file of the chain is cut off")
    decoded.checksum_mismatch = mismatch
    return decoded


def _walk(data: bytes, name: str, wanted: tuple[str, ...], strict: bool) -> FastDecoded:
    from fitparse.profile import MESSAGE_TYPES

    wanted_nums = {num for num, mt in MESSAGE_TYPES.items() if mt.name in wanted and mt.name != "record"}
    buf = np.frombuffer(data, dtype=np.uint8)
    size = len(data)
    messages: dict[str, list[dict]] = {w: [] for w in wanted}
    runs = RecordRuns()
    layouts: list[Layout] = []
    pos = 0
    truncated_at: int | None = None
    expected_total = 0
    epoch = 0
    renderer = _MessageRenderer()
    known: dict[bytes, Layout] = {}
    messages_left = message_cap(size)  # counted down as the walk goes; runs count all their messages
    file_starts: list[int] = []  # record rows before each later file of a chain
    developer_types: dict[int, dict[int, int]] = {}  # strict walk: declared developer fields (see _declare_developer)

    while pos < size:
        header_size = data[pos]
        if pos + 12 > size or header_size not in (12, 14) or data[pos + 8: pos + 12] != b".FIT":
            if pos == 0:
                raise InputError("is not a FIT file (its header is not a FIT header)", file_name=name)
            raise UnsupportedFit(f"{size - pos:,} bytes after the end of the FIT data are not another FIT file")
        (data_size,) = struct.unpack_from("<I", data, pos + 4)
        body = pos + header_size
        end = body + data_size
        expected_total = end + 2
        if pos:
            file_starts.append(sum(runs.counts))
        if header_size == 14:
            if body > size:
                raise UnsupportedFit("the file is cut off inside its header")
            (stored,) = struct.unpack_from("<H", data, pos + 12)
            # A complete file's checksums were judged by `checksum_mismatches`; a cut-off one with a
            # bad header checksum is left to the reference path, as before.
            if end + 2 > size and stored != 0 and stored != crc16_small(data[pos: pos + 12]):
                raise UnsupportedFit("the header checksum does not match")
        if end + 2 <= size:
            limit = end
        else:
            limit = size
            truncated_at = size

        # Per FIT file of a chain: local definitions, accumulators and the time accumulator restart.
        local: dict[int, Layout] = {}
        last_time = 0
        repeated_stamps = False  # a layout of this file repeats field 253 (see the compressed header below)
        # Stretches of messages with timestamp fields since `last_time` was last known; only a
        # compressed header needs the accumulator, so they are looked at only then (most files never).
        pending_times: list[list[tuple[Layout, int, int, int]]] = []
        p = body
        try:
            while p < limit:
                messages_left -= 1
                if messages_left < 0:
                    raise too_many_messages(size, name)
                header = data[p]
                if header & 0xC0 == 0x40:
                    # Some devices (Suunto) repeat the definition before nearly every message;
                    # identical definitions share one layout, so records decode in few groups.
                    if strict and header & 0x10:
                        raise _Damaged(f"a definition header at byte {p} has its reserved bit set")
                    key = _definition_bytes(data, p, limit, header)
                    layout = known.get(key)
                    if layout is not None:
                        p += len(key)  # the header byte plus the definition; key = flag + definition
                        local[header & 0x0F] = layout
                        repeated_stamps |= layout.repeats_timestamp
                        if strict and layout.dev_fields:
                            _check_developer_fields(layout, developer_types)
                        if layout.mesg_num == RECORD_MESG and layout.field(8) is not None:
                            epoch += 1
                        continue
                    layout, p = _read_definition(data, p, limit, header, len(layouts), strict)
                    known[key] = layout
                    repeated_stamps |= layout.repeats_timestamp
                    if strict and layout.dev_fields:
                        _check_developer_fields(layout, developer_types)
                    layout.wanted = layout.mesg_num in wanted_nums
                    ts_field = layout.field(TIMESTAMP_FIELD)
                    if ts_field is not None:
                        if not _valid_integer_timestamp(ts_field):
                            raise UnsupportedFit("a timestamp field that is not an integer")
                        unpacker = struct.Struct((">" if layout.big_endian else "<") + _STRUCT_CODES[ts_field.kind])
                        layout.timestamp = (unpacker, ts_field.offset, _BASE_TYPES[ts_field.base_type][2])
                    layouts.append(layout)
                    local[header & 0x0F] = layout
                    if layout.mesg_num == RECORD_MESG and layout.field(8) is not None:
                        epoch += 1  # a new compressed_speed_distance definition restarts its accumulated distance
                    continue
                compressed_header = bool(header & 0x80)
                if strict and not compressed_header and header & 0x30:
                    raise _Damaged(f"a data message header at byte {p} has a reserved bit set")
                # Compressed timestamp headers name local types 0-3 and carry a 5-bit time offset.
                layout = local.get((header >> 5) & 0x3 if compressed_header else header & 0x0F)
                if layout is None:
                    raise UnsupportedFit(f"a data message of undefined local type at byte {p}")
                stride = layout.stride
                if p + stride > limit:
                    if truncated_at is None:
                        raise UnsupportedFit("a message runs past the end of the FIT data")
                    raise _Cut

                if compressed_header:
                    if layout.timestamp is not None:
                        raise UnsupportedFit("a compressed-timestamp message that also has a timestamp field")
                    if repeated_stamps:
                        # fitparse's accumulator takes the last valid of the repeated fields; not mirrored.
                        raise UnsupportedFit("compressed timestamps in a file whose definitions repeat field 253")
                    count = _run_length(buf, p, stride, limit, header, 0xE0)
                    offsets = buf[p: p + (count - 1) * stride + 1: stride].astype(np.int64) & 0x1F
                    last_time = _resolve_time(data, pending_times, last_time)
                    pending_times.clear()
                    previous = np.concatenate(([last_time & 0x1F], offsets[:-1]))
                    wraps = np.cumsum(offsets < previous)
                    times = (last_time & ~0x1F) + offsets + 32 * wraps
                    last_time = int(times[-1])
                    messages_left -= count - 1
                    if layout.mesg_num == RECORD_MESG:
                        runs.add(p + 1, count, stride, layout.ident, epoch, times)
                    elif layout.wanted:
                        for k in range(count):
                            values, _ = renderer.render(data, layout, p + k * stride + 1, int(times[k]))
                            messages[values.pop("__name__")].append(values)
                    elif layout.developer:
                        for k in range(count):
                            _declare_developer(data, layout, p + k * stride + 1, developer_types)
                    p += count * stride
                    continue

                cycle = None if layout.wanted or layout.developer else _find_cycle(data, p, limit, local)
                if cycle is not None:
                    members, period = cycle
                    if strict and any(h & 0x30 for _, h, _ in members):
                        raise _Damaged(f"a data message header after byte {p} has a reserved bit set")
                    repeats = _repeats(buf, p, period, limit, members)
                    messages_left -= repeats * len(members) - 1
                    stamps = []
                    for offset, _, member in members:
                        if member.mesg_num == RECORD_MESG:
                            runs.add(p + offset + 1, repeats, period, member.ident, epoch)
                        if member.timestamp is not None:
                            stamps.append((member, p + offset, repeats, period))
                    if stamps:
                        pending_times.append(stamps)
                    p += repeats * period
                    continue

                # A single message.
                if layout.mesg_num == RECORD_MESG:
                    runs.add(p + 1, 1, stride, layout.ident, epoch)
                if layout.developer:
                    _declare_developer(data, layout, p + 1, developer_types)
                if layout.wanted:
                    values, stamp = renderer.render(data, layout, p + 1, None)
                    if stamp is not None:
                        last_time = stamp
                        pending_times.clear()
                    messages[values.pop("__name__")].append(values)
                elif layout.timestamp is not None:
                    unpack, offset, invalid = layout.timestamp
                    (value,) = unpack.unpack_from(data, p + 1 + offset)
                    if value != invalid:
                        last_time = value
                        pending_times.clear()
                p += stride
        except _Cut:
            if truncated_at is None:
                raise UnsupportedFit("a definition runs past the end of the FIT data") from None
            break
        if messages_left < 0:  # a run at the very end took it below zero
            raise too_many_messages(size, name)
        if truncated_at is not None:
            break
        pos = end + 2

    records = _decode_records(data, layouts, runs)
    return FastDecoded(messages, records, truncated_at, expected_total, file_starts=tuple(file_starts))


def chain_length(data: bytes) -> int:
    """Bytes the FIT file(s) in `data` promise: header + data + CRC of each file of a chain, in turn.

    Larger than `len(data)` when the last file of the chain is cut off.
    """
    pos = 0
    while pos + 12 <= len(data) and data[pos] in (12, 14) and data[pos + 8: pos + 12] == b".FIT":
        (data_size,) = struct.unpack_from("<I", data, pos + 4)
        pos += data[pos] + data_size + 2
    return pos


# --------------------------------------------------------------------------------------------
# message budget (issue 9: a 1 MB file of one-byte messages with valid CRCs kept fitparse busy 14 s)

# A data message that carries anything is at least 2 bytes (header + a 1-byte field): a Forerunner 70
# writes heart rate as 2-byte compressed-timestamp messages, 2.7 bytes per message over its whole file.
# One-byte messages (a definition with no fields) carry nothing, so more messages than half the file's
# bytes is not a recording. The floor keeps tiny files out of the argument.
MIN_BYTES_PER_MESSAGE = 2
MESSAGE_FLOOR = 10_000
# The reference decoders' work grows with messages and fields: fitparse spends 7-11 µs per message plus
# per field, Garmin's SDK (tried after fitparse fails) 3-5 µs more (four corpus files, 2 cores). The
# reference path (the fallback for files the fast decoder cannot read, and `backend="fitparse"`) takes
# at most this much work: ~5 s with both decoders (the fuzz's slowest case, 494,000, took 4.8 s alone).
# Every corpus file needs less (the most, a 6.5-hour multisport file: 461,000), and a file the fast
# decoder reads is never held to it; a longer recording that only the reference path can read is refused.
MAX_REFERENCE_WORK = 500_000  # messages + fields


def message_cap(size_bytes: int) -> int:
    """Most messages (definitions and data) a FIT file of `size_bytes` may hold: `MIN_BYTES_PER_MESSAGE` each."""
    return MESSAGE_FLOOR + size_bytes // MIN_BYTES_PER_MESSAGE


def too_many_messages(size_bytes: int, name: str) -> InputError:
    """The refusal for a file whose messages average fewer than `MIN_BYTES_PER_MESSAGE` bytes."""
    return InputError(
        f"packs its messages into fewer than {MIN_BYTES_PER_MESSAGE} bytes each on average ({size_bytes:,} "
        "bytes in all): messages that short carry no data, so this is not a recording; it is refused so that "
        "it cannot tie up the server",
        file_name=name,
    )


def count_messages(data: bytes, stop_after: int) -> tuple[int, int, int]:
    """(messages, work, offset): the messages (definitions and data) in the FIT file(s) of `data`, the
    work they make for a decoder (messages + the fields of each data message), and the offset in bytes
    where counting stopped, which is as soon as `work` passes `stop_after`.

    A header walk without decoding (~0.15 µs per message) for the reference decoders, which spend ~50×
    longer per message. It stops where a decoder would stop: at a data message of an undefined local
    type, a cut-off definition or the end of the data.
    """
    count, work, pos, size = 0, 0, 0, len(data)
    while pos + 12 <= size and data[pos] in (12, 14) and data[pos + 8: pos + 12] == b".FIT":
        (data_size,) = struct.unpack_from("<I", data, pos + 4)
        p = pos + data[pos]
        limit = min(p + data_size, size)
        layouts: dict[int, tuple[int, int]] = {}  # local type -> (bytes after the header, fields)
        while p < limit:
            header = data[p]
            if header & 0xC0 == 0x40:
                try:
                    definition = _definition_bytes(data, p, limit, header)
                except _Cut:
                    return count, work, p
                n_fields = definition[5]
                stride = sum(definition[7: 6 + 3 * n_fields: 3])
                if header & 0x20:
                    dev = definition[6 + 3 * n_fields:]
                    stride += sum(dev[2::3])
                    n_fields += dev[0]
                layouts[header & 0x0F] = (stride, n_fields)
                p += len(definition)
                work += 1
            else:
                layout = layouts.get((header >> 5) & 0x3 if header & 0x80 else header & 0x0F)
                if layout is None:
                    return count, work, p
                p += 1 + layout[0]
                work += 1 + layout[1]
            count += 1
            if work > stop_after:
                return count, work, p
        pos += data[pos] + data_size + 2
    return count, work, min(pos, size)


def checksum_refusal(name: str, reason: str) -> InputError:
    """The refusal of a complete file whose checksum does not match and which does not decode cleanly."""
    return InputError(
        f"is damaged: its checksum does not match its content and its messages do not decode cleanly "
        f"({reason}), so its data cannot be trusted; export the activity again from your watch or app",
        file_name=name,
    )


# --------------------------------------------------------------------------------------------
# records → columns


@dataclass(frozen=True)
class _Writer:
    """Which field of a layout produces a column: the field itself, or one of its components."""

    field: FieldDef
    component: object | None  # fitparse ComponentField, or None for the field's own value
    scale: float | None
    offset: float | None


def _record_writers(layout: Layout) -> dict[str, list[_Writer]]:
    """Column → its writers in fitparse's order: fields in definition order, each field's components
    just before the field itself. The first valid value of these wins in each message."""
    from fitparse.profile import MESSAGE_TYPES

    profile = MESSAGE_TYPES[RECORD_MESG].fields
    writers: dict[str, list[_Writer]] = {}
    for f in layout.fields:
        spec = profile.get(f.number)
        if spec is None:
            continue
        if spec.subfields:
            raise UnsupportedFit(f"record field {spec.name} has subfields")
        for component in spec.components or ():
            target = profile[component.def_num]
            if target.name not in RECORD_COLUMNS:
                continue
            if f.kind != "B" and (f.count != 1 or f.kind in ("S", "f4", "f8")):
                raise UnsupportedFit(f"record field {spec.name} is an array or float feeding components")
            if target.type.values:
                raise UnsupportedFit(f"record component {target.name} is an enumeration")
            column = writers.setdefault(target.name, [])
            if component.accumulate and any(w.component is not None and w.component.accumulate for w in column):
                # fitparse would accumulate both in turn into one sum; too rare to mirror.
                raise UnsupportedFit(f"two accumulated components for record {target.name} in one message")
            column.append(_Writer(f, component, component.scale, component.offset))
        if spec.name in RECORD_COLUMNS:
            if spec.type.values:
                raise UnsupportedFit(f"record field {spec.name} is an enumeration")
            writers.setdefault(spec.name, []).append(_Writer(f, None, spec.scale, spec.offset))
    return writers


def _gather(data: bytes, offsets: np.ndarray, f: FieldDef) -> np.ndarray:
    """The raw bytes of one field for every message at `offsets`, as an (n, size) uint8 array."""
    buf = np.frombuffer(data, dtype=np.uint8)
    return buf[offsets[:, None] + (f.offset + np.arange(f.size))]


def _scaled(values: np.ndarray, scale: float | None, offset: float | None) -> np.ndarray:
    out = values.astype(np.float64)
    if scale:
        out = out / scale
    if offset:
        out = out - offset
    return out


def _accumulate(raw: np.ndarray, bits: int, epochs: np.ndarray) -> np.ndarray:
    """FIT accumulated components (FIT Protocol §4.8): each value adds to the running sum modulo 2**bits."""
    out = np.full(len(raw), np.nan)
    modulus = 1 << bits
    for epoch in np.unique(epochs):
        rows = np.flatnonzero((epochs == epoch) & ~np.isnan(raw))
        if not len(rows):
            continue
        values = raw[rows].astype(np.int64)
        previous = np.concatenate(([0], values[:-1]))
        wraps = np.cumsum(values < previous)
        out[rows] = values + modulus * wraps
    return out


def _field_values(data: bytes, layout: Layout, where: np.ndarray, writer: _Writer) -> np.ndarray:
    """A field's own scaled values for the messages at `where` (float64, NaN where invalid)."""
    f = writer.field
    if f.kind in ("S", "B") or f.count != 1:
        return np.full(len(where), np.nan)  # arrays, strings and bytes are never a number
    values = _gather(data, where, f).view(_scalar_dtype(f, layout.big_endian)).reshape(-1)
    invalid = _BASE_TYPES[f.base_type][2]
    bad = np.isnan(values) if invalid is None else values == invalid
    out = _scaled(values, writer.scale, writer.offset)
    out[bad] = np.nan
    return out


def _component_values(data: bytes, layout: Layout, where: np.ndarray, writer: _Writer) -> np.ndarray:
    """A component's raw bits (before scale and offset) for the messages at `where`, NaN where invalid."""
    f, component = writer.field, writer.component
    raw_bytes = _gather(data, where, f)
    if f.kind == "B":
        bad = (raw_bytes == 0xFF).all(axis=1)
        if component.bit_offset and component.bit_offset >= f.size * 8:
            # fitparse then keeps the column's earlier writer; too rare to mirror.
            raise UnsupportedFit(f"record field {f.number} is too short for its components")
        packed = np.zeros(len(where), dtype=np.uint64)
        for i in range(min(f.size, 8)):
            packed |= raw_bytes[:, i].astype(np.uint64) << np.uint64(8 * i)
    else:
        values = raw_bytes.view(_scalar_dtype(f, layout.big_endian)).reshape(-1)
        bad = values == _BASE_TYPES[f.base_type][2]
        packed = values.astype(np.int64).astype(np.uint64)
    part = (packed >> np.uint64(component.bit_offset or 0)) & np.uint64((1 << component.bits) - 1)
    part = part.astype(np.float64)
    part[bad] = np.nan
    return part


def _decode_records(data: bytes, layouts: list[Layout], runs: RecordRuns) -> dict[str, np.ndarray]:
    if not runs.starts:
        return {name: np.empty(0) for name in RECORD_COLUMNS}
    counts = np.array(runs.counts, dtype=np.int64)
    n = int(counts.sum())
    first_row = np.concatenate(([0], np.cumsum(counts)[:-1]))
    within = np.arange(n, dtype=np.int64) - np.repeat(first_row, counts)
    offsets = np.repeat(np.array(runs.starts, dtype=np.int64), counts) + within * np.repeat(
        np.array(runs.steps, dtype=np.int64), counts
    )
    compressed = np.full(n, np.nan)
    for run, times in runs.compressed_times.items():
        compressed[first_row[run]: first_row[run] + counts[run]] = times
    # Runs of interleaved patterns were listed member by member; offsets give back file order.
    order = np.argsort(offsets, kind="stable")
    offsets = offsets[order]
    compressed = compressed[order]
    layout_of = np.repeat(np.array(runs.layouts), counts)[order]
    epoch_of = np.repeat(np.array(runs.epochs), counts)[order]
    columns = {name: np.full(n, np.nan) for name in RECORD_COLUMNS}
    plans = {int(ident): _record_writers(layouts[int(ident)]) for ident in np.unique(layout_of)}
    rows_of = {ident: np.flatnonzero(layout_of == ident) for ident in plans}

    # Accumulated components run across layouts in file order: their sums come first, for all rows.
    accumulated: dict[str, np.ndarray] = {}
    accumulators: dict[str, _Writer] = {}
    for ident, plan in plans.items():
        for column, writers in plan.items():
            for writer in writers:
                if writer.component is not None and writer.component.accumulate:
                    raw = accumulated.setdefault(column, np.full(n, np.nan))
                    raw[rows_of[ident]] = _component_values(data, layouts[ident], offsets[rows_of[ident]], writer)
                    accumulators[column] = writer
    for column, raw in accumulated.items():
        component = accumulators[column].component
        accumulated[column] = _scaled(_accumulate(raw, component.bits, epoch_of), component.scale, component.offset)

    for ident, plan in plans.items():
        layout, rows = layouts[ident], rows_of[ident]
        where = offsets[rows]
        for column, writers in plan.items():
            out = None
            for writer in writers:
                if writer.component is not None and writer.component.accumulate:
                    values = accumulated[column][rows]
                elif writer.component is not None:
                    part = _component_values(data, layout, where, writer)
                    values = _scaled(part, writer.component.scale, writer.component.offset)
                else:
                    values = _field_values(data, layout, where, writer)
                if out is None:
                    out = values
                else:  # a later writer only fills the messages where the earlier ones were invalid
                    missing = np.isnan(out)
                    out[missing] = values[missing]
            columns[column][rows] = out

    # Timestamps from compressed headers (a record has either these or a timestamp field).
    from_header = ~np.isnan(compressed)
    columns["timestamp"][from_header] = compressed[from_header]
    return columns


# --------------------------------------------------------------------------------------------
# the few non-record messages, rendered with fitparse's own profile and processors


# Fields of the non-record messages that `analysis.io.fit` reads; the renderer skips the others
# (a session message has ~100 fields), which makes it ~10× cheaper than rendering everything.
MESSAGE_FIELDS = frozenset({
    "device_index", "event", "event_type", "garmin_product", "local_timestamp", "manufacturer", "product",
    "product_name", "sport", "sub_sport", "start_time", "timestamp", "total_elapsed_time", "time_created",
    "workout_feel", "workout_rpe",  # in case a newer fitparse profile knows them; 1.2.0 does not
})
# Session fields fitparse 1.2.0's profile does not know but the reader wants: Garmin's post-run
# self-evaluation (FIT SDK profile: 192 `workout_feel`, 193 `workout_rpe`). fitparse names an unknown
# field `unknown_<number>` and gives its raw value (None when invalid), and so does the renderer.
UNKNOWN_SESSION_FIELDS = frozenset({192, 193})
_FIT_EPOCH_UNIX_S = 631065600  # 1989-12-31T00:00:00Z


_PROCESSED_TYPES = frozenset({"date_time", "local_date_time", "bool", "localtime_into_day"})


def _process_type(type_name: str, value):
    """fitparse's FitFileDataProcessor type processors (the only value processors it runs by default)."""
    if value is None:
        return None
    if type_name in _PROCESSED_TYPES and not isinstance(value, int):
        # e.g. a date_time field declared as an array (a damaged definition): fitparse's processors
        # assume one integer, so what they make of it is left to the reference path.
        raise UnsupportedFit(f"a {type_name} field that is not one integer")
    if type_name == "date_time":
        if value >= 0x10000000:
            return _naive_utc(value)
        return value
    if type_name == "local_date_time":
        return _naive_utc(value)
    if type_name == "bool":
        return bool(value)
    if type_name == "localtime_into_day":
        minutes, seconds = divmod(value, 60)
        hours, minutes = divmod(minutes, 60)
        return dt.time(hours, minutes, seconds)
    return value


def _naive_utc(seconds: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1) + dt.timedelta(seconds=_FIT_EPOCH_UNIX_S + seconds)


class _MessageRenderer:
    """Render one data message as fitparse 1.2.0 would (field names → values), from its raw bytes,
    for the fields in MESSAGE_FIELDS: same raw parsing, subfields, components (none accumulated
    in these messages), scale and offset, enumeration names and date processing, in the same order, and
    each name keeps its first value that is not None, as `analysis.io.fit` takes them from fitparse. Session fields in
    UNKNOWN_SESSION_FIELDS that the profile does not know come out as fitparse gives them:
    `unknown_<number>` → the raw value of the declared base type (None when invalid)."""

    def __init__(self) -> None:
        self._plans: dict[int, tuple] = {}

    def _plan(self, layout: Layout) -> tuple:
        plan = self._plans.get(layout.ident)
        if plan is not None:
            return plan
        from fitparse.profile import MESSAGE_TYPES
        from fitparse.records import BASE_TYPE_BYTE, BASE_TYPES

        mesg_type = MESSAGE_TYPES[layout.mesg_num]
        endian = ">" if layout.big_endian else "<"

        def names(spec) -> set[str]:
            out = {spec.name} | {sub.name for sub in spec.subfields or ()}
            for component in spec.components or ():
                target = mesg_type.fields[component.def_num]
                out |= {target.name} | {sub.name for sub in target.subfields or ()}
            return out

        unknown_wanted = UNKNOWN_SESSION_FIELDS if layout.mesg_num == SESSION_MESG else frozenset()
        relevant, referenced = [], set()
        for f in layout.fields:
            spec = mesg_type.fields.get(f.number)
            if spec is None:
                if f.number in unknown_wanted:
                    relevant.append(f.number)  # rendered raw, as `unknown_<number>`
                continue
            if names(spec) & MESSAGE_FIELDS:
                relevant.append(f.number)
                for sub in spec.subfields or ():
                    referenced |= {ref.def_num for ref in sub.ref_fields}
                for component in spec.components or ():
                    for sub in mesg_type.fields[component.def_num].subfields or ():
                        referenced |= {ref.def_num for ref in sub.ref_fields}
        parse = []
        for f in layout.fields:
            if f.number in relevant or f.number in referenced:
                base = BASE_TYPES.get(f.base_type, BASE_TYPE_BYTE)
                unpacker = struct.Struct(endian + str(f.size // base.size) + base.fmt)
                parse.append((f, base, unpacker, mesg_type.fields.get(f.number), f.number in relevant))
        plan = (mesg_type, tuple(parse))
        self._plans[layout.ident] = plan
        return plan

    def render(
        self, data: bytes, layout: Layout, start: int, compressed_time: int | None
    ) -> tuple[dict, int | None]:
        mesg_type, parse = self._plan(layout)
        raws: dict[int, object] = {}
        own: list[object] = []  # each field's own raw value, for the unknown ones
        for f, base, unpacker, _, _ in parse:
            raw = unpacker.unpack_from(data, start + f.offset)
            if base.name == "byte":
                raw = base.parse(raw)
            elif len(raw) > 1:
                raw = tuple(base.parse(v) for v in raw)
            else:
                raw = base.parse(raw[0])
            own.append(raw)
            raws.setdefault(f.number, raw)  # fitparse matches subfield references on the first such field

        def resolve(spec):
            for sub in spec.subfields or ():
                for ref in sub.ref_fields:
                    if ref.def_num in raws and raws[ref.def_num] == ref.raw_value:
                        return sub
            return spec

        values: dict = {}
        stamp = None
        for (f, _, _, spec, is_relevant), raw_of_field in zip(parse, own, strict=True):
            raw = raws[f.number]
            if f.number == TIMESTAMP_FIELD and raw is not None:
                stamp = raw
            if not is_relevant:
                continue
            if spec is None:  # a field fitparse's profile does not know: its raw value, under fitparse's name
                _first_valid(values, f"unknown_{f.number}", raw_of_field)
                continue
            field = resolve(spec)
            for component in field.components or ():
                try:
                    part = component.render(raw)
                except ValueError:
                    continue
                if component.accumulate:
                    # None of the profile's non-record messages the reader uses has one (FIT SDK 21).
                    raise UnsupportedFit(f"an accumulated component in {mesg_type.name}")
                part = _apply_scale_offset(component, part)
                target = resolve(mesg_type.fields[component.def_num])
                _first_valid(values, target.name, _process_type(target.type.name, target.render(part)))
            value = _apply_scale_offset(field, field.render(raw))
            _first_valid(values, field.name, _process_type(field.type.name, value))
        if compressed_time is not None:
            stamp = compressed_time
            values["timestamp"] = _process_type("date_time", compressed_time)
        values["__name__"] = mesg_type.name
        return values, stamp


def _first_valid(values: dict, key: str, value: object) -> None:
    """Set `values[key]` unless it already holds a value that is not None (the first valid one wins)."""
    if values.get(key) is None:
        values[key] = value


def _apply_scale_offset(spec, raw):
    """fitparse's FitFile._apply_scale_offset: `float(raw) / scale - offset`, element-wise for tuples."""
    if isinstance(raw, tuple):
        return tuple(_apply_scale_offset(spec, x) for x in raw)
    if isinstance(raw, (int, float)):
        if spec.scale:
            raw = float(raw) / spec.scale
        if spec.offset:
            raw = raw - spec.offset
    return raw
