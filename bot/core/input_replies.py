"""The kind replies to a message that cannot be read as it is (empty, too long, emoji only,
another language, sent too fast). The Rasa server's input gate names the problem
(bot/rasa_server/input_policy.py); the action server answers it with these words, from
data/safety/input.yml."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from bot import DATA_DIR
from bot.core.yamlio import load_yaml

INPUT_FILE = DATA_DIR / "safety" / "input.yml"
PROBLEM_INTENT = "unreadable_input"
PROBLEM_ENTITY = "input_problem"


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    return load_yaml(INPUT_FILE)


def reply(problem: str, phone: str, max_chars: int) -> str:
    template = settings()["replies"].get(problem) or settings()["replies"]["empty"]
    return " ".join(str(template).split()).format(max_chars=max_chars, phone=phone)
