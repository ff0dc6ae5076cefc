"""Red flags: recognising an emergency in any message, whatever the classifier thinks.

Deterministic on purpose: a medical emergency or a thought of self-harm must get emergency
guidance first every time, so this does not depend on intent confidence. A general question
*about* a red-flag symptom ("is shortness of breath a side effect?") is not an alarm: it gets
its answer plus a line on when to seek care.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot import DATA_DIR
from bot.yamlio import load_yaml

RED_FLAGS_FILE = DATA_DIR / "safety" / "red_flags.yml"
SELF_HARM = "self_harm"

QUESTION = re.compile(
    r"^(?:is|are|can|could|does|do|will|would|should|what|whats|when|how|why|which|may|might)\b"
)
# Someone describing a present situation, which turns a term into an alarm even in a question.
PERSONAL = re.compile(
    r"\b(?:i|im|ive|me|my|mine|we|our|us|he|she|hes|shes|his|her|they|their|right now|now|"
    r"currently|help|911)\b"
)


@dataclass(frozen=True)
class RedFlag:
    category: str
    phrase: str
    is_question_about: bool = False

    @property
    def is_emergency(self) -> bool:
        return not self.is_question_about

    @property
    def is_self_harm(self) -> bool:
        return self.category == SELF_HARM


@dataclass(frozen=True)
class _Category:
    name: str
    reports: tuple[re.Pattern[str], ...]
    terms: tuple[re.Pattern[str], ...]


def _compile(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(rf"(?<!\w){p}(?!\w)") for p in patterns)


@lru_cache(maxsize=4)
def _categories(path: Path = RED_FLAGS_FILE) -> tuple[_Category, ...]:
    raw = load_yaml(path)["categories"]
    return tuple(
        _Category(name, _compile(spec.get("reports") or []), _compile(spec.get("terms") or []))
        for name, spec in raw.items()
    )


@lru_cache(maxsize=4)
def _history(path: Path = RED_FLAGS_FILE) -> re.Pattern[str]:
    words = load_yaml(path).get("history") or []
    return re.compile("|".join(rf"\b{re.escape(w)}\b" for w in words) or r"(?!x)x")


@lru_cache(maxsize=1)
def seek_care_text() -> str:
    return str(load_yaml(RED_FLAGS_FILE)["seek_care"]).strip()


def normalize(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("'", "")
    text = re.sub(r"[^\w\s?]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _is_general_question(text: str) -> bool:
    if PERSONAL.search(text):
        return False
    return bool(QUESTION.match(text)) or text.endswith("?") or " if " in f" {text} "


def detect(text: str, path: Path = RED_FLAGS_FILE) -> RedFlag | None:
    """The first red flag in `text`: an emergency, or a general question about one."""
    t = normalize(text or "")
    if not t:
        return None
    about: RedFlag | None = None
    past = bool(_history(path).search(t))
    for category in _categories(path):
        if past and category.name != SELF_HARM:
            continue
        for pattern in category.reports:
            match = pattern.search(t)
            if match:
                return RedFlag(category.name, match.group())
        for pattern in category.terms:
            match = pattern.search(t)
            if match and about is None:
                about = RedFlag(category.name, match.group(), _is_general_question(t))
                if about.is_emergency:
                    return about
    return about
