"""Exercise taxonomy: DESIGN §8, the seeds program and common Strong/Hevy names map to the right session type."""

from __future__ import annotations

import pytest

from analysis.io import classify_exercise
from analysis.io.exercise_taxonomy import (
    EXERCISE_TAXONOMY,
    SESSION_TYPES,
    is_recognised_exercise,
    normalise_exercise_name,
)

# DESIGN.md §8, word for word (the "/" alternatives spelled out).
DESIGN_TAXONOMY = {
    "core": [
        "dead bug",
        "bird dog",
        "plank",
        "side plank",
        "hollow hold",
        "hollow body",
        "pallof press",
        "mountain climber",
        "bicycle crunch",
        "russian twist",
        "leg raise",
        "diaphragmatic breathing",
        "breathing drill",
        "floor march",
        "pelvic tilt",
    ],
    "hip": [
        "glute bridge",
        "single-leg glute bridge",
        "hip thrust",
        "clamshell",
        "side-lying leg raise",
        "monster walk",
        "lateral band walk",
        "single-leg deadlift",
        "romanian deadlift",
        "hip hinge",
        "step-up",
        "single-leg balance",
        "single-leg stance",
    ],
    "mobility": ["hip flexor stretch", "thoracic rotation", "hip circles", "leg swings", "ankle mobility"],
    "strength": ["squat", "lunge", "calf raise", "eccentric hamstring", "nordic curl"],
}

# How the program in ../shared/seeds words its exercises.
SEEDS_PROGRAM = {
    "Pelvic tilt drill": "core",
    "Bridge with a pause": "hip",
    "Hip hinge with a tall spine": "hip",
    "Floor march": "core",
    "Dead bug": "core",
    "Hollow-body hold": "core",
    "Kneeling hip flexor stretches": "mobility",
    "Quadruped glute bridges": "hip",
    "Thoracic rotations": "mobility",
    "Side-lying clamshells": "hip",
    "Single-leg deadlifts": "hip",
    "Romanian deadlifts": "hip",
    "Lateral band walks": "hip",
    "Plank": "core",
    "Side planks": "core",
    "Diaphragmatic breathing": "core",
    "Bird-dogs": "core",
    "Glute bridges": "hip",
    "Clamshells": "hip",
    "Side-lying leg raises": "hip",
    "Monster walks with a band": "hip",
    "Calf raises": "strength",
    "Single-leg balance": "hip",
    "Eccentric hamstring work": "strength",
    "Mountain climbers": "core",
    "Hip circles": "mobility",
    "Ankle mobility drills": "mobility",
    "Hip flexor stretches": "mobility",
    "Leg swings": "mobility",
    "Hip thrusts": "hip",
    "Bicycle crunches": "core",
    "Russian twists": "core",
    "Leg raises": "core",
    "Planks on elbows": "core",
    "Spinal twists": "mobility",
    "Glute squeezes": "hip",
    "Half kneeling pallof press": "core",
}

# Names as the Strong and Hevy apps write them (equipment in brackets).
APP_NAMES = {
    "Plank": "core",
    "Side Plank": "core",
    "Dead Bug": "core",
    "Bird Dog": "core",
    "Glute Bridge": "hip",
    "Hip Thrust (Barbell)": "hip",
    "Clamshell (Band)": "hip",
    "Single Leg Romanian Deadlift (Dumbbell)": "hip",
    "Romanian Deadlift (Barbell)": "hip",
    "Lateral Band Walk": "hip",
    "Monster Walk": "hip",
    "Squat (Barbell)": "strength",
    "Bulgarian Split Squat": "strength",
    "Lunge (Dumbbell)": "strength",
    "Calf Raise": "strength",
    "Standing Calf Raise (Machine)": "strength",
    "Nordic Hamstring Curl": "strength",
    "Russian Twist": "core",
    "Hanging Leg Raise": "core",
    "Ab Wheel": "core",
    "Pallof Press": "core",
    "Cable Crunch": "core",
    "Crunch": "core",
    "Copenhagen plank": "hip",
    "Fire hydrant": "hip",
    "Hip abduction (machine)": "hip",
    "Hip Adduction (Machine)": "hip",
    "Glute Kickback (Cable)": "hip",
    "Step Up": "hip",
    "Goblet Squat (Kettlebell)": "strength",
    "Deadlift (Barbell)": "strength",
    "Leg Press": "strength",
    "Lying Leg Curl (Machine)": "strength",
    "Sit Up": "core",
    "Hollow Body Hold": "core",
    "Bench Press (Barbell)": "other",
    "Shoulder Press (Machine)": "other",
    "Lat Pulldown (Cable)": "other",
    "Pull Up": "other",
    "Bicep Curl (Dumbbell)": "other",
    "Running": "other",
}


