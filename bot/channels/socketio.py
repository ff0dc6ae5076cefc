"""Rasa's socket.io channel (the web widget) with the input policy and an origin allow-list.

Rasa builds its socket.io server with `cors_allowed_origins=[]`, which lets any web page open
a socket; this one accepts only SOCKETIO_ALLOWED_ORIGINS. Every message passes the same input
policy as REST (markup and control characters removed before storage, unreadable input named,
a rate limit per session). Session persistence needs python-socketio below 5.10 (pinned):
from 5.10 on `enter_room` is a coroutine Rasa 3.6 does not await (RasaHQ/rasa#13027).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from bot import input_policy, logging_privacy

logging_privacy.install()


def allowed_origins() -> list[str]:
    value = os.environ.get(
        "SOCKETIO_ALLOWED_ORIGINS", "http://localhost:5005,http://127.0.0.1:5005"
    )
    return [origin.strip() for origin in value.split(",") if origin.strip()]


class SafeSocketIOInput(SocketIOInput):
    """`bot.channels.socketio.SafeSocketIOInput` in credentials.yml; name and path unchanged."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        gate = input_policy.InputGate()

        async def guarded(message: UserMessage) -> None:
            message.text = gate.payload(str(message.sender_id), message.text)
            await on_new_message(message)

        blueprint = super().blueprint(guarded)
        assert self.sio is not None
        self.sio.eio.cors_allowed_origins = allowed_origins()
        return blueprint
