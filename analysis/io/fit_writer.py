"""A small FIT *writer*, so tests and the sample club use files with exactly known content.

It writes what the FIT protocol (Garmin FIT SDK, "Flexible and Interoperable Data Transfer")
specifies: a 14-byte header with its CRC, definition messages (re-issued when a message's set
of fields changes, as real devices do), normal-header data messages, and the file CRC. On request
it also writes what some devices write: big-endian fields, compressed-timestamp headers for
records (FIT Protocol §4.1.2) and a developer field on records (a Connect IQ app's "Power").
For tests of damaged files it can also write a wrong file CRC or header CRC, and records whose
definition repeats field numbers (a valid copy, then an invalid one, as Zwift does) or carries
Zwift's invalid `compressed_speed_distance`. By default none of this is written.
Values are given in the profile's physical units (metres, m/s, seconds) and encoded with the
profile's scale and offset; `None` writes the base type's invalid sentinel. Positions are given
in degrees and stored as semicircles. Only the messages and fields the readers use are listed;
add rows to `MESSAGES` to write more.

Every file it writes is checked by reading it back with fitparse in `tests/test_fit_writer.py`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from analysis.io.fit_crc import crc16

FIT_EPOCH_S = int(datetime(1989, 12, 31, tzinfo=UTC).timestamp())
PROTOCOL_VERSION = 0x20  # 2.0
PROFILE_VERSION = 2132  # 21.32


@dataclass(frozen=True)
class BaseType:
    code: int
    fmt: str  # struct format character
    invalid: int | float


BASE_TYPES: dict[str, BaseType] = {
    "enum": BaseType(0x00, "B", 0xFF),
    "sint8": BaseType(0x01, "b", 0x7F),
    "uint8": BaseType(0x02, "B", 0xFF),
    "sint16": BaseType(0x83, "h", 0x7FFF),
    "uint16": BaseType(0x84, "H", 0xFFFF),
    "sint32": BaseType(0x85, "i", 0x7FFFFFFF),
    "uint32": BaseType(0x86, "I", 0xFFFFFFFF),
    "uint8z": BaseType(0x0A, "B", 0x00),
    "uint16z": BaseType(0x8B, "H", 0x0000),
    "uint32z": BaseType(0x8C, "I", 0x00000000),
    "string": BaseType(0x07, "s", 0),
    "byte3": BaseType(0x0D, "3s", 0xFF),  # a 3-byte byte array (compressed_speed_distance); invalid: all 0xFF
}
STRING_BYTES = 16  # every string field is written with this many bytes, NUL-padded


@dataclass(frozen=True)
class FieldSpec:
    number: int
    base: str
    scale: float = 1.0
    offset: float = 0.0
    kind: str = "number"  # "number", "time" (datetime), "degrees" (→ semicircles), or an enum table name


# FIT profile (Profile.xlsx, Messages sheet): message number and the fields used here.
MESSAGES: dict[str, tuple[int, dict[str, FieldSpec]]] = {
    "file_id": (0, {
        "type": FieldSpec(0, "enum", kind="file"),
        "manufacturer": FieldSpec(1, "uint16", kind="manufacturer"),
        "product": FieldSpec(2, "uint16"),
        "serial_number": FieldSpec(3, "uint32z"),
        "time_created": FieldSpec(4, "uint32", kind="time"),
    }),
    "device_info": (23, {
        "timestamp": FieldSpec(253, "uint32", kind="time"),
        "device_index": FieldSpec(0, "uint8"),
        "manufacturer": FieldSpec(2, "uint16", kind="manufacturer"),
        "product": FieldSpec(4, "uint16"),
    }),
    "event": (21, {
        "timestamp": FieldSpec(253, "uint32", kind="time"),
        "event": FieldSpec(0, "enum", kind="event"),
        "event_type": FieldSpec(1, "enum", kind="event_type"),
        "data": FieldSpec(3, "uint32"),
        "event_group": FieldSpec(4, "uint8"),
    }),
    "record": (20, {
        "timestamp": FieldSpec(253, "uint32", kind="time"),
        "position_lat": FieldSpec(0, "sint32", kind="degrees"),
        "position_long": FieldSpec(1, "sint32", kind="degrees"),
        "altitude": FieldSpec(2, "uint16", 5, 500),
        "heart_rate": FieldSpec(3, "uint8"),
        "cadence": FieldSpec(4, "uint8"),
        "distance": FieldSpec(5, "uint32", 100),
        "speed": FieldSpec(6, "uint16", 1000),
        "power": FieldSpec(7, "uint16"),
        "vertical_oscillation": FieldSpec(39, "uint16", 10),
        "stance_time_percent": FieldSpec(40, "uint16", 100),
        "stance_time": FieldSpec(41, "uint16", 10),
        "compressed_speed_distance": FieldSpec(8, "byte3", kind="bytes"),  # written only as 0xFFFFFF (Zwift)
        "fractional_cadence": FieldSpec(53, "uint8", 128),
        "enhanced_speed": FieldSpec(73, "uint32", 1000),
        "enhanced_altitude": FieldSpec(78, "uint32", 5, 500),
        "vertical_ratio": FieldSpec(83, "uint16", 100),
        "stance_time_balance": FieldSpec(84, "uint16", 100),
        "step_length": FieldSpec(85, "uint16", 10),
    }),
    "lap": (19, {
        "timestamp": FieldSpec(253, "uint32", kind="time"),
        "event": FieldSpec(0, "enum", kind="event"),
        "event_type": FieldSpec(1, "enum", kind="event_type"),
        "start_time": FieldSpec(2, "uint32", kind="time"),
        "total_elapsed_time": FieldSpec(7, "uint32", 1000),
        "total_timer_time": FieldSpec(8, "uint32", 1000),
        "total_distance": FieldSpec(9, "uint32", 100),
        "sport": FieldSpec(25, "enum", kind="sport"),
    }),
    "session": (18, {
        "timestamp": FieldSpec(253, "uint32", kind="time"),
        "message_index": FieldSpec(254, "uint16"),
        "event": FieldSpec(0, "enum", kind="event"),
        "event_type": FieldSpec(1, "enum", kind="event_type"),
        "start_time": FieldSpec(2, "uint32", kind="time"),
        "sport": FieldSpec(5, "enum", kind="sport"),
        "sub_sport": FieldSpec(6, "enum", kind="sub_sport"),
        "total_elapsed_time": FieldSpec(7, "uint32", 1000),
        "total_timer_time": FieldSpec(8, "uint32", 1000),
        "total_distance": FieldSpec(9, "uint32", 100),
        # Garmin's post-run self-evaluation (FIT SDK profile; fitparse 1.2.0 does not know them), raw uint8:
        # feel 0-100 (0 very weak ... 100 very strong), RPE as Borg CR10 × 10 (70 = 7.0); 0xFF = not answered.
        "workout_feel": FieldSpec(192, "uint8"),
        "workout_rpe": FieldSpec(193, "uint8"),
    }),
    "activity": (34, {
        "timestamp": FieldSpec(253, "uint32", kind="time"),
        "total_timer_time": FieldSpec(0, "uint32", 1000),
        "num_sessions": FieldSpec(1, "uint16"),
        "type": FieldSpec(2, "enum", kind="activity"),
        "event": FieldSpec(3, "enum", kind="event"),
        "event_type": FieldSpec(4, "enum", kind="event_type"),
        "local_timestamp": FieldSpec(5, "uint32", kind="time"),
    }),
    "sport": (12, {
        "sport": FieldSpec(0, "enum", kind="sport"),
        "sub_sport": FieldSpec(1, "enum", kind="sub_sport"),
    }),
    "developer_data_id": (207, {
        "developer_data_index": FieldSpec(3, "uint8"),
        "application_version": FieldSpec(4, "uint32"),
    }),
    "field_description": (206, {
        "developer_data_index": FieldSpec(0, "uint8"),
        "field_definition_number": FieldSpec(1, "uint8"),
        "fit_base_type_id": FieldSpec(2, "uint8"),
        "field_name": FieldSpec(3, "string", kind="string"),
        "units": FieldSpec(8, "string", kind="string"),
    }),
}
# The developer field written on records when asked: a running-power app's watts (uint16).
DEV_FIELD_NAME = "Power"
DEV_FIELD_NUMBER = 0

# FIT profile (Types sheet): the enum values used here.
ENUMS: dict[str, dict[str, int]] = {
    "file": {"device": 1, "settings": 2, "sport": 3, "activity": 4, "workout": 5, "course": 6},
    "manufacturer": {"garmin": 1, "dynastream": 15, "suunto": 23, "stryd": 95, "development": 255, "coros": 294},
    "sport": {"generic": 0, "running": 1, "cycling": 2, "transition": 3, "fitness_equipment": 4, "swimming": 5,
              "walking": 11, "rowing": 15, "hiking": 17},
    "sub_sport": {"generic": 0, "treadmill": 1, "street": 2, "trail": 3, "track": 4},
    "event": {"timer": 0, "session": 8, "lap": 9, "activity": 26},
    "event_type": {"start": 0, "stop": 1, "marker": 3, "stop_all": 4, "stop_disable": 8, "stop_disable_all": 9},
    "activity": {"manual": 0, "auto_multi_sport": 1},
}


def _fmt(spec: FieldSpec) -> str:
    return f"{STRING_BYTES}s" if spec.base == "string" else BASE_TYPES[spec.base].fmt


def _invalid(spec: FieldSpec) -> int | bytes:
    """The invalid sentinel of a field, as `struct` packs it."""
    base = BASE_TYPES[spec.base]
    if spec.kind == "bytes":
        return bytes([int(base.invalid)]) * struct.calcsize(base.fmt)
    if spec.kind == "string":
        return b""
    return int(base.invalid)


def _encode_value(spec: FieldSpec, value: object) -> int | bytes:
    base = BASE_TYPES[spec.base]
    if spec.kind == "bytes":
        return _invalid(spec) if value is None else bytes(value)
    if spec.kind == "string":
        return b"" if value is None else str(value).encode()[: STRING_BYTES - 1]
    if value is None:
        return int(base.invalid)
    if spec.kind == "time":
        if not isinstance(value, datetime):
            raise TypeError(f"time fields take a datetime, got {value!r}")
        if value.tzinfo is None:
            raise ValueError("time fields take a tz-aware datetime (FIT times are UTC)")
        return int(round(value.timestamp())) - FIT_EPOCH_S
    if spec.kind == "degrees":
        return int(round(float(value) * 2**31 / 180.0))
    if spec.kind in ENUMS:
        return ENUMS[spec.kind][value] if isinstance(value, str) else int(value)
    return int(round((float(value) + spec.offset) * spec.scale))


class FitWriter:
    """Accumulates messages and returns the bytes of one FIT file.

    >>> w = FitWriter(); w.write("file_id", type="activity", manufacturer="development")
    >>> w.to_bytes()[8:12]
    b'.FIT'
    """

    def __init__(self, *, big_endian: bool = False, compressed_timestamps: bool = False,
                 developer_power: bool = False, repeat_invalid: Iterable[str] = (),
                 invalid_copy_first: bool = False):
        """`repeat_invalid`: record fields (profile names) that each record carrying them writes twice
        under the same field number, the valid value then a copy holding the invalid sentinel (the
        copy first with `invalid_copy_first`), as Zwift writes its records."""
        self.big_endian = big_endian
        self.compressed_timestamps = compressed_timestamps
        self.developer_power = developer_power
        self.repeat_invalid = tuple(repeat_invalid)
        self.invalid_copy_first = invalid_copy_first
        unknown = set(self.repeat_invalid) - set(MESSAGES["record"][1])
        if unknown:
            raise KeyError(f"record has no fields {sorted(unknown)} in FitWriter.MESSAGES")
        self._body = bytearray()
        self._local_of: dict[tuple[str, tuple[str, ...]], int] = {}
        self._next_local = 0
        self._last_time: int | None = None  # the receiver's time accumulator, in FIT seconds
        if developer_power:
            self.write("developer_data_id", developer_data_index=0, application_version=1)
            self.write("field_description", developer_data_index=0, field_definition_number=DEV_FIELD_NUMBER,
                       fit_base_type_id=BASE_TYPES["uint16"].code, field_name=DEV_FIELD_NAME, units="watts")

    def _slots(self, message: str, names: Iterable[str]) -> tuple[tuple[str, bool], ...]:
        """The fields of a message as written: (name, written as its invalid copy), in order."""
        slots: list[tuple[str, bool]] = []
        for name in names:
            if message == "record" and name in self.repeat_invalid:
                pair = [(name, True), (name, False)] if self.invalid_copy_first else [(name, False), (name, True)]
                slots.extend(pair)
            else:
                slots.append((name, False))
        return tuple(slots)

    def _define(self, message: str, fields: tuple[str, ...], *, compressed: bool = False) -> int:
        key = (message, fields)
        if key in self._local_of:
            return self._local_of[key]
        # Compressed headers can only name local types 0-3: in that mode local 0 is theirs alone.
        if compressed:
            local = 0
        elif self.compressed_timestamps:
            local = 1 + self._next_local % 15
            self._next_local += 1
        else:
            local = self._next_local % 16  # like devices, reuse local types when the 16 slots run out
            self._next_local += 1
        for old_key, old_local in list(self._local_of.items()):
            if old_local == local:
                del self._local_of[old_key]
        number, specs = MESSAGES[message]
        endian = ">" if self.big_endian else "<"
        dev = self.developer_power and message == "record"
        out = bytearray([0x40 | (0x20 if dev else 0) | local, 0, 1 if self.big_endian else 0])
        slots = self._slots(message, fields)
        out += struct.pack(endian + "HB", number, len(slots))
        for name, _ in slots:
            spec = specs[name]
            out += bytes([spec.number, struct.calcsize(_fmt(spec)), BASE_TYPES[spec.base].code])
        if dev:
            out += bytes([1, DEV_FIELD_NUMBER, 2, 0])  # one developer field: number, 2 bytes, data index 0
        self._body += out
        self._local_of[key] = local
        return local

    def write(self, message: str, **values: object) -> None:
        """Append one data message; keyword names are profile field names (see MESSAGES).

        With developer_power, a record may carry `dev_power` (watts; None writes the invalid value).
        """
        if message not in MESSAGES:
            raise KeyError(f"FitWriter does not know message {message!r}")
        specs = MESSAGES[message][1]
        dev_power = values.pop("dev_power", None) if message == "record" else None
        unknown = set(values) - set(specs)
        if unknown:
            raise KeyError(f"{message} has no fields {sorted(unknown)} in FitWriter.MESSAGES")
        header_offset = None
        stamp = values.get("timestamp")
        if "timestamp" in specs and isinstance(stamp, datetime):
            seconds = _encode_value(specs["timestamp"], stamp)
            if (message == "record" and self.compressed_timestamps and self._last_time is not None
                    and 0 <= seconds - self._last_time < 32):
                values = {k: v for k, v in values.items() if k != "timestamp"}
                header_offset = seconds & 0x1F
            self._last_time = seconds
        fields = tuple(values)
        local = self._define(message, fields, compressed=header_offset is not None)
        endian = ">" if self.big_endian else "<"
        slots = self._slots(message, fields)
        fmt = endian + "".join(_fmt(specs[name]) for name, _ in slots)
        raw = [_invalid(specs[name]) if copy else _encode_value(specs[name], values[name]) for name, copy in slots]
        header = 0x80 | (local << 5) | header_offset if header_offset is not None else local
        self._body += bytes([header]) + struct.pack(fmt, *raw)
        if self.developer_power and message == "record":
            self._body += struct.pack(endian + "H", 0xFFFF if dev_power is None else int(dev_power))

    def to_bytes(self, *, bad_header_crc: bool = False, bad_data_crc: bool = False) -> bytes:
        """The file. `bad_header_crc` / `bad_data_crc` write a wrong header CRC / file CRC (one bit off,
        as in the FIT SDK's activity-filecrc.fit example; the file CRC is then over the wrong header CRC)."""
        header = struct.pack("<BBHI4s", 14, PROTOCOL_VERSION, PROFILE_VERSION, len(self._body), b".FIT")
        header += struct.pack("<H", _wrong(crc16(header)) if bad_header_crc else crc16(header))
        content = header + bytes(self._body)
        return content + struct.pack("<H", _wrong(crc16(content)) if bad_data_crc else crc16(content))


def _wrong(crc: int) -> int:
    """A CRC one bit off; never 0, which in a header means "not computed" and is accepted."""
    return crc ^ 0x1000 if crc ^ 0x1000 else crc ^ 0x0001


# --------------------------------------------------------------------------------------------
# A whole activity in one call


@dataclass(frozen=True)
class SessionSpec:
    """One session of an activity file: its sport and the records that belong to it."""

    sport: str
    records: tuple[Mapping[str, object], ...]
    sub_sport: str = "generic"
    # The self-evaluation written on the session when given (raw uint8 as stored: feel 0-100, RPE × 10;
    # 255 writes the invalid 0xFF). None leaves the field out of the session message entirely.
    workout_feel: int | None = None
    workout_rpe: int | None = None


def encode_activity(
    sessions: Iterable[SessionSpec],
    *,
    timer_stops: Iterable[tuple[datetime, datetime]] = (),
    utc_offset_s: int | None = None,
    manufacturer: str = "development",
    product: int = 1,
    big_endian: bool = False,
    compressed_timestamps: bool = False,
    developer_power: bool = False,
    repeat_invalid: Iterable[str] = (),
    invalid_copy_first: bool = False,
    bad_header_crc: bool = False,
    bad_data_crc: bool = False,
) -> bytes:
    """Write a complete activity file: file_id, timer events, records, laps, sessions, activity.

    `timer_stops` are (stop, restart) UTC datetimes: the timer is paused in between, as when a
    runner presses stop at a traffic light. `utc_offset_s` sets `activity.local_timestamp`.
    Record dicts use profile field names and physical units (degrees for positions). A session's
    `workout_feel` / `workout_rpe` (see `SessionSpec`) are written on its session message only when given.
    `repeat_invalid` and `invalid_copy_first` go to `FitWriter`, `bad_header_crc` and `bad_data_crc` to
    `FitWriter.to_bytes`.
    """
    sessions = list(sessions)
    writer = FitWriter(big_endian=big_endian, compressed_timestamps=compressed_timestamps,
                       developer_power=developer_power, repeat_invalid=repeat_invalid,
                       invalid_copy_first=invalid_copy_first)
    first = sessions[0].records[0]["timestamp"]
    last = sessions[-1].records[-1]["timestamp"]
    writer.write("file_id", type="activity", manufacturer=manufacturer, product=product,
                 serial_number=12345, time_created=first)
    writer.write("device_info", timestamp=first, device_index=0, manufacturer=manufacturer, product=product)
    writer.write("event", timestamp=first, event="timer", event_type="start", event_group=0)
    stops = sorted(timer_stops)
    for spec in sessions:
        for record in spec.records:
            while stops and stops[0][0] <= record["timestamp"]:
                stop, restart = stops.pop(0)
                writer.write("event", timestamp=stop, event="timer", event_type="stop_all", event_group=0)
                writer.write("event", timestamp=restart, event="timer", event_type="start", event_group=0)
            writer.write("record", **record)
    writer.write("event", timestamp=last, event="timer", event_type="stop_all", event_group=0)
    for index, spec in enumerate(sessions):
        start, end = spec.records[0]["timestamp"], spec.records[-1]["timestamp"]
        elapsed = (end - start).total_seconds()
        distances = [r["distance"] for r in spec.records if r.get("distance") is not None]
        total_distance = (distances[-1] - distances[0]) if distances else None
        writer.write("lap", timestamp=end, event="lap", event_type="stop", start_time=start,
                     total_elapsed_time=elapsed, total_timer_time=elapsed, total_distance=total_distance,
                     sport=spec.sport)
        evaluation = {k: v for k, v in (("workout_feel", spec.workout_feel), ("workout_rpe", spec.workout_rpe))
                      if v is not None}
        writer.write("session", timestamp=end, message_index=index, event="session", event_type="stop",
                     start_time=start, sport=spec.sport, sub_sport=spec.sub_sport, total_elapsed_time=elapsed,
                     total_timer_time=elapsed, total_distance=total_distance, **evaluation)
    total = (last - first).total_seconds()
    activity: dict[str, object] = dict(timestamp=last, total_timer_time=total, num_sessions=len(sessions),
                                       type="manual" if len(sessions) == 1 else "auto_multi_sport",
                                       event="activity", event_type="stop")
    if utc_offset_s is not None:
        activity["local_timestamp"] = datetime.fromtimestamp(last.timestamp() + utc_offset_s, tz=UTC)
    writer.write("activity", **activity)
    return writer.to_bytes(bad_header_crc=bad_header_crc, bad_data_crc=bad_data_crc)
