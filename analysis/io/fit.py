"""FIT activities → `Activity`: the fast vectorised decoder, fitparse as reference and fallback.

The default path is `analysis.io.fit_fast` (numpy, ~100× fitparse). A file it does not support
is read by the fitparse path instead, and its warnings say so; `backend="fitparse"` forces that
path. fitparse 1.2.0 (the PyPI release) stops at the first problem in a file, so:

* a truncated file (ends before the length its header promises) keeps the records decoded
  before the damage, with a warning;
* a complete file whose checksum (the file CRC, or the CRC of a 14-byte header) does not match
  is read, with a warning that its data may be damaged, only when it *decodes cleanly*, as
  fitdecode and Golden Cheetah read such files; otherwise it is refused, as its content cannot
  be trusted. Decodes cleanly means all of:

  - the fast decoder reads it, with no `UnsupportedFit` deferral to the reference path: every
    data message's local type is defined, every field's size is a whole number of its base
    type's, messages fill each file's data exactly and nothing follows the last file;
  - its strict walk (`analysis.io.fit_fast.decode_fit`) finds no reserved bit or byte set, no
    architecture but 0 or 1, no unknown base type, no cut-off file of a chain, and every
    developer field declared (developer_data_id, field_description) before a definition uses it,
    as fitparse looks them up;
  - on the reference path, fitparse (run once, with `check_crc=False`) decodes it without error
    into as many records;
  - there is at least one record, every record has a timestamp, and within each FIT file (of a
    chain: each is a recording of its own) the timeline repair has nothing to do (no step back
    in time, no jump of more than 6 h; equal stamps are fine) and the recorded distance never
    goes down.

  A file that fails the first point is treated as before (the reference path: refused when
  fitparse comes to the checksum that does not match, else what fitparse or Garmin's SDK decoded
  before the damage, with a warning); one that fails the others is refused. The checks cost no
  more than reading an intact file: the message caps and the reference budget apply first, as to
  any file, and no reference decoder decodes the file twice;
* any other decoding failure (the Coros Pace 2 file with misaligned field sizes, an undefined
  local message type) is retried with `garmin-fit-sdk`, Garmin's maintained reader, which
  reads past such defects; whichever decoder got further wins, and the warning says so.

A message that gives one field name more than once (Zwift writes `distance`, then an invalid
`compressed_speed_distance` whose components are distance and speed again) keeps the first
valid value of each name, in fitparse's order, on both paths.
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.io import cadence as cadence_units
from analysis.io.activity import Activity, SessionSummary, TimerEvent
from analysis.io.fit_devices import describe_device
from analysis.io.fit_fast import (
    MAX_REFERENCE_WORK,
    RECORD_COLUMNS,
    UnsupportedFit,
    chain_length,
    checksum_mismatches,
    checksum_refusal,
    count_messages,
    decode_fit,
    message_cap,
    too_many_messages,
)
from analysis.io.geo import cumulative_distance_m, speed_from_distance
from analysis.io.samples import conform_samples
from analysis.io.timeline import CLOCK_JUMP_NS, repair_timeline

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
SEMICIRCLE_TO_DEG = 180.0 / 2**31

# Message types the reader needs; everything else in a file is decoded and dropped.
_WANTED = ("file_id", "record", "event", "session", "activity", "sport", "device_info")

# record field → canonical column, in order of preference (enhanced fields first: they carry the
# full range, e.g. speeds above 65.5 m/s and altitudes above 12 km, and newer devices write only them).
_RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "distance_m": ("distance",),
    "speed_mps": ("enhanced_speed", "speed"),
    "heart_rate_bpm": ("heart_rate",),
    "altitude_m": ("enhanced_altitude", "altitude"),
    "power_w": ("power",),
    "stance_time_ms": ("stance_time",),
    "stance_time_balance_pct": ("stance_time_balance",),
    "vertical_oscillation_mm": ("vertical_oscillation",),
    "step_length_mm": ("step_length",),
    "vertical_ratio_pct": ("vertical_ratio",),
}
_TIMER_KINDS = {
    "start": "start",
    "stop": "stop",
    "stop_all": "stop",
    "stop_disable": "stop",
    "stop_disable_all": "stop",
}
_RUNNING = "running"


@dataclass
class FitMessages:
    """The messages a reader needs: non-record messages as dicts of profile field names → scaled
    values, records as columns (`RECORD_COLUMNS` → float64, NaN where absent; `timestamp` in
    seconds since 1989-12-31 00:00 UTC, the FIT epoch)."""

    by_name: dict[str, list[dict]] = field(default_factory=lambda: {name: [] for name in _WANTED})
    records: dict[str, np.ndarray] | None = None

    times_were_relative: bool = False

    def __getitem__(self, name: str) -> list[dict]:
        return self.by_name[name]

    def record_columns(self) -> dict[str, np.ndarray]:
        """Records as columns; decoders that give record dicts are converted on first use."""
        if self.records is None:
            self.records = records_to_columns(self.by_name["record"])
        return self.records

    @property
    def n_records(self) -> int:
        return int((~np.isnan(self.record_columns()["timestamp"])).sum())


def _time_seconds(value: object) -> float:
    """A decoded FIT date_time (datetime, or raw seconds when relative) → seconds since the FIT epoch."""
    if value is None or isinstance(value, bool):
        return np.nan
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return (aware - FIT_EPOCH).total_seconds()
    return np.nan


def records_to_columns(records: list[dict]) -> dict[str, np.ndarray]:
    """Record dicts (fitparse, Garmin SDK) → the columns the fast decoder gives: numbers as float64,
    anything else (None, tuples, strings) as NaN."""
    columns = {}
    for key in RECORD_COLUMNS:
        if key == "timestamp":
            columns[key] = np.array([_time_seconds(r.get(key)) for r in records], dtype=np.float64)
            continue
        out = np.full(len(records), np.nan)
        for i, rec in enumerate(records):
            value = rec.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out[i] = value
        columns[key] = out
    return columns


# --------------------------------------------------------------------------------------------
# decoding


def _expected_length(data: bytes, name: str) -> int:
    """Total length in bytes the headers promise (header + data + CRC of each chained FIT file)."""
    header_size = data[0]
    if len(data) < header_size:
        raise InputError("is too short to be a FIT file (the header is cut off)", file_name=name)
    return chain_length(data)


def _check_reference_budget(data: bytes, name: str) -> None:
    """Refuse, before fitparse sees it, a file denser than real recordings or too much work for fitparse.

    A checksum proves nothing (an attacker computes it), so messages and fields are counted by a header
    walk (`analysis.io.fit_fast.count_messages`, ~0.1 s at the limit) against the limits of
    `analysis.io.fit_fast`: the size-relative message cap the fast decoder applies too, and
    `MAX_REFERENCE_WORK`, because fitparse and Garmin's SDK take ~50× longer per message.
    """
    count, work, reached = count_messages(data, stop_after=MAX_REFERENCE_WORK)
    if count > message_cap(len(data)) or count > message_cap(reached):  # too dense, in the part counted too
        raise too_many_messages(len(data), name)
    if work > MAX_REFERENCE_WORK:
        raise InputError(
            f"needs the reference decoder (it reads the files the fast decoder cannot), and holds more than "
            f"{MAX_REFERENCE_WORK:,} messages and fields, more than that decoder is given (every real file we "
            "test with has less): it is refused rather than tie up the server",
            file_name=name,
        )


def _is_record_value(key: str, value: object) -> bool:
    """Whether a record value from fitparse counts (`records_to_columns` makes a number of it)."""
    if key == "timestamp":
        return not np.isnan(_time_seconds(value))
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not np.isnan(value)


def _decode_fitparse(data: bytes, *, check_crc: bool = True) -> tuple[FitMessages, Exception | None]:
    """Decode with fitparse; return what was decoded and the error that stopped it, if any.

    A name that comes more than once in a message (a repeated field number, or a field and another
    field's component) keeps its first valid value (not None; in records, a number), as the fast
    decoder does; fitparse lists a field's components just before the field."""
    import fitparse
    from fitparse.records import DevFieldDefinition

    messages = FitMessages()
    wanted = set(_WANTED)
    try:
        fit = fitparse.FitFile(io.BytesIO(data), check_crc=check_crc)
        for message in fit.get_messages():
            if message.name not in wanted:
                continue
            is_record = message.name == "record"
            values = {}
            for field_data in message.fields:
                # Developer fields (Stryd's "Power", RunScribe's channels) share the namespace of
                # names; they must never shadow the device's own fields.
                if isinstance(field_data.field_def, DevFieldDefinition):
                    continue
                key = field_data.name
                if key in values:
                    earlier = values[key]
                    if _is_record_value(key, earlier) if is_record else earlier is not None:
                        continue
                values[key] = field_data.value
            messages[message.name].append(values)
    except Exception as exc:  # fitparse raises FitParseError subclasses, and sometimes plain errors
        return messages, exc
    return messages, None


def _decode_garmin_sdk(data: bytes) -> tuple[FitMessages, list[Exception]]:
    from garmin_fit_sdk import Decoder, Stream

    decoded, errors = Decoder(Stream.from_byte_array(bytearray(data))).read(
        apply_scale_and_offset=True,
        convert_datetimes_to_dates=True,
        convert_types_to_strings=True,
        expand_sub_fields=True,
        expand_components=True,
        merge_heart_rates=False,
    )
    messages = FitMessages()
    for name in _WANTED:
        for values in decoded.get(f"{name}_mesgs", []):
            messages[name].append({k: v for k, v in values.items() if isinstance(k, str)})
    return messages, list(errors)


def _describe_error(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:200]


BACKENDS = ("fast", "fitparse")


def checksum_warning(mismatch: tuple[str, ...]) -> str:
    """The warning on a file read although its checksum does not match (the same on both paths)."""
    which = {("data",): "checksum does", ("header",): "header checksum does"}.get(
        mismatch, "header and data checksums do"
    )
    return (
        f"The file's {which} not match its content, so some of its data may be damaged; every message "
        "in it decoded cleanly, so it was read anyway: check that the run looks right."
    )


def damage_signs(records: dict[str, np.ndarray], file_starts: tuple[int, ...] = ()) -> str | None:
    """What in the decoded records of a file with a bad checksum says it is damaged, or None.

    The timeline repair must have nothing to do, and the recorded distance, a running total, must
    never go down (see the module docstring); both within each FIT file of a chain (`file_starts`:
    the record row where each later file begins), since each file is a recording of its own."""
    seconds = records["timestamp"]
    if not len(seconds):
        return "it has no records"
    if np.isnan(seconds).any():
        return "a record has no timestamp"
    within = np.ones(len(seconds) - 1, dtype=bool)  # step i (row i to i + 1) is inside one file
    within[[start - 1 for start in file_starts if 0 < start < len(seconds)]] = False
    steps = np.diff(seconds)[within]
    if (steps < 0).any():
        return "a record is stamped earlier than the one before it"
    if (steps * 1e9 > CLOCK_JUMP_NS).any():
        return "consecutive records are more than 6 h apart"
    distance = records["distance"]
    present = np.flatnonzero(~np.isnan(distance))
    same_file = np.searchsorted(file_starts, present[1:], side="right") == np.searchsorted(
        file_starts, present[:-1], side="right"
    )
    if (np.diff(distance[present])[same_file] < 0).any():
        return "the distance goes down"
    return None


def read_fit(data: bytes, name: str, sha256: str, *, backend: str = "fast") -> Activity:
    """Decode a FIT activity file (bytes already sniffed as FIT) into an `Activity`.

    `backend="fast"` (default) uses the vectorised decoder and falls back to fitparse for a file
    it does not support, saying so in the warnings; `backend="fitparse"` uses fitparse only.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    if backend == "fitparse":
        return read_fit_fitparse(data, name, sha256)
    _expected_length(data, name)
    try:
        decoded = decode_fit(data, name, _WANTED)
    except InputError:
        raise
    except Exception as reason:  # UnsupportedFit, or a fast-decoder bug: the reference path still reads it
        activity = read_fit_fitparse(data, name, sha256)
        why = str(reason) if isinstance(reason, UnsupportedFit) else f"it failed ({reason!r:.200})"
        note = f"Read with the reference decoder (fitparse), because the fast decoder cannot read this file: {why}."
        return dataclasses.replace(activity, warnings=(note, *activity.warnings))
    messages = FitMessages(by_name={**decoded.messages, "record": []}, records=decoded.records)
    warnings: list[str] = []
    if decoded.checksum_mismatch:
        if (sign := damage_signs(decoded.records, decoded.file_starts)) is not None:
            raise checksum_refusal(name, sign)
        warnings.append(checksum_warning(decoded.checksum_mismatch))
    if decoded.truncated_at is not None:
        if messages.n_records == 0:
            raise InputError(
                f"is cut off (only {len(data):,} of {decoded.expected_bytes:,} bytes) before any samples; "
                "copy or export the file again",
                file_name=name,
            )
        warnings.append(
            f"The file is cut off ({len(data):,} of {decoded.expected_bytes:,} bytes); "
            f"kept the {messages.n_records:,} samples recorded before the damage."
        )
    return build_activity(messages, name=name, sha256=sha256, reader="fit_fast", warnings=warnings)


def read_fit_fitparse(data: bytes, name: str, sha256: str) -> Activity:
    """The reference path: fitparse, with Garmin's FIT SDK for files fitparse cannot read."""
    expected_len = _expected_length(data, name)
    _check_reference_budget(data, name)
    truncated = len(data) < expected_len
    unclean = "the fast decoder cannot read it"
    if mismatch := checksum_mismatches(data):  # of the complete files (of a chain: a cut-off one has no CRC)
        clean = _read_fitparse_bad_checksum(data, name, sha256, mismatch)
        if isinstance(clean, Activity):
            return clean
        unclean = clean
    warnings: list[str] = []
    messages, error = _decode_fitparse(data)
    reader = "fitparse"

    if error is not None:
        from fitparse.utils import FitCRCError, FitEOFError

        if isinstance(error, FitCRCError) and not truncated:
            raise checksum_refusal(name, unclean)
        if truncated and isinstance(error, FitEOFError):
            if messages.n_records == 0:
                raise InputError(
                    f"is cut off (only {len(data):,} of {expected_len:,} bytes) before any samples; "
                    "copy or export the file again",
                    file_name=name,
                )
            warnings.append(
                f"The file is cut off ({len(data):,} of {expected_len:,} bytes); "
                f"kept the {messages.n_records:,} samples recorded before the damage."
            )
        else:
            fallback, fallback_errors = _decode_garmin_sdk(data)
            if fallback.n_records > messages.n_records:
                messages, reader = fallback, "garmin-fit-sdk"
                warnings.append(
                    f"fitparse could not read this file ({_describe_error(error)}); "
                    "it was read with Garmin's FIT SDK instead."
                )
                if fallback_errors:
                    warnings.append(
                        f"The file is damaged after {fallback.n_records:,} samples "
                        f"({_describe_error(fallback_errors[0])}); kept the samples before the damage."
                    )
            elif messages.n_records > 0:
                warnings.append(
                    f"The file is damaged after {messages.n_records:,} samples ({_describe_error(error)}); "
                    "kept the samples before the damage."
                )
            else:
                raise InputError(
                    f"is damaged and has no readable samples ({_describe_error(error)}); "
                    "export the activity again from your watch or app",
                    file_name=name,
                )
    return build_activity(messages, name=name, sha256=sha256, reader=reader, warnings=warnings)


def _read_fitparse_bad_checksum(
    data: bytes, name: str, sha256: str, mismatch: tuple[str, ...]
) -> Activity | str:
    """The reference path for a complete file whose checksum does not match (budget already checked):
    the file with the warning if it decodes cleanly (module docstring), a refusal if it does not, or
    why the fast decoder cannot read it: the reference path then treats it as it always did."""
    try:
        strict = decode_fit(data, name, _WANTED)  # the strict walk: the same verdict as the fast path
    except InputError:
        raise
    except UnsupportedFit as reason:  # as the fast path's fallback does
        return str(reason)
    except Exception as exc:  # a fast-decoder bug: likewise
        return f"the fast decoder failed ({exc!r:.200})"
    messages, error = _decode_fitparse(data, check_crc=False)
    if error is not None:
        raise checksum_refusal(name, f"fitparse: {_describe_error(error)}")
    records = messages.record_columns()
    if len(records["timestamp"]) != len(strict.records["timestamp"]):
        raise checksum_refusal(name, "the two decoders do not find the same records")
    if (sign := damage_signs(records, strict.file_starts)) is not None:
        raise checksum_refusal(name, sign)
    return build_activity(messages, name=name, sha256=sha256, reader="fitparse",
                          warnings=[checksum_warning(mismatch)])


# --------------------------------------------------------------------------------------------
# messages → Activity


def _utc(value: object) -> pd.Timestamp | None:
    """FIT date_time (datetime naive UTC, aware, or raw seconds since 1989-12-31) → UTC Timestamp."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < _RELATIVE_LIMIT:  # unresolved seconds since power-on: not a date
            return None
        return pd.Timestamp(FIT_EPOCH + timedelta(seconds=float(value)))
    if isinstance(value, datetime):
        stamp = pd.Timestamp(value)
        return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return None


def _local_naive(value: object) -> datetime | None:
    """FIT local_date_time as a naive datetime (fitparse gives a datetime, the SDK raw seconds)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (int, float)):
        return (FIT_EPOCH + timedelta(seconds=float(value))).replace(tzinfo=None)
    return None