@pytest.mark.parametrize(
    ("name", "kind"),
    [(name, kind) for kind, names in DESIGN_TAXONOMY.items() for name in names],
)
def test_every_design_exercise_maps_to_its_type(name, kind):
    assert classify_exercise(name) == kind
    assert is_recognised_exercise(name)


@pytest.mark.parametrize(("name", "kind"), sorted(SEEDS_PROGRAM.items()))
def test_every_seeds_program_exercise_maps_to_its_type(name, kind):
    assert classify_exercise(name) == kind


@pytest.mark.parametrize(("name", "kind"), sorted(APP_NAMES.items()))
def test_strong_and_hevy_names_map_to_their_type(name, kind):
    assert classify_exercise(name) == kind
    assert is_recognised_exercise(name)


@pytest.mark.parametrize(
    "spelling",
    [
        "Clamshell (Band)",
        "clamshell",
        "CLAMSHELL",
        "  Clamshell  ",
        "Clamshells (band) ",
        "clam shell [mini band]",
        "Clamshell {Banded}",
        "side-lying clamshell",
    ],
)
def test_matching_ignores_case_punctuation_plurals_and_brackets(spelling):
    assert classify_exercise(spelling) == "hip"


@pytest.mark.parametrize(
    "spelling",
    ["Side Plank", "side plank", "side-plank", "SIDE_PLANK", "Side  Plank (Left)", "side planks", "Side Plank!"],
)
def test_side_plank_spellings_are_core(spelling):
    assert classify_exercise(spelling) == "core"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("side-lying leg raise", "hip"),  # longer phrase beats "leg raise"
        ("leg raise", "core"),
        ("Lying Leg Raise", "core"),
        ("single-leg deadlift", "hip"),  # beats "deadlift"
        ("Romanian Deadlift", "hip"),
        ("deadlift", "strength"),
        ("Trap Bar Deadlift", "strength"),
        ("Pallof Press", "core"),  # beats the upper-body "press"
        ("Leg Press", "strength"),
        ("Overhead Press", "other"),
        ("Copenhagen Plank", "hip"),  # beats "plank"
        ("Glute Bridge March", "hip"),  # "glute bridge" (2 words) beats "march"
        ("Cossack Squat", "mobility"),
        ("Single Leg Glute Bridge", "hip"),
        ("Hip Flexor Stretch (Kneeling)", "mobility"),
    ],
)
def test_most_specific_phrase_wins(name, kind):
    assert classify_exercise(name) == kind


@pytest.mark.parametrize("name", ["Zorbification", "Underwater basket weaving", "", "   ", "(Band)", "123"])
def test_unknown_names_are_other_and_not_recognised(name):
    assert classify_exercise(name) == "other"
    assert not is_recognised_exercise(name)


def test_other_from_the_table_counts_as_recognised():
    assert classify_exercise("Bench Press (Dumbbell)") == "other"
    assert is_recognised_exercise("Bench Press (Dumbbell)")


def test_normalisation():
    assert normalise_exercise_name("Single-Leg Romanian Deadlifts (Dumbbell)") == (
        "single",
        "leg",
        "romanian",
        "deadlift",
    )
    assert normalise_exercise_name("Bicycle Crunches") == ("bicycle", "crunch")
    assert normalise_exercise_name("Child's pose") == ("child", "pose")
    assert classify_exercise("Triceps Pushdown") == "other"
    assert classify_exercise("World's greatest stretch") == "mobility"
    assert normalise_exercise_name("Press") == ("press",)  # "ss" is not a plural


def test_the_table_is_well_formed():
    phrases = [normalise_exercise_name(p) for p, _ in EXERCISE_TAXONOMY]
    assert all(phrases), "a phrase normalises to nothing"
    assert len(set(phrases)) == len(phrases), "a phrase appears twice (after normalisation)"
    kinds = {k for _, k in EXERCISE_TAXONOMY}
    assert kinds == set(SESSION_TYPES)
    for phrase, kind in EXERCISE_TAXONOMY:  # every phrase classifies as itself
        assert classify_exercise(phrase) == kind, phrase
