"""Turning free text into search terms: spaCy tokens, lowercased lemmas, no stop words.

The lemma tables come from the spacy-lookups-data package installed with the project, so
nothing is downloaded at run time.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language


@lru_cache(maxsize=1)
def analyzer() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def terms(text: str) -> list[str]:
    nlp = analyzer()
    stop_words = nlp.Defaults.stop_words
    result = []
    for token in nlp(text):
        if not (token.is_alpha or token.like_num):
            continue
        lemma = (token.lemma_ or token.text).lower()
        if lemma in stop_words or token.lower_ in stop_words:
            continue
        result.append(lemma)
    return result
