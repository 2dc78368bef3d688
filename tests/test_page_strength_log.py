"""AppTest of the Strength log page on the sample club: charts for every athlete, the exercises classed `other`
(compared with the store's own log), and the empty state of an athlete without a strength log."""

from __future__ import annotations

from app_harness import add_runs_only_athlete, assert_no_exception, open_app
from conftest import ADMIN

from analysis.consistency import strength_sessions
from analysis.ingest.pipeline import ingest
from analysis.store import Store

PAGE = "app_pages/strength_log.py"


def run_as(at, athlete: str) -> None:
    """Run again for `athlete` (after switch_page AppTest no longer sends the sidebar's widget values)."""
    at.session_state["athlete"] = athlete
    at.run()
    assert_no_exception(at)


def test_every_sample_athlete_gets_charts_and_sees_the_exercises_classed_other(store_copy, monkeypatch):
    with Store(store_copy) as store:
        log = store.strength_log(ADMIN)
    sessions = strength_sessions(log)
    at = open_app(store_copy, monkeypatch, page=PAGE)
    for athlete in sorted(log["athlete"].unique()):
        run_as(at, athlete)
        assert at.title[0].value == "Strength log"
        assert len(at.get("plotly_chart")) == 4  # calendar, adherence, soreness, exercise mix
        own = log[log["athlete"] == athlete]
        assert [m.value for m in at.metric if m.label == "Sessions (count)"] == [
            str((sessions["athlete"] == athlete).sum())]
        others = set(own.loc[own["session_type"] == "other", "exercise"])
        if others:
            [table] = at.dataframe
            assert set(table.value["exercise"]) == others
            assert "How to fix it" in "\n".join(m.value for m in at.markdown)
        else:
            assert not at.dataframe
            assert "nothing classed `other`" in at.success[0].value
    assert any(log.loc[log["athlete"] == a, "session_type"].eq("other").any() for a in log["athlete"].unique())

    at.radio(key="strength_mix_measure").set_value("sets")
    run_as(at, "Dev")
    mix = at.get("plotly_chart")[-1].proto.spec
    assert "Sets logged (sets)" in mix


def test_an_athlete_without_a_strength_log_is_told_to_import_one(store_copy, monkeypatch):
    add_runs_only_athlete(store_copy)
    at = open_app(store_copy, monkeypatch)
    at.session_state["athlete"] = "Runs Only"
    at.switch_page(PAGE).run()
    assert_no_exception(at)
    assert "has no strength log yet" in at.info[0].value and "Import page" in at.info[0].value
    assert not at.get("plotly_chart") and not at.metric
    link = at.get("page_link")[-1].proto
    assert link.label == "Import a strength log" and "import_files" in link.page


def own_name_selects(at):
    return [s for s in at.selectbox if (s.key or "").startswith("map_type_")]


def shown_name(select) -> str:
    """The exercise name a select is for: its label without the markdown escapes and the '(N entries, …)'."""
    return select.label.replace("\\", "").rsplit(" (", 1)[0]


# Names no taxonomy will learn, logged by Chloe beside the sample club's files (the most-logged first).
OWN_NAMES_CSV = (b"date,athlete,exercise,sets\n2027-03-01,Chloe,Quinzel wobble,3\n2027-03-02,Chloe,Quinzel wobbles,3\n"
                 b"2027-03-03,Chloe,Quinzel-wobble,3\n2027-03-01,Chloe,Flumbo zing,2\n2027-03-08,Chloe,Flumbo zing,2\n")


def add_own_names(store_dir) -> None:
    with Store(store_dir) as store:
        report = ingest([("own-names.csv", OWN_NAMES_CSV)], athlete="Chloe", store=store, viewer=ADMIN, workers=0)
    assert list(report["status"]) == ["imported"]


def select_for(at, name: str):
    [found] = [s for s in own_name_selects(at) if shown_name(s) == name]
    return found


