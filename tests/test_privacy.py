"""Privacy (issue 9): positions dropped at import, the privacy radius on maps and exports, exports without
positions unless asked, and the per-import upload cap. Real files from the project's FIT writer, no mocks."""

from __future__ import annotations

import json
import math
from dataclasses import fields
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from conftest import ADMIN
from fit_fixtures import START, Stretch, fit_from_records, gpx_from_records, records_for

from analysis.charts.run import run_map
from analysis.cli import main
from analysis.errors import InputError
from analysis.export import export_store, samples_table
from analysis.ingest.pipeline import MAX_UPLOAD_BYTES, check_upload_total, ingest
from analysis.io import read_activity
from analysis.io.geo import EARTH_RADIUS_M, haversine_m, haversine_steps_m
from analysis.metrics import RunMetrics, run_metrics
from analysis.privacy import (
    DEFAULT_PRIVACY_RADIUS_M,
    NO_POSITIONS_WARNING,
    POSITIONS_DROPPED_WARNING,
    PRIVACY_SETTINGS,
    hidden_positions,
    hide_ends,
    validate_privacy_radius_m,
)
from analysis.store import Store

M_PER_DEG_LAT = 6_371_008.8 * math.pi / 180  # metres per degree of latitude on the haversine sphere
HOME = (51.5, -0.12)
# 40 min, slowing late with a falling cadence: eligible, with every fatigue metric defined.
FADING = [Stretch(600, 2.9), Stretch(1200, 3.1), Stretch(600, 2.9, cadence_per_leg=83.0, heart_rate_bpm=158)]


