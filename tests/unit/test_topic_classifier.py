"""What the topic classifier reads of a message."""

import pytest

from bot.core.understanding.topics import clean


@pytest.mark.parametrize(
    ("reported", "asked"),
    [("Caller wants to know what IVIG is.", "what ivig is"),
     ("Now she's asking if any treatment cures it.", "any treatment cures it"),
     ("He asks how it works.", "how it works"),
     ("Caller asks: is there a cure?", "is there a cure")],
)  # fmt: skip
def test_an_agents_report_of_the_callers_question_is_read_as_the_question(reported, asked):
    assert clean(reported) == asked


def test_a_reported_request_stays_whole():
    text = "Caller is asking us to check whether her father could be eligible"
    assert clean(text) == text.lower()
