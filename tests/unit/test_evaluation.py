"""The held-out accuracy gate and the scoring of questions written by others."""

import json

import pytest

from bot.tools.evaluation import (
    EXTERNAL_QUESTIONS,
    external_report,
    gate,
    is_fitting,
    read_questions,
    route,
)


def faq_parse(key: str, confidence: float) -> dict:
    return {
        "intent": {"name": "faq", "confidence": 0.99},
        "response_selector": {
            "faq": {"response": {"intent_response_key": key, "confidence": confidence}}
        },
    }


def test_a_confident_faq_answer_routes_to_its_topic():
    assert route(faq_parse("faq/ivig_dose", 0.8), threshold=0.5) == "faq/ivig_dose"


def test_an_unsure_faq_answer_routes_to_the_fallback():
    assert route(faq_parse("faq/ivig_dose", 0.3), threshold=0.5) == "nlu_fallback"


def test_other_intents_route_by_name():
    assert route({"intent": {"name": "out_of_scope"}}, threshold=0.5) == "out_of_scope"


def test_an_honest_decline_fits_any_label():
    assert is_fitting("ivig_dose", "ask_not_covered")
    assert is_fitting("out_of_scope", "nlu_fallback")


def test_an_answer_on_another_topic_does_not_fit():
    assert not is_fitting("ibm", "faq/polymyositis")
    assert not is_fitting("out_of_scope", "faq/what_is_myositis")


def test_the_report_counts_fitting_and_off_topic_answers():
    parses = {
        "what is ibm": faq_parse("faq/inclusion_body_myositis", 0.9),
        "what is pyomyositis": faq_parse("faq/what_is_myositis", 0.9),
        "how is it diagnosed": {"intent": {"name": "ask_not_covered"}},
    }
    questions = [("what is ibm", "ibm"), ("what is pyomyositis", "out_of_scope")]
    questions.append(("how is it diagnosed", "diagnosis"))
    report = external_report(questions, parses.__getitem__, threshold=0.5)
    assert (report["questions"], report["fitting"]) == (3, 2)
    assert (report["answered_on_topic"], report["answered_off_topic"]) == (1, 1)
    assert report["by_label"]["out_of_scope"] == [0, 1]


@pytest.mark.skipif(
    not EXTERNAL_QUESTIONS.exists(), reason="../shared/eval is not beside the clone"
)
def test_the_shared_questions_are_readable():
    questions = read_questions()
    assert len(questions) > 100
    assert all(question and label for question, label in questions)


def write_report(directory, name, accuracy):
    (directory / name).write_text(json.dumps({"accuracy": accuracy}))


def test_the_gate_passes_at_the_bar(tmp_path):
    write_report(tmp_path, "intent_report.json", 0.90)
    write_report(tmp_path, "response_selection_report.json", 0.95)
    assert gate(tmp_path, 0.90) == []


def test_the_gate_fails_below_the_bar(tmp_path):
    write_report(tmp_path, "intent_report.json", 0.95)
    write_report(tmp_path, "response_selection_report.json", 0.89)
    assert gate(tmp_path, 0.90) == ["response selection accuracy 0.890 < 0.90"]


def test_the_gate_fails_when_a_report_is_missing(tmp_path):
    write_report(tmp_path, "intent_report.json", 0.95)
    (failure,) = gate(tmp_path, 0.90)
    assert failure.startswith("response selection: no report")
