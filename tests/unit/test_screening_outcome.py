"""The screening outcome's messages: reasons, the article's per-kg rates, never an amount."""

import re

from actions.screening import outcome_messages
from tests.unit.test_action_responses import rendered

GOOD_FIT = {
    "for_whom": "self",
    "diagnosis": "dermatomyositis",
    "first_line_tried": "both",
    "first_line_result": ["not_enough"],
    "ivig_status": "none",
    "iga_status": "no_known",
    "severe_reaction": "no",
    "weight_kg": 74.8,
    "insurance": "medicare",
    "us_state": "CA",
    "has_doctor": "rheumatologist",
}
AMOUNT = re.compile(r"\b\d+(?:\.\d+)? ?(?:g|grams)\b(?! per kg)")


def test_the_outcome_gives_the_articles_rates_and_no_amount_for_the_weight():
    messages, ids = outcome_messages(GOOD_FIT)
    said = "\n".join(rendered(m) for m in messages)
    assert ids == ["specialist_review"]
    assert "2 g per kg" in said and "1 g per kg" in said
    assert "Your prescriber works out the amount" in said
    assert not AMOUNT.search(said) and "74.8" not in said and "150" not in said


def test_the_cost_note_carries_the_program_label():
    messages, _ = outcome_messages(GOOD_FIT)
    note = next(rendered(m) for m in messages if m.get("response") == "utter_cost_note")
    assert note.startswith("About cost:")
    assert note.endswith("(Program information from our team, not from the article.)")
