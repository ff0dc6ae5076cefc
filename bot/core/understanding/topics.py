"""The one classifier: which intent or FAQ topic a message, or one of its sentences, is about.

Word and character n-grams into a logistic regression, fitted on the NLU training data (labels
are intents, with the FAQ topic as `faq/<topic>`). It reads whole messages in the NLU graph (in
place of DIET and a ResponseSelector, measured in the README) and single sentences for the
reply plan and for follow-ups: a text costs well under a millisecond, so a long message stays
close to a short one in latency.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Sequence

from bot.core.ngram_model import NgramModel

FAQ_PREFIX = "faq/"
CLEAN = re.compile(r"[^a-z0-9' ]+")


# An agent's report of the caller's question ("Caller wants to know what IVIG is.", "Now she's
# asking if any treatment cures it."): the classifier reads the question itself, as it reads
# the caller's own words. A request stays whole ("Caller is asking us to check ...").
REPORTED = re.compile(
    r"^(?:(?:now|also|and|so|ok|okay)\s+)*(?:the\s+)?(?:caller|patient|she|he|they|mom|dad)"
    r"(?:'s|\s+is|\s+was)?\s+(?:also\s+|now\s+|still\s+)?(?:asks|asking|asked|wants to know|"
    r"would like to know|wanted to know|wondering|wonders)(?:\s+(?:if|whether|about)\s+(?=\w)|"
    r"\s+(?=(?:what|whats|how|why|when|where|which|who|whose|is|are|can|could|does|do|will|"
    r"would|should|any)\b))"
)


def clean(text: str) -> str:
    cleaned = re.sub(r"\s+", " ", CLEAN.sub(" ", text.lower())).strip()
    return REPORTED.sub("", cleaned) or cleaned


@dataclass
class TopicClassifier:
    model: NgramModel

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str]) -> TopicClassifier:
        """Fitted once per set of examples in a process: the NLU graph's two users of the
        classifier (the intent classifier and the reply planner) train on the same examples."""
        key = hashlib.sha256(repr((list(texts), list(labels))).encode()).hexdigest()
        if key not in _FITTED:
            _FITTED.clear()
            _FITTED[key] = cls._fit(texts, labels)
        return _FITTED[key]

    @classmethod
    def _fit(cls, texts: Sequence[str], labels: Sequence[str]) -> TopicClassifier:
        cleaned = [clean(t) for t in texts]
        return cls(NgramModel.fit(cleaned, labels, C=20.0, max_iter=3000, random_state=7))

    def rank(self, texts: Sequence[str], top: int = 3) -> list[list[tuple[str, float]]]:
        """For each text, its `top` labels with their probabilities, best first."""
        return [ranked[:top] for ranked in self.rank_all(texts)]

    def rank_all(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        """For each text, every label with its probability, best first."""
        return [self.model.rank(clean(text)) for text in texts]


_FITTED: dict[str, TopicClassifier] = {}


@dataclass(frozen=True)
class MessageReading:
    """A whole message read as Rasa's classifiers would: intents, and the FAQ topics ranked
    within `faq`. A topic's confidence is its own probability, not its share of `faq`: a
    message that is barely a FAQ question must not get a confident topic."""

    intents: list[tuple[str, float]]
    topics: list[tuple[str, float]]


def message_reading(ranked: Sequence[tuple[str, float]]) -> MessageReading:
    """Sums the topics' probabilities into the `faq` intent."""
    intents: dict[str, float] = {}
    topics: list[tuple[str, float]] = []
    for label, probability in ranked:
        intent = "faq" if label.startswith(FAQ_PREFIX) else label
        intents[intent] = intents.get(intent, 0.0) + probability
        if label.startswith(FAQ_PREFIX):
            topics.append((label, probability))
    return MessageReading(sorted(intents.items(), key=lambda item: -item[1]), topics)