_TIME_KEYS = ("timestamp", "start_time", "time_created")
_RELATIVE_LIMIT = 0x10000000  # FIT: date_time values below this count seconds since power-on, not dates


def _resolve_relative_times(messages: FitMessages, warnings: list[str]) -> None:
    """Give absolute times to a file written by a watch that did not know the date.

    Such devices (an FR70 here) stamp messages with seconds since power-on, but the `activity`
    message still carries an absolute local end time; anchoring to it gives the right dates,
    off by the unknown time-zone offset, which the warning says.
    """
    record_times = messages.record_columns()["timestamp"]
    with np.errstate(invalid="ignore"):
        relative_records = record_times < _RELATIVE_LIMIT
    relative = relative_records.any() or any(
        isinstance(m.get("timestamp"), int) and m["timestamp"] < _RELATIVE_LIMIT
        for name in _WANTED if name != "record" for m in messages[name]
    )
    if not relative:
        return
    messages.times_were_relative = True
    anchor: datetime | None = None
    for a in messages["activity"]:
        local = _local_naive(a.get("local_timestamp"))
        stamp = a.get("timestamp")
        if local is not None and isinstance(stamp, int) and stamp < _RELATIVE_LIMIT:
            anchor = local.replace(tzinfo=UTC) - timedelta(seconds=stamp)
            break
    if anchor is None:
        anchor = FIT_EPOCH
        warnings.append("The watch did not record the date; times are counted from the start of the file only.")
    else:
        warnings.append(
            "The watch recorded times since power-on, not dates; they were anchored to the activity's "
            "local end time, so the UTC times may be off by the time-zone offset."
        )
    record_times[relative_records] += (anchor - FIT_EPOCH).total_seconds()
    for name in _WANTED:
        if name == "record":
            continue
        for m in messages[name]:
            for key in _TIME_KEYS:
                value = m.get(key)
                if isinstance(value, int) and not isinstance(value, bool) and value < _RELATIVE_LIMIT:
                    m[key] = anchor + timedelta(seconds=value)


