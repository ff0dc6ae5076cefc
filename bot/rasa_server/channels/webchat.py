"""The web chat page and the widget's files: `make run` serves them at /webhooks/chat/.

Rasa mounts every input channel under /webhooks/<name>, so the page lives there too; the chat
itself goes over the socket.io channel (bot/rasa_server/channels/socketio.py) on the same server,
so the page's origin is the one SOCKETIO_ALLOWED_ORIGINS allows by default. A pharmacy's own
site embeds the widget with one script tag, as chat.html does, and adds its origin to that list.

widget.js is served with its settings filled in (CONFIG_MARKER): the notice it always shows,
the pharmacy's phone (PHARMACY_PHONE, for when it cannot connect) and how long it keeps a
transcript. They come from here, so the widget shows them even when its socket is refused.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.program import load_program
from bot.rasa_server.channels import pages

PUBLIC_FILES = ("widget.js", "widget.css", "socket.io.min.js")
CONFIG_MARKER = "/*IVIG_WIDGET_CONFIG*/null"
NOTICE = "This chat gives information, not medical advice. In an emergency, call 911."
# As long as Rasa keeps a conversation's session (domain.yml session_config): a transcript
# older than that would show answers the bot has already forgotten.
TRANSCRIPT_MINUTES = 240


def widget_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {
        "notice": NOTICE,
        "phone": load_program(environ=environ).phone,
        "keepMinutes": TRANSCRIPT_MINUTES,
    }


class WebChatPage(InputChannel):
    """Registered in credentials.yml by its dotted path; serves files, takes no messages."""

    @classmethod
    def name(cls) -> str:
        return "chat"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        chat = Blueprint("web_chat_page", __name__)
        settings = {CONFIG_MARKER: json.dumps(widget_config())}

        @chat.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            return pages.serve(request, "chat.html")

        # Also /webhooks/chat/ (Sanic hands the trailing slash here with an empty name).
        @chat.route("/<name:str>", methods=["GET"])
        async def asset(request: Request, name: str) -> HTTPResponse:
            if not name:
                return pages.serve(request, "chat.html")
            if name not in PUBLIC_FILES:
                return pages.serve(request, "")
            return pages.serve(request, name, replace=settings if name == "widget.js" else None)

        return chat
