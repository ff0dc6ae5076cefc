"""Okapi BM25 ranking over short documents, small enough to keep in memory."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence


@dataclass
class BM25:
    documents: Sequence[Sequence[str]]
    k1: float = 1.5
    b: float = 0.75
    _frequencies: list[Counter] = field(init=False, repr=False)
    _idf: dict[str, float] = field(init=False, repr=False)
    _average_length: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._frequencies = [Counter(doc) for doc in self.documents]
        count = len(self.documents)
        document_frequency: Counter = Counter()
        for frequencies in self._frequencies:
            document_frequency.update(frequencies.keys())
        self._idf = {
            term: math.log(1 + (count - df + 0.5) / (df + 0.5))
            for term, df in document_frequency.items()
        }
        lengths = [len(doc) for doc in self.documents]
        self._average_length = (sum(lengths) / count) if count else 0.0

    def scores(self, query: Sequence[str]) -> list[float]:
        result = []
        for doc, frequencies in zip(self.documents, self._frequencies, strict=True):
            norm = self.k1 * (1 - self.b + self.b * len(doc) / (self._average_length or 1))
            score = 0.0
            for term in set(query):
                tf = frequencies.get(term, 0)
                if tf:
                    score += self._idf[term] * tf * (self.k1 + 1) / (tf + norm)
            result.append(score)
        return result