def north_line(metres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions `metres` north of HOME (due north, so the distance from HOME is exactly |metres|)."""
    metres = np.asarray(metres, dtype="float64")
    return HOME[0] + metres / M_PER_DEG_LAT, np.full(metres.shape, HOME[1])


def folded(records: list[dict], leg_m: float) -> list[dict]:
    """The records' route folded into out-and-backs of `leg_m`: north, back past home, south, back home.

    The north offset is a triangle wave of the recorded distance, so the run passes its start halfway and
    ends where it started (a loop from the front door).
    """
    out = []
    for r in records:
        d = r["distance"] % (4 * leg_m)
        north = d if d <= leg_m else 2 * leg_m - d if d <= 3 * leg_m else d - 4 * leg_m
        out.append(dict(r, position_lat=HOME[0] + north / M_PER_DEG_LAT, position_long=HOME[1]))
    return out


def stored(store_dir) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    with Store(store_dir) as store:
        runs = store.runs(ADMIN)
        return runs, {rid: store.samples(ADMIN, rid) for rid in runs["run_id"]}


# --- the privacy radius, as a pure function ---------------------------------------------------------

def test_a_straight_run_hides_exactly_the_points_within_the_radius_of_each_end():
    metres = np.arange(0.0, 2001.0)  # one point per metre, 2 km north
    lat, lon = north_line(metres)
    hidden = hidden_positions(lat, lon, 200.5)
    np.testing.assert_array_equal(hidden, (metres <= 200) | (metres >= 1800))
    shown_lat, shown_lon = hide_ends(lat, lon, 200.5)
    assert np.isnan(shown_lat[hidden]).all() and np.isnan(shown_lon[hidden]).all()
    np.testing.assert_array_equal(shown_lat[~hidden], lat[~hidden])
    assert lat[0] == HOME[0]  # the inputs are not changed
    # The line now starts and stops outside both circles.
    first, last = np.flatnonzero(~hidden)[[0, -1]]
    assert haversine_m(lat[first], lon[first], *HOME) > 200.5
    assert haversine_m(lat[last], lon[last], lat[-1], lon[-1]) > 200.5


def test_a_route_passing_home_mid_run_is_hidden_there_too():
    d = np.arange(0.0, 4001.0, 2.0)
    folded_m = np.where(d <= 1000, d, np.where(d <= 3000, 2000 - d, d - 4000))  # out, back past home, back
    lat, lon = north_line(folded_m)
    hidden = hidden_positions(lat, lon, 151)
    np.testing.assert_array_equal(hidden, np.abs(folded_m) <= 151)
    middle = np.flatnonzero(d == 2000)[0]
    assert hidden[middle] and not hidden[np.flatnonzero(d == 1000)[0]]
    # From home to a friend's door 1 km away by way of a 2 km turn: passing the door on the way out is hidden too.
    via = np.where(d <= 2000, d, 4000 - d)[d <= 3000]
    lat, lon = north_line(via)
    np.testing.assert_array_equal(hidden_positions(lat, lon, 151), (via <= 151) | (np.abs(via - 1000) <= 151))


def test_the_ends_are_the_first_and_last_valid_positions():
    """Before a GPS fix watches write nothing or (0, 0): the circle is around the first real position."""
    lat, lon = north_line(np.arange(0.0, 1001.0, 5.0))
    lat = np.r_[np.nan, 0.0, lat, np.nan]
    lon = np.r_[np.nan, 0.0, lon, np.nan]
    hidden = hidden_positions(lat, lon, 102.5)
    plain = hidden_positions(lat[2:-1], lon[2:-1], 102.5)
    np.testing.assert_array_equal(hidden[2:-1], plain)
    assert hidden[:2].all() and hidden[-1]  # the samples before the fix and after the last position go too
    assert plain.sum() == 2 * 21  # 0..100 m and 900..1000 m, every 5 m


def test_a_track_that_never_leaves_the_circle_is_hidden_whole_and_radius_zero_hides_nothing():
    lat, lon = north_line(np.linspace(0, 150, 40))
    assert hidden_positions(lat, lon, 200).all()
    assert not hidden_positions(lat, lon, 0).any()
    assert not hidden_positions([np.nan, np.nan], [np.nan, np.nan], 200).any()  # no positions: nothing to hide
    with pytest.raises(ValueError, match="0 or more metres"):
        hidden_positions(lat, lon, -1)


def test_distance_to_a_point_is_the_readers_haversine_broadcast():
    # By hand: one degree of latitude is R·π/180 m, a quarter meridian R·π/2 m (R = EARTH_RADIUS_M).
    assert haversine_m(10.0, 20.0, 11.0, 20.0) == pytest.approx(EARTH_RADIUS_M * math.pi / 180, rel=1e-12)
    assert haversine_m(0.0, 0.0, 90.0, 0.0) == pytest.approx(EARTH_RADIUS_M * math.pi / 2, rel=1e-12)
    rng = np.random.default_rng(9)
    lat = rng.uniform(-60, 60, 50)
    lon = rng.uniform(-170, 170, 50)
    expected = [haversine_steps_m([lat[0], a], [lon[0], o])[0] for a, o in zip(lat, lon, strict=True)]
    np.testing.assert_allclose(haversine_m(lat, lon, lat[0], lon[0]), expected, rtol=1e-12, atol=1e-6)


def test_the_radius_setting_is_documented_and_validated():
    [setting] = PRIVACY_SETTINGS
    assert (setting.name, setting.default, setting.unit, setting.minimum, setting.maximum) == (
        "privacy_radius_m", 200.0, "m", 0.0, 2000.0)
    assert "0 shows everything" in setting.help  # help, unit and bounds for all settings: test_settings_registry
    assert validate_privacy_radius_m(0) == 0.0 and validate_privacy_radius_m("2000") == 2000.0
    for bad in (-1, 2000.5, float("nan"), "far", None, True):
        with pytest.raises(InputError, match="from 0 to 2000"):
            validate_privacy_radius_m(bad)


# --- the map ------------------------------------------------------------------------------------------

def run_of(records: list[dict]):
    activity = read_activity(fit_from_records(records), filename="run.fit")
    return activity, run_metrics(activity)


def finite_points(trace) -> tuple[np.ndarray, np.ndarray]:
    lat = np.asarray(trace.lat, dtype="float64")
    lon = np.asarray(trace.lon, dtype="float64")
    keep = np.isfinite(lat)
    return lat[keep], lon[keep]


def test_the_map_hides_the_start_and_end_and_marks_the_first_and_last_points_shown():
    activity, metrics = run_of(records_for([Stretch(1200, 3.0, interval_s=2)]))  # 3.6 km due north
    samples = activity.samples
    fig = run_map(samples, metrics, privacy_radius_m=300)
    names = [t.name for t in fig.data]
    assert "Shown from" in names and "Shown to" in names and "Start" not in names and "Finish" not in names
    lat, lon = finite_points(next(t for t in fig.data if t.name == "Route"))
    start = samples[["lat_deg", "lon_deg"]].iloc[0].to_numpy()
    end = samples[["lat_deg", "lon_deg"]].iloc[-1].to_numpy()
    assert (haversine_m(lat, lon, *start) > 300).all() and (haversine_m(lat, lon, *end) > 300).all()
    # Only the ends go: every sample farther than 300 m from both ends is drawn.
    from_start = haversine_m(samples["lat_deg"], samples["lon_deg"], *start)
    from_end = haversine_m(samples["lat_deg"], samples["lon_deg"], *end)
    assert len(lat) == int(((from_start > 300) & (from_end > 300)).sum())
    shown_from = next(t for t in fig.data if t.name == "Shown from")
    shown_to = next(t for t in fig.data if t.name == "Shown to")
    assert (shown_from.lat[0], shown_to.lat[0]) == (lat[0], lat[-1])
    # The view fits what is shown, not the hidden ends.
    assert fig.layout.map.center.lat == pytest.approx((lat.min() + lat.max()) / 2)
    # The default is the setting's default (privacy unless asked otherwise); 0 shows the true ends.
    default = run_map(samples, metrics)
    assert len(finite_points(next(t for t in default.data if t.name == "Route"))[0]) == int(
        ((from_start > DEFAULT_PRIVACY_RADIUS_M) & (from_end > DEFAULT_PRIVACY_RADIUS_M)).sum())
    everything = run_map(samples, metrics, privacy_radius_m=0)
    assert {"Start", "Finish"} <= {t.name for t in everything.data}
    assert len(finite_points(next(t for t in everything.data if t.name == "Route"))[0]) == len(samples)


def test_the_map_breaks_the_line_where_a_route_passes_home():
    activity, metrics = run_of(folded(records_for([Stretch(1334, 3.0, interval_s=2)]), 1000))  # 4 km, ends home
    fig = run_map(activity.samples, metrics, privacy_radius_m=200)
    route = next(t for t in fig.data if t.name == "Route")
    lat = np.asarray(route.lat, dtype="float64")
    assert np.isnan(lat).sum() == 1  # one break: where the run passed home halfway
    shown_lat, shown_lon = finite_points(route)
    assert (haversine_m(shown_lat, shown_lon, *HOME) > 200).all()
    # On either side of the break the line stops outside the circle: no chord is drawn through it.
    gap = np.flatnonzero(np.isnan(lat))[0]
    for side in (gap - 1, gap + 1):
        assert haversine_m(lat[side], np.asarray(route.lon, dtype="float64")[side], *HOME) > 200


def test_a_map_whose_every_point_is_hidden_is_none():
    activity, metrics = run_of(records_for([Stretch(100, 1.5)]))  # 150 m in all
    assert run_map(activity.samples, metrics, privacy_radius_m=200) is None
    assert run_map(activity.samples, metrics, privacy_radius_m=0) is not None


# --- the store's setting --------------------------------------------------------------------------------

def test_the_privacy_radius_is_stored_validated_and_kept(tmp_path):
    with Store(tmp_path) as store:
        assert store.privacy_radius_m(ADMIN) == DEFAULT_PRIVACY_RADIUS_M == 200.0
        version = store.data_version()
        assert store.set_privacy_radius_m(ADMIN, 350) == 350.0
        assert store.data_version() > version  # pages' cached maps key on the version
        with pytest.raises(InputError, match="from 0 to 2000"):
            store.set_privacy_radius_m(ADMIN, 5000)
        assert store.privacy_radius_m(ADMIN) == 350.0  # a refused value changes nothing
    with Store(tmp_path) as store:  # kept across processes (store meta)
        assert store.privacy_radius_m(ADMIN) == 350.0
        assert store.set_privacy_radius_m(ADMIN, 0) == 0.0 and store.privacy_radius_m(ADMIN) == 0.0
        assert store.set_privacy_radius_m(ADMIN, None) == 200.0 and store.privacy_radius_m(ADMIN) == 200.0


# --- dropping positions at import -----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["fit", "gpx"])
def test_dropping_positions_at_import_keeps_every_metric(tmp_path, fmt):
    records = folded(records_for(FADING), 1500)
    data = fit_from_records(records) if fmt == "fit" else gpx_from_records(records)
    name = f"loop.{fmt}"
    with Store(tmp_path / "kept") as store:
        kept_report = ingest([(name, data)], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    with Store(tmp_path / "dropped") as store:
        # One worker process: the option must reach the workers, where files are read.
        dropped_report = ingest([(name, data)], athlete="Ana", store=store, viewer=ADMIN, workers=1,
                                drop_positions=True)
    assert list(kept_report["status"]) == list(dropped_report["status"]) == ["imported"]
    assert POSITIONS_DROPPED_WARNING in dropped_report["warnings"].iloc[0]
    assert POSITIONS_DROPPED_WARNING not in kept_report["warnings"].iloc[0]
    assert "lat_deg" not in dropped_report["fields"].iloc[0] and "lat_deg" in kept_report["fields"].iloc[0]

    kept_runs, kept_samples = stored(tmp_path / "kept")
    dropped_runs, dropped_samples = stored(tmp_path / "dropped")
    [run_id] = kept_runs["run_id"]
    kept, dropped = kept_samples[run_id], dropped_samples[run_id]
    assert kept["lat_deg"].notna().all() and dropped[["lat_deg", "lon_deg"]].isna().all().all()
    others = [c for c in kept.columns if c not in ("lat_deg", "lon_deg")]
    pd.testing.assert_frame_equal(dropped[others], kept[others])  # distance and speed stay as read
    assert dropped["distance_m"].iloc[-1] > 7000

    metric_columns = [f.name for f in fields(RunMetrics) if f.name != "sport"]
    assert bool(kept_runs["eligible"].iloc[0])
    pd.testing.assert_frame_equal(dropped_runs[metric_columns], kept_runs[metric_columns])
    assert np.isfinite(kept_runs[["pace_decay_pct", "cadence_drift_spm", "decoupling_pct"]].to_numpy()).all()
    with Store(tmp_path / "dropped") as store:  # and a recompute from stored samples agrees as well
        again = run_metrics(store.activity(ADMIN, run_id), store.metric_settings(ADMIN))
    assert again.pace_decay_pct == pytest.approx(kept_runs["pace_decay_pct"].iloc[0], rel=1e-12)
    assert run_map(dropped, again) is None


def test_a_file_without_positions_says_none_were_stored_and_a_duplicate_says_how_to_drop(tmp_path):
    treadmill = records_for([Stretch(600, 3.0)])
    for r in treadmill:
        del r["position_lat"], r["position_long"]
    outdoor = fit_from_records(records_for([Stretch(600, 3.0)], lat0=48.0, start=START + timedelta(days=1)))
    with Store(tmp_path) as store:
        ingest([("outdoor.fit", outdoor)], athlete="Ana", store=store, viewer=ADMIN, workers=0)
        report = ingest([("treadmill.fit", fit_from_records(treadmill)), ("outdoor again.fit", outdoor)],
                        athlete="Ana", store=store, viewer=ADMIN, workers=0, drop_positions=True).set_index("file")
        assert NO_POSITIONS_WARNING in report.loc["treadmill.fit", "warnings"]
        assert report.loc["outdoor again.fit", "status"] == "duplicate"
        assert "delete it and import again to drop its GPS positions" in report.loc["outdoor again.fit", "reason"]


def test_cli_ingest_drop_positions(tmp_path, capsys):
    path = tmp_path / "run.fit"
    path.write_bytes(fit_from_records(records_for([Stretch(600, 3.0)])))
    store_dir = tmp_path / "store"
    assert main(["ingest", str(path), "--athlete", "Ana", "--store", str(store_dir), "--workers", "0",
                 "--drop-positions"]) == 0
    assert "imported" in capsys.readouterr().out
    _, samples = stored(store_dir)
    [frame] = samples.values()
    assert len(frame) == 600 and frame[["lat_deg", "lon_deg"]].isna().all().all()


# --- the per-import upload cap --------------------------------------------------------------------------

def test_an_upload_over_the_cap_is_refused_before_anything_is_read(tmp_path):
    one = fit_from_records(records_for([Stretch(600, 3.0)]))
    two = fit_from_records(records_for([Stretch(600, 3.0)], lat0=48.0, start=START + timedelta(days=1)))
    read: list[str] = []
    with Store(tmp_path / "store") as store:
        with pytest.raises(InputError) as refused:
            ingest([("one.fit", one), ("two.fit", memoryview(two))], athlete="Ana", store=store, viewer=ADMIN,
                   workers=0,
                   max_upload_bytes=len(one) + len(two) - 1, progress=lambda done, total, name: read.append(name))
        message = str(refused.value)
        assert message.startswith("the upload holds ") and message.endswith(
            "one import takes at most "
            f"{(len(one) + len(two) - 1) / 1e3:.0f} KB: import the files in parts")
        assert f"holds {(len(one) + len(two)) / 1e3:.0f} KB" in message
        assert read == [] and store.athletes(ADMIN).empty and store.imports(ADMIN).empty  # nothing read, nothing stored
        # At the cap it imports; paths are read from disk one by one and do not count.
        report = ingest([("one.fit", one), ("two.fit", two)], athlete="Ana", store=store, viewer=ADMIN, workers=0,
                        max_upload_bytes=len(one) + len(two))
        assert list(report["status"]) == ["imported", "imported"]
        path = tmp_path / "three.fit"
        path.write_bytes(fit_from_records(records_for([Stretch(600, 3.0)], lat0=45.0,
                                                      start=START + timedelta(days=2))))
        assert list(ingest([path], athlete="Ana", store=store, viewer=ADMIN, workers=0,
                           max_upload_bytes=1)["status"]) == [
            "imported"]


def test_the_default_cap_is_one_gibibyte_and_says_so_in_decimal_units():
    assert MAX_UPLOAD_BYTES == 1024**3
    check_upload_total(MAX_UPLOAD_BYTES)  # at the cap: fine
    with pytest.raises(InputError) as refused:
        check_upload_total(1_300_000_000)
    assert str(refused.value) == ("the upload holds 1.3 GB; one import takes at most 1.1 GB: "
                                  "import the files in parts")


# --- exports ---------------------------------------------------------------------------------------------

@pytest.fixture
def two_athlete_store(tmp_path):
    store_dir = tmp_path / "store"
    with Store(store_dir) as store:
        for athlete, lat0 in (("Ana", 51.5), ("=HYPERLINK(1)", 48.0)):
            for k in range(2):
                data = fit_from_records(records_for([Stretch(400 + 100 * k, 3.0, interval_s=2)], lat0=lat0 + k,
                                                    start=START + timedelta(days=k)))
                ingest([(f"{k}.fit", data)], athlete=athlete, store=store, viewer=ADMIN, workers=0)
        store.set_privacy_radius_m(ADMIN, 250)
    return store_dir


def test_samples_export_has_no_positions_unless_asked_and_then_hides_the_ends(two_athlete_store, tmp_path):
    runs, samples = stored(two_athlete_store)
    with Store(two_athlete_store) as store:
        written = export_store(store, ADMIN, tmp_path / "plain", samples=True)
        assert [p.name for p in written] == ["runs.csv", "weekly.csv", "strength_log.csv", "associations.csv",
                                             "exercise_mappings.csv", "samples.csv"]
        export_store(store, ADMIN, tmp_path / "with", samples=True, include_positions=True, athletes=["Ana"])
        with pytest.raises(ValueError, match="needs samples=True"):
            export_store(store, ADMIN, tmp_path / "no", include_positions=True)
    plain = pd.read_csv(tmp_path / "plain" / "samples.csv")
    assert not {"lat_deg", "lon_deg"} & set(plain.columns)
    assert list(plain.columns[:3]) == ["run_id", "athlete", "time"]
    assert len(plain) == sum(len(s) for s in samples.values())
    assert set(plain["athlete"]) == {"Ana", "'=HYPERLINK(1)"}  # formula cells escaped here too
    per_run = plain.groupby("run_id").size()
    assert per_run.to_dict() == {rid: len(s) for rid, s in samples.items()}
    # Athlete by athlete (the store's order), each athlete's runs by start time, each run's samples in order.
    np.testing.assert_allclose(plain["distance_m"], pd.concat([samples[rid] for rid in runs["run_id"]])["distance_m"])

    with_positions = pd.read_csv(tmp_path / "with" / "samples.csv")
    ana = runs[runs["athlete"] == "Ana"]
    assert set(with_positions["run_id"]) == set(ana["run_id"])
    for run_id, rows in with_positions.groupby("run_id"):
        frame = samples[run_id]
        lat, lon = hide_ends(frame["lat_deg"], frame["lon_deg"], 250)
        np.testing.assert_allclose(rows["lat_deg"], lat, rtol=0, atol=1e-9)
        np.testing.assert_allclose(rows["lon_deg"], lon, rtol=0, atol=1e-9)
        shown = rows["lat_deg"].notna()
        assert 0 < shown.sum() < len(rows)
        assert (haversine_m(rows.loc[shown, "lat_deg"], rows.loc[shown, "lon_deg"],
                              frame["lat_deg"].iloc[0], frame["lon_deg"].iloc[0]) > 250).all()


def test_samples_export_as_json_and_from_the_cli(two_athlete_store, tmp_path, capsys):
    assert main(["export", "--store", str(two_athlete_store), "--out", str(tmp_path / "j"), "--format", "json",
                 "--samples"]) == 0
    records = json.loads((tmp_path / "j" / "samples.json").read_text())
    _, samples = stored(two_athlete_store)
    assert len(records) == sum(len(s) for s in samples.values())
    assert "lat_deg" not in records[0] and records[0]["run_id"] in samples
    assert main(["export", "--store", str(two_athlete_store), "--out", str(tmp_path / "c"), "--samples",
                 "--positions", "--athlete", "Ana"]) == 0
    table = pd.read_csv(tmp_path / "c" / "samples.csv")
    assert table["lat_deg"].notna().any() and table["lat_deg"].isna().any()  # shown, with the ends hidden
    assert main(["export", "--store", str(two_athlete_store), "--out", str(tmp_path / "x"), "--positions"]) == 2
    assert "--positions needs --samples" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_samples_table_of_one_run_without_positions_by_default():
    activity = read_activity(fit_from_records(records_for([Stretch(300, 3.0)])), filename="r.fit")
    table = samples_table(activity.samples, run_id="abc", athlete="Ana")
    assert list(table.columns[:2]) == ["run_id", "athlete"] and "lat_deg" not in table.columns
    assert (table["run_id"] == "abc").all() and len(table) == 300
    shown = samples_table(activity.samples, run_id="abc", athlete="Ana", include_positions=True,
                          privacy_radius_m=0)
    np.testing.assert_array_equal(shown["lat_deg"], activity.samples["lat_deg"])