def _text(value: object, default: str) -> str:
    if value is None:
        return default
    return str(value)


def _preferred(records: dict[str, np.ndarray], keys: tuple[str, ...], rows: np.ndarray) -> np.ndarray:
    """The first of `keys` that has a value in each row (the others are fallbacks), for the kept rows."""
    out = records[keys[-1]][rows].copy()
    for key in reversed(keys[:-1]):
        values = records[key][rows]
        present = ~np.isnan(values)
        out[present] = values[present]
    return out


def _sessions(messages: FitMessages) -> list[SessionSummary]:
    sessions = []
    for s in messages["session"]:
        start = _utc(s.get("start_time"))
        end = _utc(s.get("timestamp"))
        elapsed = s.get("total_elapsed_time")
        if start is not None and isinstance(elapsed, (int, float)):
            end = start + pd.Timedelta(seconds=float(elapsed))
        if start is None:
            continue
        sessions.append(
            SessionSummary(
                sport=_text(s.get("sport"), "generic"),
                sub_sport=_text(s.get("sub_sport"), "generic"),
                start_time=start,
                end_time=end if end is not None else start,
                kept=True,
            )
        )
    return sorted(sessions, key=lambda s: s.start_time)


def _file_sport(messages: FitMessages) -> tuple[str, str]:
    for s in messages["sport"]:
        if s.get("sport") is not None:
            return _text(s.get("sport"), "generic"), _text(s.get("sub_sport"), "generic")
    return "generic", "generic"


