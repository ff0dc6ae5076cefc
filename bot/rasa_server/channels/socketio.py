"""Rasa's socket.io channel (the web widget) with server-issued sessions and the input policy.

Rasa's channel lets any web page open a socket (`cors_allowed_origins=[]`), confirms whatever
`session_id` a client asks for, and takes the conversation id of each message from the
client: a second client that sends another visitor's id joins that visitor's room, receives
their replies live and can answer for them. This one:
- accepts sockets only from pages of SOCKETIO_ALLOWED_ORIGINS;
- confirms a requested session only if this server issued it (a signed token from
  bot/rasa_server/channels/ids.py), and otherwise issues a new one, so a visitor keeps theirs across
  reloads and nobody can make up or guess one;
- names the conversation by a keyed hash of that token: the id Rasa stores (and that leads,
  logs and the tracker show) cannot be used to join it;
- binds each socket to the conversation it was confirmed for: messages go there whatever id the
  client puts in them, replies go to that conversation's room only, and a socket that asked for
  no session sends nothing;
- keeps no client metadata; applies the rate limits (per session and per client address) before
  anything is stored, and the same input policy as REST;
- passes the widget's own message id (`message_id`, at most 64 of [A-Za-z0-9_-]; anything else
  is ignored and the server names the message), so a message sent again after a reconnect, to
  either replica, is answered from its stored turn and never processed twice
  (bot/rasa_server/store_failsafe.py);
- tells the person when their turn failed (a store down), as REST does: emergency guidance
  first if it was one, then `utter_turn_failed`.
Session persistence needs python-socketio below 5.10 (pinned): from 5.10 on `enter_room` is a
coroutine Rasa 3.6 does not await (RasaHQ/rasa#13027).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, Dict

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.rasa_server import input_policy, store_failsafe
from bot.rasa_server.channels import ids
from bot.startup import env

logger = logging.getLogger(__name__)

WIDGET_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def allowed_origins() -> list[str]:
    value = env.text("SOCKETIO_ALLOWED_ORIGINS") or ("http://localhost:5005,http://127.0.0.1:5005")
    return [origin.strip() for origin in value.split(",") if origin.strip()]


def confirmed_session(requested: object) -> str:
    """The visitor's own session if this server issued it; a new one otherwise."""
    return ids.verified_web_session(requested) or ids.new_web_session()


def widget_message_id(value: object) -> str | None:
    """The id the widget gave its message, when it is one; None lets the server name it."""
    if isinstance(value, str) and WIDGET_MESSAGE_ID.match(value):
        return value
    return None


def environ_client(environ: Dict[str, Any]) -> str:
    request = environ.get("sanic.request")
    peer = getattr(request, "ip", None) or environ.get("REMOTE_ADDR") or "unknown"
    return input_policy.client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"))


class SafeSocketIOInput(SocketIOInput):
    """Registered in credentials.yml by its dotted path; name and path unchanged."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        gate = input_policy.InputGate()
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=allowed_origins())
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        # Which conversation each socket was confirmed for, and where it connects from.
        sessions: Dict[str, str] = {}
        clients: Dict[str, str] = {}

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: Dict[str, Any], auth: Any = None) -> bool:
            clients[sid] = environ_client(environ)
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            sessions.pop(sid, None)
            clients.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            token = confirmed_session(requested)
            conversation = ids.web_conversation(token)
            previous = sessions.get(sid)
            if previous and previous != conversation:
                sio.leave_room(sid, previous, namespace=self.namespace)
            sessions[sid] = conversation
            sio.enter_room(sid, conversation, namespace=self.namespace)
            await sio.emit("session_confirm", token, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            session = sessions.get(sid)
            if session is None or not isinstance(data, dict):
                return  # no confirmed session: nothing to send to, nothing stored
            output = SocketIOOutput(sio, self.bot_message_evt)
            if not gate.admit(session, clients.get(sid)):
                await output.send_text_message(session, gate.too_fast_reply())
                return
            text = gate.payload(data.get("message"))
            message = UserMessage(
                text, output, session, input_channel=self.name(), metadata=None,
                message_id=widget_message_id(data.get("message_id")),
            )  # fmt: skip
            try:
                await on_new_message(message)
            except Exception as error:  # a failed turn: the person is told, as REST does
                logger.error("socket.io message failed: %s", store_failsafe.failure_reason(error))
                environ = sio.get_environ(sid, namespace=self.namespace) or {}
                domain = environ["sanic.request"].app.ctx.agent.domain
                for reply in store_failsafe.failure_reply(domain, output.name(), message.text):
                    await output.send_response(session, reply)

        return webhook
