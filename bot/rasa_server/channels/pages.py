"""Serves the widget's and the agent console's files from this package, never from a CDN.

Only the files listed here are served (no path from a URL reaches the file system), each with
a Content-Security-Policy that allows scripts, styles and sockets from this server only, so
even a message that slipped past the input policy could not run as script.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.startup import env

WEB_DIR = Path(__file__).parent / "web"
VENDOR_DIR = WEB_DIR / "node_modules"
FILES = {
    "chat.html": WEB_DIR / "chat.html",
    "widget.js": WEB_DIR / "widget.js",
    "widget.css": WEB_DIR / "widget.css",
    "agent.html": WEB_DIR / "agent.html",
    "agent-login.html": WEB_DIR / "agent-login.html",
    "agent.js": WEB_DIR / "agent.js",
    "agent.css": WEB_DIR / "agent.css",
    "socket.io.min.js": VENDOR_DIR / "socket.io-client" / "dist" / "socket.io.min.js",
}
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


ORIGIN = re.compile(r"^[a-z0-9.-]+(?::\d{1,5})?$", re.I)


def connect_sources(public_url: str | None = None) -> str:
    """`connect-src` from configuration, never from the request's Host header: 'self' (which
    covers the same server's ws:// and wss://), plus BOT_PUBLIC_URL's origin and its socket
    scheme when the bot is published under another name."""
    value = (env.text("BOT_PUBLIC_URL") if public_url is None else public_url).strip()
    sources = ["'self'"]
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and ORIGIN.match(parts.netloc or ""):
        socket = "wss" if parts.scheme == "https" else "ws"
        sources += [f"{parts.scheme}://{parts.netloc}", f"{socket}://{parts.netloc}"]
    return " ".join(sources)


def security_headers(request: Request) -> dict[str, str]:
    return {
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src {connect_sources()}; frame-ancestors 'self'; "
            "base-uri 'none'; form-action 'self'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def serve(request: Request, name: str, status: int = 200, replace: dict[str, str] | None = None
          ) -> HTTPResponse:  # fmt: skip
    path = FILES.get(name)
    if path is None:
        return response.text("Not found", status=404)
    if not path.exists():
        return response.text(
            f"{name} is not installed; run `make install` (it installs the widget's packages).",
            status=503,
        )
    body = path.read_text(encoding="utf-8")
    for marker, value in (replace or {}).items():
        body = body.replace(marker, value)
    return response.text(
        body, status=status, content_type=TYPES[path.suffix], headers=security_headers(request)
    )
