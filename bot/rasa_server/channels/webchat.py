"""The web chat page and the widget's files: `make run` serves them at /webhooks/chat/.

Rasa mounts every input channel under /webhooks/<name>, so the page lives there too; the chat
itself goes over the socket.io channel (bot/rasa_server/channels/socketio.py) on the same server,
so the page's origin is the one SOCKETIO_ALLOWED_ORIGINS allows by default. A pharmacy's own
site embeds the widget with one script tag, as chat.html does, and adds its origin to that list.

widget.js is served with its settings filled in (CONFIG_MARKER): the notice it always shows,
the pharmacy's phone (PHARMACY_PHONE, for when it cannot connect), how long it keeps a
transcript, and the pharmacy's own: its name and logo (WIDGET_BRAND_NAME, WIDGET_LOGO_URL), its
privacy notice (WIDGET_PRIVACY_URL) and the article's public page (ARTICLE_URL, the "Source"
link of an answer). They come from here, so the widget shows them even when its socket is
refused. Every address must be https or a path on this server (anything else is left out, with
a warning); the widget checks them again and sets them as attributes, never as HTML.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core.program import load_program
from bot.rasa_server.channels import pages
from bot.startup import env

PUBLIC_FILES = ("widget.js", "widget.css", "socket.io.min.js")
CONFIG_MARKER = "/*IVIG_WIDGET_CONFIG*/null"
NOTICE = "This chat gives information, not medical advice. In an emergency, call 911."
# As long as Rasa keeps a conversation's session (domain.yml session_config): a transcript
# older than that would show answers the bot has already forgotten.
TRANSCRIPT_MINUTES = 240
BRAND_MAX_CHARS = 80
# An https address (a host, then no spaces, quotes or angle brackets), or a path on this server.
HTTPS_URL = re.compile(r"^https://[A-Za-z0-9.-]+(?::\d{1,5})?(?:[/?#][^\s\"'<>\\`]*)?$")
OWN_PATH = re.compile(r"^/(?![/\\])[^\s\"'<>\\`]*$")

logger = logging.getLogger(__name__)


def public_url(name: str, value: str) -> str:
    """The configured address when it is https or a path on this server; "" otherwise."""
    value = value.strip()
    if not value or HTTPS_URL.match(value) or OWN_PATH.match(value):
        return value
    logger.warning("%s is left out: it must be an https address or a path on this server", name)
    return ""


def brand_name(value: str) -> str:
    """The pharmacy's name, as one short line of plain text."""
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())[:BRAND_MAX_CHARS]


def widget_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    phone = load_program(environ=environ).phone
    if environ is None:  # the settings this process read at start-up
        names = ("WIDGET_BRAND_NAME", "WIDGET_LOGO_URL", "WIDGET_PRIVACY_URL", "ARTICLE_URL")
        environ = {name: env.text(name) for name in names}
    return {
        "notice": NOTICE,
        "phone": phone,
        "keepMinutes": TRANSCRIPT_MINUTES,
        "brandName": brand_name(environ.get("WIDGET_BRAND_NAME", "")),
        "logoUrl": public_url("WIDGET_LOGO_URL", environ.get("WIDGET_LOGO_URL", "")),
        "privacyUrl": public_url("WIDGET_PRIVACY_URL", environ.get("WIDGET_PRIVACY_URL", "")),
        "articleUrl": public_url("ARTICLE_URL", environ.get("ARTICLE_URL", "")),
    }


def image_sources(config: Mapping[str, Any]) -> str:
    """The logo's origin, for the chat page's CSP `img-src`, when it is on another server."""
    parts = urlsplit(str(config.get("logoUrl") or ""))
    return f"https://{parts.netloc}" if parts.scheme == "https" and parts.netloc else ""


class WebChatPage(InputChannel):
    """Registered in credentials.yml by its dotted path; serves files, takes no messages."""

    @classmethod
    def name(cls) -> str:
        return "chat"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        chat = Blueprint("web_chat_page", __name__)
        config = widget_config()
        settings = {CONFIG_MARKER: json.dumps(config)}
        logo_source = image_sources(config)

        def chat_page(request: Request) -> HTTPResponse:
            served = pages.serve(request, "chat.html")
            policy = served.headers.get("Content-Security-Policy")
            if logo_source and policy:  # the page may show the logo from its server
                served.headers["Content-Security-Policy"] = policy.replace(
                    "img-src 'self'", f"img-src 'self' {logo_source}", 1
                )
            return served

        @chat.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            return chat_page(request)

        # Also /webhooks/chat/ (Sanic hands the trailing slash here with an empty name).
        @chat.route("/<name:str>", methods=["GET"])
        async def asset(request: Request, name: str) -> HTTPResponse:
            if not name:
                return chat_page(request)
            if name not in PUBLIC_FILES:
                return pages.serve(request, "")
            return pages.serve(request, name, replace=settings if name == "widget.js" else None)

        return chat
