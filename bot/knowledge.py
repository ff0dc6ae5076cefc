"""The curated knowledge base: answers, their sources, and search over them.

The answers live in data/knowledge/answers.yml as Rasa retrieval responses (so Rasa's
ResponseSelector trains on the same file) with metadata for titles and reference numbers.
This module knows nothing of Rasa's runtime: it reads the files and renders plain text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot import DATA_DIR, text
from bot.program import Program, hours_text, load_program, phone_text
from bot.search import BM25
from bot.yamlio import load_yaml

ANSWERS_FILE = DATA_DIR / "knowledge" / "answers.yml"
REFERENCES_FILE = DATA_DIR / "knowledge" / "references.yml"
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

    def text_for(self, channel: str | None) -> str:
        return self.texts.get(channel) or self.texts[None]


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
            texts={v.get("channel"): _collapse(v["text"]) for v in variants},
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
    ) -> None:
        self.topics = topics
        self.references = references
        self.article_title = article_title
        self.program = program
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
            load_program(),
            _read_examples(faq_nlu),
        )

    def _fill(self, value: str) -> str:
        return (
            value.replace("{hours}", hours_text(self.program))
            .replace("{phone}", phone_text(self.program))
            .replace("{program}", self.program.name)
        )

    def source_line(self, topic: Topic) -> str:
        return self.refs_line(topic.refs)

    def refs_line(self, refs: Sequence[int]) -> str:
        if refs:
            numbers = ", ".join(str(n) for n in refs)
            return f"Source: {self.article_title}, references {numbers}."
        return f"Source: {self.program.name} information."

    def answer(self, key: str, channel: str | None = None) -> Answer:
        topic = self.topics[key]
        return Answer(topic, self._fill(topic.text_for(channel)), self.source_line(topic))

    def sources(self, key: str) -> list[Reference]:
        return [self.references[n] for n in self.topics[key].refs]

    def search(self, query: str, limit: int = 3, min_score: float = 1.0) -> list[SearchHit]:
        """Topics whose words best match the query, best first; empty when nothing fits."""
        scores = self._index.scores(text.terms(query))
        ranked = sorted(
            zip(self._keys, scores, strict=True), key=lambda pair: pair[1], reverse=True
        )
        return [SearchHit(self.topics[k], s) for k, s in ranked[:limit] if s >= min_score]


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    return KnowledgeBase.load()
