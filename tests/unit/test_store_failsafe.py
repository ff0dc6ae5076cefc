"""What a person is told when a turn fails, and how a retried message finds its stored turn."""

from __future__ import annotations

import pytest
import rasa
from rasa.core.lock_store import LockError
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot import PROJECT_ROOT
from bot.rasa_server import store_failsafe
from bot.rasa_server.store_failsafe import (
    TrackerStoreUnavailableError,
    client_message_id,
    failure_reason,
    failure_reply,
    stored_reply,
)

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


def _text(response: str, channel: str | None = None) -> str:
    """The domain's wording of a response for a channel (the default when it has none)."""
    variants = DOMAIN.responses[response]
    chosen = [v for v in variants if v.get("channel") == channel] or [
        v for v in variants if not v.get("channel")
    ]
    return chosen[0]["text"]


def test_a_failed_turn_tells_the_person_to_try_again_and_to_call_911_in_an_emergency():
    reply = failure_reply(DOMAIN, "collector", "how often is ivig given")
    assert [m["text"] for m in reply] == [_text("utter_turn_failed")]
    assert "911" in reply[0]["text"]


@pytest.mark.parametrize("channel", ["twilio", "whatsapp", "agent_assist"])
def test_each_channel_gets_its_own_wording_of_the_failure(channel):
    reply = failure_reply(DOMAIN, channel, "what is ivig")
    assert [m["text"] for m in reply] == [_text("utter_turn_failed", channel)]


def test_an_emergency_typed_while_the_stores_are_down_still_gets_emergency_guidance_first():
    reply = failure_reply(DOMAIN, "collector", "my throat is closing and I can't breathe")
    assert [m["text"] for m in reply] == [_text("utter_emergency"), _text("utter_turn_failed")]


def test_thoughts_of_self_harm_typed_while_the_stores_are_down_get_the_988_line_first():
    reply = failure_reply(DOMAIN, "collector", "I want to kill myself")
    assert reply[0]["text"] == _text("utter_emergency_self_harm")
    assert reply[-1]["text"] == _text("utter_turn_failed")


def test_the_reason_says_which_store_failed_and_nothing_else():
    assert failure_reason(TrackerStoreUnavailableError("x")) == "conversation_store_unavailable"
    assert failure_reason(LockError("x")) == "conversation_lock_unavailable"
    assert failure_reason(RuntimeError("Pat Doe 415-555-0142")) == "turn_failed"


TURNS = [
    UserUttered("what is ivig", message_id="m1"),
    ActionExecuted("action_answer_faq"),
    BotUttered("IVIG is ...", {"buttons": [{"title": "Sources", "payload": "/sources"}]}),
    BotUttered("Anything else?"),
    ActionExecuted("action_listen"),
    UserUttered("thanks", message_id="m2"),
    BotUttered("You're welcome."),
]


def test_a_stored_message_id_is_answered_with_the_bot_messages_of_its_own_turn():
    first = stored_reply(TURNS, "m1")
    assert [e.text for e in first] == ["IVIG is ...", "Anything else?"]
    assert first[0].data["buttons"][0]["payload"] == "/sources"
    assert [e.text for e in stored_reply(TURNS, "m2")] == ["You're welcome."]


def test_a_message_id_not_stored_is_processed_as_usual():
    assert stored_reply(TURNS, "m3") is None
    assert stored_reply([], "m1") is None


@pytest.mark.parametrize("value", ["SM0123456789abcdef", "a1b2-c3d4", "wamid.HBgL:1@x"])
def test_plain_message_ids_are_accepted(value):
    assert client_message_id(value) == value


@pytest.mark.parametrize("value", [None, "", "x" * 129, "two words", 12, {"id": "1"}, "a\nb"])
def test_anything_else_is_no_message_id(value):
    assert client_message_id(value) is None


def test_the_patch_refuses_a_rasa_it_was_not_written_for(monkeypatch):
    installed = bool(store_failsafe._ORIGINALS)
    store_failsafe.uninstall()
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    try:
        with pytest.raises(RuntimeError, match=r"Rasa 3\.6"):
            store_failsafe.install()
    finally:
        monkeypatch.undo()
        if installed:
            store_failsafe.install()
