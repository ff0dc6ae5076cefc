"""A light classifier for single sentences: which topic or request one sentence is about.

DIET reads a whole message as one intent; a long message needs each sentence read on its own.
Word and character n-grams into a logistic regression, fitted on the same NLU training data
(labels are intents, with the FAQ topic as `faq/<topic>`): a sentence costs well under a
millisecond, so a long message stays close to a short one in latency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

CLEAN = re.compile(r"[^a-z0-9' ]+")


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", CLEAN.sub(" ", text.lower())).strip()


@dataclass
class TopicClassifier:
    words: Any
    characters: Any
    model: Any

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str]) -> TopicClassifier:
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        cleaned = [clean(t) for t in texts]
        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(cleaned)
        characters = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2
        ).fit(cleaned)
        features = hstack([words.transform(cleaned), characters.transform(cleaned)]).tocsr()
        model = LogisticRegression(C=20.0, max_iter=3000, random_state=7)
        return cls(words, characters, model.fit(features, list(labels)))

    def rank(self, texts: Sequence[str], top: int = 3) -> list[list[tuple[str, float]]]:
        """For each text, its `top` labels with their probabilities, best first."""
        from scipy.sparse import hstack

        cleaned = [clean(t) for t in texts]
        features = hstack([self.words.transform(cleaned), self.characters.transform(cleaned)])
        classes = list(self.model.classes_)
        result = []
        for row in self.model.predict_proba(features.tocsr()):
            order = sorted(range(len(classes)), key=lambda i: -row[i])[:top]
            result.append([(classes[i], float(row[i])) for i in order])
        return result
