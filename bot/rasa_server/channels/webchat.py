"""The web chat page: `make run` serves it at /webhooks/chat/.

Rasa mounts every input channel under /webhooks/<name>, so the page lives there too; the chat
itself goes over the socket.io channel (bot/rasa_server/channels/socketio.py) on the same server,
so the
page's origin is the one SOCKETIO_ALLOWED_ORIGINS allows by default. A pharmacy's own site
embeds the widget with the two tags shown in chat.html and adds its origin to that list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa_server.channels import pages

PUBLIC_FILES = ("widget.js", "widget.css", "socket.io.min.js")


class WebChatPage(InputChannel):
    """Registered in credentials.yml by its dotted path; serves files, takes no messages."""

    @classmethod
    def name(cls) -> str:
        return "chat"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        chat = Blueprint("web_chat_page", __name__)

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
            return pages.serve(request, name)

        return chat
