"""analysis.charts.squad: the Squad page's figures as pure functions (no browser), on the sample club's tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ADMIN
from test_pairing import with_effort

from analysis.charts.squad import (
    ROLLING_RUNS,
    adherence_heatmap,
    correlation_forest,
    fade_small_multiples,
    marker_label,
    weekly_km_lines,
)
from analysis.charts.style import METRIC_LABELS, athlete_colours, label
from analysis.consistency import run_table, weekly_table
from analysis.squad import SQUAD_METRICS, squad_correlation, squad_table
from analysis.store import Store


@pytest.fixture(scope="module")
def club(sample_store_dir):
    with Store(sample_store_dir) as store:
        runs, log = store.runs(ADMIN), store.strength_log(ADMIN)
        plan, athletes = store.plan(ADMIN), store.athletes(ADMIN)
    runs = with_effort(runs)
    names = list(athletes["athlete"])
    return {
        "names": names,
        "colours": athlete_colours(names),
        "run_table": run_table(runs, log, plan=plan),
        "weekly": weekly_table(runs, log, plan=plan),
    }


def _axis_title(fig, axis: str) -> str:
    return fig.layout[axis].title.text or ""


# --- heatmap ---------------------------------------------------------------------------------------


def test_heatmap_z_equals_the_weekly_adherence_pivot(club):
    weekly = club["weekly"]
    fig = adherence_heatmap(weekly, club["colours"])
    heat, grey = fig.data[0], fig.data[1]
    pivot = weekly.pivot(index="athlete", columns="week_start", values="adherence") * 100
    weeks = pd.to_datetime(list(heat.x))
    expected = pivot.reindex(index=list(heat.y), columns=weeks).to_numpy()
    np.testing.assert_allclose(np.asarray(heat.z, dtype=float), expected, equal_nan=True)
    assert list(heat.y) == sorted(club["names"], key=str.casefold)
    assert (np.diff(weeks.to_numpy()) == np.timedelta64(7, "D")).all()  # every Monday, gaps included
    # the grey layer covers exactly the cells without a value
    assert np.array_equal(~np.isnan(np.asarray(grey.z, dtype=float)), np.isnan(expected))
    assert np.isnan(expected).any()  # Ben's log starts a week after the others'


def test_heatmap_hover_units_and_athlete_colours(club):
    fig = adherence_heatmap(club["weekly"], club["colours"])
    heat = fig.data[0]
    assert "% of plan" in heat.hovertemplate and "%{x|%Y-%m-%d}" in heat.hovertemplate
    assert "(% of plan)" in heat.colorbar.title.text
    assert (heat.zmin, heat.zmax) == (0, 100)
    assert "no adherence" in fig.data[1].hovertemplate
    assert "(Monday, local)" in _axis_title(fig, "xaxis")
    for name, text in zip(fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext, strict=True):
        assert club["colours"][name] in text and name in text


def test_heatmap_shows_an_athlete_without_weeks_as_a_grey_row(club):
    names = [*club["names"], "Zoë <b>"]
    fig = adherence_heatmap(club["weekly"], athlete_colours(names), athletes=names)
    row = list(fig.data[0].y).index("Zoë <b>")
    assert np.isnan(np.asarray(fig.data[0].z, dtype=float)[row]).all()
    assert set(fig.data[1].customdata[row]) == {"outside this athlete's weeks"}
    assert any("Zoë &lt;b&gt;" in t for t in fig.layout.yaxis.ticktext)  # user text escaped, not markup


def test_heatmap_without_weeks_says_why():
    fig = adherence_heatmap(pd.DataFrame(columns=["athlete", "week_start", "adherence"]))
    assert "No weeks" in fig.layout.annotations[0].text


# --- small multiples -------------------------------------------------------------------------------


def test_one_small_multiple_panel_per_athlete_in_their_colour(club):
    rt, colours = club["run_table"], club["colours"]
    fig = fade_small_multiples(rt, colours, athletes=club["names"])
    names = sorted(club["names"], key=str.casefold)
    panels = {}
    for trace in fig.data:
        panels.setdefault(trace.xaxis, []).append(trace)
    assert len(panels) == len(names)
    assert [a.text for a in fig.layout.annotations] == names  # panel titles
    eligible = rt[(rt["sport"] == "running") & rt["eligible"]]
    for i, name in enumerate(names):
        dots, line = panels["x" if i == 0 else f"x{i + 1}"]
        assert dots.marker.color == line.line.color == colours[name]
        mine = eligible[eligible["athlete"] == name].sort_values("local_date")
        np.testing.assert_allclose(np.asarray(dots.y, dtype=float), mine["pace_decay_pct"].to_numpy())
        expected = mine["pace_decay_pct"].rolling(ROLLING_RUNS, min_periods=3).median().to_numpy()
        np.testing.assert_allclose(np.asarray(line.y, dtype=float), expected, equal_nan=True)


def test_small_multiples_share_y_and_carry_units(club):
    fig = fade_small_multiples(club["run_table"], club["colours"], athletes=club["names"])
    y_axes = [k for k in fig.layout.to_plotly_json() if k.startswith("yaxis")]
    assert len(y_axes) == len(club["names"])
    assert all(fig.layout[k].matches == "y" for k in y_axes if k != "yaxis")
    assert _axis_title(fig, "yaxis") == label("pace_decay_pct").axis_title == "Late pace decay (%)"
    assert any(_axis_title(fig, k.replace("y", "x")) == "Date (local)" for k in y_axes)
    assert all("%{x|%Y-%m-%d}" in t.hovertemplate for t in fig.data)


def test_small_multiples_follow_the_chosen_marker(club):
    rt = club["run_table"]
    fig = fade_small_multiples(rt, club["colours"], metric="back_soreness", athletes=club["names"])
    assert _axis_title(fig, "yaxis") == label(SQUAD_METRICS["back_soreness"].run_column).axis_title
    first = sorted(club["names"], key=str.casefold)[0]
    mine = rt[(rt["athlete"] == first) & (rt["sport"] == "running")].dropna(subset=["soreness_next_day"])
    np.testing.assert_allclose(np.asarray(fig.data[0].y, dtype=float),
                               mine.sort_values("local_date")["soreness_next_day"].to_numpy())


def test_small_multiples_of_perceived_effort_show_every_run_with_one_on_the_whole_scale(club):
    rt = club["run_table"]
    fig = fade_small_multiples(rt, club["colours"], metric="perceived_effort", athletes=club["names"])
    assert _axis_title(fig, "yaxis") == "Perceived effort (0-10)"
    assert tuple(fig.layout.yaxis.range) == (-0.3, 10.3)
    first = sorted(club["names"], key=str.casefold)[0]
    mine = rt[(rt["athlete"] == first) & (rt["sport"] == "running")].dropna(subset=["perceived_effort"])
    np.testing.assert_allclose(np.asarray(fig.data[0].y, dtype=float),
                               mine.sort_values("local_date")["perceived_effort"].to_numpy())
    assert "0-10" in fig.data[1].hovertemplate
    every = rt[(rt["sport"] == "running") & rt["perceived_effort"].notna()]
    panels = {t.xaxis for t in fig.data}
    assert sum(len(t.y) for t in fig.data[::2]) == len(every) and len(panels) == len(club["names"])


def test_every_marker_has_words_on_screen_from_the_style_table_or_the_registry():
    for spec in SQUAD_METRICS.values():
        for column in (spec.run_column, spec.week_column):
            shown = marker_label(column)
            assert shown.title and shown.unit and len(shown.meaning) > 20, column
            if column in METRIC_LABELS:
                assert shown == label(column)
            else:  # words from the registry until the style table has its own
                assert (shown.title, shown.unit, shown.meaning) == (spec.title, spec.unit, spec.meaning)
    assert marker_label("perceived_effort").axis_title == "Perceived effort (0-10)"
    with pytest.raises(KeyError, match="made_up"):
        marker_label("made_up")


def test_small_multiples_panel_for_an_athlete_without_runs(club):
    names = [*club["names"], "Zed"]
    fig = fade_small_multiples(club["run_table"], athlete_colours(names), athletes=names)
    assert len({t.xaxis for t in fig.data}) == len(names)
    assert any(a.text == "no runs with this marker" for a in fig.layout.annotations)


# --- forest plot and weekly km ---------------------------------------------------------------------


def test_forest_plot_marks_each_rho_with_its_ci_and_the_squad(club):
    table = squad_table(club["weekly"], club["run_table"], athletes=club["names"])
    squad = squad_correlation(club["weekly"], club["run_table"])
    fig = correlation_forest(table, squad, club["colours"])
    assert len(fig.data) == len(table) + 1
    for trace, row in zip(fig.data, table.itertuples(), strict=False):
        assert trace.y[0] == row.athlete and trace.marker.color == club["colours"][row.athlete]
        assert trace.x[0] == pytest.approx(row.rho)
        assert trace.x[0] - trace.error_x.arrayminus[0] == pytest.approx(row.rho_ci_low)
        assert trace.x[0] + trace.error_x.array[0] == pytest.approx(row.rho_ci_high)
    last = fig.data[-1]
    assert last.x[0] == pytest.approx(squad.r) and last.hovertext[0] == squad.message
    assert "−1 to 1" in _axis_title(fig, "xaxis")


def test_forest_plot_says_not_enough_data(club):
    table = squad_table(club["weekly"], club["run_table"], athletes=club["names"], min_n=500)
    squad = squad_correlation(club["weekly"], club["run_table"], min_n=5000)
    fig = correlation_forest(table, squad, club["colours"])
    assert all(t.mode == "text" for t in fig.data)
    assert all(t.text[0].startswith("not enough data") for t in fig.data)


def test_weekly_km_lines_one_per_athlete_in_their_colour(club):
    fig = weekly_km_lines(club["weekly"], club["colours"])
    assert [t.name for t in fig.data] == sorted(club["names"], key=str.casefold)
    for trace in fig.data:
        assert trace.line.color == club["colours"][trace.name]
        weeks = club["weekly"][club["weekly"]["athlete"] == trace.name]
        ran = weeks.loc[weeks["runs"] > 0, "week_start"]
        np.testing.assert_allclose(np.asarray(trace.y, dtype=float),
                                   weeks[weeks["week_start"].between(ran.min(), ran.max())]["distance_km"])
    assert _axis_title(fig, "yaxis") == "Weekly distance (km)"
