"""Reading settings: an empty variable means "unset", everywhere, and a server reads its
environment once.

`make` exports every variable of its defaults block, so `FOO=` in a shell or an `.env` file is
common; read naively it becomes a crash (`int("")`), an empty key-file path (the working
directory) or an empty region. These helpers give the default instead.

Each server's start-up calls `freeze()` with the settings its process declares
(bot/rasa_server/settings.py, bot/action_server/settings.py): from then on every read comes from
that one snapshot, and reading a setting the process did not declare is an error, not a silent
default. Before `freeze()` (tools, tests of single functions) the environment is read directly.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping


class UndeclaredSettingError(KeyError):
    """A server read a variable its process's settings do not declare."""


_snapshot: dict[str, str] | None = None


def freeze(environ: Mapping[str, str], declared: Iterable[str]) -> dict[str, str]:
    """The process's settings, read once; returns the ones that are set."""
    global _snapshot
    _snapshot = {name: environ.get(name, "") for name in declared}
    return {name: value for name, value in _snapshot.items() if value.strip()}


def unfreeze() -> None:
    global _snapshot
    _snapshot = None


def frozen() -> bool:
    return _snapshot is not None


def text(name: str, default: str = "") -> str:
    if _snapshot is None:
        return os.environ.get(name, "").strip() or default
    if name not in _snapshot:
        raise UndeclaredSettingError(f"{name} is not a declared setting of this process")
    return _snapshot[name].strip() or default


def number(name: str, default: float) -> float:
    value = text(name)
    return float(value) if value else default


def integer(name: str, default: int) -> int:
    value = text(name)
    return int(value) if value else default