def _device(messages: FitMessages) -> str:
    for f in messages["file_id"]:
        if f.get("manufacturer") is not None or f.get("product") is not None:
            product = f.get("garmin_product", f.get("product"))
            return describe_device(f.get("manufacturer"), product, f.get("product_name"))
    for d in messages["device_info"]:
        if d.get("device_index") in ("creator", 0) and d.get("manufacturer") is not None:
            product = d.get("garmin_product", d.get("product"))
            return describe_device(d.get("manufacturer"), product, d.get("product_name"))
    return "unknown device"


def _utc_offset_s(messages: FitMessages) -> float | None:
    """Local minus UTC time from the `activity` message, in seconds, when the file records it."""
    if messages.times_were_relative:
        return None
    for a in messages["activity"]:
        utc = _utc(a.get("timestamp"))
        local = _local_naive(a.get("local_timestamp"))
        if utc is None or local is None:
            continue
        offset = (pd.Timestamp(local) - utc.tz_localize(None)).total_seconds()
        # Devices set local time to the minute; zones are whole quarter hours, within ±14 h.
        offset = round(offset / 900.0) * 900.0
        if abs(offset) <= 14 * 3600:
            return offset
    return None


def _timer_events(messages: FitMessages) -> list[TimerEvent]:
    events = []
    for e in messages["event"]:
        if e.get("event") != "timer":
            continue
        kind = _TIMER_KINDS.get(str(e.get("event_type")))
        time = _utc(e.get("timestamp"))
        if kind and time is not None:
            events.append(TimerEvent(time=time, kind=kind))
    return sorted(events, key=lambda e: e.time)


