"""The curated knowledge base: answers, their sources, and search over them.

The answers live in data/knowledge/answers.yml as Rasa retrieval responses (so the NLU's
FAQ topics are trained on the same file) with metadata for titles and reference numbers.
Sentences the team adds (safety advice, which doctor, program settings) are listed in
data/knowledge/claims.yml with a label; an answer's source line names the article's
references for its facts and each label for the team's sentences, never one for the other.
This module knows nothing of Rasa's runtime: it reads the files and renders plain text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot import DATA_DIR
from bot.core import text
from bot.core.program import Program, configured, hours_text, load_program, phone_text
from bot.core.search import BM25
from bot.core.yamlio import load_yaml

ANSWERS_FILE = DATA_DIR / "knowledge" / "answers.yml"
REFERENCES_FILE = DATA_DIR / "knowledge" / "references.yml"
CLAIMS_FILE = DATA_DIR / "knowledge" / "claims.yml"
FAQ_NLU_FILE = DATA_DIR / "nlu" / "faq.yml"
RESPONSE_PREFIX = "utter_faq/"


@dataclass(frozen=True)
class Reference:
    number: int
    short: str
    citation: str
    url: str


@dataclass(frozen=True)
class Topic:
    key: str
    title: str
    refs: tuple[int, ...]
    section: str
    texts: dict[str | None, str]  # None is the default text, other keys are channel names
    offers_specialist: bool = False  # the answer says a specialist can help: "yes" asks for one
    for_other: str | None = None  # worded for someone asking about another person ({person})

    def text_for(self, channel: str | None) -> str:
        return self.texts.get(channel) or self.texts[None]


@dataclass(frozen=True)
class Claim:
    """A sentence the team adds that the article does not hold, with its label."""

    id: str
    text: str
    label: str
    what: str
    basis: str


@dataclass(frozen=True)
class Claims:
    labels: dict[str, str]  # label key -> its name ("General safety guidance")
    lines: dict[str, str]  # label key -> how a source line shows it ("... : {what}.")
    claims: tuple[Claim, ...]
    appended: dict[str, tuple[str, str]]  # texts other code appends -> (label, what)

    def label_name(self, key: str) -> str:
        return self.labels[key]

    def line(self, label: str, whats: Sequence[str]) -> str:
        return self.lines[label].format(name=self.labels[label], what=_spoken(list(whats)))


def _spoken(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def copy_tokens(value: str) -> list[str]:
    """Lowercase words for comparing texts: apostrophes dropped, numbers split at commas."""
    return re.findall(r"[a-z0-9]+", value.lower().replace("\u2019", "").replace("'", ""))


def normal_words(value: str) -> str:
    return " ".join(copy_tokens(value))


def load_claims(path: Path = CLAIMS_FILE) -> Claims:
    if not path.exists():
        return Claims({}, {}, (), {})
    raw = load_yaml(path) or {}
    labels = raw.get("labels") or {}
    claims = tuple(
        Claim(
            id=str(item["id"]),
            text=_collapse(str(item["text"])),
            label=str(item["label"]),
            what=str(item.get("what", "")),
            basis=_collapse(str(item.get("basis", ""))),
        )
        for item in raw.get("claims") or []
    )
    return Claims(
        labels={key: str(spec["name"]) for key, spec in labels.items()},
        lines={key: str(spec["line"]) for key, spec in labels.items()},
        claims=claims,
        appended={
            key: (str(spec["label"]), str(spec["what"]))
            for key, spec in (raw.get("appended") or {}).items()
        },
    )


def claims_in(value: str, claims: Sequence[Claim]) -> list[Claim]:
    """The listed claims whose text appears in this text (word for word, case aside)."""
    normal = f" {normal_words(value)} "
    return [c for c in claims if f" {normal_words(c.text)} " in normal]


@dataclass(frozen=True)
class Answer:
    topic: Topic
    text: str
    source_line: str


@dataclass(frozen=True)
class SearchHit:
    topic: Topic
    score: float


def _collapse(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def for_person(text: str, person: str) -> str:
    """{person} and its possessive {persons} filled: "your mother", "your mother's"."""
    return text.replace("{persons}", f"{person}'s").replace("{person}", person)


def _for_other(variant: dict[str, Any]) -> bool:
    """A variant for a caregiver: Rasa's own condition syntax, on the screening's `for_whom`."""
    return any(
        c.get("name") == "for_whom" and c.get("value") == "other"
        for c in variant.get("condition") or []
    )


def _read_topics(path: Path) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    for name, variants in load_yaml(path)["responses"].items():
        if not name.startswith(RESPONSE_PREFIX):
            continue
        key = name[len(RESPONSE_PREFIX) :]
        metadata = next((v.get("metadata") for v in variants if v.get("metadata")), {})
        topics[key] = Topic(
            key=key,
            title=metadata.get("title", key.replace("_", " ")),
            refs=tuple(metadata.get("refs") or ()),
            section=metadata.get("section", ""),
            texts={
                v.get("channel"): _collapse(v["text"]) for v in variants if not v.get("condition")
            },
            offers_specialist=bool(metadata.get("offers_specialist")),
            for_other=next((_collapse(v["text"]) for v in variants if _for_other(v)), None),
        )
    return topics


def _read_examples(path: Path) -> dict[str, list[str]]:
    """The training phrasings of each FAQ topic, which make search match how people ask."""
    examples: dict[str, list[str]] = {}
    if not path.exists():
        return examples
    for block in load_yaml(path).get("nlu", []):
        intent = block.get("intent", "")
        if not intent.startswith("faq/"):
            continue
        lines = [line.strip()[2:] for line in block.get("examples", "").splitlines()]
        examples[intent[4:]] = [
            re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line) for line in lines if line
        ]
    return examples


class KnowledgeBase:
    def __init__(
        self,
        topics: dict[str, Topic],
        references: dict[int, Reference],
        article_title: str,
        program: Program,
        examples: dict[str, list[str]] | None = None,
        claims: Claims | None = None,
    ) -> None:
        self.topics = topics
        self.references = references
        self.article_title = article_title
        self.program = program
        self.claims = claims or Claims({}, {}, (), {})
        self._keys = list(topics)
        documents = []
        for key in self._keys:
            topic = topics[key]
            words = " ".join(
                [topic.title, topic.title, topic.texts[None], *(examples or {}).get(key, [])]
            )
            documents.append(text.terms(words))
        self._index = BM25(documents)

    @classmethod
    def load(
        cls,
        answers: Path = ANSWERS_FILE,
        references: Path = REFERENCES_FILE,
        faq_nlu: Path = FAQ_NLU_FILE,
        claims: Path = CLAIMS_FILE,
        program: Program | None = None,
    ) -> KnowledgeBase:
        raw = load_yaml(references)
        refs = {
            int(number): Reference(int(number), item["short"], item["citation"], item["url"])
            for number, item in raw["references"].items()
        }
        article = raw["article"]
        return cls(
            _read_topics(answers),
            refs,
            f"{article['title']} ({article['publisher']})",
            program or load_program(),
            _read_examples(faq_nlu),
            load_claims(claims),
        )

    def _fill(self, value: str) -> str:
        return (
            value.replace("{hours}", hours_text(self.program))
            .replace("{phone}", phone_text(self.program))
            .replace("{program}", self.program.name)
        )

    def claims_of(self, topic: Topic, channel: str | None = None) -> list[Claim]:
        """The team's sentences (listed in claims.yml) in a topic's text."""
        return claims_in(topic.text_for(channel), self.claims.claims)

    def source_line(self, topic: Topic, channel: str | None = None) -> str:
        """The article's references for the facts, and a label for each team sentence."""
        return self.refs_line(topic.refs, self.claims_of(topic, channel))

    def refs_line(self, refs: Sequence[int], claims: Sequence[Claim] = ()) -> str:
        parts = []
        if refs:
            numbers = ", ".join(str(n) for n in refs)
            noun = "reference" if len(refs) == 1 else "references"
            parts.append(f"{self.article_title}, {noun} {numbers}.")
        parts += self.label_lines(claims)
        if not parts:
            parts.append(f"{self.program.name} information.")
        return "Source: " + " ".join(parts)

    def label_lines(self, claims: Sequence[Claim]) -> list[str]:
        """One line per label, in the order the labels first appear."""
        whats: dict[str, list[str]] = {}
        for claim in claims:
            named = whats.setdefault(claim.label, [])
            if claim.what and claim.what not in named:
                named.append(claim.what)
        return [self.claims.line(label, items) for label, items in whats.items()]

    def appended_label(self, key: str) -> str:
        """The label of a text other code appends to an answer (the seek-care advice)."""
        label, what = self.claims.appended[key]
        return self.claims.line(label, [what])

    def answer(self, key: str, channel: str | None = None, person: str | None = None) -> Answer:
        """A topic's answer for a channel; worded for `person` ("your mother") when someone
        asks about another person and the topic has that wording (a channel's own, shorter
        variant still wins: it is there for the channel's length)."""
        topic = self.topics[key]
        text = topic.text_for(channel)
        if person and topic.for_other and (channel is None or channel not in topic.texts):
            text = for_person(topic.for_other, person)
        return Answer(topic, self._fill(text), self.source_line(topic, channel))

    def sources(self, key: str) -> list[Reference]:
        return [self.references[n] for n in self.topics[key].refs]

    def search(self, query: str, limit: int = 3, min_score: float = 1.0) -> list[SearchHit]:
        """Topics whose words best match the query, best first; empty when nothing fits."""
        scores = self._index.scores(text.terms(query))
        ranked = sorted(
            zip(self._keys, scores, strict=True), key=lambda pair: pair[1], reverse=True
        )
        return [SearchHit(self.topics[k], s) for k, s in ranked[:limit] if s >= min_score]


def knowledge_base() -> KnowledgeBase:
    """Loaded once per program configuration (see bot.core.program.configure)."""
    return _knowledge_base(tuple(sorted(configured().items())))


@lru_cache(maxsize=2)
def _knowledge_base(_settings: tuple[tuple[str, str], ...]) -> KnowledgeBase:
    return KnowledgeBase.load()
