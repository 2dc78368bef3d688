"""Which kind of session an exercise belongs to: one data table and the matcher that reads it (DESIGN.md §8).

`EXERCISE_TAXONOMY` is the only place exercise names are listed. Each entry is a phrase and the
session type it stands for:

- `core`     trunk stability (dead bug, bird dog, planks and side bridges, pallof press, cable twist,
             wood chop, Turkish get-up, L-sit, …)
- `hip`      hip and pelvic stability (glute bridge, clamshell, band walks, hip abductor / adductor
             machines, single-leg hinges, cable pull-through, reverse hyperextension, …)
- `mobility` stretches and range-of-motion drills
- `strength` other lower-body strength (squat, lunge, calf raise and calf press, nordic curl,
             glute-ham raise, …)
- `other`    recognised but outside the program: upper body, cardio machines

Matching (`classify_exercise`) ignores letter case, punctuation and anything in brackets, so the
equipment suffixes of the Strong and Hevy apps do not matter: `Clamshell (Band)` is `hip`,
`Single Leg Romanian Deadlift (Dumbbell)` is `hip`, `Side Plank` is `core`. Plurals are folded
(`Dead Bugs` = `dead bug`). A phrase matches when its words appear together, in order, in the name;
when several phrases match, the one with the most words wins, then the longest one, then the one
furthest to the left. That is what makes `side-lying leg raise` hip while `leg raise` is core,
`single-leg deadlift` / `romanian deadlift` hip while a plain `deadlift` is strength, `side bridge`
core while `bridge` is hip, and `calf press` strength while `press` is other. Spellings the rules
cannot fold (the common `Palloff` for `Pallof`) are phrases of the table, not code.
A name that matches nothing is `other`, and `is_recognised_exercise` says so, so the import
report can list it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

SESSION_TYPES: tuple[str, ...] = ("core", "hip", "mobility", "strength", "other")

# (phrase, session type). Phrases are written plainly; they go through the same normalisation as the
# names they are matched against (lower case, punctuation to spaces, plurals folded).
EXERCISE_TAXONOMY: tuple[tuple[str, str], ...] = (
    # --- core (DESIGN §8, the seeds program, common Strong/Hevy names) ---
    ("dead bug", "core"),
    ("deadbug", "core"),
    ("bird dog", "core"),
    ("birddog", "core"),
    ("plank", "core"),
    ("side plank", "core"),
    ("side bridge", "core"),  # a side plank (McGill's name); beats the hip "bridge"
    ("forearm plank", "core"),
    ("extended plank", "core"),
    ("hollow hold", "core"),
    ("hollow body", "core"),
    ("hollow rock", "core"),
    ("hollow", "core"),
    ("pallof press", "core"),
    ("pallof", "core"),
    ("palloff press", "core"),  # a common misspelling, Hevy's own "Cable Core Palloff Press" among them
    ("palloff", "core"),
    ("mountain climber", "core"),
    ("bicycle crunch", "core"),
    ("crunch", "core"),
    ("cable crunch", "core"),
    ("russian twist", "core"),
    ("leg raise", "core"),
    ("hanging leg raise", "core"),
    ("lying leg raise", "core"),
    ("knee raise", "core"),
    ("hanging knee raise", "core"),
    ("toes to bar", "core"),
    ("flutter kick", "core"),
    ("scissor kick", "core"),
    ("v up", "core"),
    ("sit up", "core"),
    ("situp", "core"),
    ("ab wheel", "core"),
    ("ab", "core"),
    ("ab rollout", "core"),
    ("rollout", "core"),
    ("diaphragmatic breathing", "core"),
    ("diaphragmatic", "core"),
    ("breathing drill", "core"),
    ("breathing", "core"),
    ("floor march", "core"),
    ("march", "core"),
    ("pelvic tilt", "core"),
    ("stir the pot", "core"),
    ("wood chop", "core"),
    ("woodchop", "core"),
    ("woodchopper", "core"),
    ("wood chopper", "core"),
    ("chop", "core"),  # cable chop, half-kneeling chop, lift and chop
    ("cable twist", "core"),
    ("torso rotation", "core"),
    ("landmine rotation", "core"),
    ("landmine twist", "core"),
    ("landmine 180", "core"),
    ("knee in", "core"),  # knee-ins, knee-in twists
    ("elbow to knee", "core"),
    ("knee to elbow", "core"),
    ("turkish get up", "core"),
    ("get up", "core"),
    ("tgu", "core"),
    ("l sit", "core"),
    ("dragon flag", "core"),
    ("jackknife", "core"),
    ("jack knife", "core"),
    ("bicycle", "core"),  # the crunch; a bike is "cycling" or "stationary bicycle" (other)
    ("heel tap", "core"),
    ("toe touch", "core"),  # lying toe touches (Hevy "Toe Touch")
    ("body saw", "core"),
    ("curl up", "core"),  # McGill curl-up
    ("windshield wiper", "core"),
    ("suitcase carry", "core"),
    # A farmer's walk is left out on purpose: two even loads ask the trunk for little beyond standing tall
    # (grip and upper back do the work), unlike the one-sided suitcase carry. Unlisted, it is `other` and
    # shows in the import report's unrecognised list, so an athlete who counts it as core can map it.
    ("side bend", "core"),
    ("back extension", "core"),
    ("hyperextension", "core"),  # the 45° back extension; "reverse hyperextension" is hip
    ("superman", "core"),
    ("bear crawl", "core"),
    ("anti rotation", "core"),
    ("core", "core"),
    # --- hip (pelvic stability, glutes, single-leg hinges) ---
    ("glute bridge", "hip"),
    ("single leg glute bridge", "hip"),
    ("bridge", "hip"),
    ("hip thrust", "hip"),
    ("single leg hip thrust", "hip"),
    ("clamshell", "hip"),
    ("clam shell", "hip"),
    ("clam", "hip"),
    ("side lying leg raise", "hip"),
    ("side lying leg lift", "hip"),
    ("side lying hip abduction", "hip"),
    ("side leg raise", "hip"),
    ("lateral leg raise", "hip"),
    ("monster walk", "hip"),
    ("lateral band walk", "hip"),
    ("band walk", "hip"),
    ("banded walk", "hip"),
    ("lateral walk", "hip"),
    ("crab walk", "hip"),
    ("single leg deadlift", "hip"),
    ("one leg deadlift", "hip"),
    ("single leg romanian deadlift", "hip"),
    ("single leg rdl", "hip"),
    ("romanian deadlift", "hip"),
    ("rdl", "hip"),
    ("stiff leg deadlift", "hip"),
    ("straight leg deadlift", "hip"),
    ("hip hinge", "hip"),
    ("good morning", "hip"),
    ("kettlebell swing", "hip"),
    ("step up", "hip"),
    ("stepup", "hip"),
    ("step down", "hip"),
    ("single leg balance", "hip"),
    ("single leg stance", "hip"),
    ("fire hydrant", "hip"),
    ("hip abduction", "hip"),
    ("hip adduction", "hip"),
    ("hip abductor", "hip"),  # Strong: "Hip Abductor (Machine)"
    ("hip adductor", "hip"),
    ("abductor", "hip"),
    ("adductor", "hip"),
    ("side step", "hip"),  # banded side steps
    ("hip hike", "hip"),
    ("hip hitch", "hip"),
    ("pelvic drop", "hip"),
    ("glute medius", "hip"),
    ("glute med", "hip"),
    ("glute activation", "hip"),
    ("copenhagen", "hip"),
    ("copenhagen plank", "hip"),
    ("glute kickback", "hip"),
    ("cable kickback", "hip"),
    ("kickback", "hip"),
    ("donkey kick", "hip"),
    ("hip airplane", "hip"),
    ("frog pump", "hip"),
    ("reverse hyper", "hip"),
    ("reverse hyperextension", "hip"),
    ("pull through", "hip"),  # cable / kettlebell pull-through, a hinge
    ("glute squeeze", "hip"),
    # --- mobility ---
    ("hip flexor stretch", "mobility"),
    ("toe touch stretch", "mobility"),  # the standing hamstring stretch, not the lying "toe touch"
    ("stretch", "mobility"),
    ("stretching", "mobility"),
    ("thoracic rotation", "mobility"),
    ("thoracic", "mobility"),
    ("t spine rotation", "mobility"),
    ("open book", "mobility"),
    ("hip circle", "mobility"),
    ("leg swing", "mobility"),
    ("ankle mobility", "mobility"),
    ("ankle dorsiflexion", "mobility"),
    ("mobility", "mobility"),
    ("spinal twist", "mobility"),
    ("cat cow", "mobility"),
    ("child pose", "mobility"),
    ("pigeon", "mobility"),
    ("90 90", "mobility"),
    ("world greatest stretch", "mobility"),
    ("thread the needle", "mobility"),
    ("foam roll", "mobility"),
    ("foam rolling", "mobility"),
    ("yoga", "mobility"),
    ("cossack squat", "mobility"),
    # --- strength (other lower body) ---
    ("squat", "strength"),
    ("split squat", "strength"),
    ("bulgarian split squat", "strength"),
    ("goblet squat", "strength"),
    ("pistol squat", "strength"),
    ("lunge", "strength"),
    ("calf raise", "strength"),
    ("calf press", "strength"),  # beats the upper-body "press"
    ("calf extension", "strength"),
    ("tibialis raise", "strength"),
    ("tib raise", "strength"),
    ("eccentric hamstring", "strength"),
    ("nordic", "strength"),
    ("nordic curl", "strength"),
    ("nordic hamstring curl", "strength"),
    ("hamstring curl", "strength"),
    ("leg curl", "strength"),
    ("glute ham raise", "strength"),  # a hamstring curl, not a glute drill
    ("deadlift", "strength"),
    ("trap bar deadlift", "strength"),
    ("leg press", "strength"),
    ("leg extension", "strength"),
    ("box jump", "strength"),
    ("jump squat", "strength"),
    ("wall sit", "strength"),
    # --- other, but known: upper body and cardio machines (not part of the program) ---
    ("bench press", "other"),
    ("press", "other"),
    ("push up", "other"),
    ("pushup", "other"),
    ("pull up", "other"),
    ("pullup", "other"),
    ("chin up", "other"),
    ("row", "other"),
    ("lat pulldown", "other"),
    ("pulldown", "other"),
    ("bicep curl", "other"),
    ("hammer curl", "other"),
    ("tricep", "other"),
    ("tricep kickback", "other"),  # not the glute "kickback"
    ("lateral raise", "other"),
    ("face pull", "other"),
    ("chest fly", "other"),
    ("dip", "other"),
    ("dead hang", "other"),
    ("shrug", "other"),
    ("running", "other"),
    ("treadmill", "other"),
    ("cycling", "other"),
    ("stationary bicycle", "other"),
    ("elliptical", "other"),
)

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}")


def _fold(token: str) -> str:
    """Fold an English plural onto its singular (`crunches` → `crunch`, `bugs` → `bug`)."""
    if len(token) > 4 and token.endswith(("ches", "shes", "sses", "xes")):
        return token[:-2]
    if len(token) > 2 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def normalise_exercise_name(name: str) -> tuple[str, ...]:
    """The words of `name` as the matcher sees them: bracketed parts dropped, lower case, plurals folded.

    `"Single-Leg Romanian Deadlifts (Dumbbell)"` → `("single", "leg", "romanian", "deadlift")`.
    Apostrophes join (`child's` → `childs`, then folded to `child`); every other punctuation mark separates words.
    """
    text = unicodedata.normalize("NFKC", str(name)).casefold()
    text = _BRACKETS.sub(" ", text)
    text = text.replace("'", "").replace("\u2019", "")
    text = re.sub(r"[^\w]+|_", " ", text)
    return tuple(_fold(t) for t in text.split())


def exercise_key(name: str) -> str:
    """One key for every spelling of a name the matcher treats alike ("Dead Bugs", "dead-bug" -> "dead bug").

    User mappings of exercise names to session types are stored and looked up under this key.
    """
    return " ".join(normalise_exercise_name(name))


@lru_cache(maxsize=1)
def _patterns() -> dict[str, tuple[tuple[tuple[str, ...], str, int], ...]]:
    """Phrases of the table by their first word: (words, session type, length in characters)."""
    by_first: dict[str, list[tuple[tuple[str, ...], str, int]]] = {}
    for phrase, kind in EXERCISE_TAXONOMY:
        if kind not in SESSION_TYPES:  # a mistake in the table, not in a user's file
            raise ValueError(f"taxonomy entry {phrase!r} has unknown session type {kind!r}")
        words = normalise_exercise_name(phrase)
        by_first.setdefault(words[0], []).append((words, kind, len(" ".join(words))))
    return {first: tuple(found) for first, found in by_first.items()}


def _match(words: tuple[str, ...]) -> str | None:
    """Session type of the most specific phrase found in `words` (most words, longest, leftmost), or None."""
    patterns = _patterns()
    best: tuple[int, int, int] | None = None
    best_kind: str | None = None
    for at, word in enumerate(words):
        for pattern, kind, length in patterns.get(word, ()):
            if words[at : at + len(pattern)] != pattern:
                continue
            key = (len(pattern), length, -at)
            if best is None or key > best:
                best, best_kind = key, kind
    return best_kind


@lru_cache(maxsize=8192)
def _match_name(name: str) -> str | None:
    return _match(normalise_exercise_name(name))


def classify_exercise(name: str) -> str:
    """Session type of an exercise name: `core`, `hip`, `mobility`, `strength` or `other`.

    Case, punctuation and bracketed equipment are ignored; the most specific phrase of
    `EXERCISE_TAXONOMY` wins (module docstring). Names that match nothing are `other`.
    """
    return _match_name(str(name)) or "other"


def is_recognised_exercise(name: str) -> bool:
    """True when some phrase of the taxonomy matches `name` (an `other` from the table counts as recognised)."""
    return _match_name(str(name)) is not None
