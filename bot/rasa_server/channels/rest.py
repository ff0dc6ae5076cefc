"""Rasa's REST channel with the project's input policy and request checks in front of it.

Rasa's own channel reads `request.json` (a body with invalid UTF-8 or deep nesting fails with a
500), takes any `sender` (another channel's conversation, or a shared `default` one), and
stores any `metadata` in the tracker several times per message. This one:
- reads at most MAX_REQUEST_BYTES and answers 400 to anything but a JSON object (413 if larger),
  decoding invalid UTF-8 tolerantly;
- needs a `sender` that is a plain id and not in another channel's namespace
  (bot/rasa_server/channels/ids.py): REST can never address a widget, SMS, WhatsApp or agent
  conversation;
- keeps only known metadata keys, short strings;
- refuses a flood (per conversation and per client address, bot/rasa_server/input_policy.py) with
429 and
  the `too_fast` reply before the message is stored or parsed;
- removes markup and control characters before the text reaches the tracker, and turns
  unreadable messages into an `unreadable_input` payload;
- when REST_ACCESS_TOKEN is set, needs `Authorization: Bearer <token>` (an integration's key).
Register it in credentials.yml as `bot.rasa_server.channels.rest.SafeRestInput`; it keeps the name
`rest`,
so the URL stays /webhooks/rest/webhook.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Dict

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa_server import input_policy, store_failsafe
from bot.rasa_server.channels import ids
from bot.startup import env

logger = logging.getLogger(__name__)

METADATA_KEYS = ("locale",)
METADATA_VALUE_CHARS = 40


class RequestRefusedError(ValueError):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def max_request_bytes() -> int:
    return input_policy.env_int("MAX_REQUEST_BYTES", 65536)


def parse_body(raw: bytes, limit: int | None = None) -> Dict[str, Any]:
    """The JSON object of a request body; refused when too large or not an object."""
    if len(raw) > (max_request_bytes() if limit is None else limit):
        raise RequestRefusedError(413, "request too large")
    try:
        body = json.loads(raw.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        raise RequestRefusedError(400, "send a JSON object") from None
    if not isinstance(body, dict):
        raise RequestRefusedError(400, "send a JSON object")
    return body


def known_metadata(metadata: object) -> Dict[str, str] | None:
    """Only the keys the assistant uses, as short strings; everything else is dropped."""
    if not isinstance(metadata, dict):
        return None
    kept = {
        key: value[:METADATA_VALUE_CHARS]
        for key, value in metadata.items()
        if key in METADATA_KEYS and isinstance(value, str)
    }
    return kept or None


def request_client(request: Request) -> str:
    """The caller's address: the socket's peer, or what a trusted proxy says it forwarded."""
    return input_policy.client_address(
        request.ip or "unknown", request.headers.get("X-Forwarded-For")
    )


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, read no further than `limit` + 1 bytes (a larger one is refused unread)."""
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise RequestRefusedError(413, "request too large")
    if request.stream is None:
        return request.body or b""
    chunks, size = [], 0
    while size <= limit:
        chunk = await request.stream.read()
        if chunk is None:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class SafeRestInput(RestInput):
    def __init__(self, limits: input_policy.Limits | None = None) -> None:
        self.gate = input_policy.InputGate(limits)
        self.access_token = env.text("REST_ACCESS_TOKEN")

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> SafeRestInput:
        return cls()

    def authorized(self, request: Request) -> bool:
        if not self.access_token:
            return True
        header = request.headers.get("Authorization", "")
        given = header[7:] if header.startswith("Bearer ") else ""
        return hmac.compare_digest(given.encode(), self.access_token.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest = Blueprint("custom_webhook_SafeRestInput", __name__)

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if not self.authorized(request):
                return response.json({"error": "unauthorized"}, status=401)
            try:
                body = parse_body(await read_limited(request, max_request_bytes()))
            except RequestRefusedError as problem:
                return response.json({"error": str(problem)}, status=problem.status)
            sender = ids.rest_sender(body.get("sender"))
            if sender is None:
                return response.json(
                    {"error": "`sender` must be 1-128 printable characters and not another "
                              "channel's conversation id"},
                    status=400,
                )  # fmt: skip
            if not self.gate.admit(sender, request_client(request)):
                reply = {"recipient_id": sender, "text": self.gate.too_fast_reply()}
                return response.json([reply], status=429, headers={"Retry-After": "60"})
            collector = CollectingOutputChannel()
            message = UserMessage(
                self.gate.payload(body.get("message")),
                collector,
                sender,
                input_channel=self.name(),
                metadata=known_metadata(body.get("metadata")),
                message_id=store_failsafe.client_message_id(body.get("message_id")),
            )
            try:
                await on_new_message(message)
            except Exception as error:  # a failed turn: 503, a reason, and what to do now
                logger.error("REST message failed: %s", type(error).__name__)
                domain = request.app.ctx.agent.domain
                failed = store_failsafe.failure_reply(domain, collector.name(), message.text)
                reason = store_failsafe.failure_reason(error)
                return response.json({"error": reason, "messages": failed}, status=503)
            return response.json(collector.messages)

        return rest