# Garmin's post-run self-evaluation, in the session message (FIT SDK profile, session fields 192
# `workout_feel` and 193 `workout_rpe`, uint8): newer profiles (Garmin's SDK) name the fields, fitparse
# 1.2.0 does not know them and gives `unknown_192` / `unknown_193`, as does the fast decoder.
_FEEL_KEYS = ("workout_feel", "unknown_192")
_RPE_KEYS = ("workout_rpe", "unknown_193")
MAX_FEEL = 100  # 0 very weak, 25 weak, 50 normal, 75 strong, 100 very strong
MAX_RPE_X10 = 100  # Borg CR10 × 10: 70 is an effort of 7.0 out of 10


def _stored_value(session: dict, keys: tuple[str, ...]) -> int | None:
    """The first of `keys` holding one integer (None, invalid 0xFF, arrays and text count as absent)."""
    for key in keys:
        value = session.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value):
            return value
    return None


def self_evaluation(
    sessions: list[dict], warnings: list[str], *, running_only: bool = False
) -> tuple[float | None, float | None]:
    """(perceived effort on the Borg CR10 scale 0-10, feel 0-100) from decoded session dicts, or None each.

    The runner answers "how did it feel / how hard was it" on the watch after the run and it is stored in
    the session (`workout_rpe` is effort × 10). With `running_only` (a multisport file of which only the
    running sessions are kept) only running sessions count. Each value comes from the first such session
    that has one; a value outside its scale is left out, with a warning saying so.
    """
    effort: float | None = None
    feel: float | None = None
    for session in sessions:
        if running_only and (session.get("sport") != _RUNNING or _utc(session.get("start_time")) is None):
            continue
        if effort is None and (rpe := _stored_value(session, _RPE_KEYS)) is not None:
            if 0 <= rpe <= MAX_RPE_X10:
                effort = rpe / 10
            else:
                warnings.append(
                    f"The watch's self-evaluation records a perceived effort of {rpe / 10:g} out of 10, which is "
                    "not on the 0-10 scale; it was left out."
                )
        if feel is None and (value := _stored_value(session, _FEEL_KEYS)) is not None:
            if 0 <= value <= MAX_FEEL:
                feel = float(value)
            else:
                warnings.append(
                    f"The watch's self-evaluation records a feel of {value:g}, which is not on the 0-100 scale "
                    "(0 very weak to 100 very strong); it was left out."
                )
    return effort, feel


