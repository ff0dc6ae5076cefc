"""The tracker store applies the action server's rewrite requests to its own rows.

The action server never touches the tracker database. When a person asks to be forgotten, or a
lead now holds their typed contact details encrypted, the action returns the slot
`tracker_rewrite` set to a request (bot/core/erasure.py). Before the turn's messages go out,
this hook hands the request to the tracker store, which stores the turn so far and blanks the
conversation's rows. The reply to an erasure is built here, from what the store actually
changed: nothing says "deleted" unless it was, and a store that cannot erase says so.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.actions.action import create_bot_utterance
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import Event, SlotSet

from bot.core.erasure import ERASE, REWRITE_SLOT, Erasure, reply, request_in
from bot.rasa_server.retention import retention_days
from bot.rasa_server.tracker_store import own_store

logger = logging.getLogger(__name__)
_originals: dict[str, Any] = {}


def requested(events: list[Event]) -> dict[str, Any] | None:
    """The last rewrite request among an action's events."""
    found = None
    for event in events:
        if isinstance(event, SlotSet) and event.key == REWRITE_SLOT:
            found = request_in(event.as_dict()) or found
    return found


async def _apply(
    processor: MessageProcessor, request: dict[str, Any], tracker: Any
) -> Erasure | None:
    rewrite = getattr(own_store(processor.tracker_store), "rewrite", None)
    if rewrite is None:  # a tracker store that cannot rewrite its rows: its retention applies
        logger.error("The tracker store cannot erase conversations; check endpoints.yml")
        return None
    try:
        return await rewrite(tracker, request["kind"])
    except Exception as error:  # the database is down: say so rather than claim it
        logger.error("Rewriting a conversation failed: %s", type(error).__name__)
        return None


async def _execute_side_effects(self: MessageProcessor, events: list[Event], tracker: Any,
                                output_channel: Any) -> None:  # fmt: skip
    request = requested(events)
    if request is not None:
        erasure = await _apply(self, request, tracker)
        if request["kind"] == ERASE:
            chosen = reply(request["referrals"], erasure, retention_days())
            name = chosen.pop("response")
            message = await self.nlg.generate(name, tracker, output_channel.name(), **chosen)
            if message is not None:
                message["utter_action"] = name
                bot = create_bot_utterance(message)
                tracker.update(bot)  # stored with the turn, and blanked by the next erasure
                events = [*events, bot]
    await _originals["side_effects"](self, events, tracker, output_channel)


def install() -> None:
    """Idempotent; registered by bot.rasa_server.rasa_patches.install()."""
    if _originals:
        return
    _originals["side_effects"] = MessageProcessor.execute_side_effects
    MessageProcessor.execute_side_effects = _execute_side_effects  # type: ignore[method-assign]


def uninstall() -> None:
    if _originals:
        MessageProcessor.execute_side_effects = _originals.pop("side_effects")  # type: ignore[method-assign]
