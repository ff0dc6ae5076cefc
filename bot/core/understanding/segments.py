"""A message as sentences and the questions or requests among them.

People tell their story first and then ask one, two or three things. Sentences come from pysbd
(rule-based, made for sentence boundaries, no model to download; not yet compared with spaCy's
sentencizer on these messages). A sentence that joins two questions ("how often is it given
and what does it cost?") is split where the second starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

QUESTION_WORDS = (
    r"what|whats|how|hows|is|isnt|are|arent|can|cant|could|does|doesnt|do|dont|will|would|"
    r"should|why|when|where|which|who|whom|whose|may|might|any|has|have|did|whether"
)
# A greeting or a filler word before the question: "hi what are your hours", "ok and saturday?"
OPENERS = r"(?:(?:hi|hello|hey|ok|okay|k|kk|thanks|thank you|thx|um|so|well|oh)\W+)*"
QUESTION_START = re.compile(
    rf"^\W*{OPENERS}(?:and |also |so |but |or |then |plus )?(?:{QUESTION_WORDS})\b", re.I
)
# A question after a short lead-in: "unrelated but do you sell vapes", "ok so can I get it at home".
LATER_QUESTION = re.compile(
    r"^\W*(?:\w+\W+){0,4}?(?:but|and|so|also|or)\s+(?:do|does|can|could|is|are|will|would|should|"
    r"what|how|why|when|where|which|who)\s+(?:you|u|i|we|they|it|there|he|she|my|your|this|that)\b"
    # "hey random q but whos playing in the finals": a question word with its verb in it.
    r"|^\W*(?:\w+\W+){0,4}?(?:but|and|so|also|or)\s+(?:whos|whats|wheres|hows|who's|what's|"
    r"where's|how's)\s+\w",
    re.I,
)
# Texting laughter ends a sentence ("a good mechanic lol my car died"): a boundary for the
# sentence splitter, which cannot know it.
LAUGHTER = re.compile(r"\b(lol|lmao|lmfao|rofl|haha\w*)\b(?=\s+[a-z])", re.I)
# "I want to know: is there a cure?": the words before the colon only lead to the question.
COLON_QUESTION = re.compile(rf":\s+(?=(?:{QUESTION_WORDS}|whether)\b)", re.I)
# Statements that ask all the same ("I'd like to know", "caller wants to know", "tell me").
ASKING = re.compile(
    r"\b(?:(?:want|wants|wanted|like|need|needs|trying|hoping|wondering|wonder|curious|asking|"
    r"asks|asked|interested|keen)\b.{0,20}\b(?:know|learn|understand|find out|ask|if|whether|"
    r"about|how|what|why|when|where|which|who)|tell me|explain|let me know|i wonder|wondering|"
    r"question is|questions? about|asking about|asks about|asks whether|asks if|info on|"
    r"information on|information about|details on|please|pls)\b"
    # "She'd also like a rundown of the main kinds": a request for information.
    r"|\b(?:like|want|need|wants|needs|love)s? (?:a|an|some) (?:quick |short |brief )?(?:rundown|"
    r"overview|summary|breakdown|explanation|list)\b"
    # "She's also worried about what side effects it could have": a question, though told.
    r"|\b(?:worried|worries|worrying|concerned|unsure|not sure|nervous|scared)\s+(?:about\s+)?"
    r"(?:what|how|whether|if|which)\b",
    re.I,
)
# A question after the story in the same clause: "My doctor wants to try IVIG, so how much".
MID_QUESTION = re.compile(
    r",\s*(?:so |but |then |and )?(?:how|what|which|when|where|why|who)\b", re.I
)
# A request put as a command: "Check whether my dad qualifies.", "Have someone call me."
COMMAND = re.compile(
    rf"^\W*{OPENERS}(?:please |pls |plz )?(?:check|see (?:if|whether)|screen|find out|tell|help|"
    r"call|connect|send|give|show|have|get|put|delete|erase|remove)\b",
    re.I,
)
SECOND_QUESTION = re.compile(
    rf"(?:,|;)?\s+(?:and|also|plus|or)\s+(?=(?:{QUESTION_WORDS}|whether)\b)|\?\s*"
    # "What causes it, is there a cure, ...": a comma, then a question of its own.
    r"|,\s+(?=(?:is there|are there|what|how|can|could|does|do|will|would|should|why|when)\s)"
    # "Her plan denied it once, so she also wants to know if ...": the story, then the asking.
    r"|,\s+(?:so|and|but)\s+(?=(?:she|he|i|we|they|the caller|caller)\s+(?:also\s+)?(?:wants?|"
    r"would like|needs?|asks?|is asking|was wondering|wonders?)\b)",
    re.I,
)
SENTENCE_MIN_WORDS = 2


@dataclass(frozen=True)
class Segment:
    text: str
    asks: bool  # a question or a request, rather than context

    @property
    def words(self) -> int:
        return len(self.text.split())


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def is_asking(text: str) -> bool:
    text = text.strip()
    return (
        text.endswith("?")
        or bool(QUESTION_START.match(text))
        or bool(LATER_QUESTION.match(text))
        or bool(ASKING.search(text))
        or bool(COMMAND.match(text))
    )


def _split_questions(sentence: str) -> list[str]:
    parts, start = [], 0
    for match in SECOND_QUESTION.finditer(sentence):
        piece = sentence[start : match.start()] + ("?" if "?" in match.group() else "")
        if len(piece.split()) >= 3:
            parts.append(piece.strip())
            start = match.end()
    rest = sentence[start:].strip()
    if rest:
        if parts and len(rest.split()) < 3:
            parts[-1] = f"{parts[-1]} {rest}"
        else:
            parts.append(rest)
    return parts or [sentence.strip()]


def _leading_context(sentence: str) -> tuple[str, str]:
    """'I have polymyositis and I want to know: is there a cure?' -> the story that leads to
    the question, and the question; ('', sentence) without such a colon."""
    match = COLON_QUESTION.search(sentence)
    if not match or len(sentence[: match.start()].split()) < 3:
        return "", sentence
    return sentence[: match.start()].strip(), sentence[match.end() :].strip()


# A texted story that runs into its question with no stop: "my kid is 7 w jdm does ivig work".
RUN_ON = re.compile(
    r"\s(?=(?:does|do|is|are|can|could|will|would|should)\s+(?:ivig|it|he|she|i|we|my|his|her|"
    r"the|this|there|they|you|u)\b)",
    re.I,
)


WH_WORD = re.compile(r"\b(?:what|whats|how|why|when|where|which|who|whose)\b", re.I)


def _run_on_story(sentence: str) -> tuple[str, str]:
    """The story and the question of a sentence that runs one into the other without a stop
    or a question mark; ('', sentence) for any other."""
    if "?" in sentence or is_asking(sentence):
        return "", sentence
    match = RUN_ON.search(sentence)
    if not match or len(sentence[: match.start()].split()) < 3:
        return "", sentence
    if WH_WORD.search(sentence[: match.start()]):
        return "", sentence  # "necrotizing myopathy what is it": one question
    return sentence[: match.start()].strip(), sentence[match.end() :].strip()


@lru_cache(maxsize=512)
def segments(text: str) -> tuple[Segment, ...]:
    """The message's sentences, questions joined in one sentence split apart."""
    found: list[Segment] = []
    for sentence in _segmenter().segment(LAUGHTER.sub(r"\1.", text or "")):
        sentence = sentence.strip()
        if len(sentence.split()) < SENTENCE_MIN_WORDS and found:
            found[-1] = Segment(f"{found[-1].text} {sentence}", found[-1].asks)
            continue
        lead, sentence = _leading_context(sentence)
        if not lead:
            lead, sentence = _run_on_story(sentence)
        if lead:
            found.append(Segment(lead, False))
        parts = _split_questions(sentence) if is_asking(sentence) else [sentence]
        for number, part in enumerate(parts):
            # A part after the first starts where a question starts ("..., and whether she
            # needs a test first"): it asks, however it reads alone. So does a first part whose
            # question follows its story ("My doctor wants IVIG, so how much would I get").
            later = len(parts) > 1 and bool(MID_QUESTION.search(part))
            found.append(Segment(part, number > 0 or later or is_asking(part)))
    return tuple(s for s in found if s.text)