def build_activity(
    messages: FitMessages, *, name: str, sha256: str, reader: str, warnings: list[str]
) -> Activity:
    """Turn decoded FIT messages into an `Activity` (shared by every FIT decoder)."""
    warnings = list(warnings)
    _resolve_relative_times(messages, warnings)
    records = messages.record_columns()
    seconds = records["timestamp"]
    timed = ~np.isnan(seconds)
    dropped_untimed = int((~timed).sum())
    if dropped_untimed:
        warnings.append(f"{dropped_untimed:,} samples without a time were left out.")
    if not timed.any():
        raise InputError(
            "has no timed samples (record messages): it is not a recorded activity, or it is empty; "
            "export the activity itself (not a course, workout or settings file)",
            file_name=name,
        )
    rows = np.flatnonzero(timed)
    epoch_ns = pd.Timestamp(FIT_EPOCH).value
    times = pd.DatetimeIndex(
        (epoch_ns + np.round(seconds[rows] * 1e9).astype(np.int64)).astype("datetime64[ns]")
    ).tz_localize("UTC")
    sessions = _sessions(messages)
    running_only = False
    if sessions:
        running = [s for s in sessions if s.sport == _RUNNING]
        if running and len(running) < len(sessions):
            running_only = True
            keep = np.zeros(len(rows), dtype=bool)
            for s in running:
                keep |= np.asarray((times >= s.start_time) & (times <= s.end_time))
            parts = ", ".join(s.sport for s in sessions)
            warnings.append(
                f"Multisport file ({len(sessions)} sessions: {parts}); only the running "
                f"session{'s' if len(running) > 1 else ''} ({len(running)}) are kept as the run."
            )
            sessions = [
                SessionSummary(s.sport, s.sub_sport, s.start_time, s.end_time, kept=s.sport == _RUNNING)
                for s in sessions
            ]
            rows = rows[keep]
            times = times[keep]
            if not len(rows):
                raise InputError("has running sessions but no samples inside them", file_name=name)
            sport, sub_sport = _RUNNING, running[0].sub_sport
        else:
            kept_sports = sorted({s.sport for s in sessions if s.sport != "transition"})
            sport = sessions[0].sport if len(kept_sports) <= 1 else "multisport"
            sub_sport = sessions[0].sub_sport
    else:
        sport, sub_sport = _file_sport(messages)
        warnings.append("The file has no session summary (often a sign it was cut off); sport taken from its settings.")

    timeline = repair_timeline(np.asarray(times.as_unit("ns").asi8))
    warnings.extend(timeline.warnings)
    rows = rows[timeline.keep]
    times = pd.DatetimeIndex(timeline.times_ns.astype("datetime64[ns]")).tz_localize("UTC")

    kept = [s for s in sessions if s.kept]
    start_time = times[0]
    if kept and kept[0].start_time < start_time:
        start_time = kept[0].start_time
    elapsed_s = np.asarray((times - start_time).total_seconds(), dtype="float64")

    columns: dict[str, object] = {"time": times, "elapsed_s": elapsed_s}
    for column, keys in _RECORD_FIELDS.items():
        columns[column] = _preferred(records, keys, rows)

    lat = records["position_lat"][rows] * SEMICIRCLE_TO_DEG
    lon = records["position_long"][rows] * SEMICIRCLE_TO_DEG
    with np.errstate(invalid="ignore"):
        bad_position = ~((np.abs(lat) <= 90) & (np.abs(lon) <= 180)) | ((lat == 0) & (lon == 0))
    lat[bad_position] = np.nan
    lon[bad_position] = np.nan
    columns["lat_deg"], columns["lon_deg"] = lat, lon

    heart = columns["heart_rate_bpm"]
    zero_hr = heart <= 0
    if zero_hr.any():
        if zero_hr.sum() == np.isfinite(heart).sum():
            warnings.append("Heart rate was 0 throughout (no strap or sensor connected?); treated as missing.")
        heart[zero_hr] = np.nan

    distance = columns["distance_m"]
    speed = columns["speed_mps"]
    has_positions = np.isfinite(lat).sum() >= 2
    if not np.isfinite(distance).any():
        if has_positions:
            columns["distance_m"] = distance = cumulative_distance_m(lat, lon)
            warnings.append("The file records no distance; it was computed from the GPS positions.")
        elif np.isfinite(speed).sum() >= 2:
            filled = np.where(np.isfinite(speed), speed, 0.0)
            steps = np.diff(elapsed_s) * (filled[1:] + filled[:-1]) / 2
            columns["distance_m"] = distance = np.concatenate(([0.0], np.cumsum(np.maximum(steps, 0.0))))
            warnings.append("The file records no distance; it was integrated from speed.")
    if not np.isfinite(speed).any() and np.isfinite(distance).sum() >= 2:
        columns["speed_mps"] = speed = speed_from_distance(elapsed_s, distance)
        warnings.append("The file records no speed; it was derived from distance over time.")

    raw_cadence = records["cadence"][rows]
    fractional = records["fractional_cadence"][rows]
    raw_cadence = raw_cadence + np.where(np.isfinite(fractional), fractional, 0.0)
    steps_per_min, unit = cadence_units.to_steps_per_min(raw_cadence, speed, sport)
    sport = cadence_units.running_if_it_moves_like_one(sport, steps_per_min, speed, warnings)
    columns["cadence_spm"] = steps_per_min

    perceived_effort, feel = self_evaluation(messages["session"], warnings, running_only=running_only)
    events = _timer_events(messages)
    if kept and len(kept) < len(sessions):
        events = [e for e in events if any(s.start_time <= e.time <= s.end_time for s in kept)]

    return Activity(
        samples=conform_samples(columns),
        sport=sport,
        sub_sport=sub_sport,
        start_time=start_time,
        utc_offset_s=_utc_offset_s(messages),
        device=_device(messages),
        source_format="fit",
        file_name=name,
        file_sha256=sha256,
        cadence_unit=unit,
        reader=reader,
        timer_events=tuple(events),
        sessions=tuple(sessions),
        warnings=tuple(warnings),
        dropped_samples=dropped_untimed + timeline.dropped,
        perceived_effort=perceived_effort,
        feel=feel,
    )
