"""Reading settings from the environment: an empty variable means "unset", everywhere.

`make` exports every variable of its defaults block, so `FOO=` in a shell or an `.env` file is
common; read naively it becomes a crash (`int("")`), an empty key-file path (the working
directory) or an empty region. These helpers give the default instead.
"""

from __future__ import annotations

import os


def text(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def number(name: str, default: float) -> float:
    value = text(name)
    return float(value) if value else default


def integer(name: str, default: int) -> int:
    value = text(name)
    return int(value) if value else default
