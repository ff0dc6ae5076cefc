"""Medical boundaries: never advise on a person's own medicines, doses or test results.

Every such question gets "please ask your prescriber" plus general information from the
curated content where a topic fits (rules in data/safety/boundaries.yml).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot import DATA_DIR
from bot.core.screening import parsing
from bot.core.understanding.segments import segments
from bot.core.yamlio import load_yaml

BOUNDARIES_FILE = DATA_DIR / "safety" / "boundaries.yml"
IVIG = "ivig"  # the medicines lexicon's value for IVIG


@dataclass(frozen=True)
class Boundary:
    text: str
    general_topic: str | None


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    return load_yaml(BOUNDARIES_FILE)


def is_about_labs(text: str) -> bool:
    words = rules()["lab_words"]
    return any(re.search(rf"(?<!\w){w}(?!\w)", text.lower()) for w in words)


def boundary(text: str, medicines: Iterable[str], selector_topic: str | None) -> Boundary:
    """The prescriber line, the lab line when results are asked about, and a general topic."""
    data = rules()
    parts = [data["reply"].strip()]
    if is_about_labs(text):
        parts.append(data["lab_reply"].strip())
    by_medicine = data["topic_by_medicine"]
    topic = next((by_medicine[m] for m in asked_first(text, medicines) if m in by_medicine), None)
    return Boundary(" ".join(parts), topic or selector_topic)


def asked_first(text: str, medicines: Iterable[str]) -> list[str]:
    """The medicines named, those of the sentences that ask first and IVIG last: in "got hives
    during ivig today. shud i take benadryl b4 next time?" the question is about Benadryl, and
    IVIG, this program's medicine, is most often the story around the question."""
    named = list(dict.fromkeys(medicines))
    asking = [s.text for s in segments(text) if s.asks or is_personal_medication_question(s.text)]
    in_question = {m for sentence in asking for m in parsing.lexicon_values(sentence, "medicine")}
    return sorted(named, key=lambda m: (m not in in_question, m == IVIG))


@lru_cache(maxsize=1)
def _personal_change() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in rules()["personal_change"])


@lru_cache(maxsize=1)
def _program_questions() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(rf"\b(?:{p})\b") for p in rules().get("program_questions") or [])


def is_personal_medication_question(text: str) -> bool:
    """'should i stop my prednisone', 'is my ck too high': advice only a prescriber can give.
    Questions about the program ("can I switch to home infusion?") are not."""
    t = re.sub(r"\s+", " ", text.lower().replace("\u2019", "'")).strip()
    if any(pattern.search(t) for pattern in _program_questions()):
        return False
    return any(pattern.search(t) for pattern in _personal_change())
