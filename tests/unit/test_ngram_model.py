"""The compiled n-gram model predicts what scikit-learn predicts, one text at a time."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.core import safety
from bot.core.ngram_model import NgramModel

TEXTS = [
    "what is ivig",
    "what is myositis",
    "how is ivig given",
    "can i get ivig at home",
    "my chest hurts",
    "i cannot breathe",
    "side effects of ivig",
    "headache after my infusion",
    "does insurance pay for it",
    "how much does ivig cost",
    "is there copay help",
    "what causes dermatomyositis",
]
LABELS = ["ivig", "myositis", "ivig", "home", "urgent", "urgent"] + ["effects"] * 2 + ["cost"] * 4
UNSEEN = [
    "",
    "zzz qqq",
    "What's IVIG made from?? and how often",
    "my dad's chest hurts and he can't breathe",
    "x=1",
    "home home home infusion at home",
]


def sklearn_probabilities(texts: list[str], fit_on: list[str], labels: list[str]) -> np.ndarray:
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(fit_on)
    characters = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2
    ).fit(fit_on)
    joint = hstack([words.transform(fit_on), characters.transform(fit_on)]).tocsr()
    model = LogisticRegression(C=10.0, max_iter=2000, random_state=1).fit(joint, labels)
    features = hstack([words.transform(texts), characters.transform(texts)]).tocsr()
    return model.predict_proba(features)


def test_it_gives_scikit_learns_probabilities_for_seen_and_unseen_texts() -> None:
    model = NgramModel.fit(TEXTS, LABELS, C=10.0, max_iter=2000, random_state=1)
    expected = sklearn_probabilities(TEXTS + UNSEEN, TEXTS, LABELS)
    got = np.vstack([model.probabilities(t) for t in TEXTS + UNSEEN])
    assert model.classes == sorted(set(LABELS))
    np.testing.assert_allclose(got, expected, atol=1e-9)


def test_the_red_flag_classifier_is_scikit_learns_on_its_own_examples() -> None:
    examples = safety.load_yaml(safety.EXAMPLES_FILE)
    texts = [
        safety.corrected(safety.normalize(str(i))) for items in examples.values() for i in items
    ]
    labels = [label for label, items in examples.items() for _ in items]
    model = NgramModel.fit(texts, labels, C=8.0, max_iter=2000, class_weight="balanced")
    probe = texts[::7] + [safety.corrected(t) for t in UNSEEN]
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(texts)
    characters = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2
    ).fit(texts)
    joint = hstack([words.transform(texts), characters.transform(texts)]).tocsr()
    reference = LogisticRegression(C=8.0, max_iter=2000, class_weight="balanced").fit(joint, labels)
    expected = reference.predict_proba(
        hstack([words.transform(probe), characters.transform(probe)]).tocsr()
    )
    np.testing.assert_allclose(
        np.vstack([model.probabilities(t) for t in probe]), expected, atol=1e-9
    )


def test_rank_lists_every_class_best_first() -> None:
    model = NgramModel.fit(TEXTS, LABELS, C=10.0, max_iter=2000, random_state=1)
    ranked = model.rank("how much does ivig cost")
    assert ranked[0][0] == "cost"
    assert sorted(label for label, _ in ranked) == model.classes
    assert sum(p for _, p in ranked) == pytest.approx(1.0)
    assert [p for _, p in ranked] == sorted((p for _, p in ranked), reverse=True)


def test_a_two_class_model_is_refused_rather_than_scored_wrongly() -> None:
    with pytest.raises(ValueError, match="multinomial"):
        NgramModel.fit(TEXTS[:4], ["a", "b", "a", "b"], C=1.0, max_iter=100)
