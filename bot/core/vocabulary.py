"""Whether a message holds any word the assistant could recognise.

Classifiers always pick some intent, even for "blorp zzkk"; a keyboard mash must instead get
"I didn't understand". A word counts as recognisable when it is English (the lemma tables of the
spacy-lookups-data package, so nothing is downloaded), a spaCy stop word, or a word of the
training data and lexicons ("ivig", "sibm", "tricare").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import spacy_lookups_data
import srsly
from spacy.lang.en.stop_words import STOP_WORDS

WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
LOOKUPS = Path(spacy_lookups_data.__file__).parent / "data"


def words(text: str) -> list[str]:
    return [match.group().lower() for match in WORD.finditer(text)]


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    lookup = srsly.read_gzip_json(LOOKUPS / "en_lemma_lookup.json.gz")
    index = srsly.read_gzip_json(LOOKUPS / "en_lemma_index.json.gz")
    known = set(lookup) | set(lookup.values()) | set(STOP_WORDS)
    for forms in index.values():
        known.update(forms)
    return frozenset(word.lower() for word in known)


def domain_words(texts: Iterable[str]) -> frozenset[str]:
    return frozenset(word for text in texts for word in words(text))


def is_unrecognizable(text: str, domain: frozenset[str] = frozenset()) -> bool:
    """True when the text has letters but not one recognisable word."""
    found = words(text)
    if not found:
        return False
    english = english_words()
    return not any(word in english or word in domain for word in found)
