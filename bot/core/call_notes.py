"""An agent's notes and wrap-up for a call, checked before they are stored with the referral.

The console sends them; the action server stores them with the lead, encrypted like the
contact details (bot/action_server/leads/store.py). Both sides read the same wrap-up list
(data/channels/agent.yml) and the same checks, so a value the console offers is one the store
accepts, and a value it does not offer is refused on both sides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot import DATA_DIR
from bot.core.yamlio import load_yaml

AGENT_FILE = DATA_DIR / "channels" / "agent.yml"
METADATA_KEY = "call_notes"  # where the agent channel puts them in the message's metadata
AGENT_CHANNEL = "agent_assist"  # the input channel that alone may send them
INTENT = "save_call_notes"


@dataclass(frozen=True)
class WrapUp:
    key: str
    label: str


@dataclass(frozen=True)
class CallNotes:
    notes: str
    wrap_up: str


@dataclass(frozen=True)
class Settings:
    wrap_ups: tuple[WrapUp, ...]
    max_chars: int

    def label(self, key: str | None) -> str | None:
        return next((w.label for w in self.wrap_ups if w.key == key), None)


def load(path: Path = AGENT_FILE) -> Settings:
    data = load_yaml(path) or {}
    wrap_ups = tuple(WrapUp(str(w["key"]), str(w["label"])) for w in data.get("wrap_up") or [])
    return Settings(wrap_ups, int(data.get("notes_max_chars", 2000)))


@lru_cache(maxsize=1)
def settings() -> Settings:
    return load()


def _plain(text: str) -> str:
    """One paragraph per line, no control characters, no runs of spaces."""
    text = "".join(ch for ch in text if ch == "\n" or not unicodedata.category(ch).startswith("C"))
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def checked(raw: Any, config: Settings | None = None) -> CallNotes | None:
    """The notes and wrap-up from untrusted input, or None when they cannot be stored as they
    are: a wrap-up the list does not have, notes that are not text or longer than allowed, or
    nothing at all to store."""
    config = config or settings()
    if not isinstance(raw, Mapping):
        return None
    notes, wrap_up = raw.get("notes", ""), raw.get("wrap_up")
    if not isinstance(notes, str) or not isinstance(wrap_up, str):
        return None
    notes = _plain(notes)
    if config.label(wrap_up) is None or len(notes) > config.max_chars:
        return None
    return CallNotes(notes, wrap_up)
