"""Follow-ups read in the light of the conversation's subject.

"Which muscles does it usually go after?" after an answer about polymyositis, or "how long
does that go on?" after one about how often IVIG is given: a short question that leans on
a pronoun or an ellipsis is classified again with the subject's words beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from bot.core.understanding.topics import FAQ_PREFIX

FOLLOW_UP = re.compile(
    r"^\W*(?:and|also|so|but|ok|okay|what about|how about|then)\b|\b(?:it|its|that|this|those|"
    r"these|them|they|one|ones|either|both|there|he|she|him|her)\b"
    # An amount or a time with nothing named: "how much would I need?" after "what is IVIG".
    r"|^\W*how (?:much|many|often|long)\b(?!.*\b(?:ivig|myositis|infusions?|dose)\b)",
    re.I,
)
# The same question again for another type: "what about for IBM?", "and with polymyositis?",
# "she asks, does it work for IBM too?" (the type's words are taken out before matching).
AGAIN_FOR = re.compile(
    r"^\W*(?:(?:she|he|they|the caller|caller)\s+(?:asks|says|wants to know)\W+)?"
    r"(?:(?:and|ok|okay|so|also)\W+)?"
    r"(?:(?:what|how) about|same|also|and)\s*(?:for|with|in|people with|someone with)?\W*$"
    r"|^\W*(?:(?:and|so|what about|how about)\s+)?(?:does|would|will|can|could|is) (?:it|ivig|that)"
    r" (?:help|work|be used|used|given|an option)\s+(?:for|with|in)\W*(?:too|as well|also)?\W*$",
    re.I,
)
LEADING_JOIN = re.compile(r"^\W*(?:(?:and|also|so|but|ok|okay|then)\b\W*)+", re.I)
# Two readings, alone and with the subject, that lead with the same topic each this surely.
AGREEING = 0.25
MAX_WORDS = 14
MIN_CONFIDENCE = 0.35
# A question this sure of a topic on its own words needs no subject.
CLEAR_ON_ITS_OWN = 0.5
# A question this sure of a topic other than the one just answered asks about that topic: the
# subject's words, added to a short question, pull its reading back to the subject.
FAIR_ON_ITS_OWN = 0.3

Ranker = Callable[[Sequence[str]], list[list[tuple[str, float]]]]


def looks_like_follow_up(text: str) -> bool:
    return len(text.split()) <= MAX_WORDS and bool(FOLLOW_UP.search(text))


def resolve(text: str, subject: str, rank: Ranker) -> tuple[str, float] | None:
    """The topic a follow-up asks about, read with the subject's words, when confident."""
    if not subject or not looks_like_follow_up(text):
        return None
    label, probability = rank([f"{text} {subject}"])[0][0]
    if label.startswith(FAQ_PREFIX) and probability >= MIN_CONFIDENCE:
        return label.removeprefix(FAQ_PREFIX), probability
    return None


def asked_again_for(
    text: str, type_words: Sequence[str], last_topic: str | None, per_type: Sequence[str]
) -> str | None:
    """The last answer's topic, when a message only asks it again for another myositis type
    (`type_words`, as the message wrote them) and that topic's facts speak of types: after
    "Does IVIG help with dermatomyositis?", "what about for IBM?" asks how well IVIG works in
    IBM, not what IBM is."""
    if last_topic not in per_type or not type_words:
        return None
    rest = text
    for words in type_words:
        rest = re.sub(re.escape(words), " ", rest, flags=re.I)
    rest = re.sub(r"\b(?:too|as well|then|though)\b|[?.!,]", " ", rest, flags=re.I)
    return last_topic if AGAIN_FOR.match(" ".join(rest.split())) else None


@dataclass(frozen=True)
class Reading:
    """A short message read alone and with the conversation's subject."""

    alone: tuple[str, float]  # the leading label alone
    with_subject: tuple[str, float] | None  # the topic read with the subject, when confident
    last_topic: str | None = None  # the topic of the answer the subject came from
    agreed: str | None = None  # a new topic both readings lead with, each at least fairly sure

    def topic(self) -> str | None:
        """The better of the two readings that names a topic: for a question the classifiers
        were unsure of ("what's it made of?", "and if the meds don't work?"). A fair reading
        of another topic beats a reading that only repeats the last answer's ("is there help
        paying for it?" after an answer on how well IVIG works)."""
        label, probability = self.alone
        alone = label.removeprefix(FAQ_PREFIX) if label.startswith(FAQ_PREFIX) else None
        repeats_last = bool(self.with_subject) and self.with_subject[0] == self.last_topic
        if alone and alone != self.last_topic and repeats_last and probability >= FAIR_ON_ITS_OWN:
            return alone
        candidates = [self.with_subject] if self.with_subject else []
        if label.startswith(FAQ_PREFIX) and probability >= CLEAR_ON_ITS_OWN:
            candidates.append((label.removeprefix(FAQ_PREFIX), probability))
        return max(candidates, key=lambda c: c[1])[0] if candidates else self.agreed

    def clear_topic(self) -> str | None:
        """The topic when a reading is clear (CLEAR_ON_ITS_OWN): what rescues a message the
        classifiers read as off-topic ("what's it made of?" after IVIG, but not "is it sold
        at Walmart?")."""
        topic = self.topic()
        readings = [self.with_subject] if self.with_subject else []
        label, probability = self.alone
        readings.append((label.removeprefix(FAQ_PREFIX), probability))
        clear = any(t == topic and p >= CLEAR_ON_ITS_OWN for t, p in readings)
        return topic if clear else None


def read(
    text: str,
    subject: str | None,
    rank: Ranker,
    last_topic: str | None = None,
    stated: str | None = None,
    mentioned: str | None = None,
) -> Reading:
    """`text` (shorthand already spelled out) alone, and with `subject` (the title of
    `last_topic`) when it is a follow-up; with the person's `stated` subject (their myositis
    type) when the last answer's subject says nothing about it ("Which muscles does it go
    after?" after "My mom has polymyositis. Is it common at her age?"), or with what they
    `mentioned` (IVIG), whichever of the two makes the question clearer: "What's it made of?"
    after "He has polymyositis. Could IVIG help him?" is about IVIG."""
    # "And who usually gets it?" alone is "who usually gets it?": the joining word only says
    # that it follows on.
    alone = rank([LEADING_JOIN.sub("", text) or text])[0][0]
    with_subject = resolve(text, subject, rank) if subject else None
    agreed = None
    if subject and looks_like_follow_up(text) and alone[0].startswith(FAQ_PREFIX):
        lead = rank([f"{text} {subject}"])[0][0]
        topic = alone[0].removeprefix(FAQ_PREFIX)
        # Agreeing on the last answer's topic proves nothing: the subject's words pull to it.
        if lead[0] == alone[0] and min(lead[1], alone[1]) >= AGREEING and topic != last_topic:
            agreed = topic
    if with_subject is None:
        others = [resolve(text, o, rank) for o in (stated, mentioned) if o and o != subject]
        readings = [reading for reading in others if reading]
        with_subject = max(readings, key=lambda r: r[1]) if readings else None
    return Reading(alone, with_subject, last_topic, agreed)
