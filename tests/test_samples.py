"""conform_samples: the canonical frame's contract, and the same frames as the straightforward pandas build.

`_reference` is the implementation conform_samples had before it was made fast (pd.to_datetime, then
astype on the whole frame): every reader's output went through it, so the fast one must give the same
frames, bit for bit, for every kind of input the readers and the store hand it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from analysis.io.samples import COLUMN_NAMES, SAMPLE_COLUMNS, check_samples, conform_samples

_DTYPES = {c.name: c.dtype for c in SAMPLE_COLUMNS}


def _reference(columns: dict[str, object]) -> pd.DataFrame:
    time = pd.to_datetime(pd.Series(columns["time"]), utc=True).astype("datetime64[ns, UTC]")
    n = len(time)
    data: dict[str, object] = {"time": time.to_numpy()}
    for col in COLUMN_NAMES[1:]:
        values = columns.get(col)
        data[col] = np.full(n, np.nan) if values is None else np.asarray(values, dtype="float64")
    frame = pd.DataFrame(data)
    frame["time"] = time.to_numpy()
    return frame.astype(_DTYPES)


START = pd.Timestamp("2026-03-02 06:30:00", tz="UTC")
SECONDS = np.array([0.0, 1.0, 2.5, 4.0, 9.0])


def time_inputs() -> dict[str, object]:
    index = START + pd.to_timedelta(SECONDS, unit="s")
    return {
        "tz-aware index": index,
        "tz-aware series": pd.Series(index, index=[5, 6, 7, 8, 9]),  # the input's own index is ignored
        "other zone": index.tz_convert("Europe/Zurich"),
        "naive ns ndarray": index.tz_localize(None).to_numpy(),
        "naive us ndarray": index.tz_localize(None).to_numpy().astype("datetime64[us]"),
        "naive s index": pd.DatetimeIndex(index.tz_localize(None).to_numpy().astype("datetime64[ms]")).as_unit("s"),
        "list of timestamps": list(index),
        "mixed offsets": [t.tz_convert("America/New_York") if i % 2 else t for i, t in enumerate(index)],
    }


@pytest.mark.parametrize("kind", list(time_inputs()))
def test_every_kind_of_time_input_gives_the_reference_frame(kind):
    columns = {"time": time_inputs()[kind], "elapsed_s": SECONDS, "heart_rate_bpm": [150, 151, 152, 0, 255],
               "cadence_spm": np.array([170, 171, 172, 173, 174], dtype="int16"), "power_w": 250.0}
    frame = conform_samples(columns)
    check_samples(frame)
    pd.testing.assert_frame_equal(frame, _reference(columns), check_exact=True)
    assert frame["time"].iloc[0] == START and frame["time"].iloc[4] == START + pd.Timedelta(seconds=9)
    assert frame["power_w"].tolist() == [250.0] * 5  # a scalar is repeated
    assert frame["lat_deg"].isna().all()  # a channel not given is NaN


def test_an_empty_recording_is_a_frame_with_every_column():
    frame = conform_samples({"time": []})
    check_samples(frame)
    assert frame.shape == (0, len(COLUMN_NAMES))
    pd.testing.assert_frame_equal(frame, _reference({"time": []}))


def test_the_frame_never_shares_memory_with_its_inputs():
    elapsed = SECONDS.copy()
    times = (START + pd.to_timedelta(SECONDS, unit="s")).tz_localize(None).to_numpy().copy()
    frame = conform_samples({"time": times, "elapsed_s": elapsed})
    elapsed[:] = -1.0
    times[:] = np.datetime64("2000-01-01")
    assert frame["elapsed_s"].tolist() == SECONDS.tolist()
    assert frame["time"].iloc[0] == START


def test_unknown_columns_and_unequal_lengths_are_errors_of_the_reader():
    with pytest.raises(KeyError, match="not canonical"):
        conform_samples({"time": [START], "speed": [1.0]})
    with pytest.raises(ValueError, match="same length"):
        conform_samples({"time": [START, START], "elapsed_s": [0.0, 1.0, 2.0]})
    with pytest.raises(ValueError, match="same length"):
        conform_samples({"time": [START, START], "elapsed_s": [0.0]})  # no silent broadcasting of one value


@settings(max_examples=60, deadline=None)
@given(
    seconds=hnp.arrays("int64", st.integers(0, 400), elements=st.integers(-10**6, 10**9)),
    data=st.data(),
)
def test_random_recordings_give_the_reference_frame(seconds, data):
    n = len(seconds)
    times = np.datetime64("2020-01-01T00:00:00", "ns") + seconds.astype("timedelta64[s]")
    floats = hnp.arrays("float64", n, elements=st.floats(allow_nan=True, allow_infinity=True, width=64))
    columns: dict[str, object] = {"time": pd.DatetimeIndex(times).tz_localize("UTC")}
    for name in data.draw(st.sets(st.sampled_from(COLUMN_NAMES[1:]))):
        columns[name] = data.draw(floats)
    frame = conform_samples(columns)
    check_samples(frame)
    pd.testing.assert_frame_equal(frame, _reference(columns), check_exact=True)
