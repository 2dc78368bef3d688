"""The exercise-mapping export: `store_tables`' `exercise_mappings` table, in CSV and JSON, `only=` and athletes."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import ADMIN

from analysis.export import MAPPING_COLUMNS, export_store, store_tables
from analysis.ingest.pipeline import ingest
from analysis.store import Store

LOG = b"date,athlete,exercise,sets\n2026-02-02,Ana,Quinzel wobble,3\n2026-02-02,Ben,=Zorbflex carry,3\n"


@pytest.fixture
def store(tmp_path) -> Store:
    with Store(tmp_path / "store") as s:
        yield s


def test_a_fresh_store_exports_the_mappings_header_only(store, tmp_path):
    written = export_store(store, ADMIN, tmp_path / "out")
    assert (tmp_path / "out" / "exercise_mappings.csv") in written
    assert (tmp_path / "out" / "exercise_mappings.csv").read_text() == "athlete,exercise,session_type\n"
    export_store(store, ADMIN, tmp_path / "json", fmt="json")
    assert json.loads((tmp_path / "json" / "exercise_mappings.json").read_text()) == []


def test_mappings_are_exported_like_the_other_tables(store, tmp_path):
    report = ingest([("log.csv", LOG)], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    assert list(report["status"]) == ["imported"]
    store.map_exercise(ADMIN, "Quinzel wobble", "core")
    store.map_exercise(ADMIN, "=Zorbflex carry", "hip", athlete="Ben")  # a formula-like name is escaped in CSV
    store.map_exercise(ADMIN, "Quinzel wobble", "strength", athlete="Ana")

    export_store(store, ADMIN, tmp_path / "out")
    exported = pd.read_csv(tmp_path / "out" / "exercise_mappings.csv", keep_default_na=False)
    assert list(exported.columns) == list(MAPPING_COLUMNS)
    assert exported.values.tolist() == [["", "Quinzel wobble", "core"], ["Ana", "Quinzel wobble", "strength"],
                                        ["Ben", "'=Zorbflex carry", "hip"]]
    export_store(store, ADMIN, tmp_path / "json", fmt="json")
    records = json.loads((tmp_path / "json" / "exercise_mappings.json").read_text())
    assert records[0] == {"athlete": None, "exercise": "Quinzel wobble", "session_type": "core"}

    # one athlete's export has their mappings and the club's (which apply to them), not the others'
    only_ben = store_tables(store, ADMIN, ["Ben"])["exercise_mappings"]
    assert only_ben.fillna("").values.tolist() == [["", "Quinzel wobble", "core"], ["Ben", "=Zorbflex carry", "hip"]]
    # `only` builds just that table (a download button)
    assert list(store_tables(store, ADMIN, only="exercise_mappings")) == ["exercise_mappings"]
    # and the strength-log export shows the mapped types
    log = pd.read_csv(tmp_path / "out" / "strength_log.csv")
    assert log.set_index("athlete").loc["Ana", "session_type"] == "strength"
    assert log.set_index("athlete").loc["Ben", "session_type"] == "hip"
