"""Follow-ups the action server reads from their own words, with the conversation's subject."""

import pytest
from rasa_sdk import Tracker

from actions import understanding


def tracker(text: str, last_topic: str | None = None, entities=()) -> Tracker:
    message = {"text": text, "intent": {"name": "faq"}, "entities": list(entities)}
    return Tracker("t", {"last_topic": last_topic}, message, [], False, None, {}, "")


def ibm(text: str) -> list[dict]:
    start = text.index("IBM")
    return [{"entity": "myositis_type", "value": "inclusion_body_myositis", "start": start,
             "end": start + 3}]  # fmt: skip


@pytest.mark.parametrize(
    "text", ["what's in it?", "what is it made from", "where does it come from?"]
)
def test_what_it_is_made_of_is_what_ivig_is_once_the_conversation_is_under_way(text):
    assert understanding.follow_up_by_rule(tracker(text, "how_ivig_works")) == "what_is_ivig"
    assert understanding.follow_up_by_rule(tracker(text)) is None  # nothing to be made of yet


def test_where_a_disease_comes_from_is_not_what_ivig_is_made_of():
    text = "where does dermatomyositis come from?"
    assert understanding.follow_up_by_rule(tracker(text, "how_ivig_works")) is None


def test_the_same_question_for_another_type_is_the_last_topic_again():
    text = "what about for IBM?"
    assert understanding.follow_up_by_rule(tracker(text, "ivig_success", ibm(text))) == (
        "ivig_success"
    )
    assert understanding.follow_up_by_rule(tracker(text, "polymyositis", ibm(text))) is None


def test_a_gap_declined_for_the_subject_it_names_is_not_answered_from_the_conversation():
    text = "can she fly the day after it?"
    message = {"text": text, "intent": {"name": "ask_not_covered"}, "entities": [],
               "understanding": {"parts": [{"kind": "not_covered", "topic": None,
                                            "confidence": 1.0}]}}  # fmt: skip
    declined = Tracker("t", {"last_topic": "side_effects"}, message, [], False, None, {}, "")
    assert understanding.gap_follow_up(declined) is None
