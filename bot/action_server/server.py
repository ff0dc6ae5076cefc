"""The Rasa SDK action server, bound to loopback unless told otherwise and guarded by a token.

rasa-sdk's own `rasa run actions` listens on 0.0.0.0 with no authentication, and its error
handler echoes the request body (the whole conversation) back to the caller. Loopback alone is
no protection: any web page a developer or operator opens can POST to 127.0.0.1:5055 with a
`text/plain` body (no CORS preflight), and one made-up tracker is enough to store and deliver
a lead or erase a conversation. This launcher binds to ACTION_SERVER_HOST (127.0.0.1 by
default), will not start without ACTION_SERVER_TOKEN (`make run` generates one into var/, as it
does the agent token), checks it on every call but /health (Rasa sends it as the
`action_token` query parameter, see endpoints.yml), takes only `application/json` bodies of at
most ACTION_SERVER_MAX_BYTES, and answers errors without echoing.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import sys
import threading

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sqlalchemy.exc import SQLAlchemyError

from bot.action_server.leads import service
from bot.action_server.settings import SETTINGS
from bot.core import program
from bot.core.understanding import training
from bot.startup import env, logging_privacy

logger = logging.getLogger(__name__)
TOKEN_PARAM = "action_token"
MIN_TOKEN_CHARS = 16


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_json(content_type: str | None) -> bool:
    """Exactly application/json (parameters such as charset allowed): no simple CORS type."""
    return (content_type or "").split(";")[0].strip().lower() == "application/json"


def build_app(token: str, max_bytes: int = 2_000_000) -> Sanic:
    app = create_app("actions", cors_origins=[])
    app.config.REQUEST_MAX_SIZE = max_bytes

    @app.middleware("request")
    async def require_token(request: Request):  # type: ignore[no-untyped-def]
        if request.path == "/health" and request.method in ("GET", "HEAD"):
            return None
        given = request.args.get(TOKEN_PARAM, "")
        if not token or not hmac.compare_digest(given.encode(), token.encode()):
            return response.json({"error": "unauthorized"}, status=401)
        if request.method == "POST" and not is_json(request.content_type):
            return response.json({"error": "send application/json"}, status=415)
        return None

    @app.exception(Exception)
    async def on_error(request: Request, exception: Exception):  # type: ignore[no-untyped-def]
        logger.error("Action server error: %s", type(exception).__name__)
        return response.json({"error": "internal error"}, status=500)

    return app


def start_lead_service() -> None:
    """Migrations once, at start, and the outbox worker running before the first request, so
    notifications still pending from before a restart go out without waiting for a handoff.
    A leads database that is down does not keep the server from answering questions: the
    first handoff tries again, and the person is told if it still fails."""
    try:
        service.worker()
    except (SQLAlchemyError, OSError) as error:
        logger.error("The leads database is unreachable at start: %s", type(error).__name__)


def main() -> int:
    # Whatever this process creates (the leads database, its journal, the development key) is
    # readable by its owner only, however it was started.
    os.umask(0o077)
    env.freeze(os.environ, [setting.name for setting in SETTINGS])  # read once, from here on
    program.configure({name: env.text(name) for name in program.PROGRAM_SETTINGS})
    logging_privacy.install()
    logging.basicConfig(level=env.text("LOG_LEVEL", "INFO").upper())
    for warning in program.setting_warnings(program.load_program()):
        logger.warning("Program setting: %s", warning)  # e.g. PHARMACY_PHONE unset
    host = env.text("ACTION_SERVER_HOST", "127.0.0.1")
    port = env.integer("ACTION_SERVER_PORT", 5055)
    token = env.text("ACTION_SERVER_TOKEN")
    if not is_loopback(host) and not token:
        print(
            f"Refusing to listen on {host} without ACTION_SERVER_TOKEN: the action server "
            "would be open to anyone who can reach it.",
            file=sys.stderr,
        )
        return 2
    if len(token) < MIN_TOKEN_CHARS:
        print(
            f"Refusing to start without an ACTION_SERVER_TOKEN of {MIN_TOKEN_CHARS} characters "
            "or more: any web page could otherwise call the actions through the browser. "
            "`make run` generates one in var/action-token.",
            file=sys.stderr,
        )
        return 2
    max_bytes = env.integer("ACTION_SERVER_MAX_BYTES", 2_000_000)
    app = build_app(token, max_bytes)
    start_lead_service()
    # The follow-up reader's sentence classifier (a few seconds to fit), before it is needed.
    threading.Thread(target=training.fitted, name="fit-sentence-classifier", daemon=True).start()
    app.run(host=host, port=port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
