"""Every setting of the app, in one registry: one `Setting` type and one ordered table, `SETTINGS`.

Modelled on datasette's settings: the table is the single source of truth. Each module defines its settings
once, here, by calling `register` (metrics, consistency, statistics, privacy: the groups, in that order);
the modules' own names (`METRIC_SETTINGS`, `CONSISTENCY_SETTINGS`, `STATS_SETTINGS`, `PRIVACY_SETTINGS`) are
views of this registry. The Data & settings page renders the registry, and one test
(`tests/test_settings_registry.py`) fails when a setting has no help, no unit, a default outside its bounds,
or is shown and documented nowhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType

from analysis.errors import InputError

__all__ = ["GROUPS", "SETTINGS", "Setting", "all_settings", "group", "register", "setting", "table"]

GROUPS: tuple[str, ...] = ("metrics", "consistency", "statistics", "privacy")


@dataclass(frozen=True)
class Setting:
    """One setting: its code name, default, unit, inclusive bounds, help sentence and group."""

    name: str
    default: float
    unit: str
    minimum: float
    maximum: float
    help: str
    group: str = "metrics"

    def validate(self, value: object) -> float:
        """`value` as a number within the bounds; `InputError` naming the setting and its bounds otherwise."""
        allowed = f"{self.name} must be a number from {self.minimum:g} to {self.maximum:g} {self.unit}"
        if isinstance(value, bool):
            raise InputError(f"{value!r} is not a number; {allowed}")
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InputError(f"{value!r} is not a number; {allowed}") from None
        if not math.isfinite(number) or not self.minimum <= number <= self.maximum:
            raise InputError(f"{value!r} is out of range; {allowed}")
        return number


_REGISTRY: dict[str, Setting] = {}
SETTINGS: MappingProxyType[str, Setting] = MappingProxyType(_REGISTRY)  # name -> setting, ordered by group


def register(group_name: str, *settings: Setting) -> tuple[Setting, ...]:
    """Add `settings` to the registry under `group_name`; returns them (with the group set) for the module's view.

    Registering the same setting again (a module reloaded) is a no-op; a different setting under a name
    already taken is an error, so a name means one thing everywhere.
    """
    if group_name not in GROUPS:
        raise ValueError(f"unknown settings group {group_name!r}; known: {', '.join(GROUPS)}")
    out = []
    for s in settings:
        s = Setting(s.name, s.default, s.unit, s.minimum, s.maximum, s.help, group_name)
        if _REGISTRY.get(s.name, s) != s:
            raise ValueError(f"setting {s.name!r} is registered twice, differently")
        _REGISTRY[s.name] = s
        out.append(s)
    ordered = sorted(_REGISTRY.values(), key=lambda x: GROUPS.index(x.group))  # stable: order within a group kept
    _REGISTRY.clear()
    _REGISTRY.update((x.name, x) for x in ordered)
    return tuple(out)


def group(group_name: str) -> tuple[Setting, ...]:
    """The settings of one group, in their table's order."""
    return tuple(s for s in _REGISTRY.values() if s.group == group_name)


def setting(name: str) -> Setting:
    """The setting called `name`; KeyError naming the known ones otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown setting {name!r}; known: {', '.join(_REGISTRY)}") from None


def table(group_name: str):
    """One group's settings as a pandas frame (name, default, unit, help) for display."""
    import pandas as pd

    return pd.DataFrame([(s.name, s.default, s.unit, s.help) for s in group(group_name)],
                        columns=["name", "default", "unit", "help"])


def all_settings() -> tuple[Setting, ...]:
    """Every registered setting, importing the modules that define them first (so the registry is complete)."""
    import analysis.consistency  # noqa: F401
    import analysis.metrics.settings  # noqa: F401
    import analysis.privacy  # noqa: F401
    import analysis.stats  # noqa: F401

    return tuple(_REGISTRY.values())
