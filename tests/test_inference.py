"""The app's p values and CIs hold on simulated squads sent through the real pipeline (benchmarks/inference.py).

A seeded, smaller run of the benchmark: SIMS squads of 6 athletes × 26 weeks in the hardest null scenario
("persistent + drift": habit and fade that last from week to week, runs of a week sharing its tiredness, and a
season drift of both in opposite directions) and the same with the planted effect. Every athlete of a squad is
counted for the athlete routes (600 results), one result per squad for the squad routes (100 results).

Bounds leave room for Monte Carlo error (one SE of a 5 % rate is 0.9 points over 600 results, 2.2 points over
100) but not for a method that ignores dependence or drift: the last test shows the textbook correlations on the
same pairs say p < 0.05 far more often, so the simulation is hard enough to catch one. The full benchmark, with
its tighter targets, is ``benchmarks/inference.py --sims 400``.
"""

from __future__ import annotations

import concurrent.futures

import numpy as np
import pytest

from analysis.consistency import run_table, weekly_table
from analysis.pairing import run_pairs
from analysis.simulation import simulate_squad
from analysis.squad import squad_correlation
from analysis.stats import association, lagged, spearman
from benchmarks.inference import (
    ATHLETE_ROUTES,
    ROUTES,
    SQUAD_ROUTES,
    _result,
    run_simulations,
    scenarios,
    simulate_routes,
    summarise,
)

SIMS = 100
SEED = 82026
NULL = "persistent + drift"
EFFECT = "persistent + drift + effect"

# null: share of estimates with p < 0.05 (nominal 5 %)
MAX_FALSE_POSITIVE = {"athlete-weeks": 0.10, "athlete-runs": 0.10, "squad-weeks": 0.12, "squad-runs": 0.12}
MIN_COVERAGE = 0.88  # null: share of estimates whose 95 % CI holds 0
MIN_ESTIMATE_SHARE = 0.90  # athlete results that give a number (not "not enough data")
MIN_POWER = {"squad-runs": 0.70, "squad-weeks": 0.45}  # effect: share of squads whose CI excludes 0
# naive methods on the same null pairs: at least this often p < 0.05 (the app's own methods stay near 5 %)
MIN_NAIVE_FALSE_POSITIVE = {
    "athlete-weeks textbook Spearman": 0.15,
    "athlete-runs textbook Spearman": 0.30,
    "squad-runs textbook r_rm": 0.50,
    "squad-runs without trend step": 0.20,
}


@pytest.fixture(scope="module")
def sims():
    sc = scenarios()
    out = run_simulations({NULL: (sc[NULL], 6, 26)}, SIMS, seed=SEED, workers=2, naive=True)
    out.update(run_simulations({EFFECT: (sc[EFFECT], 6, 26)}, SIMS, seed=SEED, workers=2))
    return out


@pytest.mark.parametrize("route", ROUTES)
def test_false_positive_rate_under_the_null(sims, route):
    s = summarise(sims[NULL], route)
    assert s.p_below <= MAX_FALSE_POSITIVE[route], (
        f"{route}: p < 0.05 in {s.p_below:.1%} of {s.estimates} null results, allowed {MAX_FALSE_POSITIVE[route]:.0%}"
    )


@pytest.mark.parametrize("route", ROUTES)
def test_ci_holds_zero_under_the_null(sims, route):
    s = summarise(sims[NULL], route)
    assert s.ci_holds_zero >= MIN_COVERAGE, (
        f"{route}: the 95 % CI held 0 in {s.ci_holds_zero:.1%} of {s.estimates} null results, need {MIN_COVERAGE:.0%}"
    )


@pytest.mark.parametrize("scenario", [NULL, EFFECT])
@pytest.mark.parametrize("route", ATHLETE_ROUTES)
def test_most_athletes_get_an_estimate(sims, route, scenario):
    s = summarise(sims[scenario], route)
    assert s.estimate_share >= MIN_ESTIMATE_SHARE, f"{route} / {scenario}: estimate in {s.estimate_share:.1%}"


@pytest.mark.parametrize("route", SQUAD_ROUTES)
def test_squad_finds_the_planted_effect(sims, route):
    s = summarise(sims[EFFECT], route)
    assert s.power >= MIN_POWER[route], (
        f"{route}: CI excluded 0 in {s.power:.1%} of squads, need {MIN_POWER[route]:.0%}"
    )
    # and finds it in the right direction (less fade with more consistency)
    rs = [r["r"] for sim in sims[EFFECT] for r in sim[route] if r["enough_data"]]
    assert sum(r < 0 for r in rs) >= 0.9 * len(rs)


