"""analysis.power: the measured power table, the docs' copy of it, and the coach's sentence built from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.power import POWER_TABLE, power_for, power_sentence, power_table_markdown

DOC = Path(__file__).resolve().parent.parent / "docs" / "statistics.md"


def test_docs_show_the_table_the_pages_use():
    assert power_table_markdown() in DOC.read_text(encoding="utf-8")


def test_table_is_complete_and_plausible():
    cells = {(r.athletes, r.weeks, r.unit): r.power for r in POWER_TABLE}
    assert len(cells) == len(POWER_TABLE)  # no cell twice
    for athletes in (1, 6):
        for unit in ("weeks", "runs"):
            powers = [cells[(athletes, w, unit)] for w in (12, 26, 52)]
            assert all(0.0 <= p <= 1.0 for p in powers)
            assert powers == sorted(powers), (athletes, unit, powers)  # more weeks never find it less often
    for weeks in (12, 26, 52):
        for unit in ("weeks", "runs"):
            assert cells[(6, weeks, unit)] >= cells[(1, weeks, unit)]  # a squad never less than one athlete
    # the targets for a 6 x 26 squad, as measured
    assert cells[(6, 26, "runs")] >= 0.8 and cells[(6, 26, "weeks")] >= 0.5


def test_power_for_interpolates_between_measured_weeks_and_holds_at_the_ends():
    cells = {(r.athletes, r.weeks, r.unit): r.power for r in POWER_TABLE}
    assert power_for("runs", 26, 6) == cells[(6, 26, "runs")]
    middle = power_for("weeks", 19, 1)
    assert middle == pytest.approx(cells[(1, 12, "weeks")] + (cells[(1, 26, "weeks")] - cells[(1, 12, "weeks")]) / 2)
    assert power_for("weeks", 4, 1) == cells[(1, 12, "weeks")]
    assert power_for("weeks", 200, 1) == cells[(1, 52, "weeks")]
    assert power_for("runs", 26, 5) == cells[(6, 26, "runs")]  # nearest measured squad
    with pytest.raises(ValueError):
        power_for("days", 26)


def test_the_sentence_carries_both_figures_in_words():
    text = power_sentence("weeks", 12, athletes=1)
    assert "with 12 weeks of one athlete" in text and "a squad of 6 over 26 weeks" in text
    mine, squad = power_for("weeks", 12, 1), power_for("weeks", 26, 6)
    for power in (mine, squad):
        expected = (f"about {min(10, round(power * 10))} times in 10" if power >= 0.5
                    else f"about 1 time in {round(1 / power)}" if power >= 0.05 else "hardly ever")
        assert expected in text
    assert "0.9 percentage points" in text and "not evidence of no link" in text
