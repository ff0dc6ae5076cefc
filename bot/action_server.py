"""The Rasa SDK action server, bound to loopback unless told otherwise and guarded by a token.

rasa-sdk's own `rasa run actions` listens on 0.0.0.0 with no authentication, and its error
handler echoes the request body (the whole conversation) back to the caller. This launcher
binds to ACTION_SERVER_HOST (127.0.0.1 by default), refuses to listen on other interfaces
without ACTION_SERVER_TOKEN, checks that token on every call (Rasa sends it as the
`action_token` query parameter, see endpoints.yml), and answers errors without echoing.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import sys

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request

from bot import logging_privacy

logger = logging.getLogger(__name__)
TOKEN_PARAM = "action_token"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_app(token: str) -> Sanic:
    app = create_app("actions", cors_origins=[])

    @app.middleware("request")
    async def require_token(request: Request):  # type: ignore[no-untyped-def]
        if request.path == "/health" or not token:
            return None
        given = request.args.get(TOKEN_PARAM, "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    @app.exception(Exception)
    async def on_error(request: Request, exception: Exception):  # type: ignore[no-untyped-def]
        logger.error("Action server error: %s", type(exception).__name__)
        return response.json({"error": "internal error"}, status=500)

    return app


def main() -> int:
    logging_privacy.install()
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))
    host = os.environ.get("ACTION_SERVER_HOST", "127.0.0.1")
    port = int(os.environ.get("ACTION_SERVER_PORT", "5055"))
    token = os.environ.get("ACTION_SERVER_TOKEN", "")
    if not is_loopback(host) and not token:
        print(
            f"Refusing to listen on {host} without ACTION_SERVER_TOKEN: the action server "
            "would be open to anyone who can reach it.",
            file=sys.stderr,
        )
        return 2
    app = build_app(token)
    app.run(host=host, port=port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
