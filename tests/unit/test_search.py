"""BM25 ranking."""

from bot.core.search import BM25
from bot.core.text import terms


def test_the_document_with_the_rarer_matching_term_ranks_first():
    index = BM25([["ivig", "dose"], ["ivig", "side", "effect"], ["myositis", "type"]])
    scores = index.scores(["dose", "ivig"])
    assert scores[0] > scores[1] > scores[2] == 0.0


def test_terms_are_lemmatized_and_stop_words_dropped():
    assert terms("What are the doses of the infusions?") == ["dose", "infusion"]


def test_terms_ignore_punctuation_and_emoji():
    assert terms("!!! 😀 <b>") == ["b"]