@pytest.mark.parametrize("route", sorted(MIN_NAIVE_FALSE_POSITIVE))
def test_naive_methods_fail_on_the_same_null_data(sims, route):
    """The simulation is hard enough: methods that assume independent pairs, or leave the drift in, fail it."""
    s = summarise(sims[NULL], route)
    assert s.p_below >= MIN_NAIVE_FALSE_POSITIVE[route], f"{route}: p < 0.05 in only {s.p_below:.1%}"


def test_simulations_are_deterministic_whatever_the_workers():
    sc = scenarios()[NULL]
    serial = run_simulations({NULL: (sc, 2, 12)}, 2, seed=SEED, workers=0)
    parallel = run_simulations({NULL: (sc, 2, 12)}, 2, seed=SEED, workers=2)
    assert repr(serial) == repr(parallel)  # repr: NaN (no estimate) compares equal to NaN
    assert repr(simulate_routes(sc, athletes=2, weeks=12, seed=(SEED, 1))) == repr(serial[NULL][1])
    assert set(serial[NULL][0]) == set(ROUTES)
    assert [len(serial[NULL][0][route]) for route in ROUTES] == [2, 2, 1, 1]


# --- perceived effort: a null marker through the same pipeline ------------------------------------
#
# analysis.simulation gives every run a perceived effort (Borg CR10, whole points, on 3 runs in 4) that follows
# the week's tiredness, its persistence and, here, its season drift against the habit, with no link to
# consistency. The same four routes the pages use (lag-1 weeks and runs per athlete, the squad per week and per
# run), with the marker set to perceived_effort; the same bounds as pace decay's above.

EFFORT = "perceived_effort"
EFFORT_SIMS = 80  # 480 athlete results and 80 squads: about 25 s on two workers


def effort_routes(seed: tuple[int, int]) -> dict[str, list[dict]]:
    """One simulated "persistent + drift" squad, 6 athletes × 26 weeks, through the real pipeline with the
    perceived-effort marker; plus the textbook Spearman per athlete and run on the same pairs."""
    runs, log = simulate_squad(scenarios()[NULL], athletes=6, weeks=26, seed=np.random.default_rng(seed))
    weekly, rt = weekly_table(runs, log), run_table(runs, log)
    out: dict[str, list[dict]] = {route: [] for route in (*ROUTES, "athlete-runs textbook Spearman")}
    rows = lagged(weekly, "consistency_4wk", EFFORT, lags=[1])
    for row in rows[rows["scope"] != "squad"].itertuples(index=False):
        out["athlete-weeks"].append({"r": float(row.r), "ci_low": float(row.ci_low), "ci_high": float(row.ci_high),
                                     "p": float(row.p), "n": int(row.n), "n_effective": float(row.n_effective),
                                     "enough_data": bool(row.enough_data)})
    for name in sorted(runs["athlete"].unique()):
        pairs = run_pairs(rt, name, EFFORT)
        out["athlete-runs"].append(_result(association(pairs, unit="runs")))
        out["athlete-runs textbook Spearman"].append(_result(spearman(pairs["x"], pairs["y"], unit="runs")))
    for unit in ("weeks", "runs"):
        out[f"squad-{unit}"].append(_result(squad_correlation(weekly, rt, metric=EFFORT, unit=unit)))
    return out


@pytest.fixture(scope="module")
def effort_sims():
    seeds = [(SEED + 1, i) for i in range(EFFORT_SIMS)]
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        return list(pool.map(effort_routes, seeds, chunksize=8))


def test_perceived_effort_false_positives_are_calibrated_under_persistent_drifting_null(effort_sims):
    for route in ROUTES:
        s = summarise(effort_sims, route)
        assert s.p_below <= MAX_FALSE_POSITIVE[route], (
            f"perceived effort, {route}: p < 0.05 in {s.p_below:.1%} of {s.estimates} null results, allowed "
            f"{MAX_FALSE_POSITIVE[route]:.0%}")
        assert s.ci_holds_zero >= MIN_COVERAGE, f"perceived effort, {route}: CI held 0 in {s.ci_holds_zero:.1%}"
        if route in ATHLETE_ROUTES:
            assert s.estimate_share >= MIN_ESTIMATE_SHARE, f"perceived effort, {route}: {s.estimate_share:.1%}"
    # per run, effort is reported on a short run as on a long one: every run with one is a pair
    assert summarise(effort_sims, "athlete-runs").median_n >= 0.7 * 26 * 4 * 0.75


def test_perceived_effort_null_is_hard_enough_to_catch_a_textbook_correlation(effort_sims):
    s = summarise(effort_sims, "athlete-runs textbook Spearman")
    assert s.p_below >= MIN_NAIVE_FALSE_POSITIVE["athlete-runs textbook Spearman"], f"only {s.p_below:.1%}"
