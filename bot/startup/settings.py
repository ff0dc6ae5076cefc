"""Declared settings: each process lists the environment variables it reads, once, here.

`bot/rasa_server/settings.py` and `bot/action_server/settings.py` each declare their own; tests
check that the code reads nothing undeclared, that the README's table names exactly these,
and that each service of deploy/docker-compose.yml gets what its process requires in
production and no secret of the other process. An empty variable means unset, everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    secret: bool = False  # a key or token: never logged, given to its own process only
    production: bool = False  # a deployment must set it


def read(declared: Iterable[Setting], environ: Mapping[str, str]) -> dict[str, str]:
    """The declared settings that are set (empty means unset)."""
    values = {}
    for setting in declared:
        value = environ.get(setting.name, "").strip()
        if value:
            values[setting.name] = value
    return values


def missing_in_production(declared: Iterable[Setting], environ: Mapping[str, str]) -> list[str]:
    found = read(declared, environ)
    return [s.name for s in declared if s.production and s.name not in found]
