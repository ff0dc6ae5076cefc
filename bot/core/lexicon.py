"""Curated lexicons (data/lexicons/*.yml) compiled into a rule-based spaCy pipeline.

No statistical model is involved: a blank English tokenizer plus a SpanRuler whose patterns
come from the lexicons. Overlapping matches of different kinds are all kept (for example "NM"
is both New Mexico and necrotizing myopathy); the question being asked decides which one a
form uses.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import spacy
from spacy.language import Language

from bot import DATA_DIR
from bot.core.yamlio import load_yaml

LEXICON_DIR = DATA_DIR / "lexicons"
SPANS_KEY = "lexicon"


@dataclass(frozen=True)
class Match:
    entity: str
    value: str
    start: int
    end: int
    text: str


def lexicon_files(directory: Path = LEXICON_DIR) -> list[Path]:
    return sorted(directory.glob("*.yml"))


def fingerprint(directory: Path = LEXICON_DIR) -> str:
    """A hash of every lexicon file, so an edited lexicon retrains the NLU component."""
    digest = hashlib.sha256()
    for path in lexicon_files(directory):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _token_pattern(nlp: Language, phrase: str, attr: str) -> list[dict[str, str]]:
    words = [token.text for token in nlp.make_doc(phrase)]
    if attr == "LOWER":
        return [{"LOWER": word.lower()} for word in words]
    return [{"ORTH": word} for word in words]


def patterns(nlp: Language, directory: Path = LEXICON_DIR) -> list[dict]:
    result: list[dict] = []
    for path in lexicon_files(directory):
        lexicon = load_yaml(path)
        entity = lexicon["entity"]
        for value, forms in lexicon["values"].items():
            for phrase in forms.get("phrases", []):
                pattern = _token_pattern(nlp, str(phrase), "LOWER")
                result.append({"label": entity, "id": str(value), "pattern": pattern})
            for phrase in forms.get("exact_case", []):
                pattern = _token_pattern(nlp, str(phrase), "ORTH")
                result.append({"label": entity, "id": str(value), "pattern": pattern})
    return result


def all_phrases(directory: Path = LEXICON_DIR) -> list[str]:
    phrases = []
    for path in lexicon_files(directory):
        for forms in load_yaml(path)["values"].values():
            phrases += [str(p) for p in forms.get("phrases", []) + forms.get("exact_case", [])]
    return phrases


def build_pipeline(directory: Path = LEXICON_DIR) -> Language:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe(
        "span_ruler", config={"spans_key": SPANS_KEY, "overwrite": True, "validate": True}
    )
    ruler.add_patterns(patterns(nlp, directory))
    return nlp


def _maximal(matches: Iterable[Match]) -> list[Match]:
    """Drop a match that lies inside a longer match of the same entity ("weakness" in
    "muscle weakness"), keep the rest in text order."""
    found = sorted(set(matches), key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Match] = []
    for match in found:
        inside = any(
            other.entity == match.entity
            and other.start <= match.start
            and match.end <= other.end
            and (other.end - other.start) > (match.end - match.start)
            for other in found
        )
        if not inside:
            kept.append(match)
    return kept


def extract(nlp: Language, text: str) -> list[Match]:
    doc = nlp(text)
    spans = doc.spans.get(SPANS_KEY, [])
    return _maximal(
        Match(span.label_, span.id_, span.start_char, span.end_char, span.text) for span in spans
    )
