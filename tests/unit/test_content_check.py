"""The content check: grade level, copying, references and claims, and the gate over every text.

The last test runs the whole check on this checkout (answers, symptom links, screening texts,
domain responses and their channel variants) and writes reports/content_check.json and .md.
"""

import json
import re

import pytest

from bot import PROJECT_ROOT
from bot.core.knowledge import Claim, Claims, claims_in
from bot.tools.content_check import (
    ARTICLE_FILE,
    MAX_GRADE,
    Context,
    Text,
    article_runs,
    check_text,
    cited_numbers,
    copied_runs,
    fact_sentences,
    grade,
    is_label,
    novel_terms,
    run_check,
    sentences,
    spoken_number,
    syllables,
    unlisted_sentences,
    vocabulary,
    write_report,
)

needs_article = pytest.mark.skipif(not ARTICLE_FILE.exists(), reason="shared/ article not beside")

ARTICLE = (
    "Myositis represents a group of rare autoimmune diseases that causes chronic inflammation "
    "and weakness in the muscles. Every year, around 7,000 people receive a diagnosis."
)
CLAIMS = Claims(
    labels={"safety": "General safety guidance"},
    lines={"safety": "{name} from our team, not from the article: {what}."},
    claims=(Claim("call_911", "Call 911 right away.", "safety", "when to call 911", "EMS"),),
    appended={},
)


def context(article: str = ARTICLE, plain: dict | None = None) -> Context:
    return Context(
        references=frozenset({1, 2, 3}),
        runs=article_runs(article),
        known=vocabulary(article),
        plain=plain or {},
        claims=CLAIMS,
    )


# ---------------------------------------------------------------- syllables and grade


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("myositis", 4),  # the project list: textstat's fallback says 2
        ("dermatomyositis", 7),
        ("IVIG", 4),  # said letter by letter
        ("muscle", 2),  # the CMU dictionary
        ("inflammation", 4),
        ("flu-like", 2),  # a hyphenated word: the syllables of its parts
        ("7,000", 4),  # seven thousand
        ("2022", 5),  # twenty twenty-two
        ("911", 3),  # nine-one-one
        ("9:00", 1),  # nine
    ],
)
def test_syllables_come_from_the_project_list_the_dictionary_and_spoken_numbers(word, count):
    assert syllables(word) == count


def test_a_word_in_neither_list_is_counted_by_vowels_and_reported():
    unknown: set[str] = set()
    assert syllables("blorptastic", unknown) == 3
    assert unknown == {"blorptastic"}


def test_numbers_are_spoken_as_words():
    assert spoken_number(7000) == ["seven", "thousand"]
    assert spoken_number(165) == ["one", "hundred", "sixty", "five"]


def test_each_line_and_each_sentence_counts_as_one_sentence():
    assert sentences("Yes. No!\n- a bullet option\n- another one") == [
        "Yes.",
        "No!",
        "a bullet option",
        "another one",
    ]


def test_short_titles_are_labels_and_sentences_are_not():
    assert is_label("Inclusion body myositis")
    assert is_label("Not sure")
    assert not is_label("Not sure.")
    assert not is_label("This is a sentence with more than six words")


def test_grade_is_flesch_kincaid():
    measured = grade("The cat sat. The dog ran.")
    assert (measured.words, measured.sentences, measured.syllables) == (6, 2, 6)
    assert measured.grade == round(0.39 * 3 + 11.8 * 1 - 15.59, 1)


def test_long_medical_sentences_grade_above_eight_and_plain_ones_below():
    dense = (
        "Intravenous immunoglobulin modulates the autoimmune response responsible for "
        "idiopathic inflammatory myopathies."
    )
    assert grade(dense).grade > MAX_GRADE
    assert grade("IVIG is made from blood. It is given through a vein.").grade <= MAX_GRADE


# ---------------------------------------------------------------- copying and citations


def test_a_run_of_eight_words_from_the_article_is_found_whatever_the_case_and_punctuation():
    runs = article_runs(ARTICLE)
    text = "It is a Group of Rare Autoimmune Diseases, that causes pain."
    assert copied_runs(text, runs) == ["a group of rare autoimmune diseases that causes"]
    assert copied_runs("It is a group of rare diseases that attack muscle.", runs) == []


def test_inline_citations_are_read():
    assert cited_numbers("as the trial showed (references 1, 6, 8) and (reference 9)") == [
        1,
        6,
        8,
        9,
    ]
    assert cited_numbers("no citation here, 2 g per kg") == []


# ---------------------------------------------------------------- claims not in the article


def test_words_the_article_lacks_are_novel_unless_a_plain_word_renders_one():
    known = vocabulary(ARTICLE)
    assert novel_terms("Myositis causes weak muscles.", known, {}) == ["weak"]
    assert novel_terms("Myositis causes weak muscles.", known, {"weak": "weakness"}) == []
    assert novel_terms("About 7,000 people get it.", known, {"get": "receive"}) == []
    assert novel_terms("About 8,000 people get it.", known, {"get": "receive"}) == ["8000"]


