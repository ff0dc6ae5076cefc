"""Follow-ups read in the light of the conversation's subject.

"Which muscles does it usually go after?" after an answer about polymyositis, or "how long
does that go on?" after one about how often IVIG is given: a short question that leans on
a pronoun or an ellipsis is classified again with the subject's words beside it.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

FOLLOW_UP = re.compile(
    r"^\W*(?:and|also|so|but|ok|okay|what about|how about|then)\b|\b(?:it|its|that|this|those|"
    r"these|them|they|one|ones|either|both|there|he|she|him|her)\b",
    re.I,
)
MAX_WORDS = 14
MIN_CONFIDENCE = 0.35

Ranker = Callable[[Sequence[str]], list[list[tuple[str, float]]]]


def looks_like_follow_up(text: str) -> bool:
    return len(text.split()) <= MAX_WORDS and bool(FOLLOW_UP.search(text))


def resolve(text: str, subject: str, rank: Ranker) -> tuple[str, float] | None:
    """The topic a follow-up asks about, read with the subject's words, when confident."""
    if not subject or not looks_like_follow_up(text):
        return None
    label, probability = rank([f"{text} {subject}"])[0][0]
    if label.startswith("faq/") and probability >= MIN_CONFIDENCE:
        return label[len("faq/") :], probability
    return None
