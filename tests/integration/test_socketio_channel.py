"""The web widget's socket.io channel: persisted sessions get replies; foreign origins don't;
a message sent again with its id is answered from the stored turn, never processed twice."""

import logging
import os
import threading
import uuid
from unittest import mock

import pytest
import socketio

from bot.rasa_server.channels import ids

ALLOWED = "http://localhost:5005"
# The client library reports its own normal shutdown ("packet queue is empty") as an error,
# printed after pytest's summary; keep the test output ending on that summary.
logging.getLogger("engineio.client").setLevel(logging.CRITICAL)


class Widget:
    """What the chat widget does: connect, ask for a session, send, collect replies."""

    def __init__(self, stack, origin: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.replies: list[dict] = []
        self.session_id: str | None = None
        self._got = threading.Event()
        self._confirmed = threading.Event()
        self.client.on("bot_uttered", self._on_reply)
        self.client.on("session_confirm", self._on_session)
        self.client.connect(
            stack.url, headers={"Origin": origin}, transports=["polling"], wait_timeout=10
        )

    def _on_reply(self, data) -> None:
        self.replies.append(data)
        self._got.set()

    def _on_session(self, session_id) -> None:
        self.session_id = session_id
        self._confirmed.set()

    def start_session(self, session_id: str | None = None) -> str:
        self.client.emit("session_request", {"session_id": session_id})
        assert self._confirmed.wait(10)
        return self.session_id

    def say(self, text: str, message_id: object = None) -> list[dict]:
        self.replies = []
        self._got.clear()
        payload = {"message": text, "session_id": self.session_id}
        if message_id is not None:
            payload["message_id"] = message_id
        self.client.emit("user_uttered", payload)
        assert self._got.wait(30), "no reply over socket.io"
        while True:  # the turn's messages arrive one by one; done after a quiet second
            self._got.clear()
            if not self._got.wait(1.0):
                return list(self.replies)

    def close(self) -> None:
        self.client.disconnect()


def test_a_persisted_session_gets_replies_and_survives_a_reload(stack):
    widget = Widget(stack, ALLOWED)
    session = widget.start_session()
    assert any("Source:" in r.get("text", "") for r in widget.say("what is ivig"))
    widget.say("could ivig help me")
    widget.close()
    reloaded = Widget(stack, ALLOWED)  # a page reload: same session id, new socket
    assert reloaded.start_session(session) == session
    replies = reloaded.say("for me")
    assert any("What type of myositis" in r.get("text", "") for r in replies)
    reloaded.close()


def test_markup_typed_in_the_widget_is_never_echoed(stack):
    widget = Widget(stack, ALLOWED)
    widget.start_session()
    replies = widget.say("<img src=x onerror=alert(1)><b>what is ivig</b>")
    assert all("<" not in r.get("text", "") for r in replies)
    assert any("Source:" in r.get("text", "") for r in replies)
    widget.close()


def test_a_page_from_another_origin_cannot_open_a_socket(stack):
    with pytest.raises(socketio.exceptions.ConnectionError):
        Widget(stack, "https://evil.example")


def conversation_of(stack, session: str) -> str:
    """The conversation id the server stores for a widget session (keyed by the stack's keys)."""
    with mock.patch.dict(os.environ, stack.env()):
        return ids.web_conversation(session)


def user_turns(stack, session: str) -> list[dict]:
    events = stack.tracker(conversation_of(stack, session))["events"]
    return [e for e in events if e["event"] == "user"]


def texts(replies: list[dict]) -> list[str]:
    return [r.get("text", "") for r in replies]


def resend_after_reconnect(first_stack, second_stack, message_id: object) -> tuple[list, list, str]:
    """Sends a message on one server, reconnects (to the other one) and sends it again."""
    widget = Widget(first_stack, ALLOWED)
    session = widget.start_session()
    first = widget.say("what is ivig", message_id)
    widget.close()
    again = Widget(second_stack, ALLOWED)
    assert again.start_session(session) == session
    second = again.say("what is ivig", message_id)
    again.close()
    return first, second, session


def test_a_message_sent_again_with_its_id_is_answered_from_the_stored_turn(stack):
    message_id = f"widget-{uuid.uuid4().hex}"
    first, second, session = resend_after_reconnect(stack, stack, message_id)
    assert any("Source:" in t for t in texts(first))
    assert texts(second) == texts(first)
    turns = user_turns(stack, session)
    assert [(t["text"], t["message_id"]) for t in turns] == [("what is ivig", message_id)]


@pytest.mark.parametrize(
    "malformed",
    ["has space", "dots.are.not.allowed", "x" * 65, "", 12345, {"id": "a"}],
    ids=["space", "dot", "65-chars", "empty", "number", "object"],
)
def test_a_malformed_message_id_is_ignored_and_the_server_names_the_message(stack, malformed):
    first, second, session = resend_after_reconnect(stack, stack, malformed)
    assert any("Source:" in t for t in texts(first)) and any("Source:" in t for t in texts(second))
    turns = user_turns(stack, session)
    assert [t["text"] for t in turns] == ["what is ivig", "what is ivig"]  # two messages
    stored_ids = [t["message_id"] for t in turns]
    assert malformed not in stored_ids and len(set(stored_ids)) == 2