def test_a_sentence_with_new_facts_must_be_a_listed_claim():
    known = vocabulary(ARTICLE)
    text = "Myositis causes inflammation. Call 911 right away. Rheumatologists treat it."
    problems = unlisted_sentences(text, known, {}, CLAIMS.claims)
    assert [sentence for sentence, _ in problems] == ["Rheumatologists treat it."]


def test_listed_claims_are_found_word_for_word():
    assert [c.id for c in claims_in("If so, CALL 911 right away!", CLAIMS.claims)] == ["call_911"]
    assert claims_in("Call 999 right away.", CLAIMS.claims) == []


def test_a_sentence_that_is_only_a_claim_states_no_article_fact():
    text = "Myositis causes inflammation. Call 911 right away."
    assert fact_sentences(text, CLAIMS.claims) == ["Myositis causes inflammation."]


def answer(template: str, refs: tuple[int, ...], source: str) -> Text:
    return Text("answers/x", "answer", template, f"{template}\n\n{source}", refs, True)


def test_an_answer_with_article_facts_and_no_reference_fails():
    item = check_text(answer("Myositis causes inflammation.", (), "Source: ours."), context())
    assert any("without a reference" in p for p in item.problems)


def test_an_answer_citing_a_reference_the_list_lacks_fails():
    item = check_text(answer("Myositis causes inflammation.", (7,), "Source: x."), context())
    assert "cites reference 7, which the article's list lacks" in item.problems


def test_an_inline_citation_of_a_missing_reference_fails():
    item = Text("screening/x", "screening", "It helps (reference 12).", "It helps (reference 12).")
    assert (
        "cites reference 12, which the article's list lacks" in check_text(item, context()).problems
    )


def test_a_listed_claim_in_an_answer_needs_its_label_in_the_source_line():
    text = "Myositis causes inflammation. Call 911 right away."
    unlabelled = check_text(answer(text, (1,), "Source: article, reference 1."), context())
    assert "the source line lacks the label of claim 'call_911'" in unlabelled.problems
    labelled = check_text(
        answer(text, (1,), "Source: article, reference 1. General safety guidance from ..."),
        context(),
    )
    assert [p for p in labelled.problems if "label" in p or "claim" in p] == []


def test_an_unlisted_claim_in_a_citing_text_fails_and_one_in_a_question_does_not():
    cited = "Myositis causes inflammation (reference 1). Rheumatologists treat it."
    item = check_text(Text("screening/why", "screening", cited, cited), context())
    assert any("not in data/knowledge/claims.yml" in p for p in item.problems)
    question = "Do you see a rheumatologist?"
    assert check_text(Text("domain/q", "domain", question, question), context()).problems == []


def test_a_copied_run_and_a_high_grade_fail_any_text():
    copied = "Myositis represents a group of rare autoimmune diseases that causes pain."
    item = check_text(Text("domain/x", "domain", copied, copied), context())
    assert any(p.startswith("copies 8+ words") for p in item.problems)
    dense = "Intravenous immunoglobulin modulates idiopathic inflammatory myopathies."
    assert any(p.startswith("grade") for p in check_text(Text("d", "domain", dense, dense),
                                                          context()).problems)  # fmt: skip


# ---------------------------------------------------------------- the gate


@pytest.fixture(scope="module")
def report():
    return run_check(PROJECT_ROOT)


def test_the_check_covers_every_kind_of_user_facing_text(report):
    kinds = {t.kind for t in report.texts}
    assert {"answer", "symptom_link", "screening", "domain", "label"} <= kinds
    places = {t.where for t in report.texts}
    assert "domain/utter_emergency" in places and "domain/utter_emergency_self_harm" in places
    assert "domain/utter_after_emergency" in places
    assert any(p.endswith("[twilio]") for p in places)
    assert any(p.startswith("screening/questions/weight_kg/why") for p in places)


@needs_article
def test_every_user_facing_text_passes_the_content_check(report, tmp_path):
    json_path, md_path = write_report(report)
    failures = {t.where: t.problems for t in report.failures}
    assert failures == {}, f"content check failed, report: {md_path}"
    assert report.unused_claims == [] and report.bad_claims == []
    assert json.loads(json_path.read_text())["passed"] is True


PERSONAL_GRAMS = re.compile(r"\b\d+(?:\.\d+)?\s*(?:g|grams)\b(?!\s*(?:of IVIG\s*)?per kg)")


def test_the_gram_pattern_tells_a_per_kg_rate_from_an_amount():
    assert PERSONAL_GRAMS.search("about 140 g of IVIG in total")
    assert not PERSONAL_GRAMS.search("2 g of IVIG per kg, then 1 g per kg")


def test_no_text_shows_a_gram_amount_other_than_the_per_kg_rates(report):
    for item in report.texts:
        assert not PERSONAL_GRAMS.search(item.shown), item.where
