"""The buttons the action server adds to its replies, read from data/knowledge/buttons.yml.

Their titles are sentences a person reads, so they are data beside the answers, and a caregiver
gets the caregiver's title ("Could IVIG help your mother?") the way the answers word it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot import DATA_DIR
from bot.core.knowledge import for_person
from bot.core.yamlio import load_yaml

BUTTONS_FILE = DATA_DIR / "knowledge" / "buttons.yml"


def _spec(key: str, path: Path) -> dict[str, Any]:
    return load_yaml(path)["buttons"][key]


def button(key: str, person: str | None = None, path: Path = BUTTONS_FILE) -> dict[str, str]:
    """One button as Rasa sends it; worded for `person` when given and the button has that
    wording. An unknown key is a KeyError: a button missing from the data is a bug."""
    spec = _spec(key, path)
    title = str(spec["title"])
    if person and spec.get("for_other"):
        title = for_person(str(spec["for_other"]), person)
    return {"title": title, "payload": str(spec["payload"])}
