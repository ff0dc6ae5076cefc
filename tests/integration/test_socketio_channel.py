"""The web widget's socket.io channel: persisted sessions get replies; foreign origins don't."""

import logging
import threading

import pytest
import socketio

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

    def say(self, text: str) -> list[dict]:
        self.replies = []
        self._got.clear()
        self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})
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
