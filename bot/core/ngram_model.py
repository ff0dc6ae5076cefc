"""Word and character n-grams into a logistic regression, scored without scikit-learn's overhead.

Both classifiers of the per-message path (the red-flag net and the topic classifier) are a word
TF-IDF and a character TF-IDF side by side, into a logistic regression. scikit-learn spends most
of a one-sentence prediction building and checking sparse matrices (about 1.5 ms a call,
measured here); the arithmetic itself is a few dictionary look-ups and one small product.
`NgramModel` is fitted with scikit-learn, then compiled once into the vocabularies, the IDF
weights and the coefficients, and predicts the same probabilities (a unit test holds it to
scikit-learn's to 1e-9) in a fraction of the time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np


@dataclass
class _Features:
    """One fitted TfidfVectorizer: its analyzer, vocabulary and IDF, at an offset in the joint
    feature space."""

    analyzer: Any
    vocabulary: dict[str, int]
    idf: np.ndarray
    offset: int
    sublinear: bool

    def add(self, text: str, indices: list[int], values: list[float]) -> None:
        counts: dict[int, int] = {}
        for term in self.analyzer(text):
            index = self.vocabulary.get(term)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        if not counts:
            return
        local = list(counts)
        tf = [(1.0 + math.log(counts[i])) if self.sublinear else float(counts[i]) for i in local]
        weights = np.asarray(tf) * self.idf[local]
        norm = float(np.sqrt(np.dot(weights, weights)))  # the vectorizer's l2 norm
        indices.extend(self.offset + i for i in local)
        values.extend((weights / norm).tolist() if norm else weights.tolist())


@dataclass
class NgramModel:
    """A fitted word + character TF-IDF logistic regression, compiled for one text at a time."""

    classes: list[str]
    coef_t: np.ndarray  # features x classes
    intercept: np.ndarray
    parts: list[_Features] = field(default_factory=list)

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        **logistic: Any,
    ) -> NgramModel:
        """Fits the two vectorizers and a logistic regression (`logistic` are its settings)."""
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(texts)
        characters = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2
        ).fit(texts)
        features = hstack([words.transform(texts), characters.transform(texts)]).tocsr()
        model = LogisticRegression(**logistic).fit(features, list(labels))
        return cls.compile([words, characters], model)

    @classmethod
    def compile(cls, vectorizers: Sequence[Any], model: Any) -> NgramModel:
        """Vectorizers fitted with l2 norm and smooth IDF (scikit-learn's defaults) and a
        multinomial logistic regression over their features, side by side."""
        if len(model.classes_) < 3:
            raise ValueError("compiled for a multinomial model (three or more classes)")
        parts, offset = [], 0
        for vectorizer in vectorizers:
            if vectorizer.norm != "l2":
                raise ValueError("compiled for the l2 norm only")
            vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
            parts.append(
                _Features(
                    vectorizer.build_analyzer(),
                    vocabulary,
                    np.asarray(vectorizer.idf_, dtype=float),
                    offset,
                    bool(vectorizer.sublinear_tf),
                )
            )
            offset += len(vocabulary)
        coef_t = np.ascontiguousarray(np.asarray(model.coef_, dtype=float).T)
        if coef_t.shape[0] != offset:
            raise ValueError("the model was not fitted on these vectorizers' features")
        return cls([str(c) for c in model.classes_], coef_t, np.asarray(model.intercept_), parts)

    def probabilities(self, text: str) -> np.ndarray:
        """The probability of each class (in `classes` order) for one text."""
        indices: list[int] = []
        values: list[float] = []
        for part in self.parts:
            part.add(text, indices, values)
        logits = self.intercept.copy()
        if indices:
            logits += np.asarray(values) @ self.coef_t[indices]
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Every class with its probability, best first (ties in class order)."""
        row = self.probabilities(text)
        order = sorted(range(len(self.classes)), key=lambda i: -row[i])
        return [(self.classes[i], float(row[i])) for i in order]
