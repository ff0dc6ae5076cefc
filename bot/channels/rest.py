"""Rasa's REST channel with the project's input policy in front of it.

Rasa's own channel reads `request.json`, so a body with invalid UTF-8 fails before the bot can
answer, and it stores whatever text arrives. This one decodes tolerantly, removes markup and
control characters before the text reaches the tracker, turns unreadable messages into an
`unreadable_input` payload and limits how fast one sender can go. Register it in
credentials.yml as `bot.channels.rest.SafeRestInput`; it keeps the name `rest`, so the URL
stays /webhooks/rest/webhook.
"""

from __future__ import annotations

import json
from typing import Any, Dict

from rasa.core.channels.rest import RestInput
from sanic.request import Request

from bot import input_policy, logging_privacy

logging_privacy.install()


def tolerant_json(request: Request) -> Dict[str, Any]:
    """The JSON body, decoding invalid UTF-8 as U+FFFD instead of failing."""
    cached = getattr(request.ctx, "tolerant_json", None)
    if cached is None:
        try:
            cached = json.loads((request.body or b"").decode("utf-8", errors="replace"))
        except ValueError:
            cached = {}
        if not isinstance(cached, dict):
            cached = {}
        request.ctx.tolerant_json = cached
    return cached


class SafeRestInput(RestInput):
    def __init__(self, limits: input_policy.Limits | None = None) -> None:
        self.gate = input_policy.InputGate(limits)

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> SafeRestInput:
        return cls()

    async def _extract_sender(self, req: Request) -> str | None:
        sender = tolerant_json(req).get("sender")
        return str(sender)[:128] if sender is not None else None

    def _extract_message(self, req: Request) -> str | None:
        body = tolerant_json(req)
        return self.gate.payload(str(body.get("sender") or "default"), body.get("message"))

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def get_metadata(self, request: Request) -> Dict[str, Any] | None:
        metadata = tolerant_json(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None
