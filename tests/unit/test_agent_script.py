"""Replies for call-center agents get a cue: ask a question, tell the rest, never twice."""

import pytest

from bot.core.agent_script import scripted


@pytest.mark.parametrize(
    "text,expected",
    [
        ("How old is the person you're asking for?", "Ask the caller: How old is the person"),
        ("IVIG is made from donated blood.", "Tell the caller: IVIG is made"),
        ("Answer first.\n\nSource: the article, references 1, 9.", "Tell the caller: Answer"),
        ("Some facts. Would you like a specialist?", "Ask the caller: Some facts."),
        ("  padded?  ", "Ask the caller: padded?"),
    ],
)
def test_a_question_is_asked_and_everything_else_is_told(text, expected):
    assert scripted(text).startswith(expected)


@pytest.mark.parametrize(
    "text",
    [
        "Ask the caller: Which US state do you live in?",
        "Tell the caller now: This may be a medical emergency.",
        "Read this to the caller word for word: ...",
        "The assistant did not understand.",
    ],
)
def test_a_script_line_from_the_domain_keeps_its_own_cue(text):
    assert scripted(text) == text


def test_an_empty_text_stays_empty():
    assert scripted("") == "" and scripted("   ") == "   "
