"""What n weeks can show: the measured chance of finding a link of the size the programme hopes for.

The figures are measured by ``benchmarks/inference.py`` (simulated squads through the real pipeline:
strength log and runs → weekly and run tables → :func:`analysis.stats.association`; scenario
"persistent + drift": a habit that lasts from week to week, tiredness that lasts and is shared by the week's
runs, and a season drift in both). The planted link: late-run pace decay 0.9 percentage points lower for
every 25 points of 28-day consistency, against week-to-week noise of SD 1.5 points. ``power`` is the share
of all simulated athletes (one athlete: each athlete of 400 six-athlete squads counted, 2,400 results) or
squads (400) whose 95 % CI excluded 0 (the same as p < 0.05); a "not enough data" counts as a miss.
``tests/test_power.py`` keeps docs/statistics.md's table equal to this one.

Pure Python; no streamlit import.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EFFECT_TEXT", "POWER_TABLE", "PowerRow", "power_for", "power_sentence", "power_table_markdown"]

EFFECT_TEXT = "late-run fade 0.9 percentage points lower for every 25 points of 28-day consistency"


@dataclass(frozen=True)
class PowerRow:
    """One measured cell: ``athletes`` × ``weeks`` of data, pairs per ``unit`` ("weeks" or "runs"), ``power`` 0-1."""

    athletes: int
    weeks: int
    unit: str
    power: float


#: measured with ``benchmarks/inference.py --sims 400`` (seed 20260105); Monte Carlo SE ≤ 1 point for one
#: athlete, ≤ 2.5 points for a squad; see docs/statistics.md
POWER_TABLE: tuple[PowerRow, ...] = (
    PowerRow(1, 12, "weeks", 0.013),
    PowerRow(1, 12, "runs", 0.057),
    PowerRow(1, 26, "weeks", 0.076),
    PowerRow(1, 26, "runs", 0.153),
    PowerRow(1, 52, "weeks", 0.222),
    PowerRow(1, 52, "runs", 0.325),
    PowerRow(6, 12, "weeks", 0.345),
    PowerRow(6, 12, "runs", 0.538),
    PowerRow(6, 26, "weeks", 0.732),
    PowerRow(6, 26, "runs", 0.838),
    PowerRow(6, 52, "weeks", 0.98),
    PowerRow(6, 52, "runs", 0.995),
)


def _nearest_size(athletes: int) -> int:
    """The measured squad size nearest to ``athletes`` (the smaller on a tie)."""
    return min({r.athletes for r in POWER_TABLE}, key=lambda s: (abs(s - athletes), s))


def power_for(unit: str, weeks: int, athletes: int = 1) -> float:
    """Power (0-1) for ``weeks`` weeks of ``athletes`` athletes, per ``unit``: linear in weeks between the
    measured cells, held at the ends; athletes as the nearest measured squad size (1 or 6)."""
    size = _nearest_size(athletes)
    cells = sorted((r.weeks, r.power) for r in POWER_TABLE if r.athletes == size and r.unit == unit)
    if not cells:
        raise ValueError(f"no power measured per {unit!r}; units are weeks and runs")
    if weeks <= cells[0][0]:
        return cells[0][1]
    for (w0, p0), (w1, p1) in zip(cells, cells[1:], strict=False):
        if weeks <= w1:
            return p0 + (p1 - p0) * (weeks - w0) / (w1 - w0)
    return cells[-1][1]


def _chance_text(power: float) -> str:
    """'about 1 time in 7' below one half, 'about 9 times in 10' from there."""
    if power < 0.05:
        return "hardly ever (less than 1 time in 20)"
    if power < 0.5:
        return f"about 1 time in {round(1.0 / power)}"
    return f"about {min(10, round(power * 10))} times in 10"


def power_sentence(unit: str, weeks: int, *, athletes: int = 1) -> str:
    """A coach's sentence of what this much data can show, with the squad of 6 over 26 weeks beside it."""
    nearest = _nearest_size(athletes)
    who = "one athlete" if athletes == 1 else f"{athletes} athletes"
    if athletes != nearest:
        fewer = "; fewer athletes find it less often" if athletes < nearest else ""
        who += f" (figure measured for {'one athlete' if nearest == 1 else f'a squad of {nearest}'}{fewer})"
    mine = power_for(unit, weeks, athletes)
    squad = power_for(unit, 26, 6)
    week_word = "week" if weeks == 1 else "weeks"
    return (
        f"What this much data can show: with {weeks} {week_word} of {who}, paired per {unit[:-1]}, a link of the "
        f"size the programme hopes for ({EFFECT_TEXT}) is found {_chance_text(mine)}; a squad of 6 over 26 weeks "
        f"finds it {_chance_text(squad)} (simulation, docs/statistics.md). A 'no clear association' on little "
        "data is not evidence of no link."
    )


def power_table_markdown() -> str:
    """:data:`POWER_TABLE` as the Markdown table docs/statistics.md shows (a test keeps the two equal)."""
    weeks = sorted({r.weeks for r in POWER_TABLE})
    lines = ["| data | " + " | ".join(f"{w} weeks" for w in weeks) + " |",
             "| --- | " + " | ".join("---" for _ in weeks) + " |"]
    for athletes, unit in sorted({(r.athletes, r.unit) for r in POWER_TABLE}, key=lambda k: (k[0], k[1] != "runs")):
        who = "one athlete" if athletes == 1 else f"squad of {athletes}"
        cells = {r.weeks: r.power for r in POWER_TABLE if r.athletes == athletes and r.unit == unit}
        lines.append(f"| {who}, per {unit[:-1]} | " + " | ".join(f"{100 * cells[w]:.1f} %" for w in weeks)
                     + " |")
    return "\n".join(lines)