def test_unrecognised_names_get_a_session_type_that_applies_at_once_then_can_be_removed(store_copy, monkeypatch):
    wobble, zing = "Quinzel wobble", "Flumbo zing"
    add_own_names(store_copy)
    with Store(store_copy) as store:
        unknown = store.unrecognised_exercises(ADMIN, ["Chloe"])
    names = list(unknown["exercise"])
    assert {wobble, zing} <= set(names) and "Quinzel wobbles" not in names  # one row per key
    at = open_app(store_copy, monkeypatch, page=PAGE)
    run_as(at, "Chloe")
    assert [shown_name(s) for s in own_name_selects(at)] == names
    assert select_for(at, wobble).label.endswith(" (3 entries, last logged 2027-03-03)")
    assert not [b for b in at.button if b.label.startswith("Save")]  # nothing chosen: no button
    assert "Choose a session type" in "\n".join(c.value for c in at.caption)
    assert not [d for d in at.dataframe if (d.key or "").startswith("mappings_table_")]
    [others] = at.dataframe  # the exercises classed `other` in the sidebar's dates
    assert {"Quinzel wobble", "Quinzel wobbles", zing} <= set(others.value["exercise"])

    # one name for Chloe only (the default scope)
    select_for(at, wobble).select("core")
    at.run()
    [save] = [b for b in at.button if b.label.startswith("Save")]
    assert save.label == "Save 1 session type"
    save.click()
    at.run()
    assert_no_exception(at)
    assert "Saved 1 session type for Chloe" in at.success[0].value
    with Store(store_copy) as store:
        mappings = store.exercise_mappings(ADMIN)
        log = store.strength_log(ADMIN, ["Chloe"])
    assert mappings[["athlete", "exercise", "session_type"]].values.tolist() == [["Chloe", wobble, "core"]]
    assert set(log.loc[log["exercise"].str.startswith("Quinzel"), "session_type"]) == {"core"}
    # the page moved at once (its cached log too): the name left the `other` table and the choices; the mapping
    # is listed
    [others] = [d for d in at.dataframe if not (d.key or "").startswith("mappings_table_")]
    assert not {"Quinzel wobble", "Quinzel wobbles"} & set(others.value["exercise"])
    assert zing in set(others.value["exercise"])
    assert [shown_name(s) for s in own_name_selects(at)] == [n for n in names if n != wobble]
    [table] = [d for d in at.dataframe if (d.key or "").startswith("mappings_table_")]
    assert table.value[["applies_to", "exercise", "session_type"]].values.tolist() == [["Chloe", wobble, "core"]]

    # the next one for the whole club
    select_for(at, zing).select("hip")
    [scope] = [r for r in at.radio if (r.key or "").startswith("map_scope_")]
    scope.set_value("whole club")
    at.run()
    [b for b in at.button if b.label.startswith("Save")][0].click()
    at.run()
    assert_no_exception(at)
    assert "for the whole club" in at.success[0].value
    with Store(store_copy) as store:
        mappings = store.exercise_mappings(ADMIN)
        log = store.strength_log(ADMIN)
    assert mappings[["athlete", "exercise", "session_type"]].values.tolist() == [
        [None, zing, "hip"], ["Chloe", wobble, "core"]]
    assert set(log.loc[log["exercise"] == zing, "session_type"]) == {"hip"}

    # remove Chloe's mapping: the name is unrecognised again
    [table] = [d for d in at.dataframe if (d.key or "").startswith("mappings_table_")]
    assert list(table.value["applies_to"]) == ["whole club", "Chloe"]
    assert not [b for b in at.button if b.label.startswith("Remove")]  # nothing selected: no button
    at.session_state[table.key] = {"selection": {"rows": [1], "columns": []}}
    at.run()
    [b for b in at.button if b.label == "Remove 1 selected mapping"][0].click()
    at.run()
    assert_no_exception(at)
    assert "Removed 1 mapping." in at.success[0].value
    with Store(store_copy) as store:
        assert store.exercise_mappings(ADMIN)["athlete"].tolist() == [None]
        assert wobble in set(store.unrecognised_exercises(ADMIN, ["Chloe"])["exercise"])
    assert select_for(at, wobble) is not None


def test_an_athlete_with_every_name_recognised_is_told_so(store_copy, monkeypatch):
    with Store(store_copy) as store:
        report = ingest([("eve.csv", b"date,exercise,sets\n2026-09-01,Dead bug,3\n2026-09-02,Clamshell (band),3\n")],
                        athlete="Eve", store=store, viewer=ADMIN, workers=0)
        assert list(report["status"]) == ["imported"]
        assert store.unrecognised_exercises(ADMIN, ["Eve"]).empty
    at = open_app(store_copy, monkeypatch, page=PAGE)
    run_as(at, "Eve")
    assert not own_name_selects(at)
    assert any("nothing to map" in s.value for s in at.success)
    assert not [b for b in at.button if b.label.startswith(("Save", "Remove"))]
