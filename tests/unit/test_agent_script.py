"""Replies for call-center agents get a cue: ask what the data marks as a question, tell the
rest, never twice."""

import pytest
import yaml

from bot import PROJECT_ROOT
from bot.core.agent_script import ScriptedReplies, asks_caller, has_cue, scripted
from tests import aio

RESPONSES = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


@pytest.mark.parametrize(
    "text,asks,expected",
    [
        ("How old is the person you're asking for?", True, "Ask the caller: How old is the person"),
        ("IVIG is made from donated blood.", False, "Tell the caller: IVIG is made"),
        (
            "Answer first.\n\nSource: the article, references 1, 9.",
            False,
            "Tell the caller: Answer",
        ),
        ("Do you want to stop? Your answers will be cleared.", True, "Ask the caller: Do you want"),
        ("  padded?  ", True, "Ask the caller: padded?"),
    ],
)
def test_a_marked_question_is_asked_and_everything_else_is_told(text, asks, expected):
    assert scripted(text, asks).startswith(expected)


def test_a_question_mark_alone_does_not_make_a_question_to_ask():
    """An answer that ends in a question is still told: only the data says what to ask."""
    assert scripted("Some facts. Would you like a specialist?").startswith("Tell the caller:")


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
    assert scripted(text) == text and scripted(text, asks=True) == text


def test_an_empty_text_stays_empty():
    assert scripted("") == "" and scripted("   ") == "   "


@pytest.mark.parametrize(
    "message,asks",
    [
        ({"text": "Why?", "metadata": {"asks_caller": True}}, True),
        ({"text": "Why?", "metadata": {"asks_caller": False}}, False),
        ({"text": "Why?", "metadata": {"title": "Side effects"}}, False),
        ({"text": "Why?", "metadata": "asks_caller"}, False),
        ({"text": "Why?"}, False),
    ],
)
def test_a_reply_asks_the_caller_when_its_response_is_marked(message, asks):
    assert asks_caller(message) is asks


class Sent:
    async def send_response(self, recipient_id, message):
        self.sent = (recipient_id, message)


class Console(ScriptedReplies, Sent):
    pass


def test_the_console_output_cues_each_reply_from_its_metadata():
    console = Console()
    aio.run(console.send_response("call", {"text": "Pick up?", "metadata": {"asks_caller": True},
                                           "buttons": [{"title": "Yes"}]}))  # fmt: skip
    assert console.sent == (
        "call",
        {"text": "Ask the caller: Pick up?", "metadata": {"asks_caller": True},
         "buttons": [{"title": "Yes"}]},
    )  # fmt: skip
    aio.run(console.send_response("call", {"text": "Facts. Any questions?"}))
    assert console.sent[1]["text"] == "Tell the caller: Facts. Any questions?"
    aio.run(console.send_response("call", {"custom": {"x": 1}}))
    assert console.sent[1] == {"custom": {"x": 1}}


def _asks(variant):
    return (variant.get("metadata") or {}).get("asks_caller") is True


def test_every_question_that_reaches_the_console_without_a_cue_is_marked():
    """A response with no agent_assist variant reaches the console with its default text: if
    that text asks something it must say so in the data."""
    unmarked = [
        name
        for name, variants in RESPONSES.items()
        if not any(v.get("channel") == "agent_assist" for v in variants)
        and " ".join(variants[0].get("text", "").split()).endswith("?")
        and not _asks(variants[0])
    ]
    assert unmarked == []


def test_the_mark_is_a_yes_on_a_variant_with_text():
    for name, variants in RESPONSES.items():
        for variant in variants:
            metadata = variant.get("metadata") or {}
            if "asks_caller" in metadata:
                assert metadata["asks_caller"] is True and variant.get("text"), name


@pytest.mark.parametrize(
    "name",
    ["utter_confirm_stop_screening", "utter_welcome_back_screening", "utter_anything_else",
     "utter_screening_reask", "utter_contact_not_read"],
)  # fmt: skip
def test_the_screens_and_handoffs_questions_are_marked_or_cued(name):
    variants = RESPONSES[name]
    agent = next((v for v in variants if v.get("channel") == "agent_assist"), None)
    if agent is not None:
        assert has_cue(agent["text"]) and agent["text"].startswith("Ask the caller")
    else:
        assert _asks(variants[0])
